#include "core/runtime/run_options.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace box {
namespace {

Result<Definition> run_args(std::vector<std::string> options) {
  options.insert(options.end(), {"/rootfs", "--", "sh", "-c", "true"});
  auto parsed = parse_run_args(options);
  if (!parsed) return parsed.error();
  EXPECT_FALSE(parsed->dry_run);
  return parsed->def;
}

std::string run_error(std::vector<std::string> options) {
  auto d = run_args(std::move(options));
  return d.ok() ? "(accepted)" : d.error().message();
}

TEST(RunOptions, DefaultsFavourStartUpSpeed) {
  auto d = run_args({});
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->name, "run");
  EXPECT_EQ(d->rootfs, "/rootfs");
  EXPECT_EQ(d->command, (std::vector<std::string>{"sh", "-c", "true"}));
  EXPECT_EQ(d->userns, UsernsMode::kSingle);
  EXPECT_EQ(d->rootfs_writes, RootfsWrites::kReadonly);
  EXPECT_EQ(d->network, NetworkMode::kHost);
  EXPECT_EQ(d->init, InitMode::kNone);
}

// The options that take a name take every name of the key's table (but
// init: systemd), and refuse others with the table's list.
TEST(RunOptions, NamesAreTheSchemas) {
  for (const auto& c : choices<NetworkMode>())
    EXPECT_EQ(run_args({"--network", c.name})->network, c.value);
  for (const auto& c : choices<UsernsMode>())
    EXPECT_EQ(run_args({"--userns", c.name})->userns, c.value);
  for (const auto& c : choices<SeccompMode>())
    EXPECT_EQ(run_args({"--seccomp", c.name})->seccomp, c.value);
  for (const auto& c : choices<OverlayDriver>())
    EXPECT_EQ(run_args({"--writable", "--overlay-driver", c.name})->overlay_driver, c.value);
  EXPECT_EQ(run_args({"--init", "tiny"})->init, InitMode::kTiny);
  EXPECT_EQ(run_error({"--network", "lan"}),
            "--network: expected one of host, none, private, found 'lan'");
  EXPECT_EQ(run_error({"--init", "systemd"}),
            "--init: expected one of none, tiny, found 'systemd'");
  EXPECT_EQ(run_error({"--userns", "Auto"}),
            "--userns: expected one of auto, single, keep-id, found 'Auto'");
  for (const auto& kind : namespace_kinds()) {
    auto d = run_args({"--share", kind.name});
    ASSERT_TRUE(d.ok()) << d.error().message();
    EXPECT_FALSE(d->namespaces.*kind.value) << kind.name;
  }
  EXPECT_EQ(run_error({"--share", "net"}),
            "--share: expected one of pid, ipc, uts, cgroup, found 'net'");
}

TEST(RunOptions, ValuesAreCheckedAsADefinitionsAre) {
  auto d = run_args({"--user",     "7:8",  "--env",     "A=b=c",     "--hostname", "web-1",
                     "--workdir",  "/srv", "--cap-add", "net_admin", "--cap-add",  "all",
                     "--cap-drop", "ALL",  "--bind",    "/h:/c",     "--ro-bind",  "/r:/ro",
                     "--tmpfs",    "/tmp", "--writable"});
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->uid, 7u);
  EXPECT_EQ(d->gid, 8u);
  EXPECT_EQ(d->env, (std::vector<std::pair<std::string, std::string>>{{"A", "b=c"}}));
  EXPECT_EQ(d->hostname, "web-1");
  EXPECT_EQ(d->workdir, "/srv");
  EXPECT_EQ(d->capabilities.add, std::vector<std::string>{"CAP_NET_ADMIN"});
  EXPECT_TRUE(d->capabilities.add_all);
  EXPECT_EQ(d->capabilities.drop, std::vector<std::string>{"ALL"});
  ASSERT_EQ(d->mounts.size(), 3u);
  EXPECT_FALSE(d->mounts[0].readonly);
  EXPECT_EQ(d->mounts[1].source, "/r");
  EXPECT_TRUE(d->mounts[1].readonly);
  EXPECT_EQ(d->mounts[2].type, MountType::kTmpfs);
  EXPECT_EQ(d->rootfs_writes, RootfsWrites::kOverlay);

  EXPECT_EQ(run_error({"--user", "me"}),
            "--user: expected \"UID:GID\" or \"UID\" (numbers), found 'me'");
  EXPECT_EQ(run_error({"--hostname", "-x"}).rfind("--hostname: '-x' is not a valid host name", 0),
            0u);
  EXPECT_EQ(run_error({"--workdir", "srv"}),
            "--workdir: expected an absolute path inside the container, found 'srv'");
  EXPECT_EQ(run_error({"--bind", "/h:/c/../../etc"}),
            "--bind: '..' is not allowed in '/c/../../etc'");
  EXPECT_EQ(run_error({"--bind", "/h"}), "--bind: expected SRC:DST, found '/h'");
  EXPECT_EQ(run_error({"--cap-add", "CAP_NOPE"}), "--cap-add: unknown capability 'CAP_NOPE'");
  EXPECT_EQ(run_error({"--env", "=x"}), "--env: expected NAME=VALUE, found '=x'");
  EXPECT_EQ(
      run_error({"--publish", "80:80", "--network", "private"}).rfind("--publish: host port 80", 0),
      0u);
}

