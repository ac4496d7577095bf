// spawn.h: the descriptor rules, checked on real processes (fork and exec
// need no privileges).
#include "core/sys/spawn.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "core/sys/unique_fd.h"

namespace box {
namespace {

// An inheritable descriptor at `number` (not close-on-exec), like one a
// shell's `exec 5<DIR` leaves to its children.
// A descriptor (of "/") left open as a caller would leave it, at `number`.
// Never over one this process already uses (the test binary holds others,
// e.g. sd-bus's): the test fails instead of clobbering it.
UniqueFd leaked_at(int number) {
  EXPECT_EQ(::fcntl(number, F_GETFD), -1) << "descriptor " << number << " is already in use";
  int fd = ::open("/", O_RDONLY | O_DIRECTORY);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::dup2(fd, number), number);
  ::close(fd);
  return UniqueFd(number);
}

// The lowest free descriptor from `number` up, left open as above.
UniqueFd leaked_from(int number) {
  UniqueFd dir(::open("/", O_RDONLY | O_DIRECTORY));
  EXPECT_GE(dir.get(), 0);
  return UniqueFd(::fcntl(dir.get(), F_DUPFD, number));
}

// Runs `check` in a forked child and returns its exit status.
template <typename F>
int in_child(F check) {
  pid_t pid = ::fork();
  if (pid == 0) _exit(check());
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool is_open(int fd) { return ::fcntl(fd, F_GETFD) >= 0; }

// The output of `argv` spawned with `spec`'s other fields, and its status.
std::pair<std::string, int> spawn_and_read(SpawnSpec spec) {
  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  UniqueFd r(fds[0]), w(fds[1]);
  spec.stdout_fd = w.get();
  auto pid = spawn(spec);
  EXPECT_TRUE(pid.ok()) << (pid.ok() ? "" : pid.error().message());
  w.reset();
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = ::read(r.get(), buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  return {out, pid.ok() ? wait_exit_code(*pid) : -1};
}

TEST(CloseFdsExcept, ClosesEveryOtherDescriptorAndKeepsNumbers) {
  auto a = leaked_at(40), b = leaked_at(41), c = leaked_at(300);
  EXPECT_EQ(in_child([] {
              const int keep[] = {300, 40};
              if (!close_fds_except(keep, 2)) return 10;
              if (!is_open(40) || !is_open(300)) return 11;
              if (is_open(41)) return 12;
              return is_open(1) ? 0 : 13;  // stdio stays
            }),
            0);
}

TEST(CloseFdsExcept, NothingKeptClosesAllAboveStdio) {
  auto a = leaked_from(3), b = leaked_from(17);
  EXPECT_EQ(in_child([&] {
              if (!close_fds_except(nullptr, 0)) return 10;
              if (is_open(a.get()) || is_open(b.get())) return 11;
              for (int fd = 3; fd < 1024; ++fd)
                if (is_open(fd)) return 12;  // nothing at all above stdio
              return 0;
            }),
            0);
}

TEST(PlaceFds, SwapsAndRenumbersWithoutClobbering) {
  // 60 becomes 3 and 3 becomes 4: a naive dup2 of 60 onto 3 first would
  // lose the original 3.
  int p1[2], p2[2];
  ASSERT_EQ(::pipe(p1), 0);
  ASSERT_EQ(::pipe(p2), 0);
  ASSERT_EQ(::dup2(p1[1], 60), 60);
  EXPECT_EQ(in_child([&] {
              ::dup2(p2[1], 3);
              const FdPlacement places[] = {{60, 3, false}, {3, 4, true}};
              if (!place_fds(places, 2)) return 10;
              if (::write(3, "a", 1) != 1 || ::write(4, "b", 1) != 1) return 11;
              if (is_open(60) || is_open(5)) return 12;
              if ((::fcntl(3, F_GETFD) & FD_CLOEXEC) || !(::fcntl(4, F_GETFD) & FD_CLOEXEC))
                return 13;
              return 0;
            }),
            0);
  char c = 0;
  ASSERT_EQ(::read(p1[0], &c, 1), 1);
  EXPECT_EQ(c, 'a');  // what was 60 (p1) is now 3
  ASSERT_EQ(::read(p2[0], &c, 1), 1);
  EXPECT_EQ(c, 'b');  // what was 3 (p2) is now 4
  for (int fd : {p1[0], p1[1], p2[0], p2[1], 60}) ::close(fd);
}

TEST(Spawn, TheProgramGetsStdioAndThePassedDescriptorsOnly) {
  auto leaked = leaked_at(57);
  auto passed = leaked_at(58);
  SpawnSpec spec;
  spec.argv = {"/bin/sh", "-c",
               "for n in 3 4 57 58; do [ -e /proc/self/fd/$n ] && echo open $n; done; "
               "readlink /proc/self/fd/3"};
  spec.pass_fds = {passed.get()};
  auto [out, status] = spawn_and_read(spec);
  EXPECT_EQ(status, 0);
  // fd 3 is the passed directory ("/"); the caller's 57 and its own 58
  // are gone, and so is the report pipe (close-on-exec).
  EXPECT_EQ(out, "open 3\n/\n");
}

TEST(Spawn, ReportsAFailedExecWithItsErrno) {
  // Not there; there but not executable (a directory).
  const std::pair<const char*, int> cases[] = {{"/nonexistent/program", ENOENT}, {"/", EACCES}};
  for (const auto& [program, err] : cases) {
    SpawnSpec spec;
    spec.argv = {program};
    auto pid = spawn(spec);
    ASSERT_FALSE(pid.ok()) << program;
    EXPECT_EQ(pid.error().errno_value(), err);
    EXPECT_EQ(pid.error().message(),
              std::string("execute '") + program + "': " + std::strerror(err));
  }
}

TEST(Spawn, ReportsAFailedPrepareStep) {
  SpawnSpec spec;
  spec.argv = {"/bin/true"};
  spec.prepare = [](SpawnChild& self) {
    errno = EACCES;
    self.what = "join the namespace";
    self.err = errno;
    return false;
  };
  auto pid = spawn(spec);
  ASSERT_FALSE(pid.ok());
  EXPECT_EQ(pid.error().message(), "join the namespace: Permission denied");
}

TEST(Spawn, SearchesPathAndSetsTheEnvironment) {
  SpawnSpec spec;
  spec.argv = {"sh", "-c", "echo \"$ONLY\" \"${HOME-unset}\""};
  spec.search_path = true;
  spec.path = "/usr/bin:/bin";
  spec.inherit_env = false;
  spec.env = {"ONLY=this"};
  auto [out, status] = spawn_and_read(spec);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(out, "this unset\n");  // none of the caller's variables (HOME)
  SpawnSpec missing;
  missing.argv = {"no-such-program-anywhere"};
  missing.search_path = true;
  auto pid = spawn(missing);
  ASSERT_FALSE(pid.ok());
  EXPECT_EQ(pid.error().errno_value(), ENOENT);
}

// --- The report protocol -----------------------------------------------------

// What a forked child reports with report_child_failure(), read back.
std::optional<ChildFailure> report_of(int status, const char* what, int err, int* exit_code) {
  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  UniqueFd r(fds[0]), w(fds[1]);
  pid_t pid = ::fork();
  if (pid == 0) report_child_failure(w.get(), status, what, err);
  w.reset();
  auto failure = read_child_report(r.get());
  *exit_code = wait_exit_code(pid);
  return failure;
}

TEST(ChildReport, StatusErrnoAndMessageCrossAsTheyWere) {
  int code = -1;
  auto failure = report_of(126, "/bin/x", EACCES, &code);
  ASSERT_TRUE(failure);
  EXPECT_EQ(code, 126);  // the child exits with the status it reports
  EXPECT_EQ(failure->status, 126);
  EXPECT_EQ(failure->error.errno_value(), EACCES);
  EXPECT_EQ(failure->error.message(), "/bin/x: Permission denied");  // strerror's words

  auto plain = report_of(125, "the supervisor said no", 0, &code);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->error.message(), "the supervisor said no");
  EXPECT_EQ(plain->error.errno_value(), 0);
  EXPECT_EQ(report_of(125, "odd", 4000, &code)->error.message(), "odd: Unknown error 4000");
}

TEST(ChildReport, NothingMeansSuccessAndABrokenRecordIsAFailure) {
  EXPECT_FALSE(decode_child_report(""));
  auto broken = decode_child_report(std::string_view("\x7f\0", 2));
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->status, 125);
  EXPECT_EQ(broken->error.message(), "a child process broke off its report");
}

TEST(ChildReport, AnErrorOfBoxsOwnKeepsItsMessageAndErrno) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  UniqueFd r(fds[0]), w(fds[1]);
  pid_t pid = ::fork();
  if (pid == 0) report_child_error(w.get(), 1, Error("write 'layer': No space left", ENOSPC));
  w.reset();
  auto failure = read_child_report(r.get());
  EXPECT_EQ(wait_exit_code(pid), 1);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->error.message(), "write 'layer': No space left");  // not formatted again
  EXPECT_EQ(failure->error.errno_value(), ENOSPC);
}

