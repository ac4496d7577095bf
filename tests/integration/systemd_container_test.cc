// init: systemd, end to end as the unprivileged test user: a real systemd
// boots as the container's PID 1 under `systemctl --user start`, its
// readiness is what the unit waits for, it serves, and SIGRTMIN+3 halts it
// cleanly. Also readiness relayed from a container (notify: true).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;

// The container's PID 1: the child of box-run, the unit's main process.
std::string container_pid1(const std::string& unit) {
  const std::string main = show(unit, "MainPID");
  std::string children = slurp("/proc/" + main + "/task/" + main + "/children");
  return children.substr(0, children.find(' '));
}

// A command inside the running container (what `boxctl enter` does).
CommandResult inside(const std::string& pid1, std::vector<std::string> cmd) {
  std::vector<std::string> argv = {"nsenter", "-t", pid1, "-U", "-m", "-p", "-u", "-i", "-C",
                                   "--preserve-credentials", "-r", "-w"};
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  return run(argv);
}

// A bootable root the fast way: the host's /usr bound read-only, a
// generated /etc enabling one small web service on `port`.
void make_systemd_rootfs(const std::string& r, int port) {
  fs::remove_all(r);
  for (const char* d : {"etc/systemd/system/multi-user.target.wants", "proc", "sys", "dev", "run",
                        "tmp", "var", "root", "usr"})
    fs::create_directories(fs::path(r) / d);
  for (const char* l : {"bin", "sbin", "lib", "lib64"})
    fs::create_symlink(std::string("usr/") + l, fs::path(r) / l);
  fs::create_symlink("../usr/lib/os-release", fs::path(r) / "etc/os-release");
  write_file(r + "/etc/machine-id", "");
  write_file(r + "/etc/passwd",
             "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
  write_file(r + "/etc/group", "root:x:0:\nnogroup:x:65534:\n");
  write_file(r + "/etc/systemd/system/box-web.service",
             "[Unit]\nDescription=tiny web server\n[Service]\n"
             "ExecStart=/usr/bin/python3 -m http.server " + std::to_string(port) +
                 " --bind 127.0.0.1 --directory /etc\n[Install]\nWantedBy=multi-user.target\n");
  fs::create_symlink("../box-web.service",
                     fs::path(r) / "etc/systemd/system/multi-user.target.wants/box-web.service");
  fs::create_symlink("/usr/lib/systemd/system/multi-user.target",
                     fs::path(r) / "etc/systemd/system/default.target");
}

class SystemdContainer : public ::testing::Test {
 protected:
  void SetUp() override {
    defs_ = home() + "/.config/box/containers";
    fs::create_directories(defs_);
  }
  void TearDown() override {
    for (const auto& n : names_) {
      systemctl({"stop", "box@" + n + ".service"});
      systemctl({"reset-failed", "box@" + n + ".service"});
      fs::remove(defs_ + "/" + n + ".yaml");
    }
    systemctl({"daemon-reload"});
    fs::remove_all(home() + "/sysroot");
  }
  void define(const std::string& name, const std::string& yaml) {
    write_file(defs_ + "/" + name + ".yaml", yaml);
    names_.push_back(name);
  }
  std::string defs_;
  std::vector<std::string> names_;
};

TEST_F(SystemdContainer, BootsServesAndHaltsCleanly) {
  const int port = 20000 + getpid() % 10000;
  make_systemd_rootfs(home() + "/sysroot", port);
  define("sys", "description: systemd in a box\nrootfs: ~/sysroot\ninit: systemd\n"
                "mounts:\n  - {type: bind, source: /usr, target: /usr, readonly: true}\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);

  // start returns when the inner systemd reported READY=1 (its default
  // target reached), relayed through box-run.
  auto start = systemctl({"start", "box@sys.service"});
  ASSERT_EQ(start.exit_code, 0) << start.output << journal("box@sys.service");
  EXPECT_TRUE(contains(journal("box@sys.service"), "Reached target multi-user.target"))
      << "boot messages on /dev/console must reach the journal\n" << journal("box@sys.service");

  const std::string pid1 = container_pid1("box@sys.service");
  ASSERT_FALSE(pid1.empty());
  auto state = inside(pid1, {"systemctl", "is-system-running"});
  EXPECT_EQ(state.output, "running\n") << state.output
                                       << inside(pid1, {"systemctl", "--failed", "--no-pager"}).output;

  // The web service it started answers on the loopback.
  auto get = run({"python3", "-c",
                  "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:" +
                      std::to_string(port) + "/os-release').status)"});
  EXPECT_EQ(get.output, "200\n") << get.output;

  // The container interface: its own cgroup, seen as the root; environment.
  const std::string cg = slurp("/proc/" + pid1 + "/cgroup");
  EXPECT_TRUE(contains(cg, "/box@sys.service/container/init.scope\n")) << cg;
  EXPECT_TRUE(contains(inside(pid1, {"cat", "/proc/1/cgroup"}).output, "0::/init.scope\n"));
  auto env = inside(pid1, {"sh", "-c", "tr '\\0' '\\n' < /proc/1/environ"});
  EXPECT_TRUE(contains(env.output, "container=box\n")) << env.output;
  EXPECT_TRUE(contains(env.output, "container_uuid=")) << env.output;
  EXPECT_EQ(inside(pid1, {"cat", "/run/host/container-manager"}).output, "box\n");
  // Writable own cgroup, read-only rest of /sys.
  EXPECT_EQ(inside(pid1, {"sh", "-c", "test -w /sys/fs/cgroup/init.scope && echo ok"}).output, "ok\n");
  EXPECT_NE(inside(pid1, {"sh", "-c", "echo x > /sys/kernel/uevent_helper"}).exit_code, 0);

  // Stop: SIGTERM to box-run becomes SIGRTMIN+3 for the inner systemd,
  // which runs its shutdown; the unit ends with status 0.
  auto t0 = std::chrono::steady_clock::now();
  auto stop = systemctl({"stop", "box@sys.service"});
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_EQ(stop.exit_code, 0) << stop.output;
  EXPECT_LT(took, std::chrono::seconds(8)) << "the stop must not wait for the timeout";
  EXPECT_EQ(show("box@sys.service", "Result"), "success");
  EXPECT_EQ(show("box@sys.service", "ExecMainStatus"), "0");
  EXPECT_TRUE(contains(journal("box@sys.service"), "Halting system")) << journal("box@sys.service");
  // Nothing left: no process of the container, no cgroup.
  EXPECT_FALSE(fs::exists("/proc/" + pid1));
  const std::string unit_cg = show("box@sys.service", "ControlGroup");
  EXPECT_TRUE(unit_cg.empty() || !fs::exists("/sys/fs/cgroup/unified" + unit_cg + "/container"))
      << unit_cg;
}

TEST_F(SystemdContainer, NotifyTrueWaitsForTheContainersReadiness) {
  make_systemd_rootfs(home() + "/sysroot", 1);
  define("notifier",
         "rootfs: ~/sysroot\nnotify: true\n"
         "mounts:\n  - {type: bind, source: /usr, target: /usr, readonly: true}\n"
         "command: [sh, -c, 'sleep 1.5; systemd-notify --ready --status=warmed-up; exec sleep 60']\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  auto t0 = std::chrono::steady_clock::now();
  auto start = systemctl({"start", "box@notifier.service"});
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_EQ(start.exit_code, 0) << start.output << journal("box@notifier.service");
  EXPECT_GE(took, std::chrono::milliseconds(1400)) << "start returned before READY=1";
  EXPECT_EQ(show("box@notifier.service", "StatusText"), "warmed-up");
  EXPECT_EQ(show("box@notifier.service", "ActiveState"), "active");
}

}  // namespace
}  // namespace box::testing