// The rules between keys are the definition's, said with the option.
TEST(RunOptions, RulesNameTheOption) {
  EXPECT_EQ(run_error({"--publish", "8080:80"}),
            "--publish: publishing ports needs 'network: private' (network is host) "
            "(see --network and --share)");
  EXPECT_TRUE(run_args({"--publish", "8080:80", "--network", "private"}).ok());
  EXPECT_EQ(run_error({"--hostname", "h", "--share", "uts"}),
            "--hostname: needs a private uts namespace (namespaces.uts is host) "
            "(see --network and --share)");
  EXPECT_EQ(run_error({"--init", "tiny", "--share", "pid"}),
            "--init: 'init: tiny' needs a private pid namespace (namespaces.pid is host) "
            "(see --network and --share)");
  EXPECT_EQ(run_error({"--overlay-driver", "fuse"}),
            "--overlay-driver: only with --writable (the rootfs is read-only)");
}

TEST(RunOptions, CommandLineShape) {
  EXPECT_EQ(run_error({"--nope"}), "unknown option '--nope'");
  EXPECT_EQ(parse_run_args({"--network"}).error().message(), "option '--network' needs a value");
  EXPECT_EQ(parse_run_args({}).error().message(), "'run' needs ROOTFS and a COMMAND");
  EXPECT_EQ(parse_run_args({"/r", "--"}).error().message(), "'run' needs a COMMAND after ROOTFS");
  auto d = parse_run_args({"--", "rel/rootfs", "--", "true"});
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->def.rootfs, "rel/rootfs");  // box-run resolves it against its working directory
  EXPECT_EQ(d->def.command, std::vector<std::string>{"true"});
  EXPECT_FALSE(d->dry_run);
  auto dry = parse_run_args({"--dry-run", "--network", "none", "/r", "--dry-run"});
  ASSERT_TRUE(dry.ok()) << dry.error().message();
  EXPECT_TRUE(dry->dry_run);
  EXPECT_EQ(dry->def.network, NetworkMode::kNone);
  EXPECT_EQ(dry->def.command,
            std::vector<std::string>{"--dry-run"});  // after ROOTFS: the command's
}

TEST(RunOptions, HelpListsEveryOptionWithItsNames) {
  const std::string help = run_options_help();
  for (const auto& o : run_options())
    EXPECT_NE(help.find("  " + o.name + (o.value.empty() ? "" : " " + o.value) + " "),
              std::string::npos)
        << o.name;
  EXPECT_NE(help.find("--network host|none|private "), std::string::npos) << help;
  EXPECT_NE(help.find("--init none|tiny "), std::string::npos) << help;
}

// docs/runtime.md's table of `box-run run` options has every option, with
// the names it takes.
TEST(RunOptions, EveryOptionIsInRuntimeMd) {
  std::ifstream in(std::filesystem::path(BOX_SOURCE_DIR) / "docs/runtime.md");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string md = ss.str();
  ASSERT_FALSE(md.empty());
  for (const auto& o : run_options()) {
    std::string shown = o.name + (o.value.empty() ? "" : " " + o.value);
    for (std::size_t at = 0; (at = shown.find('|', at)) != std::string::npos; at += 2)
      shown.insert(at, "\\");  // a table cell escapes its '|'
    EXPECT_NE(md.find("`" + shown + "`"), std::string::npos) << shown << " is not in runtime.md";
  }
}

}  // namespace
}  // namespace box
