#include "generator/generator.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/model/generator_status.h"
#include "core/sys/atomic_write.h"
#include "generator/status_file.h"
#include "tests/unit/temp_dir.h"

namespace box::generator {
namespace {
namespace fs = std::filesystem;

class GeneratorTest : public ::testing::Test {
 protected:
  void write(const std::string& rel, const std::string& text) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << text;
  }
  static std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  GeneratorInput input() {
    GeneratorInput in;
    in.search_dirs = {(root_ / "defs").string()};
    in.context = {"/home/u", "/home/u/.local/share", ""};
    in.template_unit = "/usr/lib/systemd/user/box@.service";
    return in;
  }
  GeneratorOutput generate() {
    GeneratorOutput out = plan_output(input());
    auto r = write_output(out, (root_ / "out").string());
    EXPECT_TRUE(r.ok()) << r.error().message();
    return out;
  }
  const Verdict* verdict(const GeneratorOutput& out, const std::string& name) {
    for (const auto& v : out.verdicts)
      if (v.name == name) return &v;
    return nullptr;
  }

  box::testing::TempDir tmp_{"defs", "out"};
  const fs::path root_{tmp_.path()};
};

TEST_F(GeneratorTest, BrokenDefinitionIsSkippedOthersWritten) {
  write("defs/good.yaml", "description: Good\nrootfs: /r\ncommand: [x]\n");
  write("defs/broken.yaml", "rootfs: /r\ncommand: [x]\nbogus: 1\n");
  write("defs/zz.yaml", "rootfs: /r\ncommand: [y]\n");
  auto out = generate();
  ASSERT_EQ(out.verdicts.size(), 3u);
  EXPECT_EQ(out.verdicts[0].name, "broken");
  EXPECT_FALSE(out.verdicts[0].ok);
  EXPECT_NE(out.verdicts[0].message.find("broken.yaml:3:1: unknown key 'bogus'"), std::string::npos);
  EXPECT_TRUE(out.verdicts[1].ok);
  EXPECT_TRUE(out.verdicts[2].ok);
  EXPECT_TRUE(fs::exists(root_ / "out/box@good.service.d/50-box.conf"));
  EXPECT_TRUE(fs::exists(root_ / "out/box@zz.service.d/50-box.conf"));
  EXPECT_FALSE(fs::exists(root_ / "out/box@broken.service.d"));
  EXPECT_NE(read(root_ / "out/box@good.service.d/50-box.conf").find("Description=Good\n"),
            std::string::npos);
}

TEST_F(GeneratorTest, OutputIsDeterministicAndLeavesNoTempFiles) {
  write("defs/a.yaml", "description: A\nrootfs: /r\ncommand: [x]\nautostart: login\n");
  generate();
  std::string first = read(root_ / "out/box@a.service.d/50-box.conf");
  generate();
  EXPECT_EQ(read(root_ / "out/box@a.service.d/50-box.conf"), first);
  int entries = 0;
  for (auto& e : fs::recursive_directory_iterator(root_ / "out")) {
    entries += !e.is_directory();
    EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << e.path();
  }
  EXPECT_EQ(entries, 2);  // the drop-in and the link
}

TEST_F(GeneratorTest, AutostartLinksPointAtTheTemplate) {
  write("defs/a.yaml", "rootfs: /r\ncommand: [x]\nautostart: login\n");
  write("defs/b.yaml", "rootfs: /r\ncommand: [x]\nautostart: session\n");
  write("defs/c.yaml", "rootfs: /r\ncommand: [x]\n");
  generate();
  EXPECT_EQ(fs::read_symlink(root_ / "out/default.target.wants/box@a.service"),
            "/usr/lib/systemd/user/box@.service");
  EXPECT_EQ(fs::read_symlink(root_ / "out/graphical-session.target.wants/box@b.service"),
            "/usr/lib/systemd/user/box@.service");
  EXPECT_FALSE(fs::exists(root_ / "out/default.target.wants/box@c.service"));
  // A second run replaces the links in place.
  generate();
  EXPECT_TRUE(fs::is_symlink(root_ / "out/default.target.wants/box@a.service"));
}

TEST_F(GeneratorTest, TemplateInstancesGetTheirOwnDropIns) {
  write("defs/web@.yaml", "description: site ${instance}\nrootfs: /r\ncommand: [x, '${instance}']\n");
  fs::create_directories(root_ / "defs/web@blue.yaml.d");
  fs::create_symlink("web@.yaml", root_ / "defs/web@green.yaml");
  auto out = generate();
  ASSERT_NE(verdict(out, "web@blue"), nullptr);
  ASSERT_NE(verdict(out, "web@green"), nullptr);
  EXPECT_EQ(verdict(out, "web@"), nullptr);  // it has instances: nothing to say about it alone
  EXPECT_NE(read(root_ / "out/box@web@blue.service.d/50-box.conf").find("Description=site blue\n"),
            std::string::npos);
  EXPECT_NE(read(root_ / "out/box@web@green.service.d/50-box.conf").find("Description=site green\n"),
            std::string::npos);
}

TEST_F(GeneratorTest, NetworkOnlineWaitUnitOnlyWhenAsked) {
  write("defs/a.yaml", "rootfs: /r\ncommand: [x]\n");
  generate();
  EXPECT_FALSE(fs::exists(root_ / "out/box-network-online.service"));
  EXPECT_EQ(read(root_ / "out/box@a.service.d/50-box.conf").find("network-online"), std::string::npos);
  write("defs/b.yaml", "rootfs: /r\ncommand: [x]\nnetwork_online: true\n");
  generate();
  EXPECT_TRUE(fs::exists(root_ / "out/box-network-online.service"));
}

TEST_F(GeneratorTest, WarnsAboutResourcesWithoutControllers) {
  write("defs/a.yaml", "rootfs: /r\ncommand: [x]\nresources: {memory: 1G, pids: 10, cpu_weight: 5}\n");
  GeneratorInput in = input();
  in.cgroup_controllers = std::set<std::string>{"pids"};
  auto out = plan_output(in);
  ASSERT_EQ(out.verdicts.size(), 1u);
  EXPECT_TRUE(out.verdicts[0].ok);
  ASSERT_EQ(out.verdicts[0].warnings.size(), 2u);
  EXPECT_NE(out.verdicts[0].warnings[0].find("'resources.memory' is not enforced"), std::string::npos);
  EXPECT_NE(out.verdicts[0].warnings[1].find("no 'cpu' cgroup controller"), std::string::npos);
  // Still written: the box starts, unlimited.
  ASSERT_EQ(out.files.size(), 1u);
  EXPECT_NE(out.files[0].content.find("MemoryMax=1G\n"), std::string::npos);
  // Unknown controllers: no guess, no warning.
  in.cgroup_controllers.reset();
  EXPECT_TRUE(plan_output(in).verdicts[0].warnings.empty());
}

TEST_F(GeneratorTest, StatusFileNamesEveryVerdict) {
  write("defs/good.yaml", "rootfs: /r\ncommand: [x]\n");
  write("defs/broken.yaml", "rootfs: /r\ncommand: [x]\ncomand: [y]\n");
  auto out = plan_output(input());
  const std::string defs = (root_ / "defs").string();
  EXPECT_EQ(status_json(out.verdicts),
            "{\n"
            "  \"version\": 1,\n"
            "  \"generator\": \"box-user-generator\",\n"
            "  \"definitions\": [\n"
            "    {\n"
            "      \"name\": \"broken\",\n"
            "      \"kind\": \"container\",\n"
            "      \"ok\": false,\n"
            "      \"unit\": \"box@broken.service\",\n"
            "      \"path\": \"" + defs + "/broken.yaml\",\n"
            "      \"error\": \"" + defs + "/broken.yaml:3:1: unknown key 'comand' (did you mean 'command'?)\"\n"
            "    },\n"
            "    {\n"
            "      \"name\": \"good\",\n"
            "      \"kind\": \"container\",\n"
            "      \"ok\": true,\n"
            "      \"unit\": \"box@good.service\",\n"
            "      \"path\": \"" + defs + "/good.yaml\"\n"
            "    }\n"
            "  ]\n"
            "}\n");
  EXPECT_EQ(generator_status_path("/run/user/1000"), "/run/user/1000/box/generator-status.json");
  EXPECT_EQ(generator_status_path(""), "");
}

TEST_F(GeneratorTest, StatusFileSurvivesNonUtf8Paths) {
  write("defs/good.yaml.d/\xff.yaml", "restart: always\n");
  write("defs/good.yaml", "rootfs: /r\ncommand: [x]\n");
  auto out = plan_output(input());
  EXPECT_NE(status_json(out.verdicts).find("\"fragments\""), std::string::npos);
}

TEST_F(GeneratorTest, UnwritableOutputIsAnError) {
  write("defs/a.yaml", "rootfs: /r\ncommand: [x]\n");
  auto r = write_output(plan_output(input()), (root_ / "no/such/dir").string());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("no/such/dir/box@a.service.d"), std::string::npos)
      << r.error().message();
}

