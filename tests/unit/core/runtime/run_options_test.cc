#include "core/runtime/run_options.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/runtime/box_run_command_line.h"
#include "core/runtime/run_command_line.h"

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
  EXPECT_EQ(run_error({"--nope"}), "The following argument was not expected: --nope");
  EXPECT_EQ(parse_run_args({"--network"}).error().message(),
            "--network: 1 required host|none|private missing");
  EXPECT_EQ(parse_run_args({}).error().message(), "ROOTFS is required");
  EXPECT_EQ(parse_run_args({"/r"}).error().message(), "COMMAND is required");
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
  // After ROOTFS, options and "--help" are the command's; one "--" is box-run's.
  auto command = parse_run_args({"/r", "sh", "-c", "ls --help", "--", "--help", "-x"});
  ASSERT_TRUE(command.ok()) << command.error().message();
  EXPECT_EQ(command->def.command,
            (std::vector<std::string>{"sh", "-c", "ls --help", "--", "--help", "-x"}));
  auto dashes = parse_run_args({"/r", "--", "--", "x"});
  ASSERT_TRUE(dashes.ok()) << dashes.error().message();
  EXPECT_EQ(dashes->def.command, (std::vector<std::string>{"--", "x"}));
  // --name=value, as CLI11 reads it everywhere.
  auto joined = parse_run_args({"--network=none", "--env=A=b", "/r", "true"});
  ASSERT_TRUE(joined.ok()) << joined.error().message();
  EXPECT_EQ(joined->def.network, NetworkMode::kNone);
  EXPECT_EQ(joined->def.env, (std::vector<std::pair<std::string, std::string>>{{"A", "b"}}));
}

// Options apply in the order given: the last of a kind wins, and mounts
// keep their order across --bind, --ro-bind and --tmpfs (a tmpfs on /a
// then a bind on /a/b is not the same as the reverse).
TEST(RunOptions, OptionsApplyInCommandLineOrder) {
  auto d = run_args({"--tmpfs", "/a", "--ro-bind", "/h:/a/b", "--bind", "/i:/c", "--tmpfs", "/c/d",
                     "--network", "none", "--network", "private", "--env", "A=1", "--env", "B=2"});
  ASSERT_TRUE(d.ok()) << d.error().message();
  ASSERT_EQ(d->mounts.size(), 4u);
  EXPECT_EQ(d->mounts[0].type, MountType::kTmpfs);
  EXPECT_EQ(d->mounts[0].target, "/a");
  EXPECT_EQ(d->mounts[1].target, "/a/b");
  EXPECT_TRUE(d->mounts[1].readonly);
  EXPECT_EQ(d->mounts[2].target, "/c");
  EXPECT_FALSE(d->mounts[2].readonly);
  EXPECT_EQ(d->mounts[3].type, MountType::kTmpfs);
  EXPECT_EQ(d->mounts[3].target, "/c/d");
  EXPECT_EQ(d->network, NetworkMode::kPrivate);
  EXPECT_EQ(d->env, (std::vector<std::pair<std::string, std::string>>{{"A", "1"}, {"B", "2"}}));
}

// podman's --device and --group-add keep-groups, as the definition's
// `devices` and `keep_groups`, checked as the loader checks them.
TEST(RunOptions, DevicesAndKeepGroups) {
  auto d = run_args({"--device", "dri", "--device", "/dev/video0", "--keep-groups", "--userns",
                     "auto"});
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->devices,
            (std::vector<DeviceSpec>{{"dri", "/dev/dri"}, {"/dev/video0", "/dev/video0"}}));
  EXPECT_TRUE(d->keep_groups);
  EXPECT_FALSE(run_args({})->keep_groups);
  EXPECT_EQ(run_error({"--device", "gpu"}),
            "--device: unknown device 'gpu' (known: dri, snd, kvm, fuse, input, usb, or an "
            "absolute path under /dev)");
  EXPECT_EQ(run_error({"--device", "dri", "--device", "/dev/dri"}),
            "--device: '/dev/dri' is named twice");
}

