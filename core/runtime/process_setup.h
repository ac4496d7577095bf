// The container process's own state, set after pivot_root and before exec:
// network loopback, hostname, resource limits, user and groups,
// capabilities. Runs between clone and exec: no exceptions.
#pragma once

#include "core/plan/run_plan.h"
#include "core/runtime/rootfs_setup.h"

namespace box {

bool bring_loopback_up(StepError& error);

bool apply_rlimits(const RunPlan& plan, StepError& error);

// plan.oom_score_adj, if set.
bool apply_oom_score_adj(const RunPlan& plan, StepError& error);

// Switches to the plan's uid/gid/groups keeping exactly plan.capabilities:
// the bounding set for everyone; effective/permitted for root inside;
// inheritable and ambient too for another user, so the command keeps them
// across exec.
bool apply_identity(const RunPlan& plan, StepError& error);

}  // namespace box