TEST_F(GeneratorTest, AtomicWriteReplacesWhole) {
  std::string path = (root_ / "out/f").string();
  ASSERT_TRUE(write_file_atomically(path, "first version, longer\n").ok());
  ASSERT_TRUE(write_file_atomically(path, "second\n").ok());
  EXPECT_EQ(read(path), "second\n");
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                fs::perms::others_read);
  EXPECT_FALSE(write_file_atomically((root_ / "no/such/dir/f").string(), "x").ok());
}

TEST_F(GeneratorTest, ReplaceSymlinkOverFileAndLink) {
  std::string path = (root_ / "out/l").string();
  ASSERT_TRUE(write_file_atomically(path, "a file\n").ok());
  ASSERT_TRUE(replace_symlink(path, "/one").ok());
  EXPECT_EQ(fs::read_symlink(path), "/one");
  ASSERT_TRUE(replace_symlink(path, "/two").ok());
  EXPECT_EQ(fs::read_symlink(path), "/two");
  EXPECT_FALSE(replace_symlink((root_ / "no/such/l").string(), "/x").ok());
}

// Loading and writing run on several threads; the result must not depend
// on how many.
TEST_F(GeneratorTest, ThreadsDoNotChangeTheOutput) {
  for (int i = 0; i < 300; ++i) {
    const std::string n = std::to_string(i);
    write("defs/b" + n + ".yaml",
          "description: box " + n + "\nrootfs: /r\ncommand: [x, '" + n + "']\n" +
              (i % 3 == 0 ? "autostart: login\n" : "") +
              (i % 5 == 0 ? "after: [b" + std::to_string(i + 1) + "]\n" : "") +
              (i % 11 == 0 ? "bogus: 1\n" : ""));
  }
  GeneratorInput one = input(), many = input();
  one.jobs = 1;
  many.jobs = 8;
  const auto a = plan_output(one), b = plan_output(many);
  EXPECT_EQ(describe_output(a), describe_output(b));
  EXPECT_EQ(status_json(a.verdicts), status_json(b.verdicts));
  ASSERT_EQ(a.verdicts.size(), 300u);
  ASSERT_TRUE(write_output(b, (root_ / "out").string(), 8).ok());
  for (const auto& f : a.files) EXPECT_EQ(read(root_ / "out" / f.path), f.content) << f.path;
  for (const auto& l : a.links) EXPECT_EQ(fs::read_symlink(root_ / "out" / l.path), l.target);
}

// Two generator runs at once into the same dir (systemd can overlap a
// reload with a running generator): every file is whole at every moment.
TEST_F(GeneratorTest, OverlappingRunsNeverTearAFile) {
  for (int i = 0; i < 50; ++i)
    write("defs/box" + std::to_string(i) + ".yaml",
          "description: box number " + std::to_string(i) + "\nrootfs: /r\ncommand: [x]\n");
  const auto out = plan_output(input());
  const std::string dir = (root_ / "out").string();
  ASSERT_TRUE(write_output(out, dir).ok());
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    for (int i = 0; i < 20; ++i)
      if (!write_output(out, dir).ok()) ::_exit(1);
    ::_exit(0);
  }
  for (int round = 0; round < 20; ++round) {
    ASSERT_TRUE(write_output(out, dir).ok());
    for (const auto& f : out.files) ASSERT_EQ(read(root_ / "out" / f.path), f.content) << f.path;
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace box::generator
