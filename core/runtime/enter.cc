#include "core/runtime/enter.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>

#include "core/plan/run_plan.h"
#include "core/plan/seccomp_programs.h"
#include "core/sys/fd_passing.h"
#include "core/sys/small_file.h"
#include "core/sys/spawn.h"
#include "core/sys/unique_fd.h"

extern char** environ;

namespace box {
namespace {

constexpr int kExitSetup = 125;
constexpr int kExitNotExecutable = 126;
constexpr int kExitNotFound = 127;

bool parse_u64(std::string_view s, int base, uint64_t& out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return false;
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  out = v;
  return true;
}

// The non-empty pieces of `text` between any of `separators`: the fields
// of a /proc line (spaces, tabs) or its lines ('\n'). Empty lines carry
// nothing in the files read here, so both skip them.
std::vector<std::string_view> split(std::string_view text, std::string_view separators) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    i = text.find_first_not_of(separators, i);
    if (i == std::string_view::npos) break;
    std::size_t j = text.find_first_of(separators, i);
    if (j == std::string_view::npos) j = text.size();
    out.push_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

std::vector<std::string_view> fields(std::string_view line) { return split(line, " \t"); }
std::vector<std::string_view> lines(std::string_view text) { return split(text, "\n"); }

bool same_namespace(const std::string& a, const std::string& b) {
  struct stat sa {
  }, sb{};
  if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return false;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

// --- Between fork and exec: plain syscalls, no exceptions, no return. -------

// A failure before exec, sent to the parent: status byte + message.
[[noreturn]] void child_fail(int pipe_fd, int status, const char* what, int err) {
  char buf[512];
  int n = std::snprintf(buf + 1, sizeof buf - 1, "%s: %s", what, std::strerror(err));
  buf[0] = static_cast<char>(status);
  if (n > 0) {
    ssize_t ignored = ::write(
        pipe_fd, buf, 1 + std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 2));
    (void)ignored;
  }
  _exit(status);
}

// Everything the children need, prepared by the parent so that they only
// make system calls.
struct Prepared {
  std::vector<std::pair<int, int>> namespaces;  // (fd, CLONE_NEW*), user first
  int root_fd = -1;
  int cwd_fd = -1;  // -1: use workdir
  std::string workdir;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  uint64_t cap_bounding = 0;
  int cap_last = 40;
  bool no_new_privs = false;
  const SeccompProgram* seccomp = nullptr;  // null: PID 1 runs unfiltered
  bool set_groups = true;  // false where the user namespace denies setgroups
  std::vector<std::string> candidates;
  std::vector<char*> argv;
  std::vector<char*> envp;
  bool tty = false;
  winsize window{};
  bool have_window = false;
};

// C2: in the container's pid namespace; becomes the command.
[[noreturn]] void command_child(const Prepared& p, int err_fd, int tty_socket) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  int slave = -1;
  if (p.tty) {
    // A terminal of the container's own devpts, so the command has a
    // controlling terminal inside and never holds the caller's.
    int master = ::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) child_fail(err_fd, kExitSetup, "open /dev/ptmx in the container", errno);
    if (::unlockpt(master) != 0) child_fail(err_fd, kExitSetup, "unlockpt", errno);
    slave = ::ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    if (slave < 0) child_fail(err_fd, kExitSetup, "open the terminal's peer", errno);
    if (p.have_window) ::ioctl(slave, TIOCSWINSZ, &p.window);
    if (send_fd(tty_socket, master) != 1) child_fail(err_fd, kExitSetup, "pass the terminal", errno);
    ::close(master);
  }
  // A new session: no controlling terminal of the caller's, so nothing in
  // the container can push input into it (TIOCSTI).
  if (::setsid() < 0) child_fail(err_fd, kExitSetup, "setsid", errno);
  if (p.tty) {
    if (::ioctl(slave, TIOCSCTTY, 0) != 0) child_fail(err_fd, kExitSetup, "TIOCSCTTY", errno);
    for (int fd = 0; fd < 3; ++fd)
      if (::dup2(slave, fd) < 0) child_fail(err_fd, kExitSetup, "dup2 the terminal", errno);
    if (slave > 2) ::close(slave);
  }
  // The command gets stdio and nothing else of ours or of the caller's
  // (runc's CVE-2024-21626 was a host directory descriptor left open into
  // the container); the error pipe stays, close-on-exec, until the exec.
  if (!close_fds_except(&err_fd, 1)) child_fail(err_fd, kExitSetup, "close descriptors", errno);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  // Last, as in the container's own start: the filter then only has to
  // allow execve.
  if (p.seccomp)
    if (int err = load_seccomp(*p.seccomp))
      child_fail(err_fd, kExitSetup, "load the seccomp filter", err);
  int last_errno = ENOENT;
  for (const auto& candidate : p.candidates) {
    ::execve(candidate.c_str(), p.argv.data(), p.envp.data());
    // Keep the most telling error: "permission denied" beats "not found".
    if (errno != ENOENT && errno != ENOTDIR) last_errno = errno;
  }
  child_fail(err_fd, last_errno == ENOENT ? kExitNotFound : kExitNotExecutable, p.argv[0],
             last_errno);
}

