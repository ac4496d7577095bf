#include "core/sys/spawn.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "core/sys/find_program.h"
#include "core/sys/unique_fd.h"

extern char** environ;

namespace box {
namespace {

// What a child that could not be set up exits with, as box-run does.
constexpr int kSetupFailed = 125;

// close_range(2) without the glibc 2.34 wrapper (Debian 12 has it, but the
// raw call keeps this usable wherever the kernel has it, 5.9+).
bool close_range_fds(unsigned first, unsigned last) {
  if (first > last) return true;
  return ::syscall(SYS_close_range, first, last, 0U) == 0;
}

// A report record: the status and the errno as two 32-bit numbers, then
// the message. One write of at most PIPE_BUF bytes is never torn.
constexpr std::size_t kReportHeader = 2 * sizeof(std::int32_t);
constexpr std::size_t kReportMax = 4096;

void write_report(int report_fd, int status, int err, const char* text, std::size_t size) {
  char buf[kReportMax];
  const std::int32_t head[2] = {status, err};
  std::memcpy(buf, head, kReportHeader);
  size = std::min(size, sizeof buf - kReportHeader);
  std::memcpy(buf + kReportHeader, text, size);
  ssize_t unused = ::write(report_fd, buf, kReportHeader + size);
  (void)unused;
}

// Appends `text` to buf[0..*used) within `size`; no allocation.
void append(char* buf, std::size_t size, std::size_t* used, const char* text) {
  while (*text && *used < size) buf[(*used)++] = *text++;
}

// The child of spawn() or spawn_function(), everything prepared in the
// parent: the placements (stdio, passed descriptors, report pipe last),
// with room for one more.
struct Start {
  UniqueFd devnull, report_read, report_write;
  std::vector<FdPlacement> placements;
  int report_target = -1;
  int exec_fd_target = -1;  // where prepare()'s exec_fd goes, if any
};

Result<Start> prepare_start(const SpawnSpec& spec, bool passed_cloexec) {
  Start start;
  int report_fds[2];
  if (::pipe2(report_fds, O_CLOEXEC) != 0) return Error::from_errno("create a pipe");
  start.report_read.reset(report_fds[0]);
  start.report_write.reset(report_fds[1]);
  if (spec.keep_descriptors) return start;  // nothing placed
  if (spec.stdin_fd == SpawnSpec::kDevNull || spec.stdout_fd == SpawnSpec::kDevNull ||
      spec.stderr_fd == SpawnSpec::kDevNull) {
    start.devnull.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!start.devnull.valid()) return Error::from_errno("open /dev/null");
  }

  // The child's descriptors: stdio, the passed ones, then the report pipe
  // (close-on-exec: end of file tells the parent the exec happened).
  const int stdio[3] = {spec.stdin_fd, spec.stdout_fd, spec.stderr_fd};
  for (int target = 0; target < 3; ++target) {
    int source = stdio[target] == SpawnSpec::kDevNull ? start.devnull.get() : stdio[target];
    if (source != SpawnSpec::kInherit) start.placements.push_back({source, target, false});
  }
  int next = 3;
  for (int fd : spec.pass_fds) start.placements.push_back({fd, next++, passed_cloexec});
  start.report_target = next++;
  start.placements.push_back({start.report_write.get(), start.report_target, true});
  start.exec_fd_target = next;
  start.placements.reserve(start.placements.size() + 1);  // no allocation in the child
  return start;
}

// In the child: its session, signals, prepare(), death signal and
// descriptors, in that order. Ends the child on a failure. Returns where
// prepare()'s exec_fd is now, or -1; start.report_target is the report
// pipe's number then.
int start_in_child(const SpawnSpec& spec, Start& start, pid_t parent) {
  const int report = start.report_write.get();
  if (spec.new_session) ::setsid();
  for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
  for (int sig : spec.ignored_signals) ::signal(sig, SIG_IGN);
  sigset_t mask;
  sigemptyset(&mask);
  for (int sig : spec.blocked_signals) sigaddset(&mask, sig);
  ::sigprocmask(SIG_SETMASK, &mask, nullptr);
  SpawnChild self;
  if (spec.prepare && !spec.prepare(self))
    report_child_failure(report, kSetupFailed, self.what.c_str(), self.err);
  if (spec.death_signal != 0) {
    if (::prctl(PR_SET_PDEATHSIG, spec.death_signal) != 0)
      report_child_failure(report, kSetupFailed, "set the parent-death signal", errno);
    if (::getppid() != parent) _exit(kSetupFailed);  // the caller is gone already
  }
  if (spec.keep_descriptors) {
    start.report_read.reset();
    start.report_target = report;
    return -1;
  }
  if (self.exec_fd >= 0) start.placements.push_back({self.exec_fd, start.exec_fd_target, true});
  if (!place_fds(start.placements.data(), start.placements.size()))
    report_child_failure(report, kSetupFailed, "arrange the descriptors", errno);
  return self.exec_fd >= 0 ? start.exec_fd_target : -1;
}

}  // namespace

bool close_fds_except(const int* keep, std::size_t count) {
  // Sorted copy on the stack: no allocation in a forked child.
  constexpr std::size_t kMax = 16;
  if (count > kMax) {
    errno = EINVAL;
    return false;
  }
  int sorted[kMax];
  std::size_t n = 0;
  for (std::size_t i = 0; i < count; ++i)
    if (keep[i] > 2) sorted[n++] = keep[i];
  std::sort(sorted, sorted + n);
  unsigned next = 3;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned fd = static_cast<unsigned>(sorted[i]);
    if (fd > next && !close_range_fds(next, fd - 1)) return false;
    next = fd + 1;
  }
  return close_range_fds(next, ~0U);
}

