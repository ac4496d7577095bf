#include "core/image/definition_draft.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <tuple>

#include "core/model/definition_loader.h"

namespace box::image {
namespace {

// Values come from images (untrusted): whatever they hold, the YAML must
// say exactly that and nothing more.
TEST(DefinitionDraft, HostileValuesRoundTripThroughTheLoader) {
  DefinitionDraft d;
  d.description = "desc: with colon # and hash";
  d.image = "app";
  d.command = {"/bin/sh", "-c", "echo \"$HOME\" 'x' # not a comment\n: injected: true",
               "--flag=}]{[", "date +%s", "${HOME}"};
  // Specifiers in an image's strings are text, not your home or session.
  d.env = {{"QUOTE", "a\"b'c"},       {"NEWLINE", "line1\nline2"}, {"EMPTY", ""},
           {"YAMLISH", "- [x]"},      {"HOME_OF", "%h ${HOME} %t"}, {"PCT", "100%%"},
           {"UNCLOSED", "${oops $${"}};
  d.workdir = "/srv/my app %U";
  d.user = "42:43";
  d.mounts = {{MountType::kBind, "/home/u/data dir %h", "/var/lib/x", true, "", ""},
              {MountType::kTmpfs, "", "/run", false, "16M", "0755"}};
  d.cap_add = {"NET_ADMIN"};
  d.restart = RestartPolicy::kOnFailure;
  d.stop_signal = "SIGINT";
  d.stop_timeout = "30s";
  std::string yaml = to_yaml(d, {"made by a test", "second line"});
  EXPECT_EQ(yaml.rfind("# made by a test\n# second line\n", 0), 0u) << yaml;

  auto def = parse_definition_sources(
      {{"t.yaml", yaml}}, "t",
      LoadContext{"/home/u", "/home/u/.local/share", "", "/run/user/1000", 1000});
  ASSERT_TRUE(def.ok()) << def.error().message() << "\n" << yaml;
  EXPECT_EQ(def->description, d.description);
  EXPECT_EQ(def->image, "app");
  EXPECT_EQ(def->rootfs, "/home/u/.local/share/box/images/app/rootfs");
  EXPECT_EQ(def->command, d.command);
  EXPECT_EQ(def->env, d.env);
  EXPECT_EQ(def->workdir, "/srv/my app %U");
  EXPECT_EQ(def->uid, 42u);
  EXPECT_EQ(def->gid, 43u);
  ASSERT_EQ(def->mounts.size(), 2u);
  EXPECT_EQ(def->mounts[0].source, "/home/u/data dir %h");
  EXPECT_TRUE(def->mounts[0].readonly);
  EXPECT_EQ(def->mounts[1].size, std::optional<uint64_t>(16u << 20));
  EXPECT_EQ(def->stop.signal_name, "SIGINT");
  EXPECT_EQ(def->stop.timeout_usec, 30'000'000u);
}

// Every field a draft has is written under its key of the schema, in the
// schema's order, and reads back as the loader reads a hand-written file.
TEST(DefinitionDraft, EveryFieldUnderItsSchemaKeyInSchemaOrder) {
  DefinitionDraft d;
  d.description = "all";
  d.rootfs = "/srv/rootfs";
  d.command = {"/bin/app"};
  d.init = InitMode::kTiny;
  d.env = {{"A", "1"}};
  d.workdir = "/w";
  d.user = "1:2";
  d.groups = {"5"};
  d.umask = "0027";
  d.userns = UsernsMode::kKeepId;
  d.hostname = "h";
  d.network = NetworkMode::kPrivate;
  d.ports = {"8080:80"};
  d.dns = {"192.0.2.53"};
  d.namespaces = {{"ipc", "host"}};
  d.rootfs_writes = RootfsWrites::kPersistent;
  d.mounts = {{MountType::kTmpfs, "", "/run", false, "1M", ""}};
  d.cap_add = {"CAP_NET_ADMIN"};
  d.cap_drop = {"CAP_CHOWN"};
  d.rlimits = {{"nofile", "64:128"}};
  d.seccomp = SeccompMode::kUnconfined;
  d.restart = RestartPolicy::kOnAbort;
  d.stop_signal = "SIGINT";
  d.stop_timeout = "5s";
  d.autostart = Autostart::kSession;
  d.resources = {{"pids", "64"}};
  const std::string yaml = to_yaml(d, {});

  std::vector<std::string> written;
  std::stringstream lines(yaml);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty() && line[0] != ' ' && line[0] != '-' && line[0] != '#')
      written.push_back(line.substr(0, line.find(':')));
  std::vector<std::string> expected;
  for (const auto& spec : definition_keys())
    if (std::find(written.begin(), written.end(), spec.name) != written.end())
      expected.push_back(spec.name);
  EXPECT_EQ(written, expected) << yaml;    // only schema keys, in its order
  EXPECT_EQ(written.size(), 24u) << yaml;  // every field but image (exclusive with rootfs)

  auto def = parse_definition_sources({{"t.yaml", yaml}}, "t",
                                      LoadContext{"/home/u", "/home/u/.local/share", ""});
  ASSERT_TRUE(def.ok()) << def.error().message() << "\n" << yaml;
  // The keys that take a name read back as the draft's values.
  EXPECT_EQ(std::tuple(def->init, def->userns, def->network, def->rootfs_writes, def->seccomp,
                       def->restart, def->autostart),
            std::tuple(*d.init, *d.userns, *d.network, *d.rootfs_writes, *d.seccomp, *d.restart,
                       *d.autostart));
  EXPECT_FALSE(def->namespaces.ipc);
  EXPECT_EQ(def->groups, std::vector<gid_t>{5});
  EXPECT_EQ(def->dns, std::vector<std::string>{"192.0.2.53"});
  EXPECT_EQ(def->umask, 027u);
  ASSERT_EQ(def->rlimits.size(), 1u);
  EXPECT_EQ(def->rlimits[0].hard, 128u);
  EXPECT_EQ(def->resources.pids, 64u);
  EXPECT_EQ(def->capabilities.drop, std::vector<std::string>{"CAP_CHOWN"});
  EXPECT_EQ(def->stop.timeout_usec, 5'000'000u);
}

}  // namespace
}  // namespace box::image
