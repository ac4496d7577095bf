// The supervisor (box-run) as the unprivileged test user: what it passes to
// the container's PID 1 (signals, stdin), what it passes back (output, exit
// status), where it puts the container (a child cgroup of the unit's) and
// what it leaves when a start fails (nothing).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {

class Supervisor : public BoxTest {
 protected:
  void cleanup() override { fs::remove_all(home() + "/supervisor-io"); }
};

// Every signal a process can catch, sent to box-run, is handled by PID 1
// (SIGTERM included: the default stop signal is SIGTERM itself).
TEST_F(Supervisor, EveryCatchableSignalReachesPid1) {
  std::vector<int> signals = {SIGHUP,    SIGINT,  SIGQUIT,  SIGTRAP, SIGABRT,   SIGUSR1,
                              SIGUSR2,   SIGPIPE, SIGALRM,  SIGTERM, SIGSTKFLT, SIGCONT,
                              SIGTSTP,   SIGTTIN, SIGTTOU,  SIGURG,  SIGXCPU,   SIGXFSZ,
                              SIGVTALRM, SIGPROF, SIGWINCH, SIGPWR,  SIGSYS};
  for (int s = SIGRTMIN; s <= SIGRTMAX; ++s) signals.push_back(s);
  std::string traps;
  for (int s : signals)
    traps += "trap 'echo got-" + std::to_string(s) + "' " + std::to_string(s) + "; ";
  PipedProcess b(box_argv({}, sh(traps + "echo ready; while :; do sleep 1 & wait $!; done")));
  ASSERT_TRUE(b.wait_for("ready\n")) << b.output();
  for (int s : signals) {
    ASSERT_EQ(kill(b.pid(), s), 0);
    EXPECT_TRUE(b.wait_for("got-" + std::to_string(s) + "\n", std::chrono::seconds(5)))
        << "signal " << s << " (" << strsignal(s) << ") did not reach PID 1\n"
        << b.output();
  }
  // Still running, then stopped for good.
  ASSERT_EQ(kill(b.pid(), SIGKILL), 0);
  EXPECT_EQ(b.wait(), 128 + SIGKILL);
}

// A container's PID 1 killed by a signal: box-run exits with 128+signal, as
// a shell reports it (init: none), and so does the tiny init for its
// command.
TEST_F(Supervisor, ExitStatusIs128PlusTheSignal) {
  PipedProcess plain(box_argv({}, sh("echo ready; exec sleep 30")));
  ASSERT_TRUE(plain.wait_for("ready\n")) << plain.output();
  const pid_t pid1 = first_child(plain.pid());
  ASSERT_GT(pid1, 0);
  ASSERT_EQ(kill(pid1, SIGKILL), 0);  // from outside: inside, PID 1 ignores it
  EXPECT_EQ(plain.wait(), 128 + SIGKILL) << plain.output();

  // The command under the tiny init kills itself (inside).
  PipedProcess tiny(box_argv({"--init", "tiny"}, sh("kill -USR1 $$")));
  EXPECT_EQ(tiny.wait(), 128 + SIGUSR1) << tiny.output();
}

// box-run run in the foreground: stdin reaches the command, its stdout and
// stderr come back apart and byte for byte, and its exit status is ours.
TEST_F(Supervisor, ForegroundPassesStdinStdoutStderrAndStatus) {
  PipedProcess b(box_argv({}, sh("read line; echo \"got $line\"; echo to-stderr >&2; exit 3")));
  b.write_input("hello\n");
  b.close_input();
  EXPECT_EQ(b.wait(), 3) << b.output();
  EXPECT_TRUE(contains(b.output(), "got hello\n")) << b.output();
  EXPECT_TRUE(contains(b.output(), "to-stderr\n")) << b.output();

  const std::string io = home() + "/supervisor-io";
  fs::create_directories(io);
  auto r = run({"sh", "-c",
                "head -c 1000000 /dev/urandom > " + io + "/in && " + box_run() + " run " + rootfs_ +
                    " -- sh -c 'cat; echo err >&2; exit 5' < " + io + "/in > " + io + "/out 2> " +
                    io + "/err; echo rc=$?; cmp " + io + "/in " + io + "/out && echo same"});
  EXPECT_TRUE(contains(r.output, "rc=5\nsame\n")) << r.output;
  EXPECT_EQ(slurp(io + "/err"), "err\n");
}

