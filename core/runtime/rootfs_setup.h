// Builds the container's filesystem inside its new mount namespace and
// pivots into it. Runs in the container's first process between clone and
// exec: no exceptions; every failure returns the step and errno.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/plan/run_plan.h"

namespace box {

struct StepError {
  std::string what;  // "mount tmpfs on '/run'"
  int err = 0;       // errno; 0 when `what` says it all
};

// Opened before anything is mounted: host paths the plan names (rootfs,
// bind sources, persistent upper dirs), so later mounts cannot hide them.
// The container child's close of every descriptor (executor.cc) ends them.
struct HostPaths {
  int rootfs = -1;
  int upper = -1;  // persistent writes: the parent of the upper and work dirs
  std::vector<int> bind_sources;  // per plan.mounts entry; -1 where none/skipped
};

bool open_host_paths(const RunPlan& plan, HostPaths& out, StepError& error);

// Has fuse-overlayfs serve `fuse_fd`, a FUSE connection mounted at the new
// root: it runs outside the container (fuse_overlay.h), so the supervisor
// starts it. False with `error` when it could not be started.
using ServeFuse = std::function<bool(int fuse_fd, StepError& error)>;

// Runs once every mount is made, before the root is made read-only and
// pivoted into (the host's paths still resolve): the OCI hooks' point.
using BeforePivotStep = std::function<bool(StepError& error)>;

// Mounts the root (per rootfs_writes and overlay_driver), applies
// plan.mounts and pivots into it; on return the process's root and cwd are
// the container's. `serve_fuse` is used when the overlay is fuse-overlayfs's,
// `before_pivot` (if set) before the pivot.
bool setup_rootfs(const RunPlan& plan, const HostPaths& host, const ServeFuse& serve_fuse,
                  const BeforePivotStep& before_pivot, StepError& error);

}  // namespace box
