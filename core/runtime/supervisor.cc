#include "core/runtime/supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>

#include "core/model/value_parsers.h"
#include "core/plan/pid1_signals.h"
#include "core/plan/seccomp_programs.h"
#include "core/runtime/bus_proxy.h"
#include "core/runtime/executor.h"
#include "core/runtime/fuse_overlay.h"
#include "core/runtime/network.h"
#include "core/runtime/x11_auth.h"
#include "core/sys/cgroup.h"
#include "core/sys/log.h"
#include "core/sys/resident_code.h"
#include "core/sys/systemd_api.h"
#include "core/sys/terminal_io.h"
#include "core/sys/unique_fd.h"

namespace box {
namespace {

// Every signal a service manager or a user may send that the container's
// PID 1 should get instead of us. SIGRTMIN+3 is how systemd is told to halt;
// SIGABRT is systemd's default watchdog signal.
sigset_t forwarded_signals() {
  sigset_t set;
  sigemptyset(&set);
  // Not forwarded: SIGKILL and SIGSTOP (they cannot be caught), SIGCHLD
  // (ours: the container's end), and the faults SIGSEGV, SIGBUS, SIGILL and
  // SIGFPE (a real one is ours, and the kernel delivers it even if blocked).
  for (int sig : {SIGHUP,  SIGINT,  SIGQUIT,   SIGTRAP, SIGABRT,  SIGUSR1, SIGUSR2, SIGPIPE,
                  SIGALRM, SIGTERM, SIGSTKFLT, SIGCONT, SIGTSTP,  SIGTTIN, SIGTTOU, SIGURG,
                  SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGPWR,  SIGSYS})
    sigaddset(&set, sig);
  for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig) sigaddset(&set, sig);
  return set;
}

// Whether the kernel raised the signal for something we did ourselves: a
// write to a closed pipe (SIGPIPE) or a limit we hit (SIGXFSZ, SIGXCPU).
// Those are ours, not the container's. A terminal's SIGINT or SIGHUP also
// comes from the kernel but is meant for the container.
bool raised_for_us(const signalfd_siginfo& si) {
  if (si.ssi_code == SI_USER && static_cast<pid_t>(si.ssi_pid) == ::getpid()) return true;
  return si.ssi_code == SI_KERNEL && (si.ssi_signo == SIGXCPU || si.ssi_signo == SIGXFSZ);
}

// Exit code 133 when an inner init asked for a reboot (as systemd-nspawn
// reports it), so a unit can restart the container on it.
constexpr int kExitRebootRequested = 133;

// `dropped`: the signal PID 1 was ended for (see pid1_signals.h), or 0.
ContainerEnd end_from_status(int status, InitMode init, int dropped) {
  if (WIFEXITED(status)) return {WEXITSTATUS(status), 0};
  if (!WIFSIGNALED(status)) return {1, 0};
  int sig = WTERMSIG(status);
  if (sig == SIGKILL && dropped) sig = dropped;
  // reboot(2) in a pid namespace ends its init with SIGINT for halt and
  // power-off, SIGHUP for reboot (pid_namespaces(7)): for an inner systemd
  // these are clean ends of its shutdown, not crashes.
  if (init == InitMode::kSystemd && sig == SIGINT) return {0, 0};
  if (init == InitMode::kSystemd && sig == SIGHUP) return {kExitRebootRequested, 0};
  return {128 + sig, sig};
}

// Whether `sig`, forwarded to PID 1, would be dropped by the kernel where
// the program outside a container would have ended by it.
bool dropped_by_init(pid_t pid1, int sig) {
  const std::string path = "/proc/" + std::to_string(pid1) + "/status";
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd.get(), buf, sizeof buf)) < 0 && errno == EINTR) {
  }
  if (n <= 0) return false;
  auto masks = parse_signal_masks(std::string_view(buf, static_cast<std::size_t>(n)));
  return masks && pid1_fate(*masks, sig) == Pid1Fate::kDropped;
}

// The socket the container's READY=1 arrives on, where the plan says
// (bound into the container by one of its mount steps).
struct NotifySocket {
  UniqueFd fd;
  std::string path;
  ~NotifySocket() {
    if (!path.empty()) ::unlink(path.c_str());
  }
};