// podman's short names and habits, from the same table; an error names the
// option as it was typed.
TEST(RunOptions, PodmanNamesAndErrorsNameTheFlagAsTyped) {
  auto d = parse_run_args({"-t", "-v", "/h:/c:ro", "--volume=/i:/d", "-e", "A=1", "-w", "/tmp",
                           "-u", "7:8", "--name", "web", "-p", "8080:80", "--network",
                           "private", "/r", "sh"});
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_TRUE(d->def.terminal);
  ASSERT_EQ(d->def.mounts.size(), 2u);
  EXPECT_EQ(d->def.mounts[0].source, "/h");
  EXPECT_EQ(d->def.mounts[0].target, "/c");
  EXPECT_TRUE(d->def.mounts[0].readonly);
  EXPECT_EQ(d->def.mounts[1].target, "/d");
  EXPECT_FALSE(d->def.mounts[1].readonly);
  EXPECT_EQ(d->def.env, (std::vector<std::pair<std::string, std::string>>{{"A", "1"}}));
  EXPECT_EQ(d->def.workdir, "/tmp");
  EXPECT_EQ(d->def.uid, 7u);
  EXPECT_EQ(d->def.name, "web");
  ASSERT_EQ(d->def.ports.size(), 1u);
  auto plain = parse_run_args({"/r", "sh"});
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->def.terminal);

  EXPECT_EQ(run_error({"-v", "x"}), "-v: expected SRC:DST[:ro], found 'x'");
  EXPECT_EQ(run_error({"--volume", "x"}), "--volume: expected SRC:DST[:ro], found 'x'");
  EXPECT_EQ(run_error({"-tv", "x"}), "-v: expected SRC:DST[:ro], found 'x'");
  EXPECT_EQ(run_error({"-vx"}), "-v: expected SRC:DST[:ro], found 'x'");
  EXPECT_EQ(run_error({"-v", "/a:/b", "-v", "/a:rel"}),
            "-v: expected an absolute path inside the container, found 'rel'");
  EXPECT_EQ(run_error({"-e", "=x"}), "-e: expected NAME=VALUE, found '=x'");
  EXPECT_EQ(run_error({"--env", "=x"}), "--env: expected NAME=VALUE, found '=x'");
  EXPECT_EQ(run_error({"-w", "rel"}),
            "-w: expected an absolute path inside the container, found 'rel'");
  EXPECT_EQ(run_error({"-u", "x"}).substr(0, 4), "-u: ");
  EXPECT_EQ(run_error({"--name", "a@b@c"}).substr(0, 8), "--name: ");
  EXPECT_EQ(run_error({"-p", "8080:80"}),
            "-p: publishing ports needs 'network: private' (network is host) "
            "(see --network and --share)");
}

// -i and --rm are boxctl run's (podman's habits): box-run run passes its
// stdin as it always has, and refuses them; on boxctl's command they fill
// in the request, and "-it" is "-i" then "-t".
TEST(RunOptions, InteractiveAndRmAreBoxctlRunsOnly) {
  EXPECT_NE(run_error({"-i"}), "(accepted)");
  EXPECT_NE(run_error({"--rm"}), "(accepted)");
  for (bool boxctl : {false, true}) {
    CLI::App app;
    auto rows = add_run_options(app, boxctl);
    EXPECT_EQ(app.get_option_no_throw("-i") != nullptr, boxctl);
    EXPECT_EQ(app.get_option_no_throw("--rm") != nullptr, boxctl);
    EXPECT_NE(app.get_option_no_throw("-t"), nullptr);
  }
  CLI::App app;
  auto rows = add_run_options(app, true);
  std::string target;
  app.add_option("TARGET", target);
  const std::vector<std::string> args = {"-it", "--rm", "-v", "x", "img"};
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  app.parse(reversed);
  auto given = given_run_options(app, rows, args);
  RunRequest request;
  request.def = run_defaults();
  auto r = apply_run_options(request, given);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "-v: expected SRC:DST[:ro], found 'x'");
  EXPECT_TRUE(request.interactive);
  EXPECT_TRUE(request.remove);
  EXPECT_TRUE(request.def.terminal);
  EXPECT_EQ(target, "img");
}