bool place_fds(const FdPlacement* fds, std::size_t count) {
  constexpr std::size_t kMax = 16;
  if (count > kMax) {
    errno = EINVAL;
    return false;
  }
  // Every source is first copied above every source and target, so that
  // placing one can never overwrite another that is still to be placed.
  int base = 3;
  unsigned highest_target = 2;
  for (std::size_t i = 0; i < count; ++i) {
    base = std::max({base, fds[i].source + 1, fds[i].target + 1});
    highest_target = std::max(highest_target, static_cast<unsigned>(fds[i].target));
  }
  int copies[kMax];
  for (std::size_t i = 0; i < count; ++i) {
    copies[i] = ::fcntl(fds[i].source, F_DUPFD_CLOEXEC, base);
    if (copies[i] < 0) return false;
  }
  for (std::size_t i = 0; i < count; ++i)
    if (::dup3(copies[i], fds[i].target, fds[i].cloexec ? O_CLOEXEC : 0) != fds[i].target)
      return false;
  // The copies are all above the targets: this closes them too.
  return close_range_fds(highest_target + 1, ~0U);
}

void report_child_failure(int report_fd, int status, const char* what, int err) {
  // strerrordesc_np, not strerror: it reads no locale and allocates
  // nothing (box sets no locale, so the text is strerror's).
  char text[1024];
  std::size_t used = 0;
  append(text, sizeof text, &used, what);
  if (err != 0) {
    append(text, sizeof text, &used, ": ");
    if (const char* desc = ::strerrordesc_np(err)) {
      append(text, sizeof text, &used, desc);
    } else {
      char digits[16];
      std::size_t n = 0;
      for (unsigned v = static_cast<unsigned>(err); n == 0 || v > 0; v /= 10)
        digits[n++] = static_cast<char>('0' + v % 10);
      append(text, sizeof text, &used, "Unknown error ");
      while (n > 0 && used < sizeof text) text[used++] = digits[--n];
    }
  }
  write_report(report_fd, status, err, text, used);
  _exit(status);
}

void report_child_error(int report_fd, int status, const Error& error) {
  write_report(report_fd, status, error.errno_value(), error.message().data(),
               error.message().size());
  _exit(status);
}

std::optional<ChildFailure> decode_child_report(std::string_view report) {
  if (report.empty()) return std::nullopt;
  if (report.size() < kReportHeader)
    return ChildFailure{kSetupFailed, Error("a child process broke off its report")};
  std::int32_t head[2];
  std::memcpy(head, report.data(), kReportHeader);
  return ChildFailure{head[0], Error(std::string(report.substr(kReportHeader)), head[1])};
}

std::optional<ChildFailure> read_child_report(int report_fd) {
  std::string report;
  char buf[1024];
  for (;;) {
    ssize_t n = ::read(report_fd, buf, sizeof buf);
    if (n > 0) {
      report.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  return decode_child_report(report);
}

Result<pid_t> spawn(const SpawnSpec& spec) {
  if (spec.argv.empty()) return Error("spawn: no program");
  // Everything the child needs, made here: it only makes system calls.
  std::string program = spec.exec_path.empty() ? spec.argv.front() : spec.exec_path;
  if (spec.search_path && program.find('/') == std::string::npos) {
    const char* env_path = std::getenv("PATH");
    std::string found =
        find_program(program, spec.path.empty() ? (env_path ? env_path : "") : spec.path);
    if (found.empty())
      return Error("execute '" + program + "': not found in $PATH", ENOENT);
    program = found;
  }
  std::vector<std::string> args = spec.argv;
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = spec.env;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  char* const* child_env = spec.inherit_env ? environ : envp.data();
  const std::string exec_what = "execute '" + program + "'";
  auto start = prepare_start(spec, false);
  if (!start) return start.error().wrap("start '" + program + "'");

  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) return Error::from_errno("fork to " + exec_what);
  if (child == 0) {
    const int exec_fd = start_in_child(spec, *start, parent);
    if (exec_fd >= 0)
      ::syscall(SYS_execveat, exec_fd, "", argv.data(), child_env, AT_EMPTY_PATH);
    else
      ::execve(program.c_str(), argv.data(), child_env);
    // As a shell says it: 127 not found, 126 found but not executable.
    const int err = errno;
    report_child_failure(start->report_target, err == ENOENT ? 127 : 126, exec_what.c_str(), err);
  }
  start->report_write.reset();
  auto failure = read_child_report(start->report_read.get());
  if (!failure) return child;
  wait_exit_code(child);
  return failure->error;
}

Result<SpawnedFunction> spawn_function(const SpawnSpec& spec,
                                       const std::function<int(int report_fd)>& body) {
  auto start = prepare_start(spec, true);
  if (!start) return start.error().wrap("start a child process");
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) return Error::from_errno("fork a child process");
  if (child == 0) {
    start_in_child(spec, *start, parent);
    _exit(body(start->report_target));
  }
  start->report_write.reset();
  return SpawnedFunction{child, std::move(start->report_read)};
}

int wait_exit_code(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace box