Result<void> open_notify_socket(const std::string& path, NotifySocket& out) {
  const std::string dir = path.substr(0, path.rfind('/'));
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return Error::from_errno("create '" + dir + "'");
  out.path = path;
  ::unlink(out.path.c_str());
  out.fd.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!out.fd.valid()) return Error::from_errno("create notify socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, out.path.c_str());  // its length checked by the plan
  if (::bind(out.fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return Error::from_errno("bind notify socket '" + out.path + "'");
  // Whoever is root inside may be any of our mapped ids.
  ::chmod(out.path.c_str(), 0666);
  return {};
}

// Passes on to `service` what a service manager should hear from the
// container; MAINPID (and fd passing) would let it point systemd at
// arbitrary processes.
void relay_notification(const std::string& service, const char* data, std::size_t size) {
  std::string out;
  std::size_t start = 0;
  while (start < size) {
    std::size_t end = start;
    while (end < size && data[end] != '\n') ++end;
    std::string line(data + start, end - start);
    for (const char* allowed : {"READY=", "STATUS=", "STOPPING=", "RELOADING=", "ERRNO=",
                                "WATCHDOG=", "EXTEND_TIMEOUT_USEC="}) {
      if (line.rfind(allowed, 0) == 0) {
        out += line + "\n";
        break;
      }
    }
    start = end + 1;
  }
  if (!out.empty()) systemd_api::notify(service, out);
}

// When fuse-overlayfs ends first, the container has lost its root: it is
// killed unless it ends by itself within this grace (fuse-overlayfs also
// ends on its own when the container's mount namespace goes, which may be
// seen a moment before PID 1's exit).
constexpr auto kFuseLostGrace = std::chrono::milliseconds(500);

// One container's supervision, in the order it happens: prepare() what the
// plan asks for before the clone, launch() the container, watch() it until
// its PID 1 ends, teardown() what was made for it. Nothing here changes
// the plan.
class Supervision {
 public:
  Supervision(const RunPlan& plan, std::optional<ConsolePty> console)
      : plan_(plan), console_(std::move(console)) {}

  Result<void> prepare();
  // nullopt once the container runs; else how the failed start ends.
  std::optional<ContainerEnd> launch();
  ContainerEnd watch();
  void teardown();

 private:
  void relay_fuse_output(bool all);
  void relay_container_notifications();
  // SIGCHLD: reaps every child; true once the container's PID 1 is one.
  bool reap(ContainerEnd& end);
  void forward(const signalfd_siginfo& si);

  const RunPlan& plan_;
  std::optional<ConsolePty> console_;
  UniqueFd signals_;
  const SeccompProgram* filter_ = nullptr;
  NotifySocket notify_;
  std::optional<ContainerCgroup> cgroup_;
  std::optional<NetworkHelper> network_;
  std::optional<BusProxy> bus_proxy_;
  std::optional<X11AuthFile> x11_auth_;
  std::optional<FuseOverlayServer> fuse_;
  pid_t child_ = -1;
  int dropped_ = 0;  // a signal PID 1 was ended for, see dropped_by_init
  std::optional<std::chrono::steady_clock::time_point> fuse_lost_at_;
  std::string fuse_lost_;
};

Result<void> Supervision::prepare() {
  // Block before clone: a signal arriving during setup then waits in the
  // signalfd (or in the child's pending set) instead of killing us.
  sigset_t set = forwarded_signals();
  sigaddset(&set, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return Error::from_errno("block signals");
  signals_.reset(signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signals_.valid()) return Error::from_errno("create signalfd");
  // Compiled at build time, loaded by the child last before exec.
  filter_ = plan_.seccomp ? &default_seccomp_program(*plan_.seccomp) : nullptr;
  if (!plan_.notify_socket.empty()) {
    auto opened = open_notify_socket(plan_.notify_socket_host, notify_);
    if (!opened) return opened.error();
  }
  // The container's own cgroup, below the one systemd delegated to the unit.
  if (plan_.own_cgroup) {
    auto created = ContainerCgroup::create(kContainerCgroupLeaf);
    if (created) {
      cgroup_ = std::move(*created);
    } else if (plan_.cgroup_required) {
      return created.error().wrap("the container needs its own cgroup (run it as box@" +
                                  plan_.name + ".service, whose cgroup is delegated)");
    } else {
      log_warning("running in box-run's cgroup: " + created.error().message());
    }
  }
  // Before the clone: the container's binds of its sockets need them.
  if (!plan_.buses.empty()) {
    auto started = BusProxy::start(plan_);
    if (!started) return started.error().wrap("start the box's bus proxy");
    bus_proxy_.emplace(std::move(*started));
  }
  // Before the clone too: the container's bind of the cookie needs it.
  if (plan_.x11) {
    std::string notice;
    auto written = X11AuthFile::write(*plan_.x11, notice);
    if (!written) return written.error().wrap("give the box the X display's cookie");
    if (!notice.empty()) log_warning(notice);
    x11_auth_.emplace(std::move(*written));
  }
  return {};
}

std::optional<ContainerEnd> Supervision::launch() {
  // While the child waits: into its cgroup, and the network helper on its
  // namespaces.
  AfterClone after_clone;
  if (cgroup_ || plan_.network_helper) {
    after_clone = [this](pid_t pid) -> Result<void> {
      if (cgroup_) {
        auto added = cgroup_->add(pid);
        if (!added) return added;
      }
      if (plan_.network_helper) {
        auto started =
            NetworkHelper::start(*plan_.network_helper, plan_.network_api_socket, pid, plan_.ports);
        if (!started) return started.error().wrap("set up the private network");
        network_ = std::move(*started);
      }
      return {};
    };
  }
  SetupError failure;
  auto started = start_container(plan_, filter_, &failure, after_clone);
  if (!started) {
    if (cgroup_) cgroup_->remove();
    log_error(started.error().wrap("start box '" + plan_.name + "'").message());
    switch (failure.kind) {
      case SetupFailure::kNotFound:
        return ContainerEnd{kExitNotFound, 0};
      case SetupFailure::kNotExecutable:
        return ContainerEnd{kExitNotExecutable, 0};
      default:
        return ContainerEnd{kExitSetupFailed, 0};
    }
  }
  child_ = started->pid;
  fuse_ = std::move(started->fuse);
  // Ready when the command runs, unless the container says so itself.
  if (!notify_.fd.valid())
    systemd_api::notify(plan_.service_notify_socket,
                        "READY=1\nSTATUS=Container running (PID " + std::to_string(child_) + ")");
  release_startup_code();
  return std::nullopt;
}

ContainerEnd Supervision::watch() {
  ContainerEnd end;
  bool done = false;
  // run -t: our stdin goes to the container's terminal, keys as they are
  // typed (raw) when it is a terminal itself.
  bool input_open = plan_.console_terminal && console_;
  std::optional<RawTerminal> raw;
  if (input_open) raw.emplace(STDIN_FILENO);
  while (!done) {
    pollfd fds[5] = {{signals_.get(), POLLIN, 0},
                     {notify_.fd.valid() ? notify_.fd.get() : -1, POLLIN, 0},
                     {console_ ? console_->master_fd() : -1, POLLIN, 0},
                     {fuse_ && fuse_->output_fd() >= 0 ? fuse_->output_fd() : -1, POLLIN, 0},
                     {input_open ? STDIN_FILENO : -1, POLLIN, 0}};
    int timeout = -1;
    if (fuse_lost_at_) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          *fuse_lost_at_ + kFuseLostGrace - std::chrono::steady_clock::now());
      timeout = left.count() > 0 ? static_cast<int>(left.count()) : 0;
    }
    if (::poll(fds, 5, timeout) < 0) {
      if (errno == EINTR) continue;
      log_error(Error::from_errno("poll").message());
      ::kill(child_, SIGKILL);
    }
    if (fuse_lost_at_ && std::chrono::steady_clock::now() >= *fuse_lost_at_ + kFuseLostGrace) {
      log_error(fuse_lost_ + ": stopping the container");
      ::kill(child_, SIGKILL);
      fuse_lost_at_.reset();
    }
    if (fds[3].revents & (POLLIN | POLLHUP)) relay_fuse_output(false);
    if (fds[2].revents & POLLIN) console_->copy_output();
    if (fds[4].revents & (POLLIN | POLLHUP | POLLERR))
      input_open = console_->copy_input(STDIN_FILENO);
    if (fds[1].revents & POLLIN) relay_container_notifications();
    signalfd_siginfo si{};
    while (::read(signals_.get(), &si, sizeof si) == sizeof si) {
      if (si.ssi_signo == SIGCHLD) {
        if (reap(end)) done = true;
      } else {
        forward(si);
      }
    }
  }
  return end;
}

void Supervision::teardown() {
  if (console_) console_->copy_output();
  systemd_api::notify(plan_.service_notify_socket, "STOPPING=1");
  network_.reset();  // the namespace's last user: stopped and reaped
  bus_proxy_.reset();  // stopped, its sockets and directory removed
  x11_auth_.reset();   // the cookie's file and directory removed
  if (fuse_) {
    // The container's mount namespace, the only place its mount was, is
    // gone or going with the container.
    fuse_->stop();
    relay_fuse_output(true);
  }
  if (cgroup_) {
    // PID 1 is gone, so the kernel is killing the rest of the namespace;
    // the cgroup can go once they are.
    for (int i = 0; i < 50; ++i) {
      cgroup_->remove();
      bool left = false;
      for (const auto& d : cgroup_->dirs()) left = left || ::access(d.c_str(), F_OK) == 0;
      if (!left) break;
      ::usleep(20000);
    }
  }
}

void Supervision::relay_fuse_output(bool all) {
  std::string text = fuse_->read_output(all);
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) log_info("fuse-overlayfs: " + text.substr(start, end - start));
    start = end + 1;
  }
}

