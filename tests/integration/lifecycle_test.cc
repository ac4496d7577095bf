// Stop and restart as systemd users expect of a plain service (issue 13),
// against the real user manager, as the unprivileged test user: a PID 1 that
// dies of the stop signal is a clean stop; a PID 1 with no handler for it is
// ended at once, as the program would have been outside a container;
// stop/start cycles never reach the start rate limit.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

class Lifecycle : public BoxTest {
 protected:
  Lifecycle() : BoxTest("lifecycle") {}
  void define(const std::string& name, const std::string& yaml) {
    BoxTest::define(name, yaml);
    ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  }
  // How long `systemctl --user stop UNIT` took.
  milliseconds timed_stop(const std::string& unit) {
    auto begin = steady_clock::now();
    auto stop = systemctl({"stop", unit});
    EXPECT_EQ(stop.exit_code, 0) << stop.output;
    return std::chrono::duration_cast<milliseconds>(steady_clock::now() - begin);
  }
};

// A PID 1 without a handler for SIGTERM (sleep, most daemons run as PID 1):
// the kernel would drop the stop signal inside the pid namespace and the stop
// would wait the whole timeout, then fail. Now it ends at once, and the unit
// ends as the same program run as a plain service does: inactive, success.
TEST_F(Lifecycle, StopOfAPid1WithoutHandlerIsQuickAndClean) {
  define("nohandler",
         "rootfs: ~/rootfs-lifecycle\ncommand: [sleep, '300']\nstop: {timeout: 30s}\n");
  auto start = systemctl({"start", "box@nohandler.service"});
  ASSERT_EQ(start.exit_code, 0) << start.output << journal("box@nohandler.service");
  auto took = timed_stop("box@nohandler.service");
  EXPECT_LT(took, seconds(5)) << "the stop waited for the stop timeout";
  EXPECT_EQ(show("box@nohandler.service", "ActiveState"), "inactive");
  EXPECT_EQ(show("box@nohandler.service", "Result"), "success");
  EXPECT_TRUE(contains(journal("box@nohandler.service"), "has no handler for SIGTERM"))
      << journal("box@nohandler.service");
}

// The same program as a plain user service, side by side: the box's unit
// ends in the same state with the same result.
TEST_F(Lifecycle, StopEndsLikeThePlainServiceOfTheSameProgram) {
  define("likeplain", "rootfs: ~/rootfs-lifecycle\ncommand: [sleep, '300']\n");
  // A transient plain unit running sleep on the host.
  auto run_plain = run({"systemd-run", "--user", "--unit=box-test-plain-sleep", "sleep", "300"});
  ASSERT_EQ(run_plain.exit_code, 0) << run_plain.output;
  ASSERT_EQ(systemctl({"start", "box@likeplain.service"}).exit_code, 0);
  timed_stop("box-test-plain-sleep.service");
  timed_stop("box@likeplain.service");
  for (const char* property : {"ActiveState", "Result", "ExecMainCode", "ExecMainStatus"})
    EXPECT_EQ(show("box@likeplain.service", property), show("box-test-plain-sleep.service", property))
        << property;
  systemctl({"reset-failed", "box-test-plain-sleep.service"});
}

// A PID 1 that handles SIGTERM keeps the stop timeout: it decides when to end.
TEST_F(Lifecycle, AHandlerKeepsTheStopTimeout) {
  define("slowstop",
         "rootfs: ~/rootfs-lifecycle\n"
         "command: [sh, -c, 'trap \"sleep 1; exit 0\" TERM; echo up; while :; do sleep 1 & wait $!; "
         "done']\nstop: {timeout: 30s}\n");
  ASSERT_EQ(systemctl({"start", "box@slowstop.service"}).exit_code, 0);
  ASSERT_TRUE(eventually([] { return contains(journal("box@slowstop.service"), "up"); }));
  auto took = timed_stop("box@slowstop.service");
  EXPECT_GE(took, milliseconds(900)) << "the handler's own second was cut short";
  EXPECT_EQ(show("box@slowstop.service", "Result"), "success");
  EXPECT_FALSE(contains(journal("box@slowstop.service"), "no handler"));
}

