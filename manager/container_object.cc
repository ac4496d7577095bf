#include "manager/container_object.h"

#include "bus/errors.h"
#include "bus/object_paths.h"
#include "core/model/names.h"
#include "core/runtime/box_cgroup.h"
#include "manager/unit_changes.h"

namespace box::manager {

std::optional<ContainerInfo> Snapshot::info(const std::string& name) {
  auto it = infos_.find(name);
  if (it == infos_.end()) it = infos_.emplace(name, registry_.find(name)).first;
  return it->second;
}

const UnitRuntime& Snapshot::runtime(const std::string& unit) {
  auto it = runtimes_.find(unit);
  if (it != runtimes_.end()) return it->second;
  try {
    return runtimes_.emplace(unit, systemd_.unit_runtime(unit)).first->second;
  } catch (const sdbus::Error& e) {
    throw systemd_error("read the state of " + unit, e);
  }
}

void Snapshot::clear() {
  infos_.clear();
  runtimes_.clear();
}

ContainerObject::ContainerObject(sdbus::IConnection& connection, const std::string& name,
                                 Snapshot& snapshot)
    : AdaptorInterfaces(connection, container_object_path(name)),
      name_(name),
      unit_(unit_name(name)),
      snapshot_(snapshot) {
  registerAdaptor();
}

ContainerObject::~ContainerObject() { unregisterAdaptor(); }

ContainerInfo ContainerObject::info() {
  // The file may vanish between the last scan and this read; the object is
  // removed at the next scan, and until then shows that.
  auto i = snapshot_.info(name_);
  if (i) return *i;
  ContainerInfo gone;
  gone.name = name_;
  gone.error = "the definition file was removed";
  return gone;
}

const UnitRuntime& ContainerObject::runtime() { return snapshot_.runtime(unit_); }

std::string ContainerObject::Description() { return info().description; }
std::string ContainerObject::State() {
  return container_state(info().valid, runtime().active_state);
}
std::string ContainerObject::SubState() { return runtime().sub_state; }
std::string ContainerObject::Error() { return info().error; }
uint32_t ContainerObject::MainPID() { return runtime().main_pid; }
bool ContainerObject::Paused() {
  if (!is_running(runtime().active_state)) return false;
  auto dirs = box_container_cgroup(runtime().control_group);
  return dirs && cgroup_frozen(*dirs);
}
uint64_t ContainerObject::Since() { return runtime().since_usec; }
int32_t ContainerObject::ExitStatus() {
  return shell_exit_status(runtime().exec_main_code, runtime().exec_main_status);
}
std::string ContainerObject::DefinitionPath() { return info().definition_path; }
std::string ContainerObject::Rootfs() { return info().rootfs; }
std::string ContainerObject::Image() { return info().image; }
std::string ContainerObject::NextStart() { return snapshot_.next_start(name_, runtime().main_pid); }
namespace {

sdbus::Struct<bool, std::vector<sdbus::Struct<std::string, std::string, std::string>>> bus_reach(
    const std::optional<BusRules>& rules) {
  std::vector<sdbus::Struct<std::string, std::string, std::string>> grants;
  if (rules)
    for (const auto& g : bus_grants(*rules)) grants.emplace_back(g.level, g.name, g.rule);
  return {rules.has_value(), std::move(grants)};
}

}  // namespace

sdbus::Struct<bool, std::vector<sdbus::Struct<std::string, std::string, std::string>>>
ContainerObject::SessionBus() {
  return bus_reach(info().session_bus);
}
sdbus::Struct<bool, std::vector<sdbus::Struct<std::string, std::string, std::string>>>
ContainerObject::SystemBus() {
  return bus_reach(info().system_bus);
}
std::vector<std::string> ContainerObject::Devices() { return info().devices; }
bool ContainerObject::KeepGroups() { return info().keep_groups; }
std::vector<std::string> ContainerObject::SessionSockets() { return info().session; }
std::string ContainerObject::AppId() { return info().app_id; }
std::string ContainerObject::Pod() { return info().pod; }
std::string ContainerObject::Autostart() { return autostart_from_wanted_by(runtime().wanted_by); }

void ContainerObject::unit_changed(const std::string& interface,
                                   const std::map<std::string, sdbus::Variant>& changed,
                                   const std::vector<std::string>& invalidated) {
  auto changes = translate_unit_changes(interface, changed, invalidated, info().valid);
  if (changes.empty()) return;
  // Built by hand rather than with emitPropertiesChangedSignal, which would
  // read the values again: these are the ones systemd reported for this
  // transition, so a watcher sees every step (activating, active, ...).
  auto signal = getObject().createSignal("org.freedesktop.DBus.Properties", "PropertiesChanged");
  signal << std::string(INTERFACE_NAME) << changes.changed << changes.invalidated;
  getObject().emitSignal(signal);
}

void ContainerObject::definition_changed() {
  getObject().emitPropertiesChangedSignal(INTERFACE_NAME, {"Description", "State", "Error", "DefinitionPath",
                                               "Rootfs", "Image", "NextStart", "SessionBus", "SystemBus",
                                               "Devices", "KeepGroups", "SessionSockets", "AppId", "Pod"});
}

void ContainerObject::paused_changed() {
  getObject().emitPropertiesChangedSignal(INTERFACE_NAME, {"Paused"});
}

void ContainerObject::autostart_changed() {
  getObject().emitPropertiesChangedSignal(INTERFACE_NAME, {"Autostart"});
}

}  // namespace box::manager