// Every command has its --help, which is printed (exit 0), never taken for
// a value or a NAME; a bad command line names what is wrong.
TEST(BoxRunCommandLine, HelpOfEveryCommand) {
  using Command = BoxRunCommandLine::Command;
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--help"},
                                             {"-h"},
                                             {"run", "--help"},
                                             {"start", "--help"},
                                             {"validate", "--help"},
                                             {"run", "--network", "none", "--help"},
                                             {"start", "web", "--help"}}) {
    auto line = parse_box_run_command_line(args);
    ASSERT_TRUE(line.ok()) << args.back() << ": " << line.error().message();
    EXPECT_EQ(line->command, Command::kPrint);
    EXPECT_NE(line->print.find("Usage: box-run"), std::string::npos) << line->print;
  }
  const auto print = [](std::vector<std::string> args) {
    auto line = parse_box_run_command_line(args);
    return line ? line->print : line.error().message();
  };
  EXPECT_NE(print({"start", "--help"}).find("Usage: box-run start [OPTIONS] NAME"),
            std::string::npos);
  EXPECT_NE(print({"validate", "--help"}).find("Usage: box-run validate [OPTIONS] DEFINITION..."),
            std::string::npos);
  EXPECT_EQ(print({"run", "--help"}), run_help());
  // box-run's own help shows every command with its options.
  const std::string all = print({"--help"});
  for (const char* part : {"start", "validate", "--network host|none|private ", "--dry-run"})
    EXPECT_NE(all.find(part), std::string::npos) << part << " not in:\n" << all;
  EXPECT_EQ(print({"--version"}), "box-run " BOX_VERSION "\n");
}

TEST(BoxRunCommandLine, CommandsAndTheirErrors) {
  using Command = BoxRunCommandLine::Command;
  auto start = parse_box_run_command_line({"start", "--dry-run", "web"});
  ASSERT_TRUE(start.ok()) << start.error().message();
  EXPECT_EQ(start->command, Command::kStart);
  EXPECT_EQ(start->name, "web");
  EXPECT_TRUE(start->dry_run);
  auto validate = parse_box_run_command_line({"validate", "a.yaml", "web"});
  ASSERT_TRUE(validate.ok()) << validate.error().message();
  EXPECT_EQ(validate->command, Command::kValidate);
  EXPECT_EQ(validate->targets, (std::vector<std::string>{"a.yaml", "web"}));
  const auto error = [](std::vector<std::string> args) {
    auto line = parse_box_run_command_line(args);
    return line ? std::string("(accepted)") : line.error().message();
  };
  EXPECT_EQ(error({}), "A subcommand is required");
  EXPECT_EQ(error({"strat", "web"}),
            "unknown command 'strat' (the commands are start, run, validate and pod)");
  EXPECT_EQ(error({"--nope"}),
            "unknown option '--nope' (the commands are start, run, validate and pod)");
  EXPECT_EQ(error({"start"}), "NAME is required");
  EXPECT_EQ(error({"start", "a", "b"}), "The following argument was not expected: b");
  EXPECT_EQ(error({"start", "--force", "a"}), "The following argument was not expected: --force");
  EXPECT_EQ(error({"validate"}), "DEFINITION is required");
}

TEST(RunOptions, HelpListsEveryOptionWithItsNames) {
  const std::string help = run_help();
  for (const auto& o : run_options()) {
    if (o.boxctl_only) {
      EXPECT_EQ(help.find("  " + o.name), std::string::npos) << o.name;
      continue;
    }
    const std::string shown = "  " + o.name + (o.value.empty() ? "" : " " + o.value);
    const auto at = help.find(shown);
    ASSERT_NE(at, std::string::npos) << o.name << " not in:\n" << help;
    // Then its help, on the same line or (a long option) the next.
    EXPECT_NE(help.find(o.help, at), std::string::npos) << o.name;
  }
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