// --- spawn_function ----------------------------------------------------------

TEST(SpawnFunction, TheFunctionGetsStdioThePassedDescriptorsAndItsReportOnly) {
  auto leaked = leaked_at(57);
  auto passed = leaked_at(58);
  SpawnSpec spec;
  spec.pass_fds = {passed.get()};
  auto child = spawn_function(spec, [](int report) {
    if (report != 4) return 10;  // after the one passed descriptor
    if (!is_open(3) || !(::fcntl(3, F_GETFD) & FD_CLOEXEC)) return 11;  // for its own use
    if (is_open(57) || is_open(58) || is_open(5)) return 12;
    char target[8] = {};
    if (::readlink("/proc/self/fd/3", target, sizeof target - 1) != 1 || target[0] != '/')
      return 13;
    return 0;
  });
  ASSERT_TRUE(child.ok()) << child.error().message();
  EXPECT_FALSE(read_child_report(child->report.get()));  // nothing reported
  EXPECT_EQ(wait_exit_code(child->pid), 0);
}

// The install's unpack child works on files its caller has open.
TEST(SpawnFunction, KeepDescriptorsLeavesTheCallersWhereTheyAre) {
  auto open_file = leaked_at(57);
  // A stdin that is not /dev/null (ctest may give the test that).
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  UniqueFd saved_stdin(::fcntl(0, F_DUPFD_CLOEXEC, 3)), pipe_read(pipe_fds[0]),
      pipe_write(pipe_fds[1]);
  ASSERT_EQ(::dup2(pipe_read.get(), 0), 0);
  struct stat in_caller {};
  ASSERT_EQ(::fstat(0, &in_caller), 0);
  SpawnSpec spec;
  spec.keep_descriptors = true;
  auto child = spawn_function(spec, [&in_caller](int report) {
    if (!is_open(57) || !is_open(report)) return 10;
    struct stat in_child {};
    // stdin as it was, not /dev/null: nothing is placed.
    if (::fstat(0, &in_child) != 0 || in_child.st_ino != in_caller.st_ino ||
        in_child.st_dev != in_caller.st_dev)
      return 11;
    return 0;
  });
  ::dup2(saved_stdin.get(), 0);
  ASSERT_TRUE(child.ok()) << child.error().message();
  EXPECT_FALSE(read_child_report(child->report.get()));
  EXPECT_EQ(wait_exit_code(child->pid), 0);
}

