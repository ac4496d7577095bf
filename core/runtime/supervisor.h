// The supervisor: the process systemd sees as the service's main process.
// It carries out a run plan around the executor, in four phases: prepare
// (signals blocked, the notify socket and the container's cgroup the plan
// asks for), launch (the container, with its cgroup and network helper
// attached while it waits), watch (readiness to the service manager,
// signals forwarded to PID 1, the container's notifications, console and
// fuse-overlayfs output relayed, until PID 1 ends) and teardown. It changes
// nothing in the plan, and ends the way PID 1 ended.
#pragma once

#include <optional>

#include "core/plan/run_plan.h"
#include "core/runtime/console_pty.h"
#include "core/sys/result.h"

namespace box {

// Exit codes for failures before the command runs, as podman and crun use
// them, so scripts can tell "box failed" from "the command failed".
inline constexpr int kExitSetupFailed = 125;
inline constexpr int kExitNotExecutable = 126;
inline constexpr int kExitNotFound = 127;

// How the container ended.
struct ContainerEnd {
  // As a shell shows it: PID 1's exit status, 128+N when it was killed by
  // signal N, or kExit* after logging why the container could not start.
  int exit_code = 1;
  // N when PID 1 was killed by signal N, or was ended because a signal N it
  // had no handler for would have ended it outside a container (the kernel
  // drops such a signal for the init of a pid namespace). box-run then ends
  // by the same signal, so a service manager or a shell sees what it would
  // see of the program run directly. 0 otherwise.
  int signal = 0;
};

// Runs the container `plan` describes to completion. `console`: the pty the
// plan binds at /dev/console (plan.console), relayed to our stdout.
ContainerEnd supervise(const RunPlan& plan, std::optional<ConsolePty> console);

// Ends this process by `sig` (as ContainerEnd::signal asks), with its
// default action restored and no core dump of ours.
[[noreturn]] void end_by_signal(int sig);

}  // namespace box
