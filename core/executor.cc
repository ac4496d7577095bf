#include "executor.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace box {
namespace {

// The child reports a failed step over a CLOEXEC pipe: EOF means the exec
// succeeded. Message layout: 1 byte SetupFailure, then the text.
[[noreturn]] void child_fail(int report_fd, SetupFailure kind, const std::string& what, int err) {
  std::string msg(1, static_cast<char>(kind));
  msg += what;
  if (err) {
    msg += ": ";
    msg += std::strerror(err);
  }
  ssize_t unused = ::write(report_fd, msg.data(), msg.size());
  (void)unused;
  _exit(127);
}

bool write_file(const std::string& path, const std::string& content) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n = ::write(fd, content.data(), content.size());
  int saved = errno;
  ::close(fd);
  errno = saved;
  return n == static_cast<ssize_t>(content.size());
}

// Flags of the mount at `path` that an unprivileged remount must keep:
// the kernel locks nosuid/nodev/noexec/ro/atime flags it inherited from a
// more privileged mount namespace and refuses a remount that clears them.
unsigned long locked_flags(const char* path) {
  struct statvfs sv {};
  if (statvfs(path, &sv) != 0) return 0;
  unsigned long f = 0;
  if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
  if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
  if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
  return f;
}

// Runs one filesystem step below `root` (the rootfs bind, before pivot).
// Returns 0 or an errno, with `what` describing the step.
int apply_mount_step(const std::string& root, const MountStep& step, std::string& what) {
  const std::string target = root + step.target;
  const char* t = target.c_str();
  const char* data = step.options.empty() ? nullptr : step.options.c_str();
  using K = MountStep::Kind;
  switch (step.kind) {
    case K::kProc:
      what = "mount proc on '" + step.target + "'";
      return ::mount("proc", t, "proc", step.flags, data) == 0 ? 0 : errno;
    case K::kTmpfs:
      what = "mount tmpfs on '" + step.target + "'";
      return ::mount("tmpfs", t, "tmpfs", step.flags, data) == 0 ? 0 : errno;
    case K::kDevpts:
      what = "mount devpts on '" + step.target + "'";
      return ::mount("devpts", t, "devpts", step.flags, data) == 0 ? 0 : errno;
    case K::kMqueue:
      what = "mount mqueue on '" + step.target + "'";
      return ::mount("mqueue", t, "mqueue", step.flags, data) == 0 ? 0 : errno;
    case K::kDir:
      what = "create directory '" + step.target + "'";
      return (::mkdir(t, 0755) == 0 || errno == EEXIST) ? 0 : errno;
    case K::kSymlink:
      what = "create symlink '" + step.target + "'";
      return ::symlink(step.source.c_str(), t) == 0 ? 0 : errno;
    case K::kBindDev: {
      what = "bind '" + step.source + "' on '" + step.target + "'";
      int fd = ::open(t, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
      if (fd < 0) return errno;
      ::close(fd);
      return ::mount(step.source.c_str(), t, nullptr, MS_BIND, nullptr) == 0 ? 0 : errno;
    }
  }
  what = "unknown mount step";
  return EINVAL;
}

// Keeps only the plan's capabilities in the bounding set: after exec, a root
// process inside gets exactly those (relative to its user namespace), and no
// process can ever regain the others.
int limit_capabilities(const RunPlan& plan, std::string& what) {
  what = "limit capabilities";
  for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) {
    bool keep = false;
    for (int k : plan.capabilities) keep = keep || k == cap;
    if (!keep && cap_drop_bound(static_cast<cap_value_t>(cap)) != 0 && errno != EINVAL) {
      what = std::string("drop capability ") + cap_to_name(static_cast<cap_value_t>(cap));
      return errno;
    }
  }
  return 0;
}

