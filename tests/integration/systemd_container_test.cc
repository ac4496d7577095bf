// init: systemd, end to end as the unprivileged test user: a real systemd
// boots as the container's PID 1 under `systemctl --user start`, its
// readiness is what the unit waits for, it serves (as a User= service), it
// answers `boxctl enter NAME systemctl is-system-running`, and SIGRTMIN+3
// (from `systemctl --user stop` or `boxctl kill`) halts it cleanly, leaving
// no process, mount namespace or cgroup behind. Also readiness relayed from
// a container (notify: true).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/integration/test_support.h"

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
  std::vector<std::string> argv = {"nsenter", "-t", pid1, "-U", "-m",
                                   "-p",      "-u", "-i", "-C", "--preserve-credentials",
                                   "-r",      "-w"};
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  return run(argv);
}

// A bootable root the fast way: the host's /usr bound read-only, a
// generated /etc enabling one small web service on `port`.
void make_systemd_rootfs(const std::string& r, int port, const std::string& bind = "127.0.0.1") {
  fs::remove_all(r);
  for (const char* d : {"etc/systemd/system/multi-user.target.wants", "proc", "sys", "dev", "run",
                        "tmp", "var", "root", "usr"})
    fs::create_directories(fs::path(r) / d);
  for (const char* l : {"bin", "sbin", "lib", "lib64"})
    fs::create_symlink(std::string("usr/") + l, fs::path(r) / l);
  fs::create_symlink("../usr/lib/os-release", fs::path(r) / "etc/os-release");
  write_file(r + "/etc/machine-id", "");
  write_file(r + "/etc/passwd",
             "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/"
             "nologin\n");
  write_file(r + "/etc/group", "root:x:0:\nnogroup:x:65534:\n");
  write_file(r + "/etc/systemd/system/box-web.service",
             // As nobody: User= needs the subordinate range mapped (userns: auto).
             "[Unit]\nDescription=tiny web server\n[Service]\nUser=nobody\n"
             "ExecStart=/usr/bin/python3 -m http.server " +
                 std::to_string(port) + " --bind " + bind +
                 " --directory /etc\n[Install]\nWantedBy=multi-user.target\n");
  fs::create_symlink("../box-web.service",
                     fs::path(r) / "etc/systemd/system/multi-user.target.wants/box-web.service");
  fs::create_symlink("/usr/lib/systemd/system/multi-user.target",
                     fs::path(r) / "etc/systemd/system/default.target");
}

// The cgroup2 tree the user manager's units live in: the root on a pure
// cgroup2 host, /sys/fs/cgroup/unified on a hybrid one.
std::string cgroup2_root() {
  return fs::exists("/sys/fs/cgroup/unified/cgroup.procs") ? "/sys/fs/cgroup/unified"
                                                           : "/sys/fs/cgroup";
}

std::string link_target(const fs::path& p) {
  std::error_code ec;
  auto t = fs::read_symlink(p, ec);
  return ec ? "" : t.string();
}

// What a running container is made of on the host, to check afterwards
// that none of it is left.
struct Traces {
  std::string pid1;
  std::string pid_ns, mnt_ns;  // "pid:[4026532...]", "mnt:[...]"
  std::string cgroup;          // the unit's cgroup directory
};

Traces traces_of(const std::string& unit, const std::string& pid1) {
  return {pid1, link_target("/proc/" + pid1 + "/ns/pid"), link_target("/proc/" + pid1 + "/ns/mnt"),
          cgroup2_root() + show(unit, "ControlGroup")};
}

// Every process this user can see that is still in the container's pid or
// mount namespace, or holds one of them open, and the cgroup if it is still
// there. Empty when nothing is left.
std::string leftovers(const Traces& t) {
  std::string left;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string pid = e.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (link_target(e.path() / "ns/pid") == t.pid_ns)
      left += "process " + pid + " in its pid namespace\n";
    if (link_target(e.path() / "ns/mnt") == t.mnt_ns)
      left += "process " + pid + " in its mount namespace\n";
    std::error_code ec;
    for (const auto& fd : fs::directory_iterator(e.path() / "fd", ec)) {
      const std::string target = link_target(fd.path());
      if (target == t.pid_ns || target == t.mnt_ns)
        left += "process " + pid + " holds " + target + " open\n";
    }
  }
  if (fs::exists(t.cgroup)) left += "cgroup " + t.cgroup + "\n";
  return left;
}

