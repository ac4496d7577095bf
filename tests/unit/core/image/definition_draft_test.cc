#include "core/image/definition_draft.h"

#include <gtest/gtest.h>

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
               "--flag=}]{["};
  d.env = {{"QUOTE", "a\"b'c"}, {"NEWLINE", "line1\nline2"}, {"EMPTY", ""}, {"YAMLISH", "- [x]"}};
  d.workdir = "/srv/my app";
  d.user = "42:43";
  d.mounts = {{"bind", "/home/u/data dir", "/var/lib/x", true, "", ""},
              {"tmpfs", "", "/run", false, "16M", "0755"}};
  d.cap_add = {"NET_ADMIN"};
  d.restart = "on-failure";
  d.stop_signal = "SIGINT";
  d.stop_timeout = "30s";
  std::string yaml = to_yaml(d, {"made by a test", "second line"});
  EXPECT_EQ(yaml.rfind("# made by a test\n# second line\n", 0), 0u) << yaml;

  auto def = parse_definition_sources({{"t.yaml", yaml}}, "t",
                                      LoadContext{"/home/u", "/home/u/.local/share", ""});
  ASSERT_TRUE(def.ok()) << def.error().message() << "\n" << yaml;
  EXPECT_EQ(def->description, d.description);
  EXPECT_EQ(def->image, "app");
  EXPECT_EQ(def->rootfs, "/home/u/.local/share/box/images/app/rootfs");
  EXPECT_EQ(def->command, d.command);
  EXPECT_EQ(def->env, d.env);
  EXPECT_EQ(def->workdir, "/srv/my app");
  EXPECT_EQ(def->uid, 42u);
  EXPECT_EQ(def->gid, 43u);
  ASSERT_EQ(def->mounts.size(), 2u);
  EXPECT_EQ(def->mounts[0].source, "/home/u/data dir");
  EXPECT_TRUE(def->mounts[0].readonly);
  EXPECT_EQ(def->mounts[1].size, std::optional<uint64_t>(16u << 20));
  EXPECT_EQ(def->stop.signal_name, "SIGINT");
  EXPECT_EQ(def->stop.timeout_usec, 30'000'000u);
}

}  // namespace
}  // namespace box::image
