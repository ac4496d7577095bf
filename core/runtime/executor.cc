#include "core/runtime/executor.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "core/runtime/hook_runner.h"
#include "core/runtime/persistent_dirs.h"
#include "core/runtime/process_setup.h"
#include "core/runtime/rootfs_setup.h"
#include "core/sys/fd_passing.h"
#include "core/sys/id_map.h"
#include "core/sys/spawn.h"
#include "core/sys/unique_fd.h"

namespace box {
namespace {

// What the container's first process exits with when a step fails, as
// box-run does: 125 setup, 126 cannot execute, 127 not found.
int exit_status(SetupFailure kind) {
  return kind == SetupFailure::kNotFound ? 127 : kind == SetupFailure::kNotExecutable ? 126 : 125;
}
SetupFailure failure_kind(int status) {
  return status == 127   ? SetupFailure::kNotFound
         : status == 126 ? SetupFailure::kNotExecutable
                         : SetupFailure::kSetup;
}

// The child reports a failed step on its report pipe (close-on-exec: end
// of file means the exec succeeded), as every child box starts does
// (spawn.h).
// After an OCI container's exec gate (report_fd -1) nobody reads the report:
// the error goes to the container's stderr.
[[noreturn]] void child_fail(int report_fd, SetupFailure kind, const std::string& what, int err) {
  if (report_fd < 0) {
    std::string line = what + (err ? std::string(": ") + std::strerror(err) : "") + "\n";
    [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
    _exit(exit_status(kind));
  }
  report_child_failure(report_fd, exit_status(kind), what.c_str(), err);
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

// The child's requests to its parent on the one socket they share (a
// SOCK_SEQPACKET pair: one message each): a FUSE connection, the
// runtime hooks' point before pivot_root, the terminal's master.
constexpr char kAskFuse = 'F', kAskHooks = 'H', kGiveTerminal = 'T';
// The largest state the parent hands the container's own hooks.
constexpr std::size_t kMaxHookState = 64 << 10;

// The child's half of handing the FUSE connection over: the descriptor
// goes to the supervisor (SCM_RIGHTS on a SOCK_SEQPACKET pair), which
// answers one message: a zero byte when fuse-overlayfs runs, else 1 and why
// not.
bool ask_for_fuse_server(int sock, int fuse_fd, StepError& e) {
  ssize_t n = send_fd(sock, fuse_fd, kAskFuse);
  if (n < 0) {
    e.what = "hand the FUSE connection to the supervisor";
    e.err = errno;
    return false;
  }
  char reply[4096];
  while ((n = ::recv(sock, reply, sizeof reply, 0)) < 0 && errno == EINTR) {
  }
  if (n <= 0) {
    e.what = "the supervisor did not answer about fuse-overlayfs";
    e.err = n < 0 ? errno : 0;
    return false;
  }
  if (reply[0] == 0) return true;
  e.what.assign(reply + 1, static_cast<std::size_t>(n - 1));
  e.err = 0;
  return false;
}

// The child's half of the hooks' point: the parent runs the runtime's hooks
// and answers a zero byte and the state for the container's own hooks, or
// 1 and why it failed.
bool ask_for_runtime_hooks(int sock, std::string& state, StepError& e) {
  const char ask = kAskHooks;
  if (::send(sock, &ask, 1, MSG_NOSIGNAL) != 1) {
    e.what = "ask the runtime to run its hooks";
    e.err = errno;
    return false;
  }
  std::string reply(kMaxHookState + 1, '\0');
  ssize_t n;
  while ((n = ::recv(sock, reply.data(), reply.size(), 0)) < 0 && errno == EINTR) {
  }
  if (n <= 0) {
    e.what = "the runtime did not answer about its hooks";
    e.err = n < 0 ? errno : 0;
    return false;
  }
  if (reply[0] != 0) {
    e.what = reply.substr(1, static_cast<std::size_t>(n - 1));
    e.err = 0;
    return false;
  }
  state = reply.substr(1, static_cast<std::size_t>(n - 1));
  return true;
}

bool run_container_hooks(const std::vector<ProgramHook>& hooks, const char* point,
                         const std::string& state, StepError& e) {
  for (const auto& hook : hooks) {
    if (auto ran = run_hook(hook, state); !ran) {
      e.what = std::string(point) + " " + ran.error().message();
      e.err = 0;
      return false;
    }
  }
  return true;
}

// OCI process.terminal, once the container's /dev is mounted and the
// process is the leader of a session without a terminal: a pty of the
// container's own devpts becomes its controlling terminal, its stdio and
// /dev/console; the master goes to the parent.
bool setup_terminal(const RunPlan& plan, int sock, StepError& e) {
  auto failed = [&](std::string what) {
    e.what = std::move(what);
    e.err = errno;
    return false;
  };
  UniqueFd master(::open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master.valid()) return failed("open '/dev/pts/ptmx' for the terminal");
  int unlock = 0, number = -1;
  if (::ioctl(master.get(), TIOCSPTLCK, &unlock) != 0) return failed("unlock the terminal's pty");
  if (::ioctl(master.get(), TIOCGPTN, &number) != 0) return failed("number the terminal's pty");
  // The peer by the master, not by its name: nothing in the container can
  // have put another file at /dev/pts/N.
  UniqueFd slave(::ioctl(master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!slave.valid()) return failed("open the terminal's pty");
  if (plan.console_rows > 0 && plan.console_cols > 0) {
    winsize size{};
    size.ws_row = plan.console_rows;
    size.ws_col = plan.console_cols;
    if (::ioctl(master.get(), TIOCSWINSZ, &size) != 0) return failed("set the terminal's size");
  }
  // Its owner is who runs the command (as runc does); an id the user
  // namespace does not map stays root's, which only a chmod could help.
  if (::fchown(slave.get(), plan.uid, plan.gid) != 0 && errno != EINVAL)
    return failed("give the terminal to uid " + std::to_string(plan.uid));
  const std::string name = "/dev/pts/" + std::to_string(number);
  UniqueFd console(::open("/dev/console", O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!console.valid()) return failed("create '/dev/console'");
  console.reset();
  if (::mount(name.c_str(), "/dev/console", nullptr, MS_BIND, nullptr) != 0)
    return failed("bind '" + name + "' on '/dev/console'");
  if (send_fd(sock, master.get(), kGiveTerminal) < 0)
    return failed("hand the terminal to the runtime");
  master.reset();
  if (::ioctl(slave.get(), TIOCSCTTY, 0) != 0) return failed("make '" + name + "' the terminal");
  for (int fd = 0; fd < 3; ++fd)
    if (::dup2(slave.get(), fd) < 0) return failed("make '" + name + "' the standard streams");
  return true;
}

void reset_signals() {
  for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, nullptr);
}

[[noreturn]] void exec_command(const RunPlan& plan, int report_fd) {
  std::vector<char*> argv, envp;
  for (const auto& a : plan.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : plan.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  reset_signals();
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

// init: tiny. This process stays PID 1: it runs the command as its child,
// forwards every signal it gets to it, reaps every orphan, and exits with
// the command's status. Signals arrive blocked (the supervisor's mask).
[[noreturn]] void tiny_init(const RunPlan& plan, int report_fd) {
  // It never execs: its memory is the supervisor's (the plan, the host's
  // paths) and its mm belongs to the host's user namespace. Not dumpable, so
  // no process of the container can read it or its /proc/1/fd; the command
  // forked below is dumpable again once it execs.
  if (::prctl(PR_SET_DUMPABLE, 0) != 0)
    child_fail(report_fd, SetupFailure::kSetup, "make the init not dumpable", errno);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
    child_fail(report_fd, SetupFailure::kSetup, "create init pipe", errno);
  pid_t cmd = ::fork();
  if (cmd < 0) child_fail(report_fd, SetupFailure::kSetup, "fork the command", errno);
  if (cmd == 0) {
    ::close(pipe_fds[0]);
    ::close(report_fd);
    exec_command(plan, pipe_fds[1]);
  }
  ::close(pipe_fds[1]);
  auto failure = read_child_report(pipe_fds[0]);
  ::close(pipe_fds[0]);
  // Pass the command's exec error on as ours.
  if (failure) report_child_error(report_fd, failure->status, failure->error);
  // The supervisor's EOF: the command runs. PID 1 now holds stdio only
  // (container_child closed the rest), and a signalfd below.
  ::close(report_fd);

  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, nullptr);
  int sfd = ::signalfd(-1, &all, SFD_CLOEXEC);
  for (;;) {
    signalfd_siginfo si{};
    if (sfd < 0 || ::read(sfd, &si, sizeof si) != sizeof si) {
      if (errno == EINTR) continue;
      ::kill(cmd, SIGKILL);
      si.ssi_signo = SIGCHLD;
    }
    if (si.ssi_signo != SIGCHLD) {
      ::kill(cmd, static_cast<int>(si.ssi_signo));
      continue;
    }
    int status = 0;
    pid_t r;
    while ((r = ::waitpid(-1, &status, WNOHANG)) > 0) {
      if (r == cmd) _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    }
  }
}

// OCI create/start. The container is built; what is left is exec. Reports
// "created" to the caller (end of file on the report pipe) once the command
// is known to exist, then waits until `start` opens the FIFO, says '0' on
// it, runs the startContainer hooks. The FIFO (close-on-exec) is the report
// to `start` from then on: returned, it is where a later failure goes, and
// its end of file tells `start` the command was exec'd.
int wait_at_gate(const RunPlan& plan, int report_fd, int gate_fd, const std::string& hook_state) {
  bool found = false;
  int first_err = ENOENT;
  for (const auto& candidate : plan.exec_candidates) {
    if (::access(candidate.c_str(), X_OK) == 0) {
      found = true;
      break;
    }
    if (errno != ENOENT && errno != ENOTDIR) first_err = errno;
  }
  if (!found)
    child_fail(report_fd,
               first_err == ENOENT ? SetupFailure::kNotFound : SetupFailure::kNotExecutable,
               "execute '" + plan.argv.front() + "'", first_err);
  // It outlives its creator from here on.
  if (::prctl(PR_SET_PDEATHSIG, 0) != 0)
    child_fail(report_fd, SetupFailure::kSetup, "clear the parent-death signal", errno);
  ::close(report_fd);
  const std::string path = "/proc/self/fd/" + std::to_string(gate_fd);
  int fd;
  while ((fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC)) < 0 && errno == EINTR) {
  }
  if (fd < 0) _exit(125);
  const char go = '0';
  if (::write(fd, &go, 1) != 1) _exit(125);
  ::close(gate_fd);
  StepError e;
  if (!run_container_hooks(plan.start_container_hooks, "startContainer", hook_state, e))
    child_fail(fd, SetupFailure::kSetup, e.what, e.err);
  return fd;
}

// Everything from here to execve runs in the new namespaces, in the order
// the kernel needs. No exceptions, no return: it ends in execve or _exit.
[[noreturn]] void container_child(const RunPlan& plan, const SeccompProgram* seccomp, int report_fd,
                                  int sync_fd, bool wait_for_go, int ask_sock, bool ask_hooks) {
  StepError e;
  auto fail = [&](const std::string& what, int err) {
    child_fail(report_fd, SetupFailure::kSetup, what, err);
  };

  // If the supervisor dies, so does the container (and with PID 1, the rest).
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail("set parent-death signal", errno);
  // A new session: no controlling terminal, so no TIOCSTI into the caller's.
  if (::setsid() < 0) fail("create session", errno);

  // 1. Identity. The helpers (newuidmap/newgidmap) are run by the
  // supervisor, which then tells us to go on; a single id of our own we map
  // ourselves, once setgroups is denied.
  if ((plan.namespaces & CLONE_NEWUSER) && !plan.use_id_helpers && !plan.maps_by_parent) {
    if (!write_file("/proc/self/setgroups", "deny")) fail("write /proc/self/setgroups", errno);
    if (!write_file("/proc/self/uid_map", id_map_text(plan.uid_map))) fail("write uid_map", errno);
    if (!write_file("/proc/self/gid_map", id_map_text(plan.gid_map))) fail("write gid_map", errno);
  }
  if (wait_for_go) {
    char go = 0;
    ssize_t n;
    while ((n = ::read(sync_fd, &go, 1)) < 0 && errno == EINTR) {
    }
    if (n != 1) _exit(126);  // the supervisor reported the failure itself
  }
  ::close(sync_fd);
  // The cgroup namespace is entered only now, once the supervisor has moved
  // us into the container's cgroup: its root is then that cgroup.
  if ((plan.namespaces & CLONE_NEWCGROUP) && ::unshare(CLONE_NEWCGROUP) != 0)
    fail("create cgroup namespace", errno);

  // 2. Filesystem: open what the plan names on the host, build the root,
  // pivot into it.
  // The exec gate (OCI create/start), opened while host paths are reachable.
  int gate_fd = -1;
  if (!plan.exec_fifo.empty() &&
      (gate_fd = ::open(plan.exec_fifo.c_str(), O_PATH | O_CLOEXEC)) < 0)
    fail("open the exec FIFO '" + plan.exec_fifo + "'", errno);
  HostPaths host;
  ServeFuse serve_fuse;
  if (ask_sock >= 0)
    serve_fuse = [ask_sock](int fd, StepError& error) {
      return ask_for_fuse_server(ask_sock, fd, error);
    };
  // The OCI hooks' point: the runtime's hooks (run by the parent), then the
  // container's createContainer hooks here, in its namespaces.
  std::string hook_state;
  BeforePivotStep before_pivot;
  if (ask_hooks)
    before_pivot = [&](StepError& error) {
      return ask_for_runtime_hooks(ask_sock, hook_state, error) &&
             run_container_hooks(plan.create_container_hooks, "createContainer", hook_state, error);
    };
  if (!open_host_paths(plan, host, e)) fail(e.what, e.err);
  // Maps written by a privileged parent need not map our own id: once the
  // host paths are open (as the caller, whose access they need), become the
  // new namespace's root, whose files the setup creates.
  if ((plan.namespaces & CLONE_NEWUSER) && plan.maps_by_parent &&
      (::setresgid(0, 0, 0) != 0 || ::setresuid(0, 0, 0) != 0))
    fail("become root in the new user namespace (the id maps must map 0)", errno);
  if (!setup_rootfs(plan, host, serve_fuse, before_pivot, e)) fail(e.what, e.err);
  if (plan.terminal && !setup_terminal(plan, ask_sock, e)) fail(e.what, e.err);
  if (::chdir(plan.workdir.c_str()) != 0)
    fail("change to working directory '" + plan.workdir + "'", errno);
  // run -t: the console pty, bound at /dev/console, becomes the command's
  // stdio and the controlling terminal of the session made above.
  if (plan.console_terminal) {
    int tty = ::open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (tty < 0) fail("open the terminal '/dev/console'", errno);
    if (::ioctl(tty, TIOCSCTTY, 0) != 0) fail("make '/dev/console' the controlling terminal", errno);
    for (int fd = 0; fd < 3; ++fd)
      if (::dup2(tty, fd) < 0) fail("give the command its terminal", errno);
    ::close(tty);
  }

  // 3. Namespaced system state.
  if ((plan.namespaces & CLONE_NEWUTS) && !plan.hostname.empty() &&
      ::sethostname(plan.hostname.data(), plan.hostname.size()) != 0)
    fail("set hostname '" + plan.hostname + "'", errno);
  if (!plan.domainname.empty() &&
      ::setdomainname(plan.domainname.data(), plan.domainname.size()) != 0)
    fail("set domain name '" + plan.domainname + "'", errno);
  if (plan.loopback_up && !bring_loopback_up(e)) fail(e.what, e.err);
  if (!apply_oom_score_adj(plan, e)) fail(e.what, e.err);
  if (plan.root_propagation != 0 &&
      ::mount(nullptr, "/", nullptr, plan.root_propagation, nullptr) != 0)
    fail("set the propagation of the container's root", errno);

  // 4. The process: limits, identity and capabilities, then nothing exec'd
  // can gain privileges (setuid bits, file capabilities), and the syscall
  // filter last (it may deny what the steps above need).
  ::umask(plan.umask);
  if (!apply_rlimits(plan, e)) fail(e.what, e.err);
  // Nothing but stdio crosses into the container: every other descriptor
  // (the supervisor's, the host paths opened for setup) is closed now, not
  // only at exec, since a tiny init never execs. The report pipe alone
  // stays, close-on-exec, until the command runs. This is the one close of
  // the container's side; a test reads the tiny init's table from root.
  // OCI --preserve-fds: descriptors 3 .. 3+N-1 pass into the container too.
  std::vector<int> keep = {report_fd};
  if (gate_fd >= 0) keep.push_back(gate_fd);
  for (int fd = 3; fd < 3 + plan.preserve_fds; ++fd) keep.push_back(fd);
  if (!close_fds_except(keep.data(), keep.size())) fail("close the caller's descriptors", errno);
  for (int fd = 3; fd < 3 + plan.preserve_fds; ++fd)
    if (::fcntl(fd, F_SETFD, 0) != 0) fail("pass descriptor " + std::to_string(fd), errno);
  // Without no_new_privs (an OCI config that says so) loading a filter
  // needs CAP_SYS_ADMIN, which the identity below may drop: the filter
  // comes first then, and must allow what follows (as runc orders it).
  const bool seccomp_first = seccomp && !plan.no_new_privileges;
  if (seccomp_first) {
    if (int err = load_seccomp(*seccomp)) fail("load the seccomp filter", err);
  }
  if (!apply_identity(plan, e)) fail(e.what, e.err);
  if (plan.no_new_privileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    fail("set no_new_privs", errno);
  if (gate_fd >= 0) report_fd = wait_at_gate(plan, report_fd, gate_fd, hook_state);
  if (seccomp && !seccomp_first) {
    if (int err = load_seccomp(*seccomp)) fail("load the seccomp filter", err);
  }

  if (plan.init == InitMode::kTiny) tiny_init(plan, report_fd);
  exec_command(plan, report_fd);
}

// What the parent does for one request of the child's (its tag, the
// descriptor that came with it): the reply to send, if any.
using Answer = std::function<std::optional<std::string>(char tag, UniqueFd fd)>;

// Reads the child's report until end of file (nothing: it exec'd its
// command), answering its requests on `ask_sock` (-1: none) meanwhile,
// until the child's end of that is closed too (it closes it with the rest
// of its descriptors before the command or the exec gate): a terminal it
// handed over right before is not left unread.
std::optional<ChildFailure> wait_for_exec(int report_fd, int ask_sock, const Answer& answer) {
  std::string msg;
  bool report_open = true;
  while (report_open || ask_sock >= 0) {
    pollfd fds[2] = {{report_open ? report_fd : -1, POLLIN, 0}, {ask_sock, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return ChildFailure{exit_status(SetupFailure::kSetup),
                          Error::from_errno("wait for the container")};
    }
    if (ask_sock >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      int received = -1;
      char tag = 0;
      if (receive_fd(ask_sock, &received, &tag) <= 0) {
        ask_sock = -1;  // the child exec'd or died: the report says which
      } else if (auto reply = answer(tag, UniqueFd(received))) {
        if (::send(ask_sock, reply->data(), reply->size(), MSG_NOSIGNAL) < 0) ask_sock = -1;
      }
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[512];
      ssize_t n = ::read(report_fd, buf, sizeof buf);
      if (n > 0) msg.append(buf, static_cast<std::size_t>(n));
      if (n == 0 || (n < 0 && errno != EINTR)) report_open = false;
    }
  }
  return decode_child_report(msg);
}

// setns into each namespace of `join`, the user namespace first (it decides
// what the others may be joined with).
Result<void> join_namespaces(const std::vector<JoinNamespace>& join) {
  std::vector<std::pair<UniqueFd, const JoinNamespace*>> opened;
  for (const auto& ns : join) {
    int fd = ::open(ns.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error::from_errno("open namespace '" + ns.path + "'");
    opened.emplace_back(UniqueFd(fd), &ns);
  }
  std::stable_partition(opened.begin(), opened.end(),
                        [](const auto& o) { return o.second->type == CLONE_NEWUSER; });
  for (const auto& [fd, ns] : opened)
    if (::setns(fd.get(), ns->type) != 0)
      return Error::from_errno("join namespace '" + ns->path + "'");
  return {};
}

// Clones the container and waits until it has exec'd its command or failed;
// on failure the child is gone (killed and reaped) before this returns.
Result<StartedContainer> launch(const RunPlan& plan, const SeccompProgram* seccomp,
                                SetupError* failure, const AfterClone& after_clone,
                                const BeforePivot& before_pivot) {
  int report_fds[2], sync_fds[2];
  if (::pipe2(report_fds, O_CLOEXEC) != 0) return Error::from_errno("create report pipe");
  UniqueFd report_read(report_fds[0]), report_write(report_fds[1]);
  if (::pipe2(sync_fds, O_CLOEXEC) != 0) return Error::from_errno("create sync pipe");
  UniqueFd sync_read(sync_fds[0]), sync_write(sync_fds[1]);
  // Where the child asks its parent for something: to serve a FUSE
  // connection with fuse-overlayfs (when the overlay may be its: fuse, or
  // auto with it installed), to run the runtime's hooks, to take the
  // terminal.
  UniqueFd ask_parent, ask_child;
  const bool may_fuse = (plan.rootfs_writes == RootfsWrites::kOverlay ||
                         plan.rootfs_writes == RootfsWrites::kPersistent) &&
                        plan.overlay_driver != OverlayDriver::kKernel && !plan.fuse_overlayfs.empty();
  const bool ask_hooks = static_cast<bool>(before_pivot);
  if (may_fuse || ask_hooks || plan.terminal) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
      return Error::from_errno("create the socket the container asks its parent on");
    ask_parent.reset(fds[0]);
    ask_child.reset(fds[1]);
  }

  // Existing namespaces are entered here, before the clone, so the child is
  // made inside them (a joined pid namespace takes effect for children only).
  if (auto joined = join_namespaces(plan.join); !joined) return joined.error();

  // One clone with every namespace flag; without a new stack it behaves like
  // fork, and this process is single-threaded, so the child may use the heap.
  const bool wait_for_go =
      plan.use_id_helpers || plan.maps_by_parent || static_cast<bool>(after_clone);
  const unsigned long clone_flags =
      static_cast<unsigned long>(plan.namespaces & ~CLONE_NEWCGROUP) | SIGCHLD;
  long pid = ::syscall(SYS_clone, clone_flags, nullptr, nullptr, nullptr, nullptr);
  if (pid < 0) {
    int err = errno;
    std::string hint;
    if (err == ENOSPC || err == EPERM || err == EUSERS)
      hint = " (are unprivileged user namespaces enabled? see /proc/sys/user/max_user_namespaces)";
    return Error::from_errno("create namespaces (clone)" + hint, err);
  }
  if (pid == 0) {
    report_read.reset();
    sync_write.reset();
    ask_parent.reset();
    container_child(plan, seccomp, report_write.get(), sync_read.get(), wait_for_go,
                    ask_child.valid() ? ask_child.get() : -1, ask_hooks);
  }
  report_write.reset();
  sync_read.reset();
  ask_child.reset();
  const pid_t child = static_cast<pid_t>(pid);

  auto reap = [&]() {
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
  };
  auto fail_setup = [&](const std::string& message) -> Error {
    SetupError e;
    e.kind = SetupFailure::kSetup;
    e.error = Error(message);
    if (failure) *failure = e;
    return e.error;
  };

  // 1. Id maps through the setuid helpers and the caller's hook, then let
  // the child go on.
  if (plan.use_id_helpers) {
    // Both at once: the start waits for the slower one only.
    auto uid = IdMapHelper::start(plan.newuidmap, child, plan.uid_map);
    auto gid = IdMapHelper::start(plan.newgidmap, child, plan.gid_map);
    auto mapped = uid.finish();
    auto gid_mapped = gid.finish();
    if (mapped && !gid_mapped) mapped = gid_mapped;
    if (!mapped) {
      ::kill(child, SIGKILL);
      reap();
      return fail_setup("map the subordinate id range: " + mapped.error().message());
    }
  }
  if (plan.maps_by_parent) {
    const std::string proc = "/proc/" + std::to_string(child) + "/";
    if (!write_file(proc + "uid_map", id_map_text(plan.uid_map)) ||
        !write_file(proc + "gid_map", id_map_text(plan.gid_map))) {
      const int err = errno;
      ::kill(child, SIGKILL);
      reap();
      return fail_setup("write the container's id maps: " + std::string(std::strerror(err)));
    }
  }
  if (after_clone) {
    auto hooked = after_clone(child);
    if (!hooked) {
      ::kill(child, SIGKILL);
      reap();
      return fail_setup(hooked.error().message());
    }
  }
  if (wait_for_go) {
    char go = 1;
    if (::write(sync_write.get(), &go, 1) != 1) {
      ::kill(child, SIGKILL);
      reap();
      return fail_setup("signal the container to continue: " + std::string(std::strerror(errno)));
    }
  }
  sync_write.reset();

  // 2. EOF without a message: the exec succeeded (the pipe closed on exec).
  // Meanwhile the child may ask for fuse-overlayfs.
  StartedContainer started{child, std::nullopt, UniqueFd()};
  auto answer = [&](char tag, UniqueFd fd) -> std::optional<std::string> {
    auto reply = [](const std::string& why) {
      return why.empty() ? std::string(1, '\0') : "\1" + why;
    };
    switch (tag) {
      case kAskFuse: {
        if (!may_fuse) return reply("fuse-overlayfs is not the plan's");
        if (!fd.valid()) return reply("no FUSE connection came with the request");
        auto server = FuseOverlayServer::start(plan, child, std::move(fd));
        if (!server) return reply(server.error().message());
        started.fuse = std::move(*server);
        return reply("");
      }
      case kAskHooks: {
        if (!before_pivot) return reply("the runtime has no hooks to run");
        auto state = before_pivot(child);
        if (!state) return reply(state.error().message());
        if (state->size() > kMaxHookState)
          return reply("the container's state for its hooks is larger than 64 KiB");
        return std::string(1, '\0') + *state;
      }
      case kGiveTerminal:
        if (plan.terminal) started.terminal = std::move(fd);
        return std::nullopt;
      default:
        return reply(std::string("unknown request '") + tag + "'");
    }
  };
  auto reported = wait_for_exec(report_read.get(), ask_parent.get(), answer);
  if (!reported) return started;
  ::kill(child, SIGKILL);  // it has normally exited already; never wait on one that has not
  reap();
  SetupError e;
  e.kind = failure_kind(reported->status);
  e.error = std::move(reported->error);
  if (started.fuse) {
    // Its own last words say most about why it did not serve the root.
    started.fuse->stop();
    std::string said = started.fuse->read_output(true);
    while (!said.empty() && (said.back() == '\n' || said.back() == ' ')) said.pop_back();
    if (!said.empty())
      e.error = Error(e.error.message() + " (fuse-overlayfs: " + said + ")", e.error.errno_value());
  }
  if (failure) *failure = e;
  return e.error;
}

}  // namespace

Result<StartedContainer> start_container(const RunPlan& plan, const SeccompProgram* seccomp,
                                         SetupError* failure, const AfterClone& after_clone,
                                         const BeforePivot& before_pivot) {
  PersistentDirs dirs;
  if (plan.rootfs_writes == RootfsWrites::kPersistent) {
    for (const auto* dir : {&plan.upper_dir, &plan.work_dir}) {
      auto made = dirs.make(*dir);
      if (!made) {
        auto removed = dirs.remove_created();
        return removed ? made.error()
                       : Error(made.error().message() + "; " + removed.error().message());
      }
    }
  }
  auto started = launch(plan, seccomp, failure, after_clone, before_pivot);
  if (started) return started;
  // The child is gone, and its mounts with it: what the failed setup wrote
  // into directories this start created goes too.
  auto removed = dirs.remove_created();
  if (removed) return started;
  Error e(started.error().message() + "; " + removed.error().message(),
          started.error().errno_value());
  if (failure) failure->error = e;
  return e;
}

}  // namespace box
