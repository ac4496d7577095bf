#include "core/runtime/supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>

#include "core/model/value_parsers.h"
#include "core/plan/pid1_signals.h"
#include "core/plan/seccomp_programs.h"
#include "core/runtime/executor.h"
#include "core/runtime/fuse_overlay.h"
#include "core/runtime/network.h"
#include "core/sys/cgroup.h"
#include "core/sys/log.h"
#include "core/sys/resident_code.h"
#include "core/sys/systemd_api.h"
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

// The socket the container's READY=1 arrives on, in our runtime dir (or
// /tmp without one), bound into the container by the plan's path.
struct NotifySocket {
  UniqueFd fd;
  std::string path;
  ~NotifySocket() {
    if (!path.empty()) ::unlink(path.c_str());
  }
};

Result<void> open_notify_socket(const std::string& name, NotifySocket& out) {
  const char* rt = std::getenv("XDG_RUNTIME_DIR");
  std::string dir = (rt && *rt) ? std::string(rt) + "/box" : "/tmp";
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return Error::from_errno("create '" + dir + "'");
  out.path = dir + "/notify-" + name + "-" + std::to_string(::getpid());
  ::unlink(out.path.c_str());
  out.fd.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!out.fd.valid()) return Error::from_errno("create notify socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (out.path.size() >= sizeof addr.sun_path)
    return Error("notify socket path too long: " + out.path);
  std::strcpy(addr.sun_path, out.path.c_str());
  if (::bind(out.fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return Error::from_errno("bind notify socket '" + out.path + "'");
  // Whoever is root inside may be any of our mapped ids.
  ::chmod(out.path.c_str(), 0666);
  return {};
}

// Passes on what a service manager should hear from the container; MAINPID
// (and fd passing) would let it point systemd at arbitrary processes.
void relay_notification(const char* data, std::size_t size) {
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
  if (!out.empty()) systemd_api::notify(out);
}

// /dev/console: a pty whose output we copy to our stdout (the journal under
// systemd), so an init's boot messages are not lost.
struct Console {
  UniqueFd master;
  UniqueFd slave;  // kept open: without a reader on the slave side the master reports hangup
  std::string slave_path;
};

Result<void> open_console(Console& c) {
  c.master.reset(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK));
  if (!c.master.valid()) return Error::from_errno("open a pty for /dev/console");
  if (::grantpt(c.master.get()) != 0 || ::unlockpt(c.master.get()) != 0)
    return Error::from_errno("unlock the console pty");
  char name[128];
  if (::ptsname_r(c.master.get(), name, sizeof name) != 0)
    return Error::from_errno("name the console pty");
  c.slave_path = name;
  c.slave.reset(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!c.slave.valid()) return Error::from_errno("open '" + c.slave_path + "'");
  // Lines, not terminal output: no "\r\n" in the journal.
  termios t{};
  if (::tcgetattr(c.slave.get(), &t) == 0) {
    t.c_oflag &= ~static_cast<tcflag_t>(OPOST);
    t.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(c.slave.get(), TCSANOW, &t);
  }
  return {};
}

void copy_console(int master) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) return;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(STDOUT_FILENO, buf + done, static_cast<std::size_t>(n - done));
      if (w <= 0) return;
      done += w;
    }
  }
}

}  // namespace

