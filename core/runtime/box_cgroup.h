// A managed box's container cgroup, as box-manager reaches it: the child
// box-run made below the cgroup systemd delegated to box@NAME.service
// (core/sys/cgroup.h), frozen and thawed, its processes listed, its usage
// read, through the same code box-oci uses (oci_cgroup.h).
#pragma once

#include <string>
#include <vector>

#include "core/plan/box_processes.h"
#include "core/runtime/oci_cgroup.h"
#include "core/sys/result.h"

namespace box {

// The container's cgroup2 directory for the unit whose ControlGroup (as
// systemd gives it: "/user.slice/.../box@NAME.service") is `unit_cgroup`;
// an error when the unit has no cgroup or box-run made none (a box-run
// outside systemd, or an old one).
Result<CgroupDirs> box_container_cgroup(const std::string& unit_cgroup);

// Every process in it, by PID inside the box; those that ended while being
// read are left out.
Result<std::vector<BoxProcess>> box_processes(const CgroupDirs& dirs);

}  // namespace box
