#include "core/model/paths.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "tests/unit/temp_dir.h"

namespace box {
namespace {
namespace fs = std::filesystem;

using Strings = std::vector<std::string>;

class PathsTest : public ::testing::Test {
 protected:
  void touch(const std::string& rel, const std::string& text = "x") {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << text;
  }
  void mask(const std::string& rel) {
    fs::create_directories((root_ / rel).parent_path());
    fs::create_symlink("/dev/null", root_ / rel);
  }
  std::string p(const std::string& rel) { return (root_ / rel).string(); }
  Strings dirs() { return {p("user"), p("etc"), p("shipped"), p("missing")}; }

  box::testing::TempDir tmp_{"user", "etc", "shipped"};
  const fs::path root_{tmp_.path()};
};

TEST_F(PathsTest, UserDefinitionWinsOverShipped) {
  touch("user/a.yaml");
  touch("shipped/a.yaml");
  touch("shipped/b.yaml");
  touch("shipped/notes.txt");
  touch("shipped/.yaml");
  touch("shipped/.hidden.yaml");
  fs::create_directories(root_ / "shipped/dir.yaml");
  auto files = list_definition_files(dirs());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].name, "a");
  EXPECT_EQ(files[0].path, p("user/a.yaml"));
  EXPECT_EQ(files[0].overridden, Strings{p("shipped/a.yaml")});
  EXPECT_EQ(files[1].name, "b");
  EXPECT_EQ(files[1].path, p("shipped/b.yaml"));

  auto found = find_definition_file(dirs(), "a");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, p("user/a.yaml"));
}

TEST_F(PathsTest, MissingDefinitionSaysWhereItLooked) {
  auto found = find_definition_file(dirs(), "nope");
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().message(), "no definition for container 'nope' (looked for " +
                                         p("user/nope.yaml") + ", " + p("etc/nope.yaml") + ", " +
                                         p("shipped/nope.yaml") + ", " + p("missing/nope.yaml") +
                                         ")");
}

TEST_F(PathsTest, RejectsPathLikeNames) {
  EXPECT_FALSE(find_definition_file(dirs(), "../user/a").ok());
  EXPECT_FALSE(resolve_definition(dirs(), "a/b").ok());
  EXPECT_FALSE(resolve_definition(dirs(), "web@").ok());
  EXPECT_FALSE(resolve_definition(dirs(), "a@b@c").ok());
}

TEST_F(PathsTest, FragmentsFromEveryDirInFileNameOrder) {
  touch("shipped/a.yaml");
  touch("shipped/a.yaml.d/10-base.yaml");
  touch("shipped/a.yaml.d/30-shipped.yaml");
  touch("etc/a.yaml.d/10-base.yaml");  // hides the shipped 10-base
  touch("etc/a.yaml.d/20-admin.yaml");
  touch("user/a.yaml.d/05-first.yaml");
  touch("user/a.yaml.d/notes.txt");       // not *.yaml
  touch("user/a.yaml.d/.swap.yaml");      // hidden
  mask("user/a.yaml.d/30-shipped.yaml");  // removes the shipped 30-shipped
  auto f = resolve_definition(dirs(), "a");
  ASSERT_TRUE(f.ok()) << f.error().message();
  EXPECT_EQ(f->path, p("shipped/a.yaml"));
  EXPECT_EQ(f->fragments, (Strings{p("user/a.yaml.d/05-first.yaml"), p("etc/a.yaml.d/10-base.yaml"),
                                   p("etc/a.yaml.d/20-admin.yaml")}));
}

TEST_F(PathsTest, MaskedDefinition) {
  mask("user/a.yaml");
  touch("shipped/a.yaml");
  auto f = resolve_definition(dirs(), "a");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->masked_by, p("user/a.yaml"));
  EXPECT_EQ(f->path, "");
  EXPECT_TRUE(list_definition_files(dirs()).empty());
  auto found = find_definition_file(dirs(), "a");
  ASSERT_FALSE(found.ok());
  EXPECT_NE(found.error().message().find("masked by '" + p("user/a.yaml") + "'"),
            std::string::npos);
  auto loaded = load_container_definition(dirs(), "a", {"/home/u", "/home/u/.local/share", ""});
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message().find("is masked by"), std::string::npos);
}

