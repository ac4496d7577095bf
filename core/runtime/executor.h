// The executor: the only code that creates namespaces, mounts, writes id
// maps and drops privileges. It carries out a RunPlan and nothing else.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>

#include "core/plan/run_plan.h"
#include "core/plan/seccomp_filter.h"
#include "core/runtime/fuse_overlay.h"
#include "core/sys/result.h"
#include "core/sys/unique_fd.h"

namespace box {

// A container whose PID 1 has been exec'd.
struct StartedContainer {
  pid_t pid = -1;  // PID 1 of the container, as seen from the supervisor
  // fuse-overlayfs serving the container's root, when it does (the
  // supervisor stops it once the container has ended).
  std::optional<FuseOverlayServer> fuse;
  // plan.terminal: the master of the container's terminal (its stdio).
  UniqueFd terminal;
};

// What went wrong while setting up the container, for the exit code.
enum class SetupFailure { kNone, kSetup, kNotFound, kNotExecutable };

struct SetupError {
  SetupFailure kind = SetupFailure::kNone;
  Error error;
};

// Clones the container's first process with the plan's namespaces. The
// supervisor side writes id maps through newuidmap/newgidmap when the plan
// needs them; the child builds the filesystem, pivots, drops privileges,
// loads `seccomp` (if not null) and execs the command (for init: tiny, it
// stays as a reaper and runs the command as its child). Returns once the
// exec succeeded, or with the child's precise error (the child reaped).
// Signals the caller has blocked are unblocked right before exec, so a
// signal sent during setup reaches the command instead of being lost.
// When the root is an overlay that fuse-overlayfs serves (overlay_driver:
// fuse, or auto where the kernel refuses), the child mounts the FUSE
// connection and hands it over; the caller starts fuse-overlayfs on it
// (fuse_overlay.h) while the child waits.
// `after_clone`, if set, runs in the caller with the child's PID while the
// child waits (after the id maps are written, before it enters its cgroup
// namespace and builds its filesystem): the place to move it into a cgroup
// or attach a network helper to its namespace.
using AfterClone = std::function<Result<void>(pid_t)>;
// `before_pivot`, if set, runs in the caller with the child's PID once the
// child has built its filesystem (every mount made) and before it pivots
// into it: the runtime-spec's point for the prestart and createRuntime
// hooks, which run in the runtime's namespaces while the container's exist.
// What it returns is the stdin of plan.create_container_hooks and
// plan.start_container_hooks (the container's state); an error fails the
// start with that message.
using BeforePivot = std::function<Result<std::string>(pid_t)>;

Result<StartedContainer> start_container(const RunPlan& plan, const SeccompProgram* seccomp,
                                         SetupError* failure, const AfterClone& after_clone = {},
                                         const BeforePivot& before_pivot = {});

}  // namespace box
