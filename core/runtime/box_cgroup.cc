#include "core/runtime/box_cgroup.h"

#include <unistd.h>

#include <algorithm>

#include "core/sys/cgroup.h"
#include "core/sys/small_file.h"

namespace box {

Result<CgroupDirs> box_container_cgroup(const std::string& unit_cgroup) {
  if (unit_cgroup.empty() || unit_cgroup.front() != '/')
    return Error("systemd gives the unit no cgroup (ControlGroup '" + unit_cgroup + "')");
  const CgroupLayout layout = detect_cgroup_layout();
  if (layout.unified_mount.empty())
    return Error("this host mounts no cgroup2 hierarchy (neither /sys/fs/cgroup nor "
                 "/sys/fs/cgroup/unified): box-run made the box no cgroup of its own");
  const std::string dir = layout.unified_mount + unit_cgroup + "/" + kContainerCgroupLeaf;
  if (::access(dir.c_str(), F_OK) != 0)
    return Error::from_errno("the box's cgroup '" + dir +
                             "' (box-run makes it when systemd delegates the unit's cgroup)");
  return CgroupDirs{{"", dir}};
}

Result<std::vector<BoxProcess>> box_processes(const CgroupDirs& dirs) {
  auto pids = cgroup_pids(dirs);
  if (!pids) return pids.error();
  std::vector<BoxProcess> out;
  for (pid_t pid : *pids) {
    const std::string proc = "/proc/" + std::to_string(pid);
    auto status = read_small_file(proc + "/status");
    auto uid_map = read_small_file(proc + "/uid_map");
    auto cmdline = read_small_file(proc + "/cmdline", 1 << 16);
    if (!status || !uid_map || !cmdline) continue;  // ended meanwhile
    auto p = box_process(pid, *status, *uid_map, *cmdline);
    if (!p) return p.error();
    out.push_back(std::move(*p));
  }
  std::sort(out.begin(), out.end(),
            [](const BoxProcess& a, const BoxProcess& b) { return a.pid < b.pid; });
  return out;
}

}  // namespace box
