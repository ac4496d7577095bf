// box-install-worker: one install or uninstall for box-manager, in a process
// of its own (install_jobs.h starts it; install_worker_protocol.h is what it
// says on fd 3). A process rather than a thread of the manager: the install
// forks helpers into user namespaces, which is only sound from a
// single-threaded process; a hostile image that crashed the unpacker would
// take only this process down; and the manager stays small and answers
// other calls meanwhile.
//
//   box-install-worker install [--replace] [--dry-run] [--set KEY=VALUE]...
//                      [--allow-bind P]... [--allow-host-file P]...
//                      [--allow-host-namespace NS]... [--allow-autostart]
//                      [--max-size BYTES] -- SOURCE NAME
//   box-install-worker uninstall NAME [--purge]
//
// SIGTERM, SIGINT and SIGHUP cancel an install (what was staged is removed);
// box-manager sends SIGTERM for CancelInstall, and the kernel sends it when
// the manager dies (PR_SET_PDEATHSIG, set before exec). An uninstall, once
// begun, is finished.
//
// How a cancel reaches every point where the install waits: the handler
// sets a flag and is installed without SA_RESTART, so a system call that
// waits returns EINTR and the loop around it looks at the flag; every wait
// that remains is a poll loop that looks at it at least every 100 ms
// (the unpack or copy child, killed then; newuidmap/newgidmap; the stop of
// the old container over D-Bus); reading an archive looks at it before each
// block. Nothing an image supplies can block: only regular files are read.
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "bus/systemd_client.h"
#include "core/sys/log.h"
#include "install/install.h"
#include "install/install_worker_protocol.h"

namespace {

using box::manager::WorkerRequest;

constexpr int kReportFd = 3;
std::atomic<bool> g_cancel{false};

extern "C" void on_cancel_signal(int) { g_cancel.store(true); }

void report(const std::string& line) {
  std::string data = line + "\n";
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(kReportFd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the manager is gone: nobody to tell
    off += static_cast<std::size_t>(n);
  }
}

// <libexec>/box/box-install-worker -> <libexec>/box/box-run.
std::string box_run_beside_me() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "box-run";
  std::string exe(buf, static_cast<std::size_t>(n));
  return exe.substr(0, exe.find_last_of('/')) + "/box-run";
}

// At most ten progress lines a second (each becomes a D-Bus signal), and
// one at once whenever the phase or the layer changes.
class ProgressReporter {
 public:
  void operator()(const box::install::Progress& p) {
    auto now = std::chrono::steady_clock::now();
    bool step = !sent_ || p.phase != last_.phase || p.layer != last_.layer;
    if (!step && now - when_ < std::chrono::milliseconds(100)) return;
    report(box::manager::progress_line(p));
    sent_ = true;
    last_ = p;
    when_ = now;
  }

 private:
  bool sent_ = false;
  box::install::Progress last_;
  std::chrono::steady_clock::time_point when_;
};

int work(const WorkerRequest& request) {
  auto ctx = box::install::context_from_environment(box_run_beside_me());
  if (!ctx) {
    report(box::manager::failure_line(ctx.error().message(), false));
    return 1;
  }
  // box-manager reloads the user manager itself once this process is done,
  // through its own connection, and then announces ContainerNew/Removed.
  ctx->reload = nullptr;

  if (request.op == WorkerRequest::Op::kUninstall) {
    // Once begun, an uninstall is finished: its stop is waited for whole.
    ctx->stop_unit = [](const std::string& unit) { return box::manager::stop_user_unit(unit); };
    auto r = box::install::uninstall(*ctx, request.name, request.purge);
    // What was left in place, and why, goes to box-manager's journal.
    if (r)
      for (const auto& note : *r) box::log_warning("uninstall '" + request.name + "': " + note);
    report(r ? box::manager::uninstalled_line()
             : box::manager::failure_line(r.error().message(), false));
    return r ? 0 : 1;
  }
  box::install::InstallOptions options = box::manager::install_options_of(request);
  options.cancel = &g_cancel;
  // Waiting for the old container to stop (a replace) ends on a cancel too.
  ctx->stop_unit = [](const std::string& unit) {
    return box::manager::stop_user_unit(unit, &g_cancel);
  };
  ProgressReporter progress;
  auto r = box::install::install(*ctx, request.source, options,
                                 [&](const box::install::Progress& p) { progress(p); });
  if (!r) {
    report(box::manager::failure_line(r.error().message(), g_cancel.load()));
    return 1;
  }
  report(box::manager::installed_line(*r));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  box::log_set_program("box-install-worker");
  // The report pipe is for this process alone, not for newuidmap & co.
  if (fcntl(kReportFd, F_SETFD, FD_CLOEXEC) != 0) {
    box::log_error("fd 3 is not open: box-install-worker reports to box-manager there");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  // No SA_RESTART: a cancel interrupts what waits (see the top).
  struct sigaction sa {};
  sa.sa_handler = on_cancel_signal;
  sa.sa_flags = 0;
  sigemptyset(&sa.sa_mask);
  sigset_t cancel_signals;
  sigemptyset(&cancel_signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) {
    sigaction(s, &sa, nullptr);
    sigaddset(&cancel_signals, s);
  }
  // box-manager starts us with them blocked (install_jobs.cc): one that
  // came before the handler was there is delivered now.
  sigprocmask(SIG_UNBLOCK, &cancel_signals, nullptr);

  auto request =
      box::manager::parse_worker_arguments(std::vector<std::string>(argv + 1, argv + argc));
  if (!request) {
    report(box::manager::failure_line(request.error().message(), false));
    return 2;
  }
  try {
    return work(*request);
  } catch (const std::exception& e) {
    report(box::manager::failure_line(std::string("unexpected error: ") + e.what(), false));
  }
  return 1;
}