ContainerEnd supervise(const RunPlan& original, const SupervisorOptions& options) {
  RunPlan plan = original;
  auto setup_failed = [&](const Error& e) {
    log_error(e.wrap("start box '" + plan.name + "'").message());
    return ContainerEnd{kExitSetupFailed, 0};
  };

  // Block before clone: a signal arriving during setup then waits in the
  // signalfd (or in the child's pending set) instead of killing us.
  sigset_t set = forwarded_signals();
  sigaddset(&set, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0)
    return setup_failed(Error::from_errno("block signals"));
  UniqueFd sfd(signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!sfd.valid()) return setup_failed(Error::from_errno("create signalfd"));

  // Compiled at build time, loaded by the child last before exec.
  const SeccompProgram* filter = plan.seccomp ? &default_seccomp_program(*plan.seccomp) : nullptr;

  // network: private: the helper is found before anything is created; it
  // is attached to the container's network namespace while the child waits.
  std::optional<NetworkHelperSpec> net_spec;
  NetworkEnvironment net_env;
  if (plan.network == NetworkMode::kPrivate) {
    net_env = network_environment();
    auto found = find_network_helper(net_env);
    if (!found) return setup_failed(found.error());
    net_spec = *found;
  }

  // The overlay's driver, and fuse-overlayfs where it may serve: found
  // before anything is created.
  {
    const char* path = std::getenv("PATH");
    auto prepared =
        prepare_overlay_driver(plan, path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
    if (!prepared) return setup_failed(prepared.error());
  }

  // The container's own cgroup, below the one systemd delegated to the unit.
  std::optional<ContainerCgroup> cgroup;
  if (options.use_cgroup) {
    auto created = ContainerCgroup::create("container");
    if (created) {
      cgroup = std::move(*created);
    } else if (plan.cgroup_required) {
      return setup_failed(
          created.error().wrap("the container needs its own cgroup (run it as box@" + plan.name +
                               ".service, whose cgroup is delegated)"));
    } else {
      log_warning("running in box-run's cgroup: " + created.error().message());
    }
  } else if (plan.cgroup_required) {
    return setup_failed(
        Error("init: systemd needs a delegated cgroup: start it as box@" + plan.name + ".service"));
  }

  NotifySocket notify;
  if (!plan.notify_socket.empty()) {
    auto opened = open_notify_socket(plan.name, notify);
    if (!opened) return setup_failed(opened.error());
    plan.mounts.push_back({MountStep::Kind::kBind, plan.notify_socket, notify.path, "", 0});
    plan.env.push_back("NOTIFY_SOCKET=" + plan.notify_socket);
  }
  Console console;
  if (plan.console) {
    auto opened = open_console(console);
    if (!opened) return setup_failed(opened.error());
    plan.mounts.push_back({MountStep::Kind::kBindDev, "/dev/console", console.slave_path, "", 0});
  }

  std::optional<NetworkHelper> network;

  AfterClone after_clone;
  if (cgroup || net_spec) {
    after_clone = [&](pid_t pid) -> Result<void> {
      if (cgroup) {
        auto added = cgroup->add(pid);
        if (!added) return added;
      }
      if (net_spec) {
        auto started = NetworkHelper::start(*net_spec, net_env, pid, plan.ports);
        if (!started) return started.error().wrap("set up the private network");
        network = std::move(*started);
      }
      return {};
    };
  }
  SetupError failure;
  auto started = start_container(plan, filter, &failure, after_clone);
  if (!started) {
    if (cgroup) cgroup->remove();
    log_error(started.error().wrap("start box '" + plan.name + "'").message());
    switch (failure.kind) {
      case SetupFailure::kNotFound:
        return {kExitNotFound, 0};
      case SetupFailure::kNotExecutable:
        return {kExitNotExecutable, 0};
      default:
        return {kExitSetupFailed, 0};
    }
  }
  const pid_t child = started->pid;
  std::optional<FuseOverlayServer> fuse = std::move(started->fuse);
  auto relay_fuse_output = [&](bool all) {
    std::string text = fuse->read_output(all);
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      if (end > start) log_info("fuse-overlayfs: " + text.substr(start, end - start));
      start = end + 1;
    }
  };
  // When fuse-overlayfs ends first, the container has lost its root: it is
  // killed unless it ends by itself within this grace (fuse-overlayfs also
  // ends on its own when the container's mount namespace goes, which may be
  // seen a moment before PID 1's exit).
  constexpr auto kFuseLostGrace = std::chrono::milliseconds(500);
  std::optional<std::chrono::steady_clock::time_point> fuse_lost_at;
  std::string fuse_lost;
  // Ready when the command runs, unless the container says so itself.
  if (options.notify_ready && !notify.fd.valid())
    systemd_api::notify("READY=1\nSTATUS=Container running (PID " + std::to_string(child) + ")");
  release_startup_code();

  ContainerEnd end;
  int dropped = 0;  // a signal PID 1 was ended for, see dropped_by_init
  bool done = false;
  while (!done) {
    pollfd fds[4] = {{sfd.get(), POLLIN, 0},
                     {notify.fd.valid() ? notify.fd.get() : -1, POLLIN, 0},
                     {console.master.valid() ? console.master.get() : -1, POLLIN, 0},
                     {fuse && fuse->output_fd() >= 0 ? fuse->output_fd() : -1, POLLIN, 0}};
    int timeout = -1;
    if (fuse_lost_at) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          *fuse_lost_at + kFuseLostGrace - std::chrono::steady_clock::now());
      timeout = left.count() > 0 ? static_cast<int>(left.count()) : 0;
    }
    if (::poll(fds, 4, timeout) < 0) {
      if (errno == EINTR) continue;
      log_error(Error::from_errno("poll").message());
      ::kill(child, SIGKILL);
    }
    if (fuse_lost_at && std::chrono::steady_clock::now() >= *fuse_lost_at + kFuseLostGrace) {
      log_error(fuse_lost + ": stopping the container");
      ::kill(child, SIGKILL);
      fuse_lost_at.reset();
    }
    if (fds[3].revents & (POLLIN | POLLHUP)) relay_fuse_output(false);
    if (fds[2].revents & POLLIN) copy_console(console.master.get());
    if (fds[1].revents & POLLIN) {
      char buf[4096];
      ssize_t n;
      while ((n = ::recv(notify.fd.get(), buf, sizeof buf - 1, 0)) > 0)
        if (options.notify_ready) relay_notification(buf, static_cast<std::size_t>(n));
    }
    signalfd_siginfo si{};
    while (::read(sfd.get(), &si, sizeof si) == sizeof si) {
      if (si.ssi_signo == SIGCHLD) {
        int status = 0;
        pid_t r;
        // Reap everything; only the container's PID 1 ends the supervisor.
        while ((r = ::waitpid(-1, &status, WNOHANG)) > 0) {
          if (r == child) {
            end = end_from_status(status, plan.init, dropped);
            done = true;
          } else if (network && r == network->pid()) {
            log_warning(network->reaped(status));
          } else if (fuse && r == fuse->pid()) {
            fuse_lost = fuse->reaped(status);
            relay_fuse_output(true);
            if (!done) fuse_lost_at = std::chrono::steady_clock::now();
          }
        }
        continue;
      }
      // SIGTERM is how a service manager stops us: the container gets its
      // own stop signal (an inner systemd halts on SIGRTMIN+3 and would
      // merely re-execute itself on SIGTERM).
      int sig = static_cast<int>(si.ssi_signo);
      if (raised_for_us(si)) continue;
      if (sig == SIGTERM) sig = plan.stop_signal;
      // PID 1 of a pid namespace gets only the signals it handles. One it
      // has no handler for, which would end the same program outside a
      // container, ends it now instead of being dropped (and a stop then
      // waiting for the whole stop timeout).
      if (!dropped && dropped_by_init(child, sig)) {
        log_info("the container's PID 1 has no handler for " + signal_name(sig) +
                 ", which the kernel drops for the init of a pid namespace: ending it as " +
                 signal_name(sig) + " would end it outside a container");
        dropped = sig;
        ::kill(child, SIGKILL);
        continue;
      }
      if (::kill(child, sig) != 0 && errno != ESRCH)
        log_warning(Error::from_errno("forward signal " + std::to_string(sig)).message());
    }
  }
  if (console.master.valid()) copy_console(console.master.get());
  if (options.notify_ready) systemd_api::notify("STOPPING=1");
  network.reset();  // the namespace's last user: stopped and reaped
  if (fuse) {
    // The container's mount namespace, the only place its mount was, is
    // gone or going with the container.
    fuse->stop();
    relay_fuse_output(true);
  }
  if (cgroup) {
    // PID 1 is gone, so the kernel is killing the rest of the namespace;
    // the cgroup can go once they are.
    for (int i = 0; i < 50; ++i) {
      cgroup->remove();
      bool left = false;
      for (const auto& d : cgroup->dirs()) left = left || ::access(d.c_str(), F_OK) == 0;
      if (!left) break;
      ::usleep(20000);
    }
  }
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
