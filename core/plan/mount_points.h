// Mount points a read-only root lacks. runc and bwrap-oci create a missing
// mount point in the rootfs itself; box never writes a read-only rootfs
// (it may be the user's own directory), so a start whose plan needs one
// gets its root as an overlay with a private tmpfs upper layer, the mount
// points made there, the root made read-only once the mounts are in place:
// the container sees a read-only root with its mount points, the rootfs is
// untouched, and a start that needs none pays nothing. Pure: which targets
// to look for, and the plan change once core/runtime has looked.
#pragma once

#include <string>
#include <vector>

#include "core/plan/run_plan.h"

namespace box {

// The targets of `plan.mounts` whose mount point would be made in the
// rootfs itself: not below an earlier step's mount (a /dev tmpfs takes
// /dev/pts), nor a step that is skipped where its target is missing (masks,
// read-only remounts, optional file binds). Empty unless the root is
// read-only (rootfs_writes: readonly).
std::vector<std::string> rootfs_mount_points(const RunPlan& plan);

// Given the targets of rootfs_mount_points() that the rootfs lacks, makes
// the root a private overlay (tmpfs upper layer) that is made read-only after
// the mounts. Nothing changes when `missing` is empty.
void provide_mount_points(RunPlan& plan, const std::vector<std::string>& missing);

}  // namespace box