// C1: joins the namespaces (user first: it grants the capabilities the
// others need), takes the container's root, identity and bounding set, then
// forks C2 (a process joins a pid namespace only through its children) and
// waits for it, exiting with its status.
[[noreturn]] void joining_child(const Prepared& p, pid_t parent, int err_fd, int pid_fd,
                                int tty_socket) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) _exit(kExitSetup);
  // Not dumpable: processes of the container (same uid, same user
  // namespace) must not ptrace us and reach the caller's descriptors.
  ::prctl(PR_SET_DUMPABLE, 0);
  // Of the caller's descriptors (boxctl's: whatever its own caller left
  // open), only the handles prepared for this join survive into it.
  int keep[16];
  std::size_t kept = 0;
  for (int fd : {err_fd, pid_fd, tty_socket, p.root_fd, p.cwd_fd}) keep[kept++] = fd;
  for (const auto& ns : p.namespaces)
    if (kept < std::size(keep)) keep[kept++] = ns.first;
  if (!close_fds_except(keep, kept)) child_fail(err_fd, kExitSetup, "close descriptors", errno);
  for (const auto& [fd, type] : p.namespaces)
    if (::setns(fd, type) != 0) child_fail(err_fd, kExitSetup, "setns", errno);
  if (::fchdir(p.root_fd) != 0 || ::chroot(".") != 0)
    child_fail(err_fd, kExitSetup, "enter the container's root", errno);
  if (p.cwd_fd >= 0) {
    if (::fchdir(p.cwd_fd) != 0 && ::chdir("/") != 0)
      child_fail(err_fd, kExitSetup, "chdir", errno);
  } else if (::chdir(p.workdir.c_str()) != 0) {
    child_fail(err_fd, kExitSetup, "chdir to the working directory", errno);
  }
  // In the container now: the handles on its namespaces and root go.
  const int channels[] = {err_fd, pid_fd, tty_socket};
  if (!close_fds_except(channels, std::size(channels)))
    child_fail(err_fd, kExitSetup, "close descriptors", errno);
  for (int cap = 0; cap <= p.cap_last && cap < 64; ++cap) {
    if (p.cap_bounding & (uint64_t{1} << cap)) continue;
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
      child_fail(err_fd, kExitSetup, "drop a capability from the bounding set", errno);
  }
  if (p.set_groups && ::setgroups(p.groups.size(), p.groups.data()) != 0)
    child_fail(err_fd, kExitSetup, "setgroups", errno);
  if (::setresgid(p.gid, p.gid, p.gid) != 0) child_fail(err_fd, kExitSetup, "setresgid", errno);
  if (::setresuid(p.uid, p.uid, p.uid) != 0) child_fail(err_fd, kExitSetup, "setresuid", errno);
  if (p.no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    child_fail(err_fd, kExitSetup, "PR_SET_NO_NEW_PRIVS", errno);

  pid_t pid = ::fork();
  if (pid < 0) child_fail(err_fd, kExitSetup, "fork", errno);
  if (pid == 0) command_child(p, err_fd, tty_socket);
  ssize_t ignored = ::write(pid_fd, &pid, sizeof pid);
  (void)ignored;
  ::close(pid_fd);
  ::close(err_fd);
  if (tty_socket >= 0) ::close(tty_socket);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) _exit(kExitSetup);
  }
  _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

