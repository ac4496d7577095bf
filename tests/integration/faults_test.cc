// Faults and load against the real user manager, as the unprivileged test
// user (issue 13): many cycles, many boxes at once, box-run and the manager
// killed. Each test checks that nothing is left behind (processes, cgroups,
// mounts, the manager's descriptors, staging dirs) and nothing is lost.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <thread>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;
using std::chrono::seconds;

// Where the unit cgroups live (hybrid hosts: the cgroup2 side).
std::string cgroup_root() {
  return fs::exists("/sys/fs/cgroup/unified/cgroup.procs") ? "/sys/fs/cgroup/unified"
                                                           : "/sys/fs/cgroup";
}

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// The descriptors box-manager holds, or -1 when it is not running.
int manager_fds() {
  const std::string pid = show("box-manager.service", "MainPID");
  if (pid.empty() || pid == "0") return -1;
  std::error_code ec;
  int n = 0;
  for (auto it = fs::directory_iterator("/proc/" + pid + "/fd", ec); !ec && it != fs::end(it);
       it.increment(ec))
    ++n;
  return ec ? -1 : n;
}

class Faults : public BoxTest {
 protected:
  Faults() : BoxTest("faults") {}
  void SetUp() override {
    BoxTest::SetUp();
    mounts_before_ = count_lines(slurp("/proc/self/mountinfo"));
  }
  std::string unit(const std::string& name) { return "box@" + name + ".service"; }

  // After a box stopped: its cgroup is gone, the host has no new mount, and
  // nothing is staged.
  void expect_nothing_left(const std::string& cgroup) {
    EXPECT_TRUE(eventually([&] { return !fs::exists(cgroup_root() + cgroup); }, seconds(10)))
        << cgroup << " is still there";
    EXPECT_EQ(count_lines(slurp("/proc/self/mountinfo")), mounts_before_);
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(home() + "/.local/share/box/images", ec))
      EXPECT_NE(e.path().filename().string().rfind(".staging-", 0), 0u) << e.path();
  }

  std::size_t mounts_before_ = 0;
};

