// The executor: the only code that creates namespaces, mounts, writes id
// maps and drops capabilities. It carries out a RunPlan and nothing else.
#pragma once

#include <sys/types.h>

#include "result.h"
#include "run_plan.h"
#include "unique_fd.h"

namespace box {

// A container whose PID 1 has been exec'd (or whose setup failed).
struct StartedContainer {
  pid_t pid = -1;  // PID 1 of the container, as seen from the supervisor
};

// What went wrong while setting up the container, for the exit code.
enum class SetupFailure { kNone, kSetup, kNotFound, kNotExecutable };

struct SetupError {
  SetupFailure kind = SetupFailure::kNone;
  Error error;
};

// Clones the container's first process with the plan's namespaces; it builds
// the filesystem, pivots into it and execs the command. Returns once the exec
// succeeded, or with the child's precise error (the child is then reaped).
// Signals the caller has blocked are unblocked in the child right before
// exec, so a signal sent during setup is delivered to the command, not lost.
Result<StartedContainer> start_container(const RunPlan& plan, SetupError* failure);

}  // namespace box