void Supervision::relay_container_notifications() {
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(notify_.fd.get(), buf, sizeof buf - 1, 0)) > 0)
    relay_notification(plan_.service_notify_socket, buf, static_cast<std::size_t>(n));
}

bool Supervision::reap(ContainerEnd& end) {
  bool ended = false;
  int status = 0;
  pid_t r;
  // Reap everything; only the container's PID 1 ends the supervisor.
  while ((r = ::waitpid(-1, &status, WNOHANG)) > 0) {
    if (r == child_) {
      end = end_from_status(status, plan_.init, dropped_);
      ended = true;
    } else if (network_ && r == network_->pid()) {
      log_warning(network_->reaped(status));
    } else if (bus_proxy_ && r == bus_proxy_->pid()) {
      log_warning(bus_proxy_->reaped(status));
    } else if (fuse_ && r == fuse_->pid()) {
      fuse_lost_ = fuse_->reaped(status);
      relay_fuse_output(true);
      if (!ended) fuse_lost_at_ = std::chrono::steady_clock::now();
    }
  }
  return ended;
}

void Supervision::forward(const signalfd_siginfo& si) {
  // SIGTERM is how a service manager stops us: the container gets its
  // own stop signal (an inner systemd halts on SIGRTMIN+3 and would
  // merely re-execute itself on SIGTERM).
  int sig = static_cast<int>(si.ssi_signo);
  if (raised_for_us(si)) return;
  // Our terminal's new size is the container terminal's; the kernel tells
  // its foreground processes.
  if (sig == SIGWINCH && plan_.console_terminal && console_) {
    console_->resize_from(STDIN_FILENO);
    return;
  }
  if (sig == SIGTERM) {
    sig = plan_.stop_signal;
    if (cgroup_) cgroup_->thaw();
  }
  // PID 1 of a pid namespace gets only the signals it handles. One it
  // has no handler for, which would end the same program outside a
  // container, ends it now instead of being dropped (and a stop then
  // waiting for the whole stop timeout).
  if (!dropped_ && dropped_by_init(child_, sig)) {
    log_info("the container's PID 1 has no handler for " + signal_name(sig) +
             ", which the kernel drops for the init of a pid namespace: ending it as " +
             signal_name(sig) + " would end it outside a container");
    dropped_ = sig;
    ::kill(child_, SIGKILL);
    return;
  }
  if (::kill(child_, sig) != 0 && errno != ESRCH)
    log_warning(Error::from_errno("forward signal " + std::to_string(sig)).message());
}

}  // namespace

ContainerEnd supervise(const RunPlan& plan, std::optional<ConsolePty> console) {
  Supervision supervision(plan, std::move(console));
  if (auto prepared = supervision.prepare(); !prepared) {
    log_error(prepared.error().wrap("start box '" + plan.name + "'").message());
    return {kExitSetupFailed, 0};
  }
  if (auto failed = supervision.launch()) return *failed;
  const ContainerEnd end = supervision.watch();
  supervision.teardown();
  return end;
}

void end_by_signal(int sig) {
  // The container crashed, not box-run: no core dump of ours.
  if (default_action(sig) == DefaultAction::kCoreDump) ::prctl(PR_SET_DUMPABLE, 0);
  ::signal(sig, SIG_DFL);
  sigset_t only;
  sigemptyset(&only);
  sigaddset(&only, sig);
  ::kill(::getpid(), sig);
  ::sigprocmask(SIG_UNBLOCK, &only, nullptr);  // delivered here
  _exit(128 + sig);                            // a signal that does not end us
}

}  // namespace box