// Everything from here to execve runs in the new namespaces. No exceptions,
// no return: the process ends in execve or _exit.
[[noreturn]] void container_child(const RunPlan& plan, int report_fd) {
  auto fail = [&](const std::string& what, int err = errno) {
    child_fail(report_fd, SetupFailure::kSetup, what, err);
  };

  // If the supervisor dies, so does the container (and with PID 1, the rest).
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail("set parent-death signal");
  // A new session: no controlling terminal, so no TIOCSTI into the caller's.
  if (setsid() < 0) fail("create session");

  // 1. Identity. An unprivileged process may map exactly its own ids once
  // setgroups is denied.
  if (plan.namespaces & CLONE_NEWUSER) {
    if (!write_file("/proc/self/setgroups", "deny")) fail("write /proc/self/setgroups");
    auto line = [](const IdMapping& m) {
      return std::to_string(m.inside) + " " + std::to_string(m.outside) + " " +
             std::to_string(m.count) + "\n";
    };
    if (!write_file("/proc/self/uid_map", line(plan.uid_map))) fail("write uid_map");
    if (!write_file("/proc/self/gid_map", line(plan.gid_map))) fail("write gid_map");
  }

  // 2. Filesystem: stop propagation to the host, bind the rootfs onto itself
  // so it is a mount point pivot_root accepts, build /proc and /dev on it.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    fail("make mounts private");
  const std::string& root = plan.rootfs;
  if (::mount(root.c_str(), root.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
    fail("bind rootfs '" + root + "'");
  for (const auto& step : plan.mounts) {
    std::string what;
    if (int err = apply_mount_step(root, step, what)) fail(what, err);
  }
  if (plan.rootfs_readonly) {
    unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY | locked_flags(root.c_str());
    if (::mount(nullptr, root.c_str(), nullptr, flags, nullptr) != 0)
      fail("remount rootfs '" + root + "' read-only");
  }

  // 3. Enter it. pivot_root(".", ".") stacks the old root under the new one;
  // detaching it leaves nothing of the host visible.
  if (::chdir(root.c_str()) != 0) fail("enter rootfs '" + root + "'");
  if (::syscall(SYS_pivot_root, ".", ".") != 0) fail("pivot_root into '" + root + "'");
  if (::umount2(".", MNT_DETACH) != 0) fail("detach the host's root");
  if (::chdir(plan.workdir.c_str()) != 0) fail("change to working directory '" + plan.workdir + "'");

  if ((plan.namespaces & CLONE_NEWUTS) && !plan.hostname.empty() &&
      ::sethostname(plan.hostname.data(), plan.hostname.size()) != 0)
    fail("set hostname '" + plan.hostname + "'");

  // 4. Privileges: nothing exec'd from here can gain more (setuid bits,
  // file capabilities), and the bounding set holds only what the plan keeps.
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("set no_new_privs");
  {
    std::string what;
    if (int err = limit_capabilities(plan, what)) fail(what, err);
  }

  // 5. Signals: the supervisor blocked them around clone; the command starts
  // with an empty mask and default dispositions (systemd ignores SIGPIPE for
  // services, and ignored signals would survive exec).
  for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, nullptr);
  // Nothing but stdio crosses into the container.
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) fail("mark descriptors close-on-exec");

  std::vector<char*> argv, envp;
  for (const auto& a : plan.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : plan.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  int first_err = ENOENT;
  for (const auto& candidate : plan.exec_candidates) {
    ::execve(candidate.c_str(), argv.data(), envp.data());
    // Like a shell: a file that exists but cannot run is the error to report.
    if (errno != ENOENT && errno != ENOTDIR) first_err = errno;
    if (first_err != ENOENT) break;
  }
  child_fail(report_fd,
             first_err == ENOENT ? SetupFailure::kNotFound : SetupFailure::kNotExecutable,
             "execute '" + plan.argv.front() + "'", first_err);
}

}  // namespace

Result<StartedContainer> start_container(const RunPlan& plan, SetupError* failure) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return Error::from_errno("create report pipe");
  UniqueFd report_read(pipe_fds[0]), report_write(pipe_fds[1]);

  // One clone with every namespace flag; without a new stack it behaves like
  // fork, and this process is single-threaded, so the child may use the heap.
  long pid = ::syscall(SYS_clone, static_cast<unsigned long>(plan.namespaces) | SIGCHLD, nullptr,
                       nullptr, nullptr, nullptr);
  if (pid < 0) {
    int err = errno;
    return Error::from_errno("create namespaces (clone)", err);
  }
  if (pid == 0) {
    report_read.reset();
    container_child(plan, report_write.get());
  }
  report_write.reset();

  // EOF without a message: the exec succeeded (the pipe closed on exec).
  std::string msg;
  char buf[512];
  for (;;) {
    ssize_t n = ::read(report_read.get(), buf, sizeof buf);
    if (n > 0) {
      msg.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  if (msg.empty()) return StartedContainer{static_cast<pid_t>(pid)};

  int status = 0;
  while (::waitpid(static_cast<pid_t>(pid), &status, 0) < 0 && errno == EINTR) {
  }
  SetupError e;
  e.kind = static_cast<SetupFailure>(msg.front());
  e.error = Error(msg.substr(1));
  if (failure) *failure = e;
  return e.error;
}

}  // namespace box
