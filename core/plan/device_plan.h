// The host devices a definition names (`devices:`, core/model/devices.h),
// as mount steps of the run plan: each bound at its own path in the box's
// /dev. A rootless box cannot mknod a device (the kernel makes no device
// node in a user namespace), and a node on a file system mounted in one
// does not open (SB_I_NODEV); a bind of the host's node keeps the host's
// devtmpfs, where it opens. So the bind is nosuid and noexec but never
// nodev. Who may open it is the host's mode and owner: a node owned by a
// host group opens inside only for a box that keeps the caller's groups
// (`keep_groups`, process_setup.cc). Pure.
#pragma once

#include <vector>

#include "core/model/devices.h"
#include "core/plan/run_plan.h"

namespace box {

// Appends the binds of `devices` to p.mounts and lists them in p.devices.
void plan_devices(const std::vector<DeviceSpec>& devices, RunPlan& p);

}  // namespace box
