// The cgroup side of a container's life under box-oci: placing a new
// container (linux.cgroupsPath, --systemd-cgroup, rootless or root) with
// its linux.resources written, and taking it down at delete. The pure rules
// are core/plan/oci_cgroups.h, the writing core/runtime/oci_cgroup.h.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/runtime/oci_cgroup.h"
#include "core/sys/result.h"
#include "oci/commands.h"
#include "oci/log.h"

namespace box::oci {

struct CgroupRequest {
  std::string cgroups_path;
  std::string resources_json;
  std::string id;
  std::vector<std::string> device_rules;  // allow rules for linux.devices ("c 10:200 rwm")
};

// Creates the container's cgroup and writes its limits. As root, failures
// are errors. Rootless, a caller without a writable cgroup2 subtree gets no
// cgroup: an empty result and a warning (and one for the resources not
// applied), never a silent drop.
Result<CgroupDirs> prepare_container_cgroup(const Globals& g, Log& log, const CgroupRequest& req);

// Kills what is left in the cgroup (SIGKILL, thawed so it can die) and
// removes it; waits up to a second for the kernel to let it go.
void discard_container_cgroup(Log& log, const CgroupDirs& dirs);

// Sends `sig` to every process in the cgroup, frozen meanwhile when it can
// be, so no process forks past the signal.
Result<void> signal_cgroup(const CgroupDirs& dirs, int sig);

}  // namespace box::oci
