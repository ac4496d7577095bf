// The supervisor: the process systemd sees as the service's main process.
// It starts the container, tells systemd when it is ready, forwards signals
// to the container's PID 1 and ends the way PID 1 ended.
#pragma once

#include "core/plan/run_plan.h"
#include "core/sys/result.h"

namespace box {

struct SupervisorOptions {
  // Talk to the service manager ($NOTIFY_SOCKET): READY=1 once PID 1 has
  // been exec'd, or the container's own readiness relayed.
  bool notify_ready = true;
  // Put the container in a child cgroup of ours (ours must be delegated to
  // us, as systemd does for box@.service).
  bool use_cgroup = true;
};

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

// Runs the container to completion.
ContainerEnd supervise(const RunPlan& plan, const SupervisorOptions& options);

// Ends this process by `sig` (as ContainerEnd::signal asks), with its
// default action restored and no core dump of ours.
[[noreturn]] void end_by_signal(int sig);

}  // namespace box