TEST_F(PathsTest, TemplateServesInstances) {
  touch("shipped/web@.yaml");
  touch("shipped/web@.yaml.d/10-all.yaml");
  touch("user/web@blue.yaml.d/20-blue.yaml");
  touch("user/web@.yaml.d/30-user-all.yaml");
  auto blue = resolve_definition(dirs(), "web@blue");
  ASSERT_TRUE(blue.ok()) << blue.error().message();
  EXPECT_EQ(blue->name, "web@blue");
  EXPECT_EQ(blue->path, p("shipped/web@.yaml"));
  EXPECT_EQ(blue->fragments,
            (Strings{p("shipped/web@.yaml.d/10-all.yaml"), p("user/web@blue.yaml.d/20-blue.yaml"),
                     p("user/web@.yaml.d/30-user-all.yaml")}));
  // Any instance resolves, declared or not.
  auto red = resolve_definition(dirs(), "web@red");
  ASSERT_TRUE(red.ok());
  EXPECT_EQ(red->fragments, (Strings{p("shipped/web@.yaml.d/10-all.yaml"),
                                     p("user/web@.yaml.d/30-user-all.yaml")}));
}

TEST_F(PathsTest, InstanceFragmentHidesTemplateFragmentInTheSameDir) {
  touch("user/web@.yaml");
  touch("user/web@.yaml.d/10.yaml");
  touch("user/web@blue.yaml.d/10.yaml");
  auto blue = resolve_definition(dirs(), "web@blue");
  ASSERT_TRUE(blue.ok());
  EXPECT_EQ(blue->fragments, Strings{p("user/web@blue.yaml.d/10.yaml")});
}

TEST_F(PathsTest, InstanceFileWinsOverTemplateWhereverItIs) {
  touch("user/web@.yaml");
  touch("shipped/web@red.yaml");
  auto red = resolve_definition(dirs(), "web@red");
  ASSERT_TRUE(red.ok());
  EXPECT_EQ(red->path, p("shipped/web@red.yaml"));
  EXPECT_TRUE(red->overridden.empty());
}

TEST_F(PathsTest, MaskedTemplateMasksItsInstances) {
  mask("user/web@.yaml");
  touch("shipped/web@.yaml");
  auto blue = resolve_definition(dirs(), "web@blue");
  ASSERT_TRUE(blue.ok());
  EXPECT_EQ(blue->masked_by, p("user/web@.yaml"));
}

TEST_F(PathsTest, MissingTemplateSaysWhereItLooked) {
  auto r = resolve_definition({p("user")}, "web@blue");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "no definition for container 'web@blue' (looked for " +
                                     p("user/web@blue.yaml") + ", " + p("user/web@.yaml") + ")");
}

