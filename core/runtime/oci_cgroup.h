// An OCI container's cgroup on the host: created where place_oci_cgroup
// (core/plan/oci_cgroups.h) says, limits written, the container's first
// process moved in, frozen and thawed, read for ps and stats, removed.
// Directories are keyed by hierarchy ("" the cgroup2 one, "memory",
// "name=systemd" ... the v1 ones).
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "core/plan/oci_cgroups.h"
#include "core/sys/result.h"

namespace box {

using CgroupDirs = std::map<std::string, std::string>;

// This process's hierarchies (/proc/self/mountinfo + /proc/self/cgroup).
Result<std::vector<CgroupHierarchy>> host_cgroup_hierarchies();

// The controllers `dirs` can use: the v1 ones they name, and those cgroup2
// offers at the nearest existing ancestor of the cgroup2 directory.
CgroupControllers cgroup_controllers(const CgroupDirs& dirs);

// Makes each directory (and missing parents; v1 cpuset parents get their
// parent's cpus and mems, without which nothing can join them).
Result<void> create_cgroup_dirs(const CgroupDirs& dirs);

// Writes the plan. cgroup2 controllers are enabled down the path first.
// Writes refused with EINVAL/EBUSY are retried once after the rest (memory
// before memsw, or the other way round, depends on the values in place).
// Fields the kernel does not offer (kmem and memsw files, blkio weights
// without BFQ, a controller that cannot be enabled) come back as warnings;
// any other failure is an error naming the file.
Result<std::vector<std::string>> apply_cgroup_writes(const CgroupDirs& dirs,
                                                     const std::vector<CgroupWrite>& writes);

Result<void> join_cgroup_dirs(const CgroupDirs& dirs, pid_t pid);

// The processes in the container's cgroup (cgroup.procs of the cgroup2
// directory, else of the first v1 one), sorted; recursive.
Result<std::vector<pid_t>> cgroup_pids(const CgroupDirs& dirs);

// cgroup2's cgroup.freeze (which works on hybrid hosts too), else the v1
// freezer; waits until the kernel reports the cgroup frozen.
Result<void> freeze_cgroup(const CgroupDirs& dirs, bool frozen);
bool cgroup_frozen(const CgroupDirs& dirs);

// Removes every directory (leaves first); false if one still holds processes.
bool remove_cgroup_dirs(const CgroupDirs& dirs);

// runc's stats object (events --stats): cpu, memory, pids, blkio, hugetlb,
// as JSON text.
std::string cgroup_stats_json(const CgroupDirs& dirs);

}  // namespace box