// Stop/start cycles in a row: each stop is clean, so the unit never fails
// and none of them trips systemd's start rate limit the way failed stops
// did; 12 cycles, as a plain unit runs them, and restarts.
TEST_F(Lifecycle, StopStartCyclesNeverHitTheRateLimit) {
  define("cycles", "rootfs: ~/rootfs-lifecycle\ncommand: [sleep, '300']\n");
  for (int i = 0; i < 12; ++i) {
    auto start = systemctl({"start", "box@cycles.service"});
    ASSERT_EQ(start.exit_code, 0) << "cycle " << i << ": " << start.output
                                  << journal("box@cycles.service");
    ASSERT_EQ(show("box@cycles.service", "ActiveState"), "active") << "cycle " << i;
    ASSERT_EQ(systemctl({"stop", "box@cycles.service"}).exit_code, 0) << "cycle " << i;
    ASSERT_EQ(show("box@cycles.service", "Result"), "success") << "cycle " << i;
  }
  for (int i = 0; i < 5; ++i) {
    auto restart = systemctl({"restart", "box@cycles.service"});
    ASSERT_EQ(restart.exit_code, 0) << "restart " << i << ": " << restart.output;
  }
  ASSERT_EQ(systemctl({"stop", "box@cycles.service"}).exit_code, 0);
}

// box-run's own messages follow the unit's standard error wherever systemd
// sends it, not only into the journal: here a file, as a unit with
// StandardError=file: has it. No fixed wait: the start fails at once.
TEST_F(Lifecycle, ErrorsFollowTheUnitsStandardError) {
  const std::string dropin = home() + "/.config/systemd/user/box@errfile.service.d";
  fs::create_directories(dropin);
  const std::string log = home() + "/errfile.log";
  fs::remove(log);
  write_file(dropin + "/stderr.conf", "[Service]\nStandardError=file:" + log + "\n");
  define("errfile", "rootfs: ~/no-such-rootfs\ncommand: [true]\n");
  auto begin = steady_clock::now();
  EXPECT_NE(systemctl({"start", "box@errfile.service"}).exit_code, 0);
  EXPECT_LT(steady_clock::now() - begin, milliseconds(2000));
  EXPECT_TRUE(contains(slurp(log), "no-such-rootfs")) << slurp(log);
  fs::remove_all(dropin);
  fs::remove(log);
  systemctl({"daemon-reload"});
}

// In the foreground, box-run ends the way its PID 1 did: killed by the same
// signal (not an exit status of 143), so a shell shows 128+N as for the
// program itself, and a service manager sees the signal.
TEST_F(Lifecycle, ForegroundEndsByTheSignalItsPid1DiedOf) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  const std::string program = box_run();
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    execl(program.c_str(), program.c_str(), "run", rootfs_.c_str(), "--", "sh", "-c",
          "echo up; exec sleep 300", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  char buf[3] = {};
  ASSERT_EQ(read(out[0], buf, 3), 3);
  EXPECT_EQ(std::string(buf, 3), "up\n");
  close(out[0]);
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  // Bounded: a PID 1 that drops the signal would keep box-run waiting.
  bool ended = eventually([&] { return waitpid(pid, &status, WNOHANG) == pid; }, seconds(10));
  if (!ended) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  ASSERT_TRUE(ended) << "box-run did not end within 10 s of SIGTERM";
  ASSERT_TRUE(WIFSIGNALED(status)) << "exited with status " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
  // As a shell reports it.
  auto shell = run({"sh", "-c",
                    program + " run " + rootfs_ +
                        " -- sleep 300 & sleep 0.5; kill -TERM $!; wait $!; echo status=$?"});
  EXPECT_TRUE(contains(shell.output, "status=143\n")) << shell.output;
  // An exit status stays an exit status.
  auto exited = run({program, "run", rootfs_, "--", "sh", "-c", "exit 143"});
  EXPECT_EQ(exited.exit_code, 143);
}

}  // namespace
}  // namespace box::testing