// Under systemd: box-run stays in the unit's cgroup and puts the container
// into the child cgroup "container"; readiness is said once PID 1 runs; the
// cgroup goes with the container.
TEST_F(Supervisor, ContainerRunsInAChildCgroupOfTheUnit) {
  define("cgchild", "rootfs: ~/rootfs-supervisor\ncommand: [sh, -c, 'exec sleep 300']\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  auto start = systemctl({"start", "box@cgchild.service"});
  ASSERT_EQ(start.exit_code, 0) << start.output << journal("box@cgchild.service");
  EXPECT_TRUE(contains(show("box@cgchild.service", "StatusText"), "Container running (PID "));
  const std::string unit_cg = show("box@cgchild.service", "ControlGroup");
  const pid_t main = static_cast<pid_t>(std::stol(show("box@cgchild.service", "MainPID")));
  pid_t pid1 = -1;
  ASSERT_TRUE(eventually([&] { return (pid1 = first_child(main)) > 0; }));
  const std::string main_cg = slurp("/proc/" + std::to_string(main) + "/cgroup");
  EXPECT_TRUE(contains(main_cg, "0::" + unit_cg + "\n")) << main_cg;
  const std::string pid1_cg = slurp("/proc/" + std::to_string(pid1) + "/cgroup");
  EXPECT_TRUE(contains(pid1_cg, "0::" + unit_cg + "/container\n")) << pid1_cg;
  // Inside, its cgroup is the root of its cgroup namespace.
  auto inside = boxctl({"enter", "cgchild", "cat", "/proc/1/cgroup"});
  EXPECT_TRUE(contains(inside.output, "0::/\n")) << inside.output;
  const std::string root = fs::exists("/sys/fs/cgroup/unified/cgroup.procs")
                               ? "/sys/fs/cgroup/unified"
                               : "/sys/fs/cgroup";
  ASSERT_TRUE(fs::exists(root + unit_cg + "/container"));
  ASSERT_EQ(systemctl({"stop", "box@cgchild.service"}).exit_code, 0);
  EXPECT_FALSE(fs::exists(root + unit_cg + "/container"));
  EXPECT_FALSE(fs::exists("/proc/" + std::to_string(pid1)));
}

// A start that fails in setup names the step, the path and errno's meaning,
// and leaves nothing: no process, no cgroup, no notify socket. The unit's
// cgroup is recorded while the same box runs (a failed unit no longer shows
// one): systemd names it after the unit, so the failed start used it too.
TEST_F(Supervisor, FailedStartLeavesNothingBehind) {
  define("failing", "rootfs: ~/rootfs-supervisor\ncommand: [sh, -c, 'exec sleep 300']\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  auto good = systemctl({"start", "box@failing.service"});
  ASSERT_EQ(good.exit_code, 0) << good.output << journal("box@failing.service");
  const std::string unit_cg = show("box@failing.service", "ControlGroup");
  ASSERT_FALSE(unit_cg.empty());
  const std::string root = fs::exists("/sys/fs/cgroup/unified/cgroup.procs")
                               ? "/sys/fs/cgroup/unified"
                               : "/sys/fs/cgroup";
  ASSERT_TRUE(fs::is_directory(root + unit_cg + "/container")) << root + unit_cg;
  ASSERT_EQ(systemctl({"stop", "box@failing.service"}).exit_code, 0);
  ASSERT_FALSE(fs::exists(root + unit_cg));

  define("failing",
         "rootfs: ~/rootfs-supervisor\nnotify: true\n"
         "mounts:\n  - {type: bind, source: ~/no-such-source, target: /data}\n"
         "command: [sh, -c, 'exec sleep 300']\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  EXPECT_NE(systemctl({"start", "box@failing.service"}).exit_code, 0);
  EXPECT_EQ(show("box@failing.service", "ExecMainStatus"), "125");
  EXPECT_TRUE(eventually([] {
    return contains(journal("box@failing.service"),
                    "open bind source '" + home() +
                        "/no-such-source' for '/data': No such file "
                        "or directory");
  })) << journal("box@failing.service");
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  ASSERT_TRUE(runtime && *runtime) << "the test user's session must have XDG_RUNTIME_DIR";
  std::error_code ec;
  for (const auto& dir : {std::string(runtime) + "/box", std::string("/tmp")})
    for (const auto& e : fs::directory_iterator(dir, ec))
      EXPECT_FALSE(contains(e.path().filename().string(), "notify-failing-")) << e.path();
  // No process of it, and its cgroup (with the container's child) is gone.
  EXPECT_EQ(show("box@failing.service", "MainPID"), "0");
  EXPECT_FALSE(fs::exists(root + unit_cg))
      << root + unit_cg << " is left with: " << slurp(root + unit_cg + "/cgroup.procs");
  // Nothing was created at the mount's source either.
  EXPECT_FALSE(fs::exists(home() + "/no-such-source"));
}

}  // namespace
}  // namespace box::testing
