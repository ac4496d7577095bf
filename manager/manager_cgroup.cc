// Pause, Resume, Top and Stats: box-manager on a running box's own cgroup
// (core/runtime/box_cgroup.h), which box-run made below the cgroup systemd
// delegated to the unit. Synchronous: a freeze is reported done by the
// kernel within milliseconds, and the reads are a few small files.
#include "bus/errors.h"
#include "core/model/names.h"
#include "core/runtime/box_cgroup.h"
#include "manager/manager_object.h"
#include "manager/unit_changes.h"

namespace box::manager {

CgroupDirs ManagerObject::running_cgroup(const std::string& name) {
  require(name, false);
  const UnitRuntime& runtime = snapshot_.runtime(unit_name(name));
  if (!is_running(runtime.active_state)) throw not_running(name);
  auto dirs = box_container_cgroup(runtime.control_group);
  if (!dirs) throw cgroup_error(name, dirs.error().message());
  return *dirs;
}

void ManagerObject::freeze(const std::string& name, bool frozen) {
  const CgroupDirs dirs = running_cgroup(name);
  if (auto done = freeze_cgroup(dirs, frozen); !done)
    throw cgroup_error(name, done.error().wrap(frozen ? "pause" : "resume").message());
  if (auto it = containers_.find(name); it != containers_.end()) {
    snapshot_.clear();
    it->second.object->paused_changed();
  }
}

void ManagerObject::Pause(const std::string& name) { freeze(name, true); }

void ManagerObject::Resume(const std::string& name) { freeze(name, false); }

std::vector<sdbus::Struct<uint32_t, uint32_t, uint32_t, std::string>> ManagerObject::Top(
    const std::string& name) {
  auto processes = box_processes(running_cgroup(name));
  if (!processes) throw cgroup_error(name, processes.error().message());
  std::vector<sdbus::Struct<uint32_t, uint32_t, uint32_t, std::string>> rows;
  for (const auto& p : *processes)
    rows.emplace_back(static_cast<uint32_t>(p.pid), static_cast<uint32_t>(p.host_pid),
                      static_cast<uint32_t>(p.uid), p.command);
  return rows;
}

std::map<std::string, uint64_t> ManagerObject::Stats(const std::string& name) {
  return box_stats(cgroup_stats_json(running_cgroup(name)));
}

}  // namespace box::manager