// --- The parent: stays outside, relays the terminal and signals. -----------

class RawTerminal {
 public:
  explicit RawTerminal(int fd) : fd_(fd) {
    if (::tcgetattr(fd_, &saved_) != 0) return;
    termios raw = saved_;
    ::cfmakeraw(&raw);
    active_ = ::tcsetattr(fd_, TCSANOW, &raw) == 0;
  }
  ~RawTerminal() {
    if (active_) ::tcsetattr(fd_, TCSADRAIN, &saved_);
  }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

int decode_status(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

std::vector<pid_t> parse_children(std::string_view text) {
  std::vector<pid_t> out;
  for (auto f : split(text, " \t\n")) {
    uint64_t v;
    if (parse_u64(f, 10, v) && v > 0 && v < (1u << 22)) out.push_back(static_cast<pid_t>(v));
  }
  return out;
}

Result<ProcStatus> parse_proc_status(std::string_view text) {
  ProcStatus st;
  bool have_uid = false, have_gid = false, have_bnd = false;
  for (auto line : lines(text)) {
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto key = line.substr(0, colon);
    auto f = fields(line.substr(colon + 1));
    uint64_t v;
    if ((key == "Uid" || key == "Gid") && f.size() >= 2 && parse_u64(f[1], 10, v)) {
      if (key == "Uid")
        st.uid = static_cast<uid_t>(v), have_uid = true;
      else
        st.gid = static_cast<gid_t>(v), have_gid = true;
    } else if (key == "Groups") {
      for (auto g : f)
        if (parse_u64(g, 10, v)) st.groups.push_back(static_cast<gid_t>(v));
    } else if (key == "CapBnd" && f.size() == 1 && parse_u64(f[0], 16, v)) {
      st.cap_bounding = v;
      have_bnd = true;
    } else if (key == "NoNewPrivs" && f.size() == 1) {
      st.no_new_privs = f[0] == "1";
    } else if (key == "Seccomp" && f.size() == 1) {
      st.seccomp_filtered = f[0] == "2";
    }
  }
  if (!have_uid || !have_gid || !have_bnd) return Error("no Uid, Gid or CapBnd line");
  return st;
}

std::vector<std::string> parse_environ(std::string_view data) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < data.size()) {
    std::size_t end = data.find('\0', start);
    if (end == std::string_view::npos) end = data.size();
    auto entry = data.substr(start, end - start);
    if (entry.find('=') != std::string_view::npos && entry.front() != '=') out.emplace_back(entry);
    start = end + 1;
  }
  return out;
}

std::vector<std::string> merge_env(std::vector<std::string> base,
                                   const std::vector<std::string>& overrides) {
  for (const auto& o : overrides) {
    auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    std::string key = o.substr(0, eq + 1);
    bool replaced = false;
    for (auto& b : base) {
      if (b.compare(0, key.size(), key) == 0) {
        b = o;
        replaced = true;
        break;
      }
    }
    if (!replaced) base.push_back(o);
  }
  return base;
}

Result<pid_t> find_container_init(pid_t supervisor) {
  const std::string base = "/proc/" + std::to_string(supervisor);
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
      if (!same_namespace(base + "/ns/" + ns, "/proc/" + std::to_string(c) + "/ns/" + ns)) return c;
  return children.front();
}

