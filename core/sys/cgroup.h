// The container's own cgroup: a child of the service's delegated cgroup
// (systemd gives a `Delegate=yes` unit's cgroup to its user), so the
// container's processes are accounted and killed apart from box-run, and an
// inner systemd has a subtree it may write. Handles pure cgroup2 hosts and
// hybrid ones (cgroup2 at /sys/fs/cgroup/unified plus the name=systemd v1
// tree).
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/sys/result.h"

namespace box {

struct CgroupLayout {
  std::string unified_mount;  // "/sys/fs/cgroup" (pure) or "/sys/fs/cgroup/unified" (hybrid)
  std::string systemd_v1_mount;  // "/sys/fs/cgroup/systemd" on hybrid hosts, else empty
};

// Directories for a child named `leaf` of the calling process's cgroups, from
// the text of /proc/self/cgroup. Pure.
Result<std::vector<std::string>> child_cgroup_dirs(std::string_view proc_self_cgroup,
                                                   const CgroupLayout& layout,
                                                   const std::string& leaf);

// Which hierarchies this host mounts where (reads statfs of /sys/fs/cgroup).
CgroupLayout detect_cgroup_layout();

// Writes `value` to a cgroup control file in one write(2), as the kernel
// wants them (the error names the file and the value).
Result<void> write_control_file(const std::string& path, const std::string& value);

// Moves `pid` into the cgroup directory `dir` (its cgroup.procs).
Result<void> join_cgroup(const std::string& dir, pid_t pid);

// Removes `dir` and the cgroups below it, leaves first; only empty cgroups
// go, so a cgroup that still has processes stays (returns false then).
bool remove_cgroup_tree(const std::string& dir);

// The name of the container's cgroup below box-run's (its unit's), where
// box-run puts it and where box-manager finds it to pause it or list it.
inline constexpr const char* kContainerCgroupLeaf = "container";

// A created child cgroup; removed (when empty) by remove().
class ContainerCgroup {
 public:
  // Creates `leaf` under each of our cgroups. Fails with EACCES/EROFS when
  // our cgroup is not delegated to us (e.g. box-run run from a shell).
  static Result<ContainerCgroup> create(const std::string& leaf);

  Result<void> add(pid_t pid) const;
  // Thaws it where cgroup2's freezer has it frozen (boxctl pause): a stop
  // must reach the container at once, as systemd thaws a frozen unit to
  // stop it.
  void thaw() const;
  void remove() const;
  const std::vector<std::string>& dirs() const { return dirs_; }

 private:
  std::vector<std::string> dirs_;
};

}  // namespace box
