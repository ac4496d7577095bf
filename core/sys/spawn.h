// Starting processes: the one way box forks a helper and execs it, and the
// descriptor rules every process box starts beside or inside a container
// follows (docs/security.md). A process gets exactly the descriptors it is
// given: stdio and a numbered list, everything else the caller holds (a
// shell's `exec 5<DIR`, a CI runner's, a service manager's) really closed,
// not only marked close-on-exec, so that nothing of the caller can be
// reached through /proc/PID/fd even in a process that never execs.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "core/sys/result.h"

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

// --- Parent side -------------------------------------------------------------

struct SpawnChild;

// What the child of spawn() is. Everything is prepared in the parent; the
// child makes system calls only (and runs `prepare`, which must do the same).
struct SpawnSpec {
  // argv[0] is the program's path: absolute, or looked up in `path` (as
  // find_program does) when `search_path`.
  std::vector<std::string> argv;
  bool search_path = false;
  std::string path;  // for search_path; empty: the caller's $PATH
  // The environment; `inherit_env`: the caller's instead.
  std::vector<std::string> env;
  bool inherit_env = true;

  // stdin, stdout and stderr: a descriptor of the caller's, kDevNull or
  // kInherit (the caller's own 0, 1 or 2).
  static constexpr int kInherit = -1;
  static constexpr int kDevNull = -2;
  int stdin_fd = kDevNull;
  int stdout_fd = kInherit;
  int stderr_fd = kInherit;
  // Descriptors the program gets as 3, 4, ... in this order.
  std::vector<int> pass_fds;

  int death_signal = SIGKILL;        // sent when the caller dies; 0: none
  bool new_session = false;          // setsid(): no controlling terminal
  std::vector<int> ignored_signals;  // SIG_IGN (survives exec); others default
  std::vector<int> blocked_signals;  // the mask it execs with; others unblocked

  // Runs in the child first (after its session and signals, before the
  // death signal, since changing credentials clears that, and before the
  // descriptors are placed, so it may still use the caller's). It may set
  // `exec_fd` to execute that file (execveat) instead of argv[0]. False:
  // the child reports `error` and exits.
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

// Waits for our child `pid` and returns its status as a shell gives it
// (exit code, or 128 + signal).
int wait_exit_code(pid_t pid);

}  // namespace box
