#include "core/runtime/enter.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <utility>

#include "core/plan/proc_files.h"
#include "core/plan/seccomp_programs.h"
#include "core/sys/fd_passing.h"
#include "core/sys/small_file.h"
#include "core/sys/spawn.h"
#include "core/sys/terminal_io.h"
#include "core/sys/unique_fd.h"

namespace box {
namespace {

constexpr int kExitSetup = 125;
constexpr int kExitNotExecutable = 126;
constexpr int kExitNotFound = 127;

// The signals boxctl takes through a signalfd while the command runs:
// forwarded to it, or (SIGCHLD, SIGWINCH) acted on.
constexpr int kRelayedSignals[] = {SIGINT, SIGTERM, SIGHUP,  SIGQUIT,
                                   SIGCHLD, SIGWINCH, SIGUSR1, SIGUSR2};

bool same_namespace(const std::string& a, const std::string& b) {
  struct stat sa {
  }, sb{};
  if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return false;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

std::string proc_dir(pid_t pid) { return "/proc/" + std::to_string(pid); }

// --- Handles on the container, taken before anything forks. -----------------

struct JoinHandles {
  std::vector<std::pair<UniqueFd, int>> namespaces;  // (handle, CLONE_NEW*), in plan order
  UniqueFd root;
  UniqueFd cwd;  // invalid: the plan's workdir (or "/" where the process's is gone)
};

Result<JoinHandles> open_join_handles(pid_t pid, const EnterPlan& plan) {
  const std::string proc = proc_dir(pid);
  JoinHandles h;
  for (const auto& ns : plan.namespaces) {
    const std::string target = proc + "/ns/" + ns.name;
    UniqueFd fd(::open(target.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return Error::from_errno("open " + target);
    h.namespaces.emplace_back(std::move(fd), ns.type);
  }
  h.root.reset(::open((proc + "/root").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!h.root.valid()) return Error::from_errno("open " + proc + "/root");
  if (plan.workdir.empty())
    h.cwd.reset(::open((proc + "/cwd").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  return h;
}

// --- The children: system calls only, no exceptions, no return. ------------

// The plan as the children use it, prepared by the parent so that they
// only make system calls. Descriptors are the joining process's numbers
// (spawn_function() places what it is passed at 3, 4, ...).
struct Prepared {
  std::vector<std::pair<int, int>> namespaces;  // (fd, CLONE_NEW*), user first
  int root_fd = -1;
  int cwd_fd = -1;  // -1: chdir to workdir
  const char* workdir = "/";
  int pid_fd = -1;      // where the command's PID goes to boxctl
  int tty_socket = -1;  // where its terminal goes; -1 without one
  uid_t uid = 0;
  gid_t gid = 0;
  const std::vector<gid_t>* groups = nullptr;
  bool set_groups = true;
  uint64_t cap_bounding = 0;
  int cap_last = 40;
  bool no_new_privs = false;
  const std::vector<ProcLimit>* rlimits = nullptr;
  const SeccompProgram* seccomp = nullptr;  // null: the command runs unfiltered
  const std::vector<std::string>* candidates = nullptr;
  std::vector<char*> argv;
  std::vector<char*> envp;
  bool tty = false;
  winsize window{};
  bool have_window = false;
  bool detach = false;  // C1 leaves C2 running and ends (OCI exec --detach)
  int preserve_fds = 0;  // 3 .. 3+N-1 go to the command (OCI exec --preserve-fds)
};

// The descriptors a process of the join keeps: `channels`, and those the
// command is given.
std::vector<int> kept_fds(const Prepared& p, std::initializer_list<int> channels) {
  std::vector<int> keep(channels);
  for (int i = 0; i < p.preserve_fds; ++i) keep.push_back(3 + i);
  return keep;
}

// C2: in the container's pid namespace; becomes the command.
[[noreturn]] void command_child(const Prepared& p, int report_fd) {
  if (!p.detach) ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  int slave = -1;
  if (p.tty) {
    // A terminal of the container's own devpts, so the command has a
    // controlling terminal inside and never holds the caller's.
    int master = ::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0)
      report_child_failure(report_fd, kExitSetup, "open /dev/ptmx in the container", errno);
    if (::unlockpt(master) != 0) report_child_failure(report_fd, kExitSetup, "unlockpt", errno);
    slave = ::ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    if (slave < 0)
      report_child_failure(report_fd, kExitSetup, "open the terminal's peer", errno);
    if (p.have_window) ::ioctl(slave, TIOCSWINSZ, &p.window);
    if (send_fd(p.tty_socket, master) != 1)
      report_child_failure(report_fd, kExitSetup, "pass the terminal", errno);
    ::close(master);
  }
  // A new session: no controlling terminal of the caller's, so nothing in
  // the container can push input into it (TIOCSTI).
  if (::setsid() < 0) report_child_failure(report_fd, kExitSetup, "setsid", errno);
  if (p.tty) {
    if (::ioctl(slave, TIOCSCTTY, 0) != 0)
      report_child_failure(report_fd, kExitSetup, "TIOCSCTTY", errno);
    for (int fd = 0; fd < 3; ++fd)
      if (::dup2(slave, fd) < 0)
        report_child_failure(report_fd, kExitSetup, "dup2 the terminal", errno);
    if (slave > 2) ::close(slave);
  }
  // The command gets stdio and nothing else of ours or of the caller's
  // (runc's CVE-2024-21626 was a host directory descriptor left open into
  // the container); the report pipe stays, close-on-exec, until the exec.
  const auto keep = kept_fds(p, {report_fd});
  if (!close_fds_except(keep.data(), keep.size()))
    report_child_failure(report_fd, kExitSetup, "close descriptors", errno);
  // spawn placed them close-on-exec, for C1's own use.
  for (int i = 0; i < p.preserve_fds; ++i)
    if (::fcntl(3 + i, F_SETFD, 0) != 0)
      report_child_failure(report_fd, kExitSetup, "pass a preserved descriptor", errno);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  // Last, as in the container's own start: the filter then only has to
  // allow execve.
  if (p.seccomp)
    if (int err = load_seccomp(*p.seccomp))
      report_child_failure(report_fd, kExitSetup, "load the seccomp filter", err);
  int last_errno = ENOENT;
  for (const auto& candidate : *p.candidates) {
    ::execve(candidate.c_str(), p.argv.data(), p.envp.data());
    // Keep the most telling error: "permission denied" beats "not found".
    if (errno != ENOENT && errno != ENOTDIR) last_errno = errno;
  }
  report_child_failure(report_fd, last_errno == ENOENT ? kExitNotFound : kExitNotExecutable,
                       p.argv[0], last_errno);
}

// C1, started by spawn_function(), which has closed every descriptor of
// the caller's (boxctl's: whatever its own caller left open) but the
// handles and pipes prepared for this join. Joins the namespaces (user
// first: it grants the capabilities the others need), takes the
// container's root, identity and bounding set, then forks C2 (a process
// joins a pid namespace only through its children) and waits for it,
// returning its status.
int joining_child(const Prepared& p, int report_fd) {
  // Not dumpable: processes of the container (same uid, same user
  // namespace) must not ptrace us and reach the caller's memory.
  ::prctl(PR_SET_DUMPABLE, 0);
  for (const auto& [fd, type] : p.namespaces)
    if (::setns(fd, type) != 0) report_child_failure(report_fd, kExitSetup, "setns", errno);
  if (::fchdir(p.root_fd) != 0 || ::chroot(".") != 0)
    report_child_failure(report_fd, kExitSetup, "enter the container's root", errno);
  if (p.cwd_fd >= 0) {
    if (::fchdir(p.cwd_fd) != 0 && ::chdir("/") != 0)
      report_child_failure(report_fd, kExitSetup, "chdir", errno);
  } else if (::chdir(p.workdir) != 0) {
    report_child_failure(report_fd, kExitSetup, "chdir to the working directory", errno);
  }
  // In the container now: the handles on its namespaces and root go.
  const auto keep = kept_fds(p, {report_fd, p.pid_fd, p.tty_socket});
  if (!close_fds_except(keep.data(), keep.size()))
    report_child_failure(report_fd, kExitSetup, "close descriptors", errno);
  for (int cap = 0; cap <= p.cap_last && cap < 64; ++cap) {
    if (p.cap_bounding & (uint64_t{1} << cap)) continue;
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
      report_child_failure(report_fd, kExitSetup, "drop a capability from the bounding set",
                           errno);
  }
  // The container's resource limits (enter_plan.h keeps each within ours).
  for (const auto& r : *p.rlimits) {
    rlimit lim{};
    lim.rlim_cur = r.soft == UINT64_MAX ? RLIM_INFINITY : r.soft;
    lim.rlim_max = r.hard == UINT64_MAX ? RLIM_INFINITY : r.hard;
    if (::setrlimit(r.resource, &lim) != 0)
      report_child_failure(report_fd, kExitSetup, "set a resource limit of the container", errno);
  }
  if (p.set_groups && ::setgroups(p.groups->size(), p.groups->data()) != 0)
    report_child_failure(report_fd, kExitSetup, "setgroups", errno);
  if (::setresgid(p.gid, p.gid, p.gid) != 0)
    report_child_failure(report_fd, kExitSetup, "setresgid", errno);
  if (::setresuid(p.uid, p.uid, p.uid) != 0)
    report_child_failure(report_fd, kExitSetup, "setresuid", errno);
  if (p.no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    report_child_failure(report_fd, kExitSetup, "PR_SET_NO_NEW_PRIVS", errno);

  pid_t pid = ::fork();
  if (pid < 0) report_child_failure(report_fd, kExitSetup, "fork", errno);
  if (pid == 0) command_child(p, report_fd);
  ssize_t ignored = ::write(p.pid_fd, &pid, sizeof pid);
  (void)ignored;
  // boxctl's end of file: the command has exec'd (its copy of the report
  // pipe closes then) or failed (it reported why).
  ::close(p.pid_fd);
  ::close(report_fd);
  if (p.tty_socket >= 0) ::close(p.tty_socket);
  // Detached: the command is reparented to the container's init (or the
  // nearest subreaper) once we end.
  if (p.detach) return 0;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return kExitSetup;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// --- The parent: stays outside, relays the terminal and signals. -----------

// The relayed signals blocked and read from a signalfd while the command
// runs (the children unblock them before exec); the mask comes back after.
class RelayedSignals {
 public:
  static Result<RelayedSignals> block() {
    RelayedSignals s;
    sigemptyset(&s.set_);
    for (int sig : kRelayedSignals) sigaddset(&s.set_, sig);
    ::sigprocmask(SIG_BLOCK, &s.set_, &s.previous_);
    s.restore_ = true;
    s.fd_.reset(::signalfd(-1, &s.set_, SFD_CLOEXEC));
    if (!s.fd_.valid()) return Error::from_errno("signalfd");
    return s;
  }
  RelayedSignals(RelayedSignals&& other) noexcept
      : set_(other.set_),
        previous_(other.previous_),
        restore_(std::exchange(other.restore_, false)),
        fd_(std::move(other.fd_)) {}
  RelayedSignals& operator=(RelayedSignals&&) = delete;
  ~RelayedSignals() {
    if (restore_) ::sigprocmask(SIG_SETMASK, &previous_, nullptr);
  }
  int fd() const { return fd_.get(); }

 private:
  RelayedSignals() = default;
  sigset_t set_{}, previous_{};
  bool restore_ = false;
  UniqueFd fd_;
};

int decode_status(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int wait_status(pid_t pid) {
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return decode_status(st);
}

// The joining process, started: boxctl's ends of its channels.
struct Joining {
  pid_t pid = -1;
  UniqueFd report;    // its report pipe and the command's
  UniqueFd command;   // the command's PID, from the joining process
  UniqueFd terminal;  // the terminal's master side comes here (tty only)
};

// Starts C1 on `plan` with `handles`, its signals blocked as ours are.
Result<Joining> start_joining_process(const EnterPlan& plan, JoinHandles& handles,
                                      const JoinOptions& options) {
  Prepared p;
  p.detach = options.detach;
  int pid_fds[2];
  if (::pipe2(pid_fds, O_CLOEXEC) != 0) return Error::from_errno("pipe");
  Joining joining;
  joining.command.reset(pid_fds[0]);
  UniqueFd pid_w(pid_fds[1]), sock_child;
  if (plan.tty) {
    int sockets[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0)
      return Error::from_errno("socketpair");
    joining.terminal.reset(sockets[0]);
    sock_child.reset(sockets[1]);
  }

  // Its descriptors, in order from 3: those the command is given (at the
  // numbers they have here), the PID pipe, the terminal socket, the
  // container's root and working directory, its namespaces.
  SpawnSpec spec;
  spec.stdin_fd = SpawnSpec::kInherit;
  auto pass = [&spec](int fd) {
    if (fd < 0) return -1;
    spec.pass_fds.push_back(fd);
    return 2 + static_cast<int>(spec.pass_fds.size());
  };
  p.preserve_fds = options.preserve_fds;
  for (int i = 0; i < options.preserve_fds; ++i) pass(3 + i);
  p.pid_fd = pass(pid_w.get());
  p.tty_socket = pass(sock_child.get());
  p.root_fd = pass(handles.root.get());
  p.cwd_fd = pass(handles.cwd.get());
  if (!plan.workdir.empty()) p.workdir = plan.workdir.c_str();
  for (const auto& [fd, type] : handles.namespaces) p.namespaces.emplace_back(pass(fd.get()), type);
  for (int sig : kRelayedSignals) spec.blocked_signals.push_back(sig);

  p.uid = plan.uid;
  p.gid = plan.gid;
  p.groups = &plan.groups;
  p.set_groups = plan.set_groups;
  p.cap_bounding = plan.cap_bounding;
  p.cap_last = plan.cap_last;
  p.rlimits = &plan.rlimits;
  p.no_new_privs = plan.no_new_privs;
  if (plan.seccomp) p.seccomp = &default_seccomp_program(*plan.seccomp);
  if (options.seccomp) p.seccomp = options.seccomp;
  p.candidates = &plan.exec_candidates;
  for (const auto& a : plan.argv) p.argv.push_back(const_cast<char*>(a.c_str()));
  p.argv.push_back(nullptr);
  for (const auto& e : plan.env) p.envp.push_back(const_cast<char*>(e.c_str()));
  p.envp.push_back(nullptr);
  p.tty = plan.tty;
  if (plan.tty && ::ioctl(STDIN_FILENO, TIOCGWINSZ, &p.window) == 0) p.have_window = true;

  auto spawned = spawn_function(spec, [&p](int report_fd) { return joining_child(p, report_fd); });
  if (!spawned) return spawned.error();
  joining.pid = spawned->pid;
  joining.report = std::move(spawned->report);
  return joining;
}

// Waits until the command has exec'd: its PID, or why not (the joining
// process reaped then).
Result<pid_t> wait_for_command(Joining& joining, int* failure_status) {
  pid_t command = -1;
  if (::read(joining.command.get(), &command, sizeof command) != sizeof command) command = -1;
  // End of file: the command was exec'd (every copy of the pipe is
  // close-on-exec), or the children died; a report: they failed first.
  if (auto failure = read_child_report(joining.report.get())) {
    wait_status(joining.pid);
    *failure_status = failure->status;
    return std::move(failure->error);
  }
  if (command < 0)
    return Error("the joining process ended with status " +
                 std::to_string(wait_status(joining.pid)));
  return command;
}

// Relays signals, and the terminal and stdin with one, until the joining
// process ends with the command's status.
int relay_until_exit(const Joining& joining, pid_t command, int signals, UniqueFd master) {
  std::optional<RawTerminal> raw;
  if (master.valid() && ::isatty(STDIN_FILENO)) raw.emplace(STDIN_FILENO);
  bool stdin_open = master.valid();
  bool master_open = master.valid();
  char buf[512];
  for (;;) {
    pollfd fds[3] = {{signals, POLLIN, 0},
                     {master_open ? master.get() : -1, POLLIN, 0},
                     {stdin_open ? STDIN_FILENO : -1, POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info{};
      if (::read(signals, &info, sizeof info) == sizeof info) {
        int sig = static_cast<int>(info.ssi_signo);
        if (sig == SIGCHLD) {
          int st = 0;
          pid_t done = ::waitpid(joining.pid, &st, WNOHANG);
          if (done == joining.pid) {
            // What the command wrote last is still in the terminal.
            if (master_open) {
              ::fcntl(master.get(), F_SETFL, O_NONBLOCK);
              for (;;) {
                ssize_t n = ::read(master.get(), buf, sizeof buf);
                if (n <= 0 || !write_all(STDOUT_FILENO, buf, static_cast<std::size_t>(n))) break;
              }
            }
            return decode_status(st);
          }
        } else if (sig == SIGWINCH) {
          winsize ws{};
          if (master_open && ::ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
            ::ioctl(master.get(), TIOCSWINSZ, &ws);
        } else {
          ::kill(command, sig);
        }
      }
    }
    if (master_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = ::read(master.get(), buf, sizeof buf);
      if (n > 0) {
        if (!write_all(STDOUT_FILENO, buf, static_cast<std::size_t>(n))) master_open = false;
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        // EIO: every holder of the terminal's other side has closed it.
        master_open = false;
      }
    }
    if (stdin_open && (fds[2].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
      if (n > 0 && master_open) {
        write_all(master.get(), buf, static_cast<std::size_t>(n));
      } else if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
        stdin_open = false;
        // Input from a pipe ended: tell the command as a terminal would (^D).
        if (master_open && !::isatty(STDIN_FILENO)) write_all(master.get(), "\x04", 1);
      }
    }
  }
  return wait_status(joining.pid);
}

}  // namespace

Result<pid_t> find_container_init(pid_t supervisor) {
  const std::string base = proc_dir(supervisor);
  std::vector<pid_t> children;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator(base + "/task", ec)) {
    auto text = read_small_file(task.path().string() + "/children");
    if (!text) continue;
    for (pid_t c : parse_children(*text)) children.push_back(c);
  }
  if (ec)
    return Error::from_errno("list the threads of process " + std::to_string(supervisor),
                             ec.value());
  if (children.empty())
    return Error("the container's supervisor (PID " + std::to_string(supervisor) +
                 ") has no child: the container is not running (yet)");
  // PID 1 is the child in other namespaces than its supervisor (helpers
  // such as a network relay stay in the supervisor's).
  for (const char* ns : {"pid", "user", "mnt"})
    for (pid_t c : children)
      if (!same_namespace(base + "/ns/" + ns, proc_dir(c) + "/ns/" + ns)) return c;
  return children.front();
}

Result<pid_t> process_to_join(pid_t init) {
  // A tiny init is not dumpable (executor.cc): its /proc/PID/ns, root and
  // environ are closed to us too. Its command, PID 2 inside, has the same
  // namespaces, root, identity and environment, and is dumpable.
  const std::string proc = proc_dir(init);
  UniqueFd probe(::open((proc + "/ns/mnt").c_str(), O_RDONLY | O_CLOEXEC));
  if (probe.valid() || (errno != EACCES && errno != EPERM)) return init;
  auto children = read_small_file(proc + "/task/" + std::to_string(init) + "/children");
  if (!children) return children.error();
  auto pids = parse_children(*children);
  if (pids.empty())
    return Error("the container's init (host PID " + std::to_string(init) +
                 ") is not dumpable and has no child to enter through");
  return pids.front();
}

Result<EnterFacts> read_enter_facts(pid_t pid) {
  const std::string proc = proc_dir(pid);
  EnterFacts facts;
  facts.pid = pid;
  auto status = read_small_file(proc + "/status");
  if (!status) return status.error().wrap("read its status");
  facts.status = std::move(*status);
  for (auto [file, text] : {std::pair{"/uid_map", &facts.uid_map}, {"/gid_map", &facts.gid_map}}) {
    auto read = read_small_file(proc + file);
    if (!read) return read.error().wrap("read its id maps");
    *text = std::move(*read);
  }
  for (auto [path, text] : {std::pair{proc + "/limits", &facts.limits},
                            {std::string("/proc/self/limits"), &facts.own_limits}}) {
    auto read = read_small_file(path);
    if (!read) return read.error().wrap("read the resource limits");
    *text = std::move(*read);
  }
  for (auto [path, text] : {std::pair{proc + "/setgroups", &facts.setgroups},
                            {proc + "/environ", &facts.environ},
                            {std::string("/proc/sys/kernel/cap_last_cap"), &facts.cap_last_cap}})
    if (auto read = read_small_file(path)) *text = std::move(*read);
  for (const auto& ns : kJoinOrder)
    if (!same_namespace(proc + "/ns/" + ns.name, std::string("/proc/self/ns/") + ns.name))
      facts.foreign_namespaces |= ns.type;
  if (const char* term = std::getenv("TERM")) facts.caller_term = term;
  return facts;
}

Result<int> enter_container(const EnterRequest& request, int* failure_status) {
  *failure_status = kExitSetup;
  // 1. The process to join: the container's PID 1, or a tiny init's command.
  auto init = find_container_init(request.supervisor);
  if (!init) return init.error();
  auto target = process_to_join(*init);
  if (!target) return target.error();
  const std::string where =
      "enter the container (PID 1 is host PID " + std::to_string(*target) + ")";

  // 2. What it has, read from the host's /proc; the plan from that.
  auto facts = read_enter_facts(*target);
  if (!facts) return facts.error().wrap(where);
  auto plan = plan_enter(request, *facts);
  if (!plan) return plan.error().wrap(where);

  auto ran = run_joined(*target, *plan, JoinOptions{}, failure_status);
  if (!ran) return ran.error().wrap(where);
  return ran;
}

Result<int> run_joined(pid_t target, const EnterPlan& plan, const JoinOptions& options,
                       int* failure_status) {
  *failure_status = kExitSetup;
  // Handles on its namespaces and root, and our signals, before anything
  // forks.
  auto handles = open_join_handles(target, plan);
  if (!handles) return handles.error();
  auto signals = RelayedSignals::block();
  if (!signals) return signals.error();

  // The joining process, which runs the command; the handles are its.
  auto joining = start_joining_process(plan, *handles, options);
  if (!joining) return joining.error();
  *handles = JoinHandles{};  // ours closed: the joining process holds them now
  auto command = wait_for_command(*joining, failure_status);
  if (!command) return command.error();
  auto refuse = [&](const Error& e) -> Error {
    ::kill(*command, SIGKILL);
    wait_status(joining->pid);
    return e;
  };
  if (options.on_command)
    if (auto done = options.on_command(*command); !done) return refuse(done.error());

  // The terminal it opened in the container: handed over, or relayed until
  // the command ends.
  UniqueFd master;
  if (plan.tty) {
    int received = -1;
    if (receive_fd(joining->terminal.get(), &received) == 1) master.reset(received);
    if (!master.valid()) {
      wait_status(joining->pid);
      return Error("no terminal came back from the container");
    }
    if (options.hand_over_terminal) {
      if (auto handed = options.hand_over_terminal(master.get()); !handed)
        return refuse(handed.error());
      master.reset();
    }
  }
  if (options.detach) return wait_status(joining->pid);
  return relay_until_exit(*joining, *command, signals->fd(), std::move(master));
}

}  // namespace box