Result<pid_t> process_to_join(pid_t init) {
  // A tiny init is not dumpable (executor.cc): its /proc/PID/ns, root and
  // environ are closed to us too. Its command, PID 2 inside, has the same
  // namespaces, root, identity and environment, and is dumpable.
  const std::string proc = "/proc/" + std::to_string(init);
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

Result<int> enter_container(const EnterRequest& request, int* failure_status) {
  *failure_status = kExitSetup;
  if (request.argv.empty()) return Error("no command to run");
  auto init = find_container_init(request.supervisor);
  if (!init) return init.error();
  init = process_to_join(*init);
  if (!init) return init.error();
  const std::string proc = "/proc/" + std::to_string(*init);
  auto context = [&](const std::string& what) {
    return "enter the container (PID 1 is host PID " + std::to_string(*init) + "): " + what;
  };

  // --- What the container's PID 1 has, read from the host's /proc. ---------
  auto status_text = read_small_file(proc + "/status");
  if (!status_text) return status_text.error().wrap(context("read its status"));
  auto status = parse_proc_status(*status_text);
  if (!status) return status.error().wrap(context(proc + "/status"));
  Prepared p;
  // /proc shows the host's ids; the container knows them by its own.
  for (const char* which : {"uid_map", "gid_map"}) {
    auto text = read_small_file(proc + "/" + which);
    if (!text) return text.error().wrap(context("read its id maps"));
    auto map = parse_id_map(*text);
    if (!map) return map.error().wrap(context(proc + "/" + which));
    if (std::string(which) == "uid_map") {
      auto id = id_inside(*map, status->uid);
      if (!id) return id.error().wrap(context("its user"));
      p.uid = *id;
    } else {
      auto id = id_inside(*map, status->gid);
      if (!id) return id.error().wrap(context("its group"));
      p.gid = *id;
      for (gid_t g : status->groups) {
        auto inside = id_inside(*map, g);
        if (inside) p.groups.push_back(*inside);
      }
    }
  }
  // A user namespace with a single-id map denies setgroups: its processes
  // keep the supplementary groups they came in with, as ours do.
  if (auto deny = read_small_file(proc + "/setgroups"); deny && deny->rfind("deny", 0) == 0)
    p.set_groups = false;
  p.cap_bounding = status->cap_bounding;
  p.no_new_privs = status->no_new_privs;
  // A box under box's default filter gets it for what enters it too. Which
  // variant: ptrace denied when the box shares our pid namespace, as at its
  // start; nested user namespaces not allowed (even where an inner systemd
  // may create them: a command entered from outside has no need of them).
  if (status->seccomp_filtered)
    p.seccomp = &default_seccomp_program(
        {.allow_user_namespaces = false,
         .deny_ptrace = same_namespace(proc + "/ns/pid", "/proc/self/ns/pid")});
  if (auto last = read_small_file("/proc/sys/kernel/cap_last_cap"); last) {
    uint64_t v;
    std::string t = *last;
    while (!t.empty() && t.back() == '\n') t.pop_back();
    if (parse_u64(t, 10, v)) p.cap_last = static_cast<int>(v);
  }

  auto env_text = read_small_file(proc + "/environ");
  std::vector<std::string> env =
      env_text ? parse_environ(*env_text) : std::vector<std::string>{"container=box"};
  env = merge_env(std::move(env), request.extra_env);
  std::string path = kDefaultPath;
  for (const auto& e : env)
    if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
  p.candidates = exec_candidates(request.argv[0], path);

  // --- Handles on its namespaces and root, taken before anything forks. ----
  std::vector<UniqueFd> owned;
  // User first; the mount namespace late, as nsenter orders them.
  static const std::pair<const char*, int> kNamespaces[] = {
      {"user", CLONE_NEWUSER}, {"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC},
      {"uts", CLONE_NEWUTS},   {"net", CLONE_NEWNET},       {"pid", CLONE_NEWPID},
      {"mnt", CLONE_NEWNS},
  };
  for (const auto& [name, type] : kNamespaces) {
    const std::string target = proc + "/ns/" + name;
    // Joining one's own namespace is an error for the user namespace and
    // pointless for the others.
    if (same_namespace(target, std::string("/proc/self/ns/") + name)) continue;
    UniqueFd fd(::open(target.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return Error::from_errno(context("open " + target));
    p.namespaces.emplace_back(fd.get(), type);
    owned.push_back(std::move(fd));
  }
  UniqueFd root(::open((proc + "/root").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return Error::from_errno(context("open " + proc + "/root"));
  p.root_fd = root.get();
  UniqueFd cwd;
  if (request.workdir.empty()) {
    cwd.reset(::open((proc + "/cwd").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    p.workdir = "/";
    p.cwd_fd = cwd.valid() ? cwd.get() : -1;
  } else {
    p.workdir = request.workdir;
  }

  std::vector<std::string> argv = request.argv;
  for (auto& a : argv) p.argv.push_back(a.data());
  p.argv.push_back(nullptr);
  if (request.tty) {
    const char* term = std::getenv("TERM");
    env = merge_env(std::move(env), {std::string("TERM=") + (term && *term ? term : "xterm")});
  }
  for (auto& e : env) p.envp.push_back(e.data());
  p.envp.push_back(nullptr);
  p.tty = request.tty;
  if (request.tty && ::ioctl(STDIN_FILENO, TIOCGWINSZ, &p.window) == 0) p.have_window = true;

  // --- Channels: errors before exec, C2's pid, the terminal. --------------
  int err_pipe[2], pid_pipe[2], sockets[2] = {-1, -1};
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return Error::from_errno("pipe");
  UniqueFd err_r(err_pipe[0]), err_w(err_pipe[1]);
  if (::pipe2(pid_pipe, O_CLOEXEC) != 0) return Error::from_errno("pipe");
  UniqueFd pid_r(pid_pipe[0]), pid_w(pid_pipe[1]);
  UniqueFd sock_parent, sock_child;
  if (request.tty) {
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0)
      return Error::from_errno("socketpair");
    sock_parent.reset(sockets[0]);
    sock_child.reset(sockets[1]);
  }

  // Signals are taken through a signalfd (and forwarded); the children
  // unblock them right before exec.
  sigset_t handled, previous;
  sigemptyset(&handled);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGWINCH, SIGUSR1, SIGUSR2})
    sigaddset(&handled, s);
  ::sigprocmask(SIG_BLOCK, &handled, &previous);
  struct RestoreMask {
    sigset_t mask;
    ~RestoreMask() { ::sigprocmask(SIG_SETMASK, &mask, nullptr); }
  } restore_mask{previous};
  UniqueFd signals(::signalfd(-1, &handled, SFD_CLOEXEC));
  if (!signals.valid()) return Error::from_errno("signalfd");

  const pid_t parent = ::getpid();
  pid_t joiner = ::fork();
  if (joiner < 0) return Error::from_errno("fork");
  if (joiner == 0)
    joining_child(p, parent, err_w.get(), pid_w.get(), request.tty ? sock_child.get() : -1);
  err_w.reset();
  pid_w.reset();
  sock_child.reset();
  owned.clear();
  root.reset();
  cwd.reset();

  auto wait_joiner = [&]() {
    int st = 0;
    while (::waitpid(joiner, &st, 0) < 0 && errno == EINTR) {
    }
    return decode_status(st);
  };

  pid_t command = -1;
  if (::read(pid_r.get(), &command, sizeof command) != sizeof command) command = -1;
  // EOF: the command was exec'd (every copy of the pipe is close-on-exec),
  // or the children died; a message: they failed first.
  std::string failure;
  char buf[512];
  for (;;) {
    ssize_t n = ::read(err_r.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    failure.append(buf, static_cast<std::size_t>(n));
  }
  if (!failure.empty()) {
    wait_joiner();
    *failure_status = static_cast<unsigned char>(failure[0]);
    return Error(context(failure.substr(1)));
  }
  if (command < 0) {
    int st = wait_joiner();
    return Error(context("the joining process ended with status " + std::to_string(st)));
  }

  UniqueFd master;
  if (request.tty) {
    int received = -1;
    if (receive_fd(sock_parent.get(), &received) == 1) master.reset(received);
    if (!master.valid()) {
      wait_joiner();
      return Error(context("no terminal came back from the container"));
    }
  }
  std::optional<RawTerminal> raw;
  if (request.tty && ::isatty(STDIN_FILENO)) raw.emplace(STDIN_FILENO);

  // --- Relay until the command ends. ---------------------------------------
  bool stdin_open = request.tty;
  bool master_open = request.tty;
  for (;;) {
    pollfd fds[3] = {{signals.get(), POLLIN, 0},
                     {master_open ? master.get() : -1, POLLIN, 0},
                     {stdin_open ? STDIN_FILENO : -1, POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info{};
      if (::read(signals.get(), &info, sizeof info) == sizeof info) {
        int sig = static_cast<int>(info.ssi_signo);
        if (sig == SIGCHLD) {
          int st = 0;
          pid_t done = ::waitpid(joiner, &st, WNOHANG);
          if (done == joiner) {
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
  return wait_joiner();
}

}  // namespace box