TEST_F(PathsTest, ScanFindsDeclaredInstancesTemplatesAndProblems) {
  touch("user/web@.yaml");
  fs::create_directories(root_ / "user/web@blue.yaml.d");  // declares web@blue
  fs::create_symlink("web@.yaml", root_ / "user/web@green.yaml");
  touch("shipped/job@.yaml");  // a template with no instance
  touch("shipped/plain.yaml");
  mask("etc/gone.yaml");
  touch("shipped/gone.yaml");
  touch("user/Bad Name.yaml");
  touch("user/orphan.yaml.d/10.yaml");
  touch("user/nobody@x.yaml.d/10.yaml");
  touch("user/ghost@.yaml.d/10.yaml");
  touch("user/a@b@.yaml");
  const auto scan = scan_definitions(dirs());

  Strings names;
  for (const auto& c : scan.containers) names.push_back(c.name);
  EXPECT_EQ(names, (Strings{"gone", "plain", "web@blue", "web@green"}));
  EXPECT_EQ(scan.containers[0].masked_by, p("etc/gone.yaml"));
  EXPECT_EQ(scan.containers[2].path, p("user/web@.yaml"));
  EXPECT_EQ(scan.containers[3].path, p("user/web@green.yaml"));

  ASSERT_EQ(scan.templates.size(), 1u);
  EXPECT_EQ(scan.templates[0].name, "job@");
  EXPECT_EQ(scan.templates[0].path, p("shipped/job@.yaml"));

  Strings problems;
  for (const auto& pr : scan.problems) problems.push_back(pr.name + ": " + pr.message);
  ASSERT_EQ(problems.size(), 5u);
  EXPECT_EQ(problems[0],
            "Bad Name: container name 'Bad Name' contains ' ': use letters, digits, '-', '_' "
            "and '.'");
  EXPECT_EQ(problems[1],
            "a@b@: template name 'a@b' cannot contain '@' (NAME@INSTANCE names an instance of a "
            "container template, nothing else)");
  EXPECT_EQ(problems[2], "ghost@: drop-ins in '" + p("user/ghost@.yaml.d") +
                             "' but no template 'ghost@.yaml' in the search path");
  EXPECT_EQ(problems[3].substr(0, 31 + p("user/nobody@x.yaml.d").size()),
            "nobody@x: drop-ins in '" + p("user/nobody@x.yaml.d") + "' but no");
  EXPECT_EQ(problems[4].substr(0, 29 + p("user/orphan.yaml.d").size()),
            "orphan: drop-ins in '" + p("user/orphan.yaml.d") + "' but no");

  // Every drop-in dir, for the manager's watch.
  Strings dropin_dirs = scan.dropin_dirs;
  std::sort(dropin_dirs.begin(), dropin_dirs.end());
  EXPECT_EQ(dropin_dirs, (Strings{p("user/ghost@.yaml.d"), p("user/nobody@x.yaml.d"),
                                  p("user/orphan.yaml.d"), p("user/web@blue.yaml.d")}));
}

// The generator (one listing per dir) and box-run start (a lookup per name)
// must agree on every name, or a unit would run something else than what
// its drop-in was generated from.
TEST_F(PathsTest, ScanAndLookupAgree) {
  touch("user/web@.yaml");
  touch("user/web@.yaml.d/10.yaml");
  touch("etc/web@blue.yaml.d/10.yaml");
  touch("shipped/web@blue.yaml.d/20.yaml");
  fs::create_symlink("web@.yaml", root_ / "user/web@green.yaml");
  touch("shipped/a.yaml");
  touch("etc/a.yaml");
  touch("user/a.yaml.d/1.yaml");
  mask("user/a.yaml.d/2.yaml");
  touch("shipped/a.yaml.d/2.yaml");
  fs::create_symlink(root_ / "shipped/a.yaml", root_ / "user/b.yaml");  // a symlink is followed
  fs::create_symlink(root_ / "nowhere.yaml", root_ / "user/dangling.yaml");  // ignored
  const auto scan = scan_definitions(dirs());
  ASSERT_EQ(scan.containers.size(), 4u);
  for (const auto& c : scan.containers) {
    auto live = resolve_definition(dirs(), c.name);
    ASSERT_TRUE(live.ok()) << c.name;
    EXPECT_EQ(live->path, c.path) << c.name;
    EXPECT_EQ(live->fragments, c.fragments) << c.name;
    EXPECT_EQ(live->overridden, c.overridden) << c.name;
    EXPECT_EQ(live->masked_by, c.masked_by) << c.name;
  }
  EXPECT_FALSE(resolve_definition(dirs(), "dangling").ok());
}