TEST(SpawnFunction, ItsFailureComesThroughTheReport) {
  SpawnSpec spec;
  auto child = spawn_function(spec, [](int report) -> int {
    errno = EPERM;
    report_child_failure(report, 125, "setns", errno);
  });
  ASSERT_TRUE(child.ok());
  auto failure = read_child_report(child->report.get());
  EXPECT_EQ(wait_exit_code(child->pid), 125);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->status, 125);
  EXPECT_EQ(failure->error.message(), "setns: Operation not permitted");
}

TEST(SpawnFunction, SignalsAsAskedAndDiesWithTheCaller) {
  SpawnSpec spec;
  spec.blocked_signals = {SIGHUP};
  spec.ignored_signals = {SIGTERM};
  auto child = spawn_function(spec, [](int) {
    sigset_t mask;
    ::sigprocmask(SIG_SETMASK, nullptr, &mask);
    if (!sigismember(&mask, SIGHUP) || sigismember(&mask, SIGINT)) return 10;
    struct sigaction sa {};
    ::sigaction(SIGTERM, nullptr, &sa);
    if (sa.sa_handler != SIG_IGN) return 11;
    int death = 0;
    ::prctl(PR_GET_PDEATHSIG, &death);
    return death == SIGKILL ? 0 : 12;
  });
  ASSERT_TRUE(child.ok());
  EXPECT_FALSE(read_child_report(child->report.get()));
  EXPECT_EQ(wait_exit_code(child->pid), 0);
}

TEST(Spawn, StdinIsDevNullAndIgnoredSignalsStayIgnored) {
  SpawnSpec spec;
  spec.argv = {"/bin/sh", "-c", "readlink /proc/self/fd/0; grep SigIgn /proc/self/status"};
  spec.ignored_signals = {SIGTERM};
  auto [out, status] = spawn_and_read(spec);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(out.substr(0, 10), "/dev/null\n");
  // SIGTERM is signal 15: bit 14 of the mask.
  EXPECT_NE(out.find("SigIgn:\t"), std::string::npos) << out;
  const auto mask = std::stoull(out.substr(out.find("SigIgn:\t") + 8), nullptr, 16);
  EXPECT_TRUE(mask & (1ull << (SIGTERM - 1))) << out;
}

TEST(Spawn, ExecsWithTheBlockedSignalsItIsGiven) {
  SpawnSpec spec;
  // grep itself, not a shell (a shell clears the mask of what it runs).
  spec.argv = {"/bin/grep", "SigBlk", "/proc/self/status"};
  spec.blocked_signals = {SIGHUP};
  auto [out, status] = spawn_and_read(spec);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(out, "SigBlk:\t0000000000000001\n");  // SIGHUP alone
}

}  // namespace
}  // namespace box
