#include "supervisor.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "executor.h"
#include "log.h"
#include "seccomp_filter.h"
#include "unique_fd.h"

namespace box {
namespace {

// Every signal a service manager or a user may send that the container's
// PID 1 should get instead of us. SIGRTMIN+3 is how systemd is told to halt.
sigset_t forwarded_signals() {
  sigset_t set;
  sigemptyset(&set);
  // Faults of our own (SIGSEGV, SIGBUS, ...) and SIGKILL/SIGSTOP are not
  // forwardable; everything else a person or a manager sends is.
  for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM,
                  SIGPWR, SIGURG, SIGTSTP, SIGTTIN, SIGTTOU, SIGVTALRM, SIGPROF})
    sigaddset(&set, sig);
  for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig) sigaddset(&set, sig);
  return set;
}

int exit_code_from_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace

int supervise(const RunPlan& plan, const SupervisorOptions& options) {
  // Block before clone: a signal arriving during setup then waits in the
  // signalfd (or in the child's pending set) instead of killing us.
  sigset_t set = forwarded_signals();
  sigaddset(&set, SIGCHLD);
  sigset_t old_mask;
  if (sigprocmask(SIG_BLOCK, &set, &old_mask) != 0) {
    log_error(Error::from_errno("block signals").message());
    return kExitSetupFailed;
  }
  UniqueFd sfd(signalfd(-1, &set, SFD_CLOEXEC));
  if (!sfd.valid()) {
    log_error(Error::from_errno("create signalfd").message());
    return kExitSetupFailed;
  }

  // Compiled here, loaded by the child: no libseccomp work between clone
  // and exec.
  std::optional<SeccompProgram> filter;
  if (plan.seccomp) {
    auto built = build_default_seccomp({.allow_user_namespaces = plan.init == InitMode::kSystemd});
    if (!built) {
      log_error(built.error().wrap("start box '" + plan.name + "'").message());
      return kExitSetupFailed;
    }
    filter = std::move(*built);
  }

  SetupError failure;
  auto started = start_container(plan, filter ? &*filter : nullptr, &failure);
  if (!started) {
    log_error(started.error().wrap("start box '" + plan.name + "'").message());
    switch (failure.kind) {
      case SetupFailure::kNotFound: return kExitNotFound;
      case SetupFailure::kNotExecutable: return kExitNotExecutable;
      default: return kExitSetupFailed;
    }
  }
  const pid_t child = started->pid;
  if (options.notify_ready) sd_notifyf(0, "READY=1\nSTATUS=Container running (PID %d)", child);

  for (;;) {
    struct signalfd_siginfo si {};
    ssize_t n = ::read(sfd.get(), &si, sizeof si);
    if (n < 0 && errno == EINTR) continue;
    if (n != sizeof si) {
      log_error(Error::from_errno("read signalfd").message());
      ::kill(child, SIGKILL);
      break;
    }
    if (si.ssi_signo == SIGCHLD) {
      int status = 0;
      pid_t r;
      // Reap everything; only the container's PID 1 ends the supervisor.
      while ((r = ::waitpid(-1, &status, WNOHANG)) > 0) {
        if (r == child) {
          if (options.notify_ready) sd_notify(0, "STOPPING=1");
          return exit_code_from_status(status);
        }
      }
      continue;
    }
    // PID 1 of a pid namespace only receives signals it has a handler for
    // (SIGKILL aside); forwarding is still right: it is what the user sent.
    if (::kill(child, static_cast<int>(si.ssi_signo)) != 0 && errno != ESRCH)
      log_warning(Error::from_errno("forward signal " + std::to_string(si.ssi_signo)).message());
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return exit_code_from_status(status);
}

}  // namespace box