TEST_F(PathsTest, LoadsWithFragmentsAndInstance) {
  touch("shipped/web@.yaml", "rootfs: /srv/${instance}\ncommand: [serve]\n");
  touch("user/web@blue.yaml.d/10.yaml", "restart: always\n");
  auto d = load_container_definition(dirs(), "web@blue", {"/home/u", "/home/u/.local/share", ""});
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->name, "web@blue");
  EXPECT_EQ(d->rootfs, "/srv/blue");
  EXPECT_EQ(d->restart, RestartPolicy::kAlways);
  EXPECT_EQ(d->source_path, p("shipped/web@.yaml"));
  EXPECT_EQ(d->fragment_paths, Strings{p("user/web@blue.yaml.d/10.yaml")});
}

TEST_F(PathsTest, LoadsAFileGivenByPathAsTheSearchPathWould) {
  const LoadContext ctx{"/home/u", "/home/u/.local/share", ""};
  touch("elsewhere/web@.yaml", "description: site ${instance}\nrootfs: /r\ncommand: [x]\n");
  touch("elsewhere/web@.yaml.d/10.yaml", "restart: always\n");
  auto t = load_definition_at(p("elsewhere/web@.yaml"), ctx);
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->name, "web@instance");
  EXPECT_EQ(t->description, "site instance");
  EXPECT_EQ(t->restart, RestartPolicy::kAlways);

  touch("elsewhere/a@b@.yaml", "rootfs: /r\ncommand: [x]\n");
  auto bad = load_definition_at(p("elsewhere/a@b@.yaml"), ctx);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message().substr(0, p("elsewhere/a@b@.yaml").size() + 46),
            p("elsewhere/a@b@.yaml") + ": template name 'a@b' cannot contain '@' (NAME");

  touch("elsewhere/x y.yaml", "rootfs: /r\ncommand: [x]\n");
  auto spaced = load_definition_at(p("elsewhere/x y.yaml"), ctx);
  ASSERT_FALSE(spaced.ok());
  EXPECT_EQ(spaced.error().message(), p("elsewhere/x y.yaml") +
                                          ": container name 'x y' contains ' ': use letters, "
                                          "digits, '-', '_' and '.'");
}

TEST(UserDirs, DefaultsFollowXdg) {
  UserDirs d{"/home/u", "/home/u/.config", "/home/u/.local/share", "/run/user/1"};
  auto s = definition_search_dirs(d);
  EXPECT_EQ(s, (Strings{"/home/u/.config/box/containers", "/etc/box/containers",
                        "/usr/share/box/containers"}));
}

TEST(UserDirs, ContainersPathReplacesTheSearchPath) {
  UserDirs d{"/home/u", "/home/u/.config", "/home/u/.local/share", "/run/user/1"};
  d.containers_path = "/a:relative::/b/";
  EXPECT_EQ(definition_search_dirs(d), (Strings{"/a", "/b/"}));
  d.containers_path = "relative-only";
  EXPECT_EQ(definition_search_dirs(d).size(), 3u);
}

TEST(ContainerNames, PlainAndInstance) {
  EXPECT_TRUE(is_valid_container_name("etcd"));
  EXPECT_TRUE(is_valid_container_name("web@blue"));
  EXPECT_TRUE(is_valid_container_name("web@8080"));
  EXPECT_TRUE(is_valid_container_name("a.b-c_d@e.f-g_h"));
  EXPECT_TRUE(is_valid_container_name(std::string(64, 'a') + "@" + std::string(64, 'b')));
  for (const char* bad : {"", "@", "web@", "@blue", "a@b@c", "web@-x", "web@.x", "-web", ".web",
                          "web blue", "web/blue", "web@blue/x", "web%i", "wéb"})
    EXPECT_FALSE(is_valid_container_name(bad)) << bad;
  EXPECT_FALSE(is_valid_container_name(std::string(65, 'a')));
  EXPECT_FALSE(is_valid_container_name("a@" + std::string(65, 'b')));

  auto parts = split_container_name("web@blue");
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->base, "web");
  EXPECT_EQ(parts->instance, "blue");
  EXPECT_EQ(split_container_name("etcd")->instance, "");
  EXPECT_FALSE(split_container_name("a@b@c").has_value());
}

}  // namespace
}  // namespace box
