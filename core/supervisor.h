// The supervisor: the process systemd sees as the service's main process.
// It starts the container, tells systemd when it is ready, forwards signals
// to the container's PID 1 and exits with its status.
#pragma once

#include "result.h"
#include "run_plan.h"

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

// Runs the container to completion. Returns the container's exit status
// (128+N when PID 1 was killed by signal N), or kExit* after logging why the
// container could not start.
int supervise(const RunPlan& plan, const SupervisorOptions& options);

}  // namespace box
