// Signals box-run caused itself are its own, not the container's: the
// SIGCHLD of its own helper's end and the SIGPIPE of its own write to a
// stdout nobody reads are not forwarded to the container's PID 1, while the
// same SIGPIPE sent to box-run by someone else is. The fault signals
// (SIGSEGV, SIGBUS, SIGILL, SIGFPE) are not caught at all: box-run ends by
// them, as by a real fault of its own, and PID 1 never sees them. Runs as
// the test user, with `box-run run` in the foreground.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;

// PID 1 of the box: logs every trap it runs to /out/log, and forks nothing
// (`read -t` is a builtin), so no SIGCHLD of its own can reach it.
std::string trapping_pid1(const std::vector<std::string>& signals) {
  std::string script = "exec >/out/log 2>&1; ";
  for (const auto& s : signals) script += "trap 'echo got-" + s + "' " + s + "; ";
  return script + "echo ready; while :; do read -t 1 line; done";
}

// box-run with stdin a pipe the test keeps open and stdout and stderr a
// pipe nobody reads: any write of its own raises SIGPIPE in it.
class DeafSupervisor {
 public:
  explicit DeafSupervisor(const std::vector<std::string>& argv) {
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) return;
    close(out[0]);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      dup2(out[1], 2);
      signal(SIGPIPE, SIG_DFL);
      rlimit no_core{0, 0};
      setrlimit(RLIMIT_CORE, &no_core);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    input_ = in[1];
  }
  ~DeafSupervisor() {
    if (pid_ > 0 && status_ < 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (input_ >= 0) close(input_);
  }
  DeafSupervisor(const DeafSupervisor&) = delete;
  DeafSupervisor& operator=(const DeafSupervisor&) = delete;
  pid_t pid() const { return pid_; }
  // Its wait status once it ended (bounded), or -1.
  int wait(std::chrono::seconds timeout = std::chrono::seconds(20)) {
    if (status_ >= 0) return status_;
    int st = 0;
    if (eventually([&] { return waitpid(pid_, &st, WNOHANG) == pid_; }, timeout)) status_ = st;
    return status_;
  }

 private:
  pid_t pid_ = -1;
  int input_ = -1;
  int status_ = -1;
};

class OwnSignals : public BoxTest {
 protected:
  OwnSignals() : BoxTest("own-signals") {}
  void SetUp() override {
    BoxTest::SetUp();
    fs::create_directories(rootfs_ + "/out");  // the rootfs is read-only in the box
    out_ = home() + "/own-signals-out";
    fs::remove_all(out_);
    fs::create_directories(out_);
  }
  void TearDown() override {
    BoxTest::TearDown();
    fs::remove_all(out_);
  }
  std::string log() const { return slurp(out_ + "/log"); }
  bool logged(const std::string& line) const { return contains(log(), line + "\n"); }

  std::string out_;
};

TEST_F(OwnSignals, ItsChildsEndAndItsBrokenPipeStayItsOwn) {
  DeafSupervisor b({box_run(), "run", "--network", "private", "--bind", out_ + ":/out", rootfs_,
                    "--", "sh", "-c", trapping_pid1({"CHLD", "PIPE", "USR1"})});
  ASSERT_GT(b.pid(), 0);
  ASSERT_TRUE(eventually([&] { return logged("ready"); })) << log();
  // The network helper is box-run's child; its end is box-run's SIGCHLD,
  // and box-run's warning about it, written to a pipe nobody reads, raises
  // SIGPIPE in box-run.
  std::set<pid_t> helpers;
  ASSERT_TRUE(eventually([&] {
    // pasta (--quiet: slirp4netns would itself die writing to the pipe);
    // its program is passt, or the variant it re-executes.
    helpers = children_named(b.pid(), {"passt", "passt.avx2", "pasta", "pasta.avx2"});
    return !helpers.empty();
  })) << "no network helper under box-run "
      << b.pid();
  const pid_t helper = *helpers.begin();
  ASSERT_EQ(kill(helper, SIGKILL), 0);
  // Reaped by box-run; its warning is written right after.
  ASSERT_TRUE(eventually([&] { return !fs::exists("/proc/" + std::to_string(helper)); }));
  // A signal from outside after both: once PID 1 ran its trap, it has run
  // those of every signal forwarded before it.
  ASSERT_EQ(kill(b.pid(), SIGUSR1), 0);
  ASSERT_TRUE(eventually([&] { return logged("got-USR1"); })) << log();
  EXPECT_FALSE(logged("got-CHLD")) << "box-run's own SIGCHLD reached PID 1\n" << log();
  EXPECT_FALSE(logged("got-PIPE")) << "box-run's own SIGPIPE reached PID 1\n" << log();
  EXPECT_EQ(b.wait(std::chrono::seconds(0)), -1) << "box-run ended by its own SIGPIPE";

  // The same SIGPIPE sent by someone else is the container's.
  ASSERT_EQ(kill(b.pid(), SIGPIPE), 0);
  EXPECT_TRUE(eventually([&] { return logged("got-PIPE"); })) << log();
}

TEST_F(OwnSignals, FaultSignalsEndBoxRunAndAreNotForwarded) {
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE}) {
    const std::string name = sigabbrev_np(sig);
    fs::remove(out_ + "/log");
    DeafSupervisor b({box_run(), "run", "--bind", out_ + ":/out", rootfs_, "--", "sh", "-c",
                      trapping_pid1({name})});
    ASSERT_GT(b.pid(), 0);
    ASSERT_TRUE(eventually([&] { return logged("ready"); })) << name << ": " << log();
    const pid_t pid1 = first_child(b.pid());
    ASSERT_GT(pid1, 0);
    ASSERT_EQ(kill(b.pid(), sig), 0);
    const int status = b.wait();
    ASSERT_NE(status, -1) << name << ": box-run is still running";
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == sig)
        << name << ": box-run's wait status " << status;
    // Its container went with it (parent-death signal), never told.
    EXPECT_TRUE(eventually([&] { return dead(pid1); })) << name;
    EXPECT_FALSE(logged("got-" + name)) << log();
  }
}

}  // namespace
}  // namespace box::testing
