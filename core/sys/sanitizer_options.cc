// Linked into every executable of the sanitizer build (BOX_SANITIZE=ON)
// only: the defaults the AddressSanitizer and UndefinedBehaviorSanitizer
// runtimes read before ASAN_OPTIONS / UBSAN_OPTIONS (which still override
// them). Compiled in rather than set in the environment because box-run,
// box-manager, the generator and the install worker are started by systemd
// and D-Bus with environments of their own.
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

// Reports go to files (PATH.PID, one per process, with the program's name
// in it) when the sanitizer test run has made the directory: a report
// there fails the run (tests/sanitize-reports). Otherwise to stderr.
// A fault signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE) is left to the program
// and the kernel: box-run must die of one sent from outside as any program
// would (OwnSignals.FaultSignalsEndBoxRunAndAreNotForwarded), which the
// sanitizers' own handlers (a report, then exit 1) would change. Bad
// accesses are still caught by the instrumentation, before any fault.
#define BOX_FAULT_SIGNALS "handle_segv=0:handle_sigbus=0:handle_sigill=0:handle_sigfpe=0"
#define BOX_ASAN_OPTIONS \
  "detect_leaks=1:halt_on_error=1:print_summary=1:log_exe_name=1:" BOX_FAULT_SIGNALS
#define BOX_UBSAN_OPTIONS \
  "halt_on_error=1:print_stacktrace=1:print_summary=1:log_exe_name=1:" BOX_FAULT_SIGNALS

namespace {

// The runtimes call these hooks while they initialise, before their libc
// interceptors are ready: a raw system call only.
bool report_dir_writable() {
  return ::syscall(SYS_faccessat, AT_FDCWD, BOX_SANITIZE_REPORT_DIR, W_OK) == 0;
}

}  // namespace

extern "C" const char* __asan_default_options() {
  return report_dir_writable() ? BOX_ASAN_OPTIONS ":log_path=" BOX_SANITIZE_REPORT_DIR "/asan"
                               : BOX_ASAN_OPTIONS;
}

extern "C" const char* __ubsan_default_options() {
  return report_dir_writable() ? BOX_UBSAN_OPTIONS ":log_path=" BOX_SANITIZE_REPORT_DIR "/ubsan"
                               : BOX_UBSAN_OPTIONS;
}
