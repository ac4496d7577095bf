#include "core/sys/spawn.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/sys/find_program.h"
#include "core/sys/unique_fd.h"

extern char** environ;

namespace box {
namespace {

// close_range(2) without the glibc 2.34 wrapper (Debian 12 has it, but the
// raw call keeps this usable wherever the kernel has it, 5.9+).
bool close_range_fds(unsigned first, unsigned last) {
  if (first > last) return true;
  return ::syscall(SYS_close_range, first, last, 0U) == 0;
}

// A failure in the child, for the parent: errno as 4 bytes, then the text.
[[noreturn]] void report_and_exit(int report_fd, const char* what, int err) {
  char buf[1024];
  std::memcpy(buf, &err, sizeof err);
  std::size_t n = std::min(std::strlen(what), sizeof buf - sizeof err);
  std::memcpy(buf + sizeof err, what, n);
  ssize_t unused = ::write(report_fd, buf, sizeof err + n);
  (void)unused;
  _exit(127);
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

Result<pid_t> spawn(const SpawnSpec& spec) {
  if (spec.argv.empty()) return Error("spawn: no program");
  // Everything the child needs, made here: it only makes system calls.
  std::string program = spec.argv.front();
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

  UniqueFd devnull;
  if (spec.stdin_fd == SpawnSpec::kDevNull || spec.stdout_fd == SpawnSpec::kDevNull ||
      spec.stderr_fd == SpawnSpec::kDevNull) {
    devnull.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!devnull.valid()) return Error::from_errno("open /dev/null");
  }
  int report_fds[2];
  if (::pipe2(report_fds, O_CLOEXEC) != 0) return Error::from_errno("create a pipe");
  UniqueFd report_read(report_fds[0]), report_write(report_fds[1]);

  // The child's descriptors: stdio, the passed ones, then the report pipe
  // (close-on-exec: end of file tells the parent the exec happened).
  std::vector<FdPlacement> placements;
  const int stdio[3] = {spec.stdin_fd, spec.stdout_fd, spec.stderr_fd};
  for (int target = 0; target < 3; ++target) {
    int source = stdio[target] == SpawnSpec::kDevNull ? devnull.get() : stdio[target];
    if (source != SpawnSpec::kInherit) placements.push_back({source, target, false});
  }
  int next = 3;
  for (int fd : spec.pass_fds) placements.push_back({fd, next++, false});
  const int report_target = next++;
  placements.push_back({report_write.get(), report_target, true});
  const int exec_fd_target = next;  // where prepare()'s exec_fd goes, if any
  placements.reserve(placements.size() + 1);  // no allocation in the child

  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) return Error::from_errno("fork to " + exec_what);
  if (child == 0) {
    const int report = report_write.get();
    if (spec.new_session) ::setsid();
    for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
    for (int sig : spec.ignored_signals) ::signal(sig, SIG_IGN);
    sigset_t mask;
    sigemptyset(&mask);
    for (int sig : spec.blocked_signals) sigaddset(&mask, sig);
    ::sigprocmask(SIG_SETMASK, &mask, nullptr);
    SpawnChild self;
    if (spec.prepare && !spec.prepare(self)) report_and_exit(report, self.what.c_str(), self.err);
    if (spec.death_signal != 0) {
      if (::prctl(PR_SET_PDEATHSIG, spec.death_signal) != 0)
        report_and_exit(report, "set the parent-death signal", errno);
      if (::getppid() != parent) _exit(127);  // the caller is gone already
    }
    if (self.exec_fd >= 0) placements.push_back({self.exec_fd, exec_fd_target, true});
    if (!place_fds(placements.data(), placements.size()))
      report_and_exit(report, "arrange the descriptors", errno);
    if (self.exec_fd >= 0)
      ::syscall(SYS_execveat, exec_fd_target, "", argv.data(), child_env, AT_EMPTY_PATH);
    else
      ::execve(program.c_str(), argv.data(), child_env);
    report_and_exit(report_target, exec_what.c_str(), errno);
  }
  report_write.reset();

  std::string msg;
  char buf[1024];
  for (;;) {
    ssize_t n = ::read(report_read.get(), buf, sizeof buf);
    if (n > 0) {
      msg.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  if (msg.empty()) return child;
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  int err = 0;
  if (msg.size() >= sizeof err) std::memcpy(&err, msg.data(), sizeof err);
  std::string what = msg.size() > sizeof err ? msg.substr(sizeof err) : exec_what;
  return err ? Error::from_errno(what, err) : Error(what);
}

int wait_exit_code(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace box
