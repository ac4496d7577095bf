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

// A created child cgroup; removed (when empty) by remove().
class ContainerCgroup {
 public:
  // Creates `leaf` under each of our cgroups. Fails with EACCES/EROFS when
  // our cgroup is not delegated to us (e.g. box-run run from a shell).
  static Result<ContainerCgroup> create(const std::string& leaf);

  Result<void> add(pid_t pid) const;
  void remove() const;
  const std::vector<std::string>& dirs() const { return dirs_; }

 private:
  std::vector<std::string> dirs_;
};

}  // namespace box