// The unit's log since `since` (journalctl --since), so a line from an
// earlier run of the same test does not count.
std::string journal_since(const std::string& unit, std::chrono::system_clock::time_point since) {
  const auto secs =
      std::chrono::duration_cast<std::chrono::seconds>(since.time_since_epoch()).count() - 1;
  return run({"journalctl", "--user", "--no-pager", "-o", "cat", "-u", unit, "--since",
              "@" + std::to_string(secs)})
      .output;
}

class SystemdContainer : public ::testing::Test {
 protected:
  void SetUp() override {
    defs_ = home() + "/.config/box/containers";
    fs::create_directories(defs_);
  }
  void TearDown() override {
    remove_boxes(defs_, names_);
    fs::remove_all(home() + "/sysroot");
  }
  void define(const std::string& name, const std::string& yaml) {
    write_file(defs_ + "/" + name + ".yaml", yaml);
    names_.push_back(name);
  }
  // Defines box NAME and has the user manager load it.
  ::testing::AssertionResult load(const std::string& name, const std::string& yaml) {
    define(name, yaml);
    auto reload = systemctl({"daemon-reload"});
    if (reload.exit_code == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "daemon-reload: " << reload.output;
  }
  // Whether `start` (systemctl or boxctl start) of box NAME succeeded; if
  // not, its output and the unit's journal say why.
  static ::testing::AssertionResult start_succeeded(const CommandResult& start,
                                                    const std::string& name) {
    if (start.exit_code == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "start exited " << start.exit_code << ": "
                                         << start.output << journal("box@" + name + ".service");
  }
  std::string defs_;
  std::vector<std::string> names_;
};

TEST_F(SystemdContainer, BootsServesAndHaltsCleanly) {
  const int port = 20000 + getpid() % 10000;
  make_systemd_rootfs(home() + "/sysroot", port);
  ASSERT_TRUE(load("sys",
                   "description: systemd in a box\nrootfs: ~/sysroot\ninit: systemd\n"
                   "mounts:\n  - {type: bind, source: /usr, target: /usr, readonly: true}\n"));

  // start returns when the inner systemd reported READY=1 (its default
  // target reached), relayed through box-run.
  auto start = systemctl({"start", "box@sys.service"});
  ASSERT_TRUE(start_succeeded(start, "sys"));
  EXPECT_TRUE(contains(journal("box@sys.service"), "Reached target multi-user.target"))
      << "boot messages on /dev/console must reach the journal\n"
      << journal("box@sys.service");

  const std::string pid1 = container_pid1("box@sys.service");
  ASSERT_FALSE(pid1.empty());
  auto state = inside(pid1, {"systemctl", "is-system-running"});
  EXPECT_EQ(state.output, "running\n")
      << state.output << inside(pid1, {"systemctl", "--failed", "--no-pager"}).output;

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
  // Every capability of its user namespace but the three that cannot work
  // there (CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_SYS_TIME).
  const int last_cap = std::stoi(slurp("/proc/sys/kernel/cap_last_cap"));
  const uint64_t all = (last_cap >= 63) ? ~0ULL : ((1ULL << (last_cap + 1)) - 1);
  const uint64_t expected = all & ~((1ULL << 16) | (1ULL << 17) | (1ULL << 25));
  const std::string status = slurp("/proc/" + pid1 + "/status");
  const auto at = status.find("CapEff:\t");
  ASSERT_NE(at, std::string::npos) << status;
  EXPECT_EQ(std::stoull(status.substr(at + 8, 16), nullptr, 16), expected) << status;
  // Writable own cgroup, read-only rest of /sys.
  EXPECT_EQ(inside(pid1, {"sh", "-c", "test -w /sys/fs/cgroup/init.scope && echo ok"}).output,
            "ok\n");
  EXPECT_NE(inside(pid1, {"sh", "-c", "echo x > /sys/kernel/uevent_helper"}).exit_code, 0);

  // Stop: SIGTERM to box-run becomes SIGRTMIN+3 for the inner systemd,
  // which runs its shutdown; the unit ends with status 0.
  const Traces traces = traces_of("box@sys.service", pid1);
  ASSERT_FALSE(traces.pid_ns.empty() || traces.mnt_ns.empty());
  ASSERT_NE(leftovers(traces), "") << "the check must see the running container";
  auto t0 = std::chrono::steady_clock::now();
  auto stop = systemctl({"stop", "box@sys.service"});
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_EQ(stop.exit_code, 0) << stop.output;
  EXPECT_LT(took, std::chrono::seconds(8)) << "the stop must not wait for the timeout";
  EXPECT_EQ(show("box@sys.service", "Result"), "success");
  EXPECT_EQ(show("box@sys.service", "ExecMainStatus"), "0");
  EXPECT_TRUE(contains(journal("box@sys.service"), "Halting system")) << journal("box@sys.service");
  // Nothing left: no process of the container, no mount namespace, no cgroup.
  EXPECT_FALSE(fs::exists("/proc/" + pid1));
  std::string left;
  EXPECT_TRUE(eventually([&] { return (left = leftovers(traces)).empty(); })) << left;
}

// A bundle of `runc spec --rootless` around the same root, its command
// made systemd and its bounding set made full (the edits this test is
// about; and /usr bound, which the fast root needs): `boxctl install`
// makes a systemd container of it with no drop-in (issue 16 took three),
// and it boots to `running`, without SYS_RAWIO, SYS_MODULE and SYS_TIME.
// A drop-in that drops one capability keeps SYS_ADMIN and boots too; one
// that drops SYS_ADMIN is refused by validate, as at start.
TEST_F(SystemdContainer, ARuncBundleInstallsAndBoots) {
  const int port = 20000 + (getpid() + 2500) % 10000;
  const std::string bundle = home() + "/sysbundle";
  make_systemd_rootfs(bundle + "/rootfs", port);
  const std::string edit =
      "import ctypes, json\n"
      "libcap = ctypes.CDLL('libcap.so.2')\n"
      "libcap.cap_to_name.restype = ctypes.c_void_p\n"
      "last = int(open('/proc/sys/kernel/cap_last_cap').read())\n"
      "every = [ctypes.string_at(libcap.cap_to_name(i)).decode().upper() for i in range(last + "
      "1)]\n"
      "c = json.load(open('config.json'))\n"
      "c['process']['args'] = ['/lib/systemd/systemd']\n"
      "c['process']['capabilities']['bounding'] = every\n"
      "c['mounts'].append({'destination': '/usr', 'type': 'bind', 'source': '/usr',\n"
      "                    'options': ['rbind', 'ro']})\n"
      "json.dump(c, open('config.json', 'w'), indent=2)\n";
  write_file(bundle + "/edit.py", edit);
  auto spec = run({"sh", "-c", "cd '" + bundle + "' && runc spec --rootless && python3 edit.py"});
  ASSERT_EQ(spec.exit_code, 0) << spec.output;

  auto install =
      boxctl({"install", "--allow-bind", "/usr", bundle, "sysb"}, std::chrono::seconds(300));
  names_.push_back("sysb");
  ASSERT_EQ(install.exit_code, 0) << install.output;
  EXPECT_TRUE(contains(install.output, "no cgroup namespace: init: systemd gets one of its own"))
      << install.output;
  EXPECT_TRUE(contains(install.output, "left out: SYS_RAWIO, SYS_MODULE, SYS_TIME"))
      << install.output;
  const std::string def = slurp(defs_ + "/sysb.yaml");
  EXPECT_TRUE(contains(def, "init: \"systemd\"")) << def;
  EXPECT_FALSE(contains(def, "cgroup")) << def;
  EXPECT_FALSE(contains(def, "rootfs_writes")) << def;    // systemd writes /etc and /var
  EXPECT_TRUE(contains(def, "userns: \"auto\"")) << def;  // its User= services
  EXPECT_FALSE(contains(def, "/sys\"")) << def;           // runc's /sys bind is box's own /sys

  auto start = boxctl({"start", "sysb"});
  ASSERT_TRUE(start_succeeded(start, "sysb"));
  auto state = boxctl({"enter", "sysb", "systemctl", "is-system-running", "--wait"});
  EXPECT_EQ(state.output, "running\n")
      << state.output << boxctl({"enter", "sysb", "systemctl", "--failed", "--no-pager"}).output
      << journal("box@sysb.service") << slurp(defs_ + "/sysb.yaml");
  const int last_cap = std::stoi(slurp("/proc/sys/kernel/cap_last_cap"));
  const uint64_t all = (last_cap >= 63) ? ~0ULL : ((1ULL << (last_cap + 1)) - 1);
  auto cap_eff = [&] {
    const std::string status = slurp("/proc/" + container_pid1("box@sysb.service") + "/status");
    const auto at = status.find("CapEff:\t");
    return at == std::string::npos ? 0ULL : std::stoull(status.substr(at + 8, 16), nullptr, 16);
  };
  EXPECT_EQ(cap_eff(), all & ~((1ULL << 16) | (1ULL << 17) | (1ULL << 25)));
  ASSERT_EQ(boxctl({"stop", "sysb"}).exit_code, 0);

  // Dropping NET_RAW (13) keeps SYS_ADMIN (21): it boots again.
  fs::create_directories(defs_ + "/sysb.yaml.d");
  write_file(defs_ + "/sysb.yaml.d/caps.yaml", "capabilities: {drop: [NET_RAW]}\n");
  auto valid = boxctl({"validate", defs_ + "/sysb.yaml"});
  EXPECT_EQ(valid.exit_code, 0) << valid.output;
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  start = boxctl({"start", "sysb"});
  ASSERT_TRUE(start_succeeded(start, "sysb"));
  state = boxctl({"enter", "sysb", "systemctl", "is-system-running", "--wait"});
  EXPECT_EQ(state.output, "running\n") << state.output;
  EXPECT_EQ(cap_eff(), all & ~((1ULL << 13) | (1ULL << 16) | (1ULL << 17) | (1ULL << 25)));
  ASSERT_EQ(boxctl({"stop", "sysb"}).exit_code, 0);

  // Dropping SYS_ADMIN is refused where validate looks, naming the drop-in.
  write_file(defs_ + "/sysb.yaml.d/caps.yaml", "capabilities: {drop: [SYS_ADMIN]}\n");
  auto refused = boxctl({"validate", defs_ + "/sysb.yaml"});
  EXPECT_EQ(refused.exit_code, 3) << refused.output;
  EXPECT_TRUE(contains(refused.output, defs_ + "/sysb.yaml.d/caps.yaml:1:1: 'capabilities': "
                                               "'init: systemd' needs CAP_SYS_ADMIN"))
      << refused.output;
  fs::remove_all(defs_ + "/sysb.yaml.d");
  auto removed = boxctl({"uninstall", "sysb"});
  EXPECT_EQ(removed.exit_code, 0) << removed.output;
  fs::remove_all(bundle);
}

TEST_F(SystemdContainer, BoxctlEnterAnswersAndBoxctlKillHalts) {
  const int port = 20000 + (getpid() + 5000) % 10000;
  make_systemd_rootfs(home() + "/sysroot", port);
  ASSERT_TRUE(
      load("sysk",
           "description: systemd in a box, through boxctl\nrootfs: ~/sysroot\ninit: systemd\n"
           "mounts:\n  - {type: bind, source: /usr, target: /usr, readonly: true}\n"));
  const auto started = std::chrono::system_clock::now();
  auto start = boxctl({"start", "sysk"});
  ASSERT_TRUE(start_succeeded(start, "sysk"));

  // The inner system's own answer, through boxctl enter.
  auto state = boxctl({"enter", "sysk", "systemctl", "is-system-running", "--wait"});
  EXPECT_EQ(state.exit_code, 0) << state.output;
  EXPECT_EQ(state.output, "running\n")
      << state.output << boxctl({"enter", "sysk", "systemctl", "--failed", "--no-pager"}).output;
  // The web service runs as nobody (65534 inside, a subordinate id outside).
  auto web_uid = boxctl({"enter", "sysk", "sh", "-c",
                         "stat -c %u /proc/$(systemctl show --value -p MainPID box-web.service)"});
  EXPECT_EQ(web_uid.output, "65534\n") << web_uid.output;
  auto get = run({"python3", "-c",
                  "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:" +
                      std::to_string(port) + "/os-release').status)"});
  EXPECT_EQ(get.output, "200\n") << get.output;
  // Fresh tmpfs on /run and /tmp; /run/lock lives in /run's.
  auto fs_types = boxctl({"enter", "sysk", "stat", "-f", "-c", "%T", "/run", "/tmp", "/run/lock"});
  EXPECT_EQ(fs_types.output, "tmpfs\ntmpfs\ntmpfs\n") << fs_types.output;
  // The host name the container got by default: its name.
  EXPECT_EQ(boxctl({"enter", "sysk", "cat", "/proc/sys/kernel/hostname"}).output, "sysk\n");

  // Bad signals are refused with what is wrong, and nothing is sent.
  auto bad = boxctl({"kill", "sysk", "RTMIN+99"});
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_TRUE(contains(bad.output, "'RTMIN+99' is outside the realtime signals")) << bad.output;
  auto unknown = boxctl({"kill", "sysk", "SIGHALT"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_TRUE(contains(unknown.output, "unknown signal 'SIGHALT'")) << unknown.output;
  auto both = boxctl({"kill", "sysk", "TERM", "-s", "KILL"});
  EXPECT_EQ(both.exit_code, 2) << both.output;
  EXPECT_EQ(show("box@sysk.service", "ActiveState"), "active");

  // boxctl kill NAME SIGRTMIN+3: the inner systemd runs its shutdown, and
  // the unit ends as cleanly as with systemctl stop.
  const std::string pid1 = container_pid1("box@sysk.service");
  ASSERT_FALSE(pid1.empty());
  const Traces traces = traces_of("box@sysk.service", pid1);
  ASSERT_NE(leftovers(traces), "") << "the check must see the running container";
  auto kill = boxctl({"kill", "sysk", "SIGRTMIN+3"});
  ASSERT_EQ(kill.exit_code, 0) << kill.output;
  EXPECT_TRUE(eventually([] { return show("box@sysk.service", "ActiveState") == "inactive"; },
                         std::chrono::seconds(30)))
      << show("box@sysk.service", "ActiveState") << journal_since("box@sysk.service", started);
  EXPECT_EQ(show("box@sysk.service", "Result"), "success");
  EXPECT_EQ(show("box@sysk.service", "ExecMainStatus"), "0");
  const std::string log = journal_since("box@sysk.service", started);
  EXPECT_TRUE(contains(log, "Stopping box-web.service")) << log;
  EXPECT_TRUE(contains(log, "Halting system")) << log;
  std::string left;
  EXPECT_TRUE(eventually([&] { return (left = leftovers(traces)).empty(); })) << left;

  // The other spelling, as an option, does the same.
  ASSERT_EQ(boxctl({"start", "sysk"}).exit_code, 0);
  ASSERT_EQ(boxctl({"kill", "-s", "RTMIN+3", "sysk"}).exit_code, 0);
  EXPECT_TRUE(eventually([] { return show("box@sysk.service", "ActiveState") == "inactive"; },
                         std::chrono::seconds(30)));
  EXPECT_EQ(show("box@sysk.service", "Result"), "success");
}

// The same system in its own network namespace: the service is reached from
// the host only through the published port, and the stop still leaves no
// network helper behind.
TEST_F(SystemdContainer, PrivateNetworkServesThroughAPublishedPort) {
  const int port = 20000 + (getpid() + 2500) % 10000;
  make_systemd_rootfs(home() + "/sysroot", 8080, "0.0.0.0");
  ASSERT_TRUE(load("sysnet",
                   "rootfs: ~/sysroot\ninit: systemd\nnetwork: private\n"
                   "ports: ['127.0.0.1:" +
                       std::to_string(port) +
                       ":8080']\n"
                       "mounts:\n  - {type: bind, source: /usr, target: /usr, readonly: true}\n"));
  auto start = systemctl({"start", "box@sysnet.service"});
  ASSERT_TRUE(start_succeeded(start, "sysnet"));
  const std::string pid1 = container_pid1("box@sysnet.service");
  ASSERT_FALSE(pid1.empty());
  EXPECT_NE(link_target("/proc/" + pid1 + "/ns/net"), link_target("/proc/self/ns/net"));
  auto state = boxctl({"enter", "sysnet", "systemctl", "is-system-running", "--wait"});
  EXPECT_EQ(state.output, "running\n")
      << state.output << boxctl({"enter", "sysnet", "systemctl", "--failed", "--no-pager"}).output;

  auto get = [&] {
    return run({"python3", "-c",
                "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:" +
                    std::to_string(port) + "/os-release', timeout=5).status)"})
        .output;
  };
  std::string got;
  EXPECT_TRUE(eventually([&] { return (got = get()) == "200\n"; }, std::chrono::seconds(15)))
      << got;

  const Traces traces = traces_of("box@sysnet.service", pid1);
  ASSERT_NE(leftovers(traces), "") << "the check must see the running container";
  ASSERT_EQ(systemctl({"stop", "box@sysnet.service"}).exit_code, 0);
  EXPECT_EQ(show("box@sysnet.service", "Result"), "success");
  EXPECT_EQ(show("box@sysnet.service", "ExecMainStatus"), "0");
  std::string left;
  EXPECT_TRUE(eventually([&] { return (left = leftovers(traces)).empty(); })) << left;
  // The helper lived in the unit's cgroup, which is gone with all it held;
  // and the port is closed.
  EXPECT_NE(get(), "200\n");
}

// A reboot asked of the inner systemd (SIGRTMIN+5, as `systemctl reboot`
// inside sends it) runs its shutdown, whose reboot(2) ends it with SIGHUP
// in its pid namespace: box-run reports exit status 133, and `restart:`
// decides what comes next (here nothing).
TEST_F(SystemdContainer, ARebootInsideEndsTheUnitWithStatus133) {
  const int port = 20000 + (getpid() + 7500) % 10000;
  make_systemd_rootfs(home() + "/sysroot", port);
  ASSERT_TRUE(load("sysr",
                   "rootfs: ~/sysroot\ninit: systemd\n"
                   "mounts:\n  - {type: bind, source: /usr, target: /usr, readonly: true}\n"));
  const auto started = std::chrono::system_clock::now();
  auto start = boxctl({"start", "sysr"});
  ASSERT_TRUE(start_succeeded(start, "sysr"));
  auto kill = boxctl({"kill", "sysr", "SIGRTMIN+5"});
  ASSERT_EQ(kill.exit_code, 0) << kill.output;
  EXPECT_TRUE(eventually(
      [] {
        const std::string state = show("box@sysr.service", "ActiveState");
        return state == "inactive" || state == "failed";
      },
      std::chrono::seconds(30)))
      << show("box@sysr.service", "ActiveState") << journal_since("box@sysr.service", started);
  EXPECT_EQ(show("box@sysr.service", "ExecMainCode"), "1");
  EXPECT_EQ(show("box@sysr.service", "ExecMainStatus"), "133");
  const std::string log = journal_since("box@sysr.service", started);
  EXPECT_TRUE(contains(log, "Rebooting")) << log;
}

TEST_F(SystemdContainer, NotifyTrueWaitsForTheContainersReadiness) {
  make_systemd_rootfs(home() + "/sysroot", 1);
  ASSERT_TRUE(load(
      "notifier",
      "rootfs: ~/sysroot\nnotify: true\n"
      "mounts:\n  - {type: bind, source: /usr, target: /usr, readonly: true}\n"
      "command: [sh, -c, 'sleep 1.5; systemd-notify --ready --status=warmed-up; trap \"exit 0\" "
      "TERM; sleep 60 & wait']\n"));
  auto t0 = std::chrono::steady_clock::now();
  auto start = systemctl({"start", "box@notifier.service"});
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(start_succeeded(start, "notifier"));
  EXPECT_GE(took, std::chrono::milliseconds(1400)) << "start returned before READY=1";
  EXPECT_EQ(show("box@notifier.service", "StatusText"), "warmed-up");
  EXPECT_EQ(show("box@notifier.service", "ActiveState"), "active");
}

}  // namespace
}  // namespace box::testing