// Start/stop cycles of one box and restarts (40 and 10 in every run, 200
// and 50 in bench/faults/run): every start succeeds, every stop is clean,
// and the cgroup of each run is gone after it.
TEST_F(Faults, StartStopCyclesAndRestartsAreAllClean) {
  define("cycle", "rootfs: ~/rootfs-faults\ncommand: [sleep, '300']\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  std::string cgroup;
  const int cycles = rounds(40, 200), restarts = rounds(10, 50);
  for (int i = 0; i < cycles; ++i) {
    auto start = systemctl({"start", unit("cycle")});
    ASSERT_EQ(start.exit_code, 0) << "cycle " << i << ": " << start.output << journal(unit("cycle"));
    if (i == 0) cgroup = show(unit("cycle"), "ControlGroup");
    auto stop = systemctl({"stop", unit("cycle")});
    ASSERT_EQ(stop.exit_code, 0) << "cycle " << i << ": " << stop.output;
    ASSERT_EQ(show(unit("cycle"), "Result"), "success") << "cycle " << i;
  }
  // Restarts count against systemd's start rate limit (5 in 10 s by
  // default) for a plain unit as for a box, unlike starts after an explicit
  // stop: the box's own policy here allows them all (RestartLimits below
  // compares both under the default).
  const std::string dropin = home() + "/.config/systemd/user/box@cycle.service.d";
  fs::create_directories(dropin);
  write_file(dropin + "/limit.conf", "[Unit]\nStartLimitIntervalSec=0\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  ASSERT_EQ(systemctl({"start", unit("cycle")}).exit_code, 0);
  for (int i = 0; i < restarts; ++i) {
    auto restart = systemctl({"restart", unit("cycle")});
    ASSERT_EQ(restart.exit_code, 0) << "restart " << i << ": " << restart.output
                                    << journal(unit("cycle"));
    ASSERT_EQ(show(unit("cycle"), "ActiveState"), "active") << "restart " << i;
  }
  ASSERT_EQ(systemctl({"stop", unit("cycle")}).exit_code, 0);
  EXPECT_EQ(show(unit("cycle"), "Result"), "success");
  expect_nothing_left(cgroup);
  fs::remove_all(dropin);
}

// Under systemd's default start rate limit, rapid restarts of a box succeed
// and fail exactly where those of a plain unit running the same program do.
TEST_F(Faults, RestartLimitsAreThoseOfAPlainUnit) {
  define("rapid", "rootfs: ~/rootfs-faults\ncommand: [sleep, '300']\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  auto plain = run({"systemd-run", "--user", "--unit=box-test-rapid", "--property=RemainAfterExit=no",
                    "sleep", "300"});
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  ASSERT_EQ(systemctl({"start", unit("rapid")}).exit_code, 0);
  std::string box_results, plain_results;
  for (int i = 0; i < 7; ++i) {
    plain_results += systemctl({"restart", "box-test-rapid.service"}).exit_code == 0 ? '+' : '-';
    box_results += systemctl({"restart", unit("rapid")}).exit_code == 0 ? '+' : '-';
  }
  EXPECT_EQ(box_results, plain_results);
  systemctl({"stop", "box-test-rapid.service", unit("rapid")});
  systemctl({"reset-failed", "box-test-rapid.service", unit("rapid")});
}

// 50 boxes started by one `systemctl --user start` and stopped by one stop.
TEST_F(Faults, FiftyBoxesStartAndStopAtOnce) {
  std::vector<std::string> units;
  for (int i = 0; i < 50; ++i) {
    const std::string name = "many" + std::to_string(i);
    define(name, "rootfs: ~/rootfs-faults\ncommand: [sleep, '300']\n");
    units.push_back(unit(name));
  }
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  std::vector<std::string> start = {"start"};
  start.insert(start.end(), units.begin(), units.end());
  auto started = systemctl(start);
  ASSERT_EQ(started.exit_code, 0) << started.output;
  std::vector<std::string> cgroups;
  for (const auto& u : units) {
    EXPECT_EQ(show(u, "ActiveState"), "active") << u;
    cgroups.push_back(show(u, "ControlGroup"));
  }
  std::vector<std::string> stop = {"stop"};
  stop.insert(stop.end(), units.begin(), units.end());
  auto stopped = systemctl(stop);
  ASSERT_EQ(stopped.exit_code, 0) << stopped.output;
  for (std::size_t i = 0; i < units.size(); ++i) {
    EXPECT_EQ(show(units[i], "ActiveState"), "inactive") << units[i];
    EXPECT_EQ(show(units[i], "Result"), "success") << units[i];
    expect_nothing_left(cgroups[i]);
  }
}

// box-run killed with SIGKILL: systemd ends the unit (failed: its main
// process was killed), the container goes with its cgroup, and the box
// starts again.
TEST_F(Faults, SupervisorKilledLeavesNothingAndStartsAgain) {
  define("killed", "rootfs: ~/rootfs-faults\nrootfs_writes: overlay\ncommand: [sleep, '300']\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  ASSERT_EQ(systemctl({"start", unit("killed")}).exit_code, 0) << journal(unit("killed"));
  const std::string cgroup = show(unit("killed"), "ControlGroup");
  const pid_t main = static_cast<pid_t>(std::stol(show(unit("killed"), "MainPID")));
  pid_t pid1 = -1;
  ASSERT_TRUE(eventually([&] { return (pid1 = first_child(main)) > 0; }));
  ASSERT_EQ(kill(main, SIGKILL), 0);
  EXPECT_TRUE(eventually([&] { return show(unit("killed"), "ActiveState") == "failed"; }))
      << show(unit("killed"), "ActiveState");
  EXPECT_EQ(show(unit("killed"), "Result"), "signal");
  // box-manager says it as a shell would: killed by SIGKILL, 137.
  auto status = boxctl({"status", "killed", "--json"});
  EXPECT_TRUE(contains(status.output, "\"exit_status\": 137")) << status.output;
  EXPECT_TRUE(eventually([&] { return dead(pid1); })) << "the container's PID 1 survived";
  expect_nothing_left(cgroup);
  auto again = systemctl({"start", unit("killed")});
  EXPECT_EQ(again.exit_code, 0) << again.output << journal(unit("killed"));
  EXPECT_EQ(systemctl({"stop", unit("killed")}).exit_code, 0);
  systemctl({"reset-failed", unit("killed")});
}

// box-manager killed with SIGKILL in the middle of a storm of ListContainers
// calls: the bus activates it again, the calls after it answer with the same
// list, and a box that ran through it is untouched. The manager keeps no
// descriptor per call.
TEST_F(Faults, ManagerKilledDuringAStormLosesNothing) {
  define("calm", "rootfs: ~/rootfs-faults\ncommand: [sleep, '300']\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  ASSERT_EQ(systemctl({"start", unit("calm")}).exit_code, 0);
  const std::string calm_pid = show(unit("calm"), "MainPID");
  auto before = boxctl({"list", "--json"});
  ASSERT_EQ(before.exit_code, 0) << before.output;
  const int fds_before = manager_fds();
  ASSERT_GT(fds_before, 0) << "box-manager is not running after a call";

  Background storm({"sh", "-c",
                    "i=0; while [ $i -lt 300 ]; do busctl --user call dev.boxctl.box1 "
                    "/dev/boxctl/box1 dev.boxctl.box1.Manager ListContainers >/dev/null 2>&1; "
                    "i=$((i+1)); done; echo storm-done"},
                   home() + "/storm.out");
  ASSERT_TRUE(eventually([] { return manager_fds() > 0; }));
  const std::string manager = show("box-manager.service", "MainPID");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(kill(static_cast<pid_t>(std::stol(manager)), SIGKILL), 0);
  EXPECT_EQ(storm.wait(seconds(120)), 0) << storm.output();
  EXPECT_TRUE(contains(storm.output(), "storm-done")) << storm.output();

  auto after = boxctl({"list", "--json"});
  ASSERT_EQ(after.exit_code, 0) << after.output;
  EXPECT_EQ(after.output, before.output);
  EXPECT_NE(show("box-manager.service", "MainPID"), manager) << "not activated again";
  EXPECT_EQ(show(unit("calm"), "MainPID"), calm_pid) << "the box was disturbed";
  // Another 200 calls, then the manager holds what it held before them.
  const int fds_mid = manager_fds();
  for (int i = 0; i < 200; ++i)
    run({"busctl", "--user", "call", "dev.boxctl.box1", "/dev/boxctl/box1",
         "dev.boxctl.box1.Manager", "ListContainers"});
  EXPECT_EQ(manager_fds(), fds_mid) << "the manager's descriptors grew with calls";
  EXPECT_EQ(systemctl({"stop", unit("calm")}).exit_code, 0);
}

// The user manager's own PID: the one `systemd --user` of this uid.
pid_t user_manager_pid() {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string pid = e.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string status = slurp("/proc/" + pid + "/status");
    if (status_field(status, "Name") != "systemd") continue;
    if (std::stoul(status_field(status, "Uid")) != getuid()) continue;
    std::string cmdline = slurp("/proc/" + pid + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (contains(cmdline, "--user")) return static_cast<pid_t>(std::stol(pid));
  }
  return -1;
}

// The user manager itself killed with SIGKILL while boxes run (one writing
// to its persistent upper dir, one with a published port through pasta).
// What follows on a real host is PID 1's: it SIGKILLs everything left in
// user@UID.service's cgroup; the test bed's keeper does the same, then
// starts a new manager as the next login would. Nothing of the old boxes is
// left running, their stale start records go at box-manager's next start,
// the persistent write survives, and both boxes start again under the new
// manager (the published port is free again).
TEST_F(Faults, UserManagerKilledLeavesNothingAndLosesNothing) {
  define("keeps",
         "rootfs: ~/rootfs-faults\nrootfs_writes: persistent\n"
         "command: [sh, -c, 'echo found-$(cat /kept 2>/dev/null || echo none); "
         "echo written-before-the-crash > /kept; sync; echo wrote; exec sleep 300']\n");
  define("serves", "rootfs: ~/rootfs-faults\nnetwork: private\nports: ['127.0.0.1:18433:80']\n"
                   "command: [sleep, '300']\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  for (const char* name : {"keeps", "serves"})
    ASSERT_EQ(systemctl({"start", unit(name)}).exit_code, 0) << journal(unit(name));
  ASSERT_TRUE(eventually([&] { return contains(journal(unit("keeps")), "wrote"); }))
      << journal(unit("keeps"));
  EXPECT_TRUE(contains(journal(unit("keeps")), "found-none"));
  std::vector<pid_t> old_processes;
  for (const char* name : {"keeps", "serves"}) {
    const pid_t main = static_cast<pid_t>(std::stol(show(unit(name), "MainPID")));
    pid_t pid1 = -1;
    ASSERT_TRUE(eventually([&] { return (pid1 = first_child(main)) > 0; }));
    old_processes.insert(old_processes.end(), {main, pid1});
    for (pid_t helper : children_named(main, {"pasta", "passt", "passt.avx2"}))
      old_processes.push_back(helper);
  }
  ASSERT_EQ(old_processes.size(), 5u) << "no pasta beside the box with a published port";
  const std::string runtime = std::getenv("XDG_RUNTIME_DIR");
  ASSERT_TRUE(fs::exists(runtime + "/box/running/keeps"));

  const pid_t manager = user_manager_pid();
  ASSERT_GT(manager, 0) << "no systemd --user of this uid";
  ASSERT_EQ(kill(manager, SIGKILL), 0);
  for (pid_t pid : old_processes)
    EXPECT_TRUE(eventually([&] { return dead(pid); }, seconds(20))) << "pid " << pid << " survived";
  // A new manager, with the environment the test bed gives it.
  ASSERT_TRUE(eventually(
      [&] {
        const pid_t now = user_manager_pid();
        if (now <= 0 || now == manager) return false;
        auto env = systemctl({"show-environment"});
        return env.exit_code == 0 && contains(env.output, "PATH=" + prefix() + "/bin");
      },
      seconds(30)))
      << "no new user manager";
  EXPECT_EQ(count_lines(slurp("/proc/self/mountinfo")), mounts_before_);
  EXPECT_EQ(show(unit("keeps"), "ActiveState"), "inactive");

  // box-manager's start removes the records the killed supervisors left.
  auto list = boxctl({"list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_FALSE(fs::exists(runtime + "/box/running/keeps"));
  EXPECT_FALSE(fs::exists(runtime + "/box/running/serves"));

  for (const char* name : {"keeps", "serves"}) {
    auto again = systemctl({"start", unit(name)});
    EXPECT_EQ(again.exit_code, 0) << again.output << journal(unit(name));
  }
  EXPECT_TRUE(eventually([&] { return contains(journal(unit("keeps")), "found-written-before-the-crash"); }))
      << journal(unit("keeps"));
  for (const char* name : {"keeps", "serves"})
    EXPECT_EQ(systemctl({"stop", unit(name)}).exit_code, 0);
}

}  // namespace
}  // namespace box::testing
