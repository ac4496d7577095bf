// boxctl as a person or a script uses it, against the real user manager,
// session bus and journal. Runs as the test user.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {

class Boxctl : public BoxTest {
 protected:
  void prepare() override {
    write_file(rootfs_ + "/etc/hostname", "hello-box\n");
    fs::create_symlink("busybox", rootfs_ + "/bin/tty");
  }

  void start_hello() {
    define("hello",
           "description: Hello from box\n"
           "rootfs: ~/rootfs-boxctl\n"
           // The trap first: PID 1 of a pid namespace ignores a signal it
           // has no handler for, and the log line says the trap is set.
           "command: [sh, -c, 'trap \"echo got SIGTERM; exit 0\" TERM; "
           "echo \"hello from $(hostname)\"; while :; do sleep 1 & wait $!; done']\n"
           "env: {GREETING: hi}\n");
    ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
    auto start = boxctl({"start", "hello"});
    ASSERT_EQ(start.exit_code, 0) << start.output;
  }
};

TEST_F(Boxctl, EnterRunsInsideTheRunningContainer) {
  start_hello();
  auto cat = boxctl({"enter", "hello", "cat", "/etc/hostname"});
  EXPECT_EQ(cat.exit_code, 0) << cat.output;
  EXPECT_EQ(cat.output, "hello-box\n");

  // Its namespaces: the container's hostname, its PID 1, its root user,
  // and PID 1's environment.
  auto inside =
      boxctl({"enter", "hello", "--", "sh", "-c",
              "hostname; id -u; cat /proc/1/cmdline | head -c 2; echo; echo $GREETING $container"});
  EXPECT_EQ(inside.exit_code, 0) << inside.output;
  EXPECT_EQ(inside.output, "hello\n0\nsh\nhi box\n");

  // The box's confinement too: no new privileges and its seccomp filter
  // (podman exec does the same), where a box without a filter has none.
  auto confinement = [](const std::string& name) {
    return boxctl({"enter", name, "--", "sh", "-c",
                   "grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status"})
        .output;
  };
  EXPECT_EQ(confinement("hello"), "NoNewPrivs:\t1\nSeccomp:\t2\n");
  define("unconfined",
         "rootfs: ~/rootfs-boxctl\nseccomp: unconfined\n"
         "command: [sh, -c, 'trap \"exit 0\" TERM; while :; do sleep 1 & wait $!; done']\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  ASSERT_EQ(boxctl({"start", "unconfined"}).exit_code, 0);
  EXPECT_EQ(confinement("unconfined"), "NoNewPrivs:\t1\nSeccomp:\t0\n");
  ASSERT_EQ(boxctl({"stop", "unconfined"}).exit_code, 0);

  auto status = boxctl({"enter", "hello", "sh", "-c", "exit 7"});
  EXPECT_EQ(status.exit_code, 7) << status.output;
  auto missing = boxctl({"enter", "hello", "no-such-program"});
  EXPECT_EQ(missing.exit_code, 127) << missing.output;
  EXPECT_TRUE(contains(missing.output, "no-such-program: No such file or directory"))
      << missing.output;

  // With a terminal (script gives boxctl one): a pty of the container's own.
  auto tty = run({"script", "-qec", prefix() + "/bin/boxctl enter hello tty", "/dev/null"});
  EXPECT_EQ(tty.exit_code, 0) << tty.output;
  EXPECT_TRUE(contains(tty.output, "/dev/pts/")) << tty.output;

  ASSERT_EQ(boxctl({"stop", "hello"}).exit_code, 0);
  auto stopped = boxctl({"enter", "hello", "true"});
  EXPECT_EQ(stopped.exit_code, 5) << stopped.output;
  EXPECT_TRUE(contains(stopped.output, "container 'hello' is not running")) << stopped.output;
}

TEST_F(Boxctl, LogsShowTheContainersOutput) {
  start_hello();
  EXPECT_TRUE(eventually([&] {
    return contains(boxctl({"logs", "hello"}).output, "hello from hello");
  })) << boxctl({"logs", "hello"}).output;
  auto last = boxctl({"logs", "hello", "-n", "1", "--json"});
  EXPECT_EQ(last.exit_code, 0) << last.output;
  EXPECT_TRUE(contains(last.output, "\"MESSAGE\"")) << last.output;
  auto nope = boxctl({"logs", "no-such-box"});
  EXPECT_EQ(nope.exit_code, 4) << nope.output;
}

TEST_F(Boxctl, ListJsonParsesAndStatusReads) {
  start_hello();
  define("broken", "rootfs: ~/rootfs-boxctl\ncommand: [sh]\nrestart_policy: always\n");
  auto json = boxctl({"list", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.output;
  auto parsed = nlohmann::json::parse(json.output, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << json.output;
  ASSERT_TRUE(parsed.is_array());
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& c : parsed) by_name[c.at("name").get<std::string>()] = c;
  ASSERT_TRUE(by_name.count("hello") && by_name.count("broken")) << json.output;
  EXPECT_EQ(by_name["hello"]["state"], "active");
  EXPECT_EQ(by_name["hello"]["sub_state"], "running");
  EXPECT_EQ(by_name["hello"]["unit"], "box@hello.service");
  EXPECT_EQ(by_name["hello"]["description"], "Hello from box");
  EXPECT_EQ(by_name["hello"]["error"], "");
  EXPECT_EQ(by_name["broken"]["state"], "invalid");
  EXPECT_TRUE(contains(by_name["broken"]["error"].get<std::string>(),
                       "broken.yaml:3:1: unknown key 'restart_policy'"));

  auto quiet = boxctl({"list", "-q"});
  EXPECT_TRUE(contains(quiet.output, "broken\nhello\n")) << quiet.output;

  // systemctl's --no-legend and --no-pager: the table without its header.
  auto table = boxctl({"list"});
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_EQ(table.output.rfind("NAME ", 0), 0u) << table.output;
  auto bare = boxctl({"list", "--no-legend", "--no-pager"});
  ASSERT_EQ(bare.exit_code, 0) << bare.output;
  EXPECT_FALSE(contains(bare.output, "NAME")) << bare.output;
  EXPECT_FALSE(contains(bare.output, "DESCRIPTION")) << bare.output;
  EXPECT_TRUE(contains(bare.output, "hello  ")) << bare.output;
  EXPECT_EQ(bare.output, table.output.substr(table.output.find('\n') + 1));
  auto images = boxctl({"images"});
  ASSERT_EQ(images.exit_code, 0) << images.output;
  EXPECT_EQ(images.output.rfind("NAME  SOURCE  DIGEST  INSTALLED\n", 0), 0u) << images.output;
  auto bare_images = boxctl({"images", "--no-legend", "--no-pager"});
  ASSERT_EQ(bare_images.exit_code, 0) << bare_images.output;
  EXPECT_EQ(bare_images.output, images.output.substr(images.output.find('\n') + 1));
  auto unpaged = boxctl({"status", "hello", "--no-pager", "--no-legend", "-n", "0"});
  EXPECT_EQ(unpaged.exit_code, 0) << unpaged.output;
  EXPECT_TRUE(contains(unpaged.output, "● hello - Hello from box\n")) << unpaged.output;
  EXPECT_TRUE(eventually([&] {
    return contains(boxctl({"logs", "hello", "--no-pager"}).output, "hello from hello");
  })) << boxctl({"logs", "hello", "--no-pager"}).output;

  auto status = boxctl({"status", "hello"});
  ASSERT_EQ(status.exit_code, 0) << status.output;
  EXPECT_TRUE(contains(status.output, "● hello - Hello from box\n")) << status.output;
  EXPECT_TRUE(contains(status.output, "      State: active (running) since ")) << status.output;
  EXPECT_TRUE(contains(status.output, "s ago\n")) << status.output;
  EXPECT_TRUE(contains(status.output, " Definition: " + defs_ + "/hello.yaml\n")) << status.output;
  EXPECT_TRUE(contains(status.output, "   Main PID: ")) << status.output;
  EXPECT_TRUE(eventually([&] {
    return contains(boxctl({"status", "hello"}).output, "hello from hello");
  })) << boxctl({"status", "hello"}).output;

  auto bad = boxctl({"status", "broken", "--json"});
  auto bad_json = nlohmann::json::parse(bad.output, nullptr, false);
  ASSERT_FALSE(bad_json.is_discarded()) << bad.output;
  EXPECT_EQ(bad_json["state"], "invalid");
  EXPECT_EQ(bad_json["main_pid"], 0);
}

TEST_F(Boxctl, KillForwardsTheSignalToPid1) {
  start_hello();
  ASSERT_TRUE(eventually([&] {
    return contains(boxctl({"logs", "hello"}).output, "hello from hello");
  }));
  auto kill = boxctl({"kill", "hello", "--signal", "SIGTERM"});
  ASSERT_EQ(kill.exit_code, 0) << kill.output;
  EXPECT_TRUE(eventually([] { return show("box@hello.service", "ActiveState") == "inactive"; }))
      << show("box@hello.service", "ActiveState");
  EXPECT_EQ(boxctl({"kill", "hello", "-s", "NOTASIGNAL"}).exit_code, 2);
  EXPECT_EQ(boxctl({"kill", "hello"}).exit_code, 5);  // not running
}

// One round fixes a file: every error of it, and what start would refuse
// on the host, for a file, a name (as start loads it) and a directory.
TEST_F(Boxctl, ValidateSaysEverythingStartWouldRefuse) {
  const std::string dir = home() + "/check";
  write_file(dir + "/typos.yaml",
             "rootfs: ~/rootfs-boxctl\ncomand: [sh]\ninit: sysv\nnetwork: privat\n");
  auto typos = boxctl({"validate", dir + "/typos.yaml"});
  EXPECT_EQ(typos.exit_code, 3) << typos.output;
  EXPECT_EQ(typos.output, dir + "/typos.yaml:2:1: unknown key 'comand' (did you mean 'command'?)\n" +
                              dir + "/typos.yaml:3:7: 'init': expected one of none, tiny, systemd, "
                                    "found 'sysv'\n" +
                              dir + "/typos.yaml:4:10: 'network': expected one of host, none, "
                                    "private, found 'privat'\n");

  // What start refuses, with the file's own errors, in the same round: an
  // inner systemd without its cgroup namespace, and a rootfs not there.
  write_file(dir + "/systemd.yaml",
             "rootfs: ~/no-such-rootfs\ninit: systemd\nnamespaces: {cgroup: host}\n");
  auto systemd = boxctl({"validate", dir + "/systemd.yaml"});
  EXPECT_EQ(systemd.exit_code, 3) << systemd.output;
  EXPECT_EQ(systemd.output, dir + "/systemd.yaml:2:1: 'init': 'init: systemd' needs a private cgroup "
                                  "namespace (namespaces.cgroup is host)\n" +
                                dir + "/systemd.yaml:1:1: 'rootfs': open rootfs '" + home() +
                                "/no-such-rootfs': No such file or directory\n");
  fs::remove(dir + "/systemd.yaml");

  // What only start found: loads, but its paths are not there.
  write_file(dir + "/paths.yaml",
             "rootfs: ~/no-such-rootfs\ncommand: [sh]\n"
             "mounts: [{type: bind, source: ~/no-such-data, target: /data}]\n");
  write_file(dir + "/noimage.yaml", "image: not-installed\ncommand: [sh]\n");
  auto paths = boxctl({"validate", dir + "/paths.yaml", dir + "/noimage.yaml"});
  EXPECT_EQ(paths.exit_code, 3) << paths.output;
  EXPECT_TRUE(contains(paths.output, dir + "/paths.yaml:1:1: 'rootfs': open rootfs '" + home() +
                                         "/no-such-rootfs': No such file or directory\n"))
      << paths.output;
  EXPECT_TRUE(contains(paths.output, dir + "/paths.yaml:3:31: 'mounts[0].source': open bind "
                                           "source '" +
                                           home() + "/no-such-data' for '/data'"))
      << paths.output;
  EXPECT_TRUE(contains(paths.output, dir + "/noimage.yaml:1:1: 'image': image 'not-installed' is "
                                           "not installed"))
      << paths.output;
  // box-run validate says the same, from the same code.
  auto box_run_says = run({box_run(), "validate", dir + "/paths.yaml"});
  EXPECT_EQ(box_run_says.exit_code, 1) << box_run_says.output;
  EXPECT_TRUE(contains(box_run_says.output, dir + "/paths.yaml:1:1: 'rootfs': open rootfs"))
      << box_run_says.output;
  // And start refuses it with the same first line.
  define("paths", "rootfs: ~/no-such-rootfs\ncommand: [sh]\n"
                  "mounts: [{type: bind, source: ~/no-such-data, target: /data}]\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  EXPECT_NE(systemctl({"start", "box@paths.service"}).exit_code, 0);
  EXPECT_TRUE(eventually([&] {
    return contains(journal("box@paths.service"),
                    defs_ + "/paths.yaml:1:1: 'rootfs': open rootfs '" + home() +
                        "/no-such-rootfs': No such file or directory (and 1 more: 'boxctl "
                        "validate paths' lists them)");
  })) << journal("box@paths.service");

  // By name, as start loads it: the drop-in's bind is checked too.
  auto by_name = boxctl({"validate", "paths"});
  EXPECT_EQ(by_name.exit_code, 3) << by_name.output;
  EXPECT_TRUE(contains(by_name.output, defs_ + "/paths.yaml:3:31: 'mounts[0].source'"))
      << by_name.output;
  define("fine", "rootfs: ~/rootfs-boxctl\ncommand: [sh]\n");
  auto fine = boxctl({"validate", "fine"});
  EXPECT_EQ(fine.exit_code, 0) << fine.output;
  EXPECT_EQ(fine.output, "fine: ok\n");

  // A directory: every definition in it, each its own verdict.
  fs::remove(dir + "/typos.yaml");
  write_file(dir + "/good.yaml", "rootfs: ~/rootfs-boxctl\ncommand: [sh]\n");
  auto all = boxctl({"validate", "--json", dir + "/"});
  EXPECT_EQ(all.exit_code, 3) << all.output;
  auto json = nlohmann::json::parse(all.output, nullptr, false);
  ASSERT_TRUE(json.is_array() && json.size() == 3) << all.output;
  std::map<std::string, nlohmann::json> by;
  for (const auto& r : json) by[r["name"]] = r;
  EXPECT_EQ(by["good"]["valid"], true) << all.output;
  EXPECT_EQ(by["good"]["file"], dir + "/good.yaml") << all.output;
  EXPECT_EQ(by["paths"]["errors"].size(), 2u) << all.output;
  EXPECT_EQ(by["noimage"]["valid"], false) << all.output;
  fs::remove_all(dir);
}

TEST_F(Boxctl, ValidateRunDoctorAndVersionWork) {
  write_file(home() + "/check/good.yaml", "rootfs: ~/rootfs-boxctl\ncommand: [sh]\n");
  write_file(home() + "/check/bad.yaml", "rootfs: ~/rootfs-boxctl\ncommand: sh\n");
  auto good = boxctl({"validate", home() + "/check/good.yaml"});
  EXPECT_EQ(good.exit_code, 0) << good.output;
  EXPECT_EQ(good.output, home() + "/check/good.yaml: ok\n");
  auto bad = boxctl({"validate", home() + "/check/good.yaml", home() + "/check/bad.yaml"});
  EXPECT_EQ(bad.exit_code, 3) << bad.output;
  EXPECT_TRUE(contains(bad.output, home() + "/check/bad.yaml:2:")) << bad.output;
  fs::remove_all(home() + "/check");

  auto ran = boxctl({"run", rootfs_, "--", "sh", "-c", "echo ran in $(hostname)"});
  EXPECT_EQ(ran.exit_code, 0) << ran.output;
  EXPECT_TRUE(contains(ran.output, "ran in ")) << ran.output;

  auto doctor = boxctl({"doctor"});
  EXPECT_EQ(doctor.exit_code, 0) << doctor.output;
  EXPECT_TRUE(contains(doctor.output, "ok    user manager")) << doctor.output;
  EXPECT_TRUE(contains(doctor.output, "ok    user namespaces")) << doctor.output;
  // The harness makes /dev/fuse usable, as Debian's udev rules do.
  EXPECT_TRUE(contains(doctor.output, "ok    fuse-overlayfs")) << doctor.output;
  EXPECT_TRUE(contains(doctor.output, "box can run here.")) << doctor.output;
  auto doctor_json = nlohmann::json::parse(boxctl({"doctor", "--json"}).output, nullptr, false);
  EXPECT_TRUE(doctor_json.is_array() && !doctor_json.empty());

  auto version = boxctl({"version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_TRUE(contains(version.output, "boxctl ")) << version.output;
  EXPECT_TRUE(contains(version.output, "box-manager ")) << version.output;
}

// `boxctl run BUNDLE` runs what `runc spec --rootless` made beside a
// rootfs/ from its config.json (issue 16: it was taken for a root
// filesystem, "create mount point '/proc'"); `box-run run`, which takes
// only a root filesystem, refuses it as a bundle and says what runs it.
TEST_F(Boxctl, RunOfABundleRunsItFromItsConfig) {
  const std::string bundle = home() + "/bundle";
  make_busybox_rootfs(bundle + "/rootfs");
  auto spec = run({"sh", "-c", "cd '" + bundle + "' && runc spec --rootless"});
  ASSERT_EQ(spec.exit_code, 0) << spec.output;
  // runc's config: args ["sh"], cwd "/", hostname "runc", a terminal.
  auto ran = boxctl({"run", bundle, "--", "sh", "-c", "echo ran in $(hostname) at $(pwd)"});
  EXPECT_EQ(ran.exit_code, 0) << ran.output;
  EXPECT_TRUE(contains(ran.output, "ran in runc at /\n")) << ran.output;
  EXPECT_FALSE(contains(ran.output, "/proc")) << ran.output;

  auto refused = run({box_run(), "run", bundle, "--", "sh", "-c", "echo ran"});
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_TRUE(contains(refused.output, "'" + bundle +
                                           "' is a bundle (config.json and rootfs/), not a root "
                                           "filesystem: run it with 'boxctl run " +
                                           bundle + "'"))
      << refused.output;
  auto rootfs = boxctl({"run", bundle + "/rootfs", "--", "sh", "-c", "echo ran"});
  EXPECT_EQ(rootfs.exit_code, 0) << rootfs.output;
  EXPECT_EQ(rootfs.output, "ran\n");
  fs::remove_all(bundle);
}

TEST_F(Boxctl, PreciseMessageWithoutASessionBus) {
  auto r = run({"env", "-u", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR=/nonexistent",
                prefix() + "/bin/boxctl", "list"});
  EXPECT_EQ(r.exit_code, 6) << r.output;
  EXPECT_TRUE(contains(r.output, "cannot connect to the session bus")) << r.output;
  EXPECT_TRUE(contains(r.output, "no session bus at /nonexistent/bus")) << r.output;
  // install and uninstall are requests to box-manager too; images reads files.
  for (std::vector<std::string> args :
       {std::vector<std::string>{"install", "oci-archive:/x.tar", "x"},
        std::vector<std::string>{"uninstall", "x"}}) {
    args.insert(args.begin(), {"env", "-u", "DBUS_SESSION_BUS_ADDRESS",
                               "XDG_RUNTIME_DIR=/nonexistent", prefix() + "/bin/boxctl"});
    auto i = run(args);
    EXPECT_EQ(i.exit_code, 6) << i.output;
    EXPECT_TRUE(contains(i.output, "no session bus at /nonexistent/bus")) << i.output;
  }
  auto images = run({"env", "-u", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR=/nonexistent",
                     prefix() + "/bin/boxctl", "images"});
  EXPECT_EQ(images.exit_code, 0) << images.output;
  auto usage = boxctl({"start"});
  EXPECT_EQ(usage.exit_code, 2) << usage.output;
  // version says its own, and that the manager could not be asked, with
  // that failure's exit code.
  auto version = run({"env", "-u", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR=/nonexistent",
                      prefix() + "/bin/boxctl", "version"});
  EXPECT_EQ(version.exit_code, 6) << version.output;
  EXPECT_EQ(version.output.rfind("boxctl ", 0), 0u) << version.output;
  EXPECT_TRUE(contains(version.output, "box-manager: not reachable\n")) << version.output;
  EXPECT_TRUE(contains(version.output, "no session bus at /nonexistent/bus")) << version.output;
  auto version_json = run({"sh", "-c",
                           "env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR=/nonexistent " +
                               prefix() + "/bin/boxctl version --json 2>/dev/null"});
  EXPECT_EQ(version_json.exit_code, 6) << version_json.output;
  auto parsed = nlohmann::json::parse(version_json.output, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << version_json.output;
  EXPECT_TRUE(parsed["boxctl"].is_string() && !parsed["boxctl"].get<std::string>().empty())
      << version_json.output;
  EXPECT_TRUE(parsed["manager"].is_null()) << version_json.output;
}

// A mistyped command: a usage error naming the commands it is nearest to.
TEST_F(Boxctl, UnknownCommandSaysTheNearest) {
  auto lsit = boxctl({"lsit"});
  EXPECT_EQ(lsit.exit_code, 2) << lsit.output;
  EXPECT_EQ(lsit.output,
            "boxctl: unknown command 'lsit' (did you mean 'list'?); see 'boxctl --help'\n");
  auto stat = boxctl({"stat", "hello"});
  EXPECT_EQ(stat.exit_code, 2) << stat.output;
  EXPECT_TRUE(contains(stat.output, "(did you mean 'start', 'stats' or 'status'?)")) << stat.output;
  auto far = boxctl({"frobnicate"});
  EXPECT_EQ(far.exit_code, 2) << far.output;
  EXPECT_EQ(far.output, "boxctl: unknown command 'frobnicate'; see 'boxctl --help'\n");
}

// doctor's "private network" check opens /dev/net/tun as the user, as pasta
// and slirp4netns do: its verdict is the device's real usability. The test
// bed makes the device 0666 (udev's mode); where it is a root-owned file the
// user may not open (a mount namespace of the test's own binds /etc/shadow
// over it), doctor says so, with the fix, where it used to say ok.
TEST_F(Boxctl, DoctorOpensTheTunDeviceAsTheUser) {
  const auto private_network = [](const std::string& output) {
    auto checks = nlohmann::json::parse(output, nullptr, false);
    if (checks.is_array())
      for (const auto& c : checks)
        if (c.value("check", "") == "private network") return c;
    ADD_FAILURE() << "no 'private network' check in:\n" << output;
    return nlohmann::json::object();
  };
  const int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  const bool usable = fd >= 0;
  if (fd >= 0) ::close(fd);
  auto real =
      private_network(run({"sh", "-c", prefix() + "/bin/boxctl doctor --json 2>/dev/null"}).output);
  EXPECT_EQ(real.value("status", ""), usable ? "ok" : "warn") << real.dump();
  if (usable) {
    EXPECT_TRUE(contains(real.value("detail", ""), "/dev/net/tun usable")) << real.dump();
  }

  ASSERT_NE(::access("/etc/shadow", R_OK | W_OK), 0) << "the test user can open /etc/shadow";
  auto refused = private_network(run({"unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
                                      "mount --bind /etc/shadow /dev/net/tun && exec " + prefix() +
                                          "/bin/boxctl doctor --json 2>/dev/null"})
                                     .output);
  EXPECT_EQ(refused.value("status", ""), "warn") << refused.dump();
  const std::string detail = refused.value("detail", "");
  EXPECT_TRUE(contains(detail, "private networking needs '/dev/net/tun' (mode 0640")) << detail;
  EXPECT_TRUE(contains(detail, "does not open for reading and writing as you")) << detail;
  EXPECT_TRUE(contains(detail, "): Permission denied")) << detail;
  EXPECT_EQ(refused.value("fix", "").rfind("sudo chmod 0666 /dev/net/tun", 0), 0u)
      << refused.dump();
}

}  // namespace
}  // namespace box::testing
