// Starting processes: the one way box forks a helper, to exec a program or
// to run a function of its own; the one way a child reports why it failed;
// and the descriptor rules every process box starts beside or inside a
// container follows (docs/security.md). A process gets exactly the
// descriptors it is given: stdio and a numbered list, everything else the
// caller holds (a shell's `exec 5<DIR`, a CI runner's, a service
// manager's) really closed, not only marked close-on-exec, so that nothing
// of the caller can be reached through /proc/PID/fd even in a process that
// never execs.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/sys/result.h"
#include "core/sys/unique_fd.h"

namespace box {

// --- Child side: between fork and exec (or _exit); async-signal-safe. ---

// Closes every descriptor above 2 except those in `keep` (unsorted; -1
// entries are ignored), which keep their numbers. For a forked process that
// does not exec (a tiny init, a joining process, a worker).
bool close_fds_except(const int* keep, std::size_t count);

// A descriptor of the parent's that the child gets at `target`.
struct FdPlacement {
  int source = -1;
  int target = -1;
  bool cloexec = false;  // for the child's own use before exec only
};

// Places each `source` at its `target` (sources may be any numbers,
// including each other's targets) and closes every other descriptor above
// 2 that is not a target. Targets above 2 must be 3, 4, ... without gaps
// (in any order); targets 0-2 may be left out (then kept as they are).
bool place_fds(const FdPlacement* fds, std::size_t count);

// --- The report: how every child box starts says why it failed ------------

// A child that fails before its work is done (before its exec, or in the
// function it runs) writes one record on its report pipe, which is
// close-on-exec: the status it exits with, the errno and the message. End
// of file without a record: the exec happened, or the function ended with
// nothing to report. spawn(), spawn_function() and the container's own
// processes (executor.cc, enter.cc) all speak it.

// Writes "what: <the errno's text>" ("what" alone when `err` is 0) and
// exits with `status`. Async-signal-safe: makes system calls only.
[[noreturn]] void report_child_failure(int report_fd, int status, const char* what, int err);

// The same with `error` (its message and errno), for a child that runs
// box's own code (it allocates).
[[noreturn]] void report_child_error(int report_fd, int status, const Error& error);

struct ChildFailure {
  int status = 0;  // what the child exits with
  Error error;
};

// What a report says: nothing, or the failure.
std::optional<ChildFailure> decode_child_report(std::string_view report);

// Reads `report_fd` to end of file and decodes it.
std::optional<ChildFailure> read_child_report(int report_fd);

// --- Parent side -------------------------------------------------------------

struct SpawnChild;

// What the child of spawn() or spawn_function() is. Everything is prepared
// in the parent; the child makes system calls only (and runs `prepare`,
// which must do the same).
struct SpawnSpec {
  // spawn() only: argv[0] is the program's path: absolute, or looked up in
  // `path` (as find_program does) when `search_path`.
  std::vector<std::string> argv;
  // spawn() only: the file to execute when argv[0] is not it (an OCI
  // hook's path beside its args, whose first is only a name).
  std::string exec_path;
  bool search_path = false;
  std::string path;  // for search_path; empty: the caller's $PATH
  // spawn() only: the environment; `inherit_env`: the caller's instead.
  std::vector<std::string> env;
  bool inherit_env = true;

  // stdin, stdout and stderr: a descriptor of the caller's, kDevNull or
  // kInherit (the caller's own 0, 1 or 2).
  static constexpr int kInherit = -1;
  static constexpr int kDevNull = -2;
  int stdin_fd = kDevNull;
  int stdout_fd = kInherit;
  int stderr_fd = kInherit;
  // Descriptors the child gets as 3, 4, ... in this order.
  std::vector<int> pass_fds;

  // spawn_function() only: the child keeps every descriptor of the
  // caller's at its number (stdio and pass_fds are not placed, nothing is
  // closed but the parent's end of the report pipe), for a function that
  // works on files the caller has open: the install worker's unpack, in a
  // worker that holds nothing else (docs/security.md).
  bool keep_descriptors = false;

  int death_signal = SIGKILL;        // sent when the caller dies; 0: none
  bool new_session = false;          // setsid(): no controlling terminal
  std::vector<int> ignored_signals;  // SIG_IGN (survives exec); others default
  std::vector<int> blocked_signals;  // its signal mask; others unblocked

  // spawn() only: runs in the child first (after its session and signals,
  // before the death signal, since changing credentials clears that, and
  // before the descriptors are placed, so it may still use the caller's).
  // It may set `exec_fd` to execute that file (execveat) instead of
  // argv[0]. False: the child reports `error` and exits.
  std::function<bool(SpawnChild&)> prepare;
};

struct SpawnChild {
  std::string what;  // the failed step, "join the user namespace"
  int err = 0;       // its errno
  int exec_fd = -1;
};

// Forks, sets the child up as `spec` says and execs it; returns its PID once
// the exec has happened, or the child's error (it is reaped then): "execute
// '/usr/bin/pasta': No such file or directory", with errno_value() set.
Result<pid_t> spawn(const SpawnSpec& spec);

// A child that runs a function of box's instead of a program: a process
// that joins a container (boxctl enter), works in a user namespace of its
// own (the install worker's unpack), or probes what the kernel allows
// (boxctl doctor).
struct SpawnedFunction {
  pid_t pid = -1;
  UniqueFd report;  // the child's report pipe: read_child_report()
};

// Forks and starts the child as spawn() does (session, signals, death
// signal, stdio and `pass_fds` placed, every other descriptor closed; the
// passed ones are close-on-exec here, for the function's own use; or, with
// `keep_descriptors`, the caller's as they are), then runs
// `body(report_fd)` in it, the report pipe placed after the passed
// descriptors; the child exits with what `body` returns, unless `body`
// ends it first (report_child_failure(), an exec). Returns at once. The
// child is a copy of the caller: `body` must make system calls only, or
// the caller be single-threaded. `body` must not throw.
Result<SpawnedFunction> spawn_function(const SpawnSpec& spec,
                                       const std::function<int(int report_fd)>& body);

// Waits for our child `pid` and returns its status as a shell gives it
// (exit code, or 128 + signal).
int wait_exit_code(pid_t pid);

}  // namespace box
