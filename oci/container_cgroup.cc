#include "oci/container_cgroup.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

namespace box::oci {

Result<CgroupDirs> prepare_container_cgroup(const Globals& g, Log& log, const CgroupRequest& req) {
  const bool rootless = !is_host_root();
  const bool has_resources = !req.resources_json.empty() && req.resources_json != "{}";
  auto none = [&](const std::string& why) -> Result<CgroupDirs> {
    log.warn("container '" + req.id + "' gets no cgroup of its own: " + why +
             (has_resources ? "; linux.resources not applied" : "") +
             " (run box-oci in a delegated cgroup2 subtree, e.g. systemd-run --user --scope -p "
             "Delegate=yes)");
    return CgroupDirs{};
  };
  auto hierarchies = host_cgroup_hierarchies();
  if (!hierarchies) {
    if (rootless) return none(hierarchies.error().message());
    return hierarchies.error();
  }
  CgroupPlacementInput in;
  in.cgroups_path = req.cgroups_path;
  in.id = req.id;
  in.systemd = g.systemd_cgroup;
  in.rootless = rootless;
  in.uid = ::geteuid();
  auto dirs = place_oci_cgroup(*hierarchies, in);
  if (!dirs) {
    if (rootless && !g.systemd_cgroup) return none(dirs.error().message());
    return dirs.error();
  }
  auto plan = plan_oci_resources(req.resources_json, cgroup_controllers(*dirs), true, req.device_rules);
  if (!plan) return plan.error();
  for (const auto& w : plan->warnings) log.warn(w);
  if (auto made = create_cgroup_dirs(*dirs); !made) {
    const int err = made.error().errno_value();
    if (rootless && (err == EACCES || err == EPERM || err == EROFS || err == ENOENT))
      return none(made.error().message());
    remove_cgroup_dirs(*dirs);
    return made.error();
  }
  auto written = apply_cgroup_writes(*dirs, plan->writes);
  if (!written) {
    remove_cgroup_dirs(*dirs);
    return written.error().wrap("linux.resources");
  }
  for (const auto& w : *written) log.warn(w);
  std::string where;
  for (const auto& [key, dir] : *dirs) where += " " + dir;
  log.debug("container '" + req.id + "' cgroup:" + where);
  return *dirs;
}

Result<void> signal_cgroup(const CgroupDirs& dirs, int sig) {
  const bool froze = static_cast<bool>(freeze_cgroup(dirs, true));
  auto pids = cgroup_pids(dirs);
  if (pids)
    for (pid_t p : *pids) ::kill(p, sig);
  if (froze) (void)freeze_cgroup(dirs, false);
  if (!pids) return pids.error();
  return {};
}

void discard_container_cgroup(Log& log, const CgroupDirs& dirs) {
  if (dirs.empty()) return;
  for (int i = 0; i < 100; ++i) {
    auto pids = cgroup_pids(dirs);
    if (!pids || pids->empty()) break;
    for (pid_t p : *pids) ::kill(p, SIGKILL);
    if (cgroup_frozen(dirs)) (void)freeze_cgroup(dirs, false);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (int i = 0; i < 100; ++i) {
    if (remove_cgroup_dirs(dirs)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::string where;
  for (const auto& [key, dir] : dirs) where += " '" + dir + "'";
  log.warn("could not remove the container's cgroup" + where + ": it still has processes");
}

}  // namespace box::oci
