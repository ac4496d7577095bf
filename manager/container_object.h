// The objects /dev/boxctl/box1/container/NAME implementing
// dev.boxctl.box1.Container. Thin: every property is read when asked, from
// the definition file and from systemd, through a snapshot that lives for
// one incoming message (so GetAll asks systemd once, not once per property).
#pragma once

#include <sdbus-c++/sdbus-c++.h>

#include <map>
#include <optional>
#include <string>

#include "bus/dev.boxctl.box1-adaptor.h"
#include "bus/systemd_client.h"
#include "manager/container_registry.h"

namespace box::manager {

// Reads done while handling one message; cleared by the event loop after
// each message, so nothing read here outlives the call that read it.
class Snapshot {
 public:
  Snapshot(ContainerRegistry& registry, SystemdClient& systemd)
      : registry_(registry), systemd_(systemd) {}

  std::optional<ContainerInfo> info(const std::string& name);
  // Throws sdbus::Error (dev.boxctl.box1.Error.SystemdError).
  const UnitRuntime& runtime(const std::string& unit);
  std::string next_start(const std::string& name, std::uint32_t main_pid) {
    return registry_.next_start(name, main_pid);
  }
  void clear();

 private:
  ContainerRegistry& registry_;
  SystemdClient& systemd_;
  std::map<std::string, std::optional<ContainerInfo>> infos_;
  std::map<std::string, UnitRuntime> runtimes_;
};

class ContainerObject final
    : public sdbus::AdaptorInterfaces<dev::boxctl::box1::Container_adaptor> {
 public:
  ContainerObject(sdbus::IConnection& connection, const std::string& name, Snapshot& snapshot);
  ~ContainerObject();

  const std::string& name() const { return name_; }

  // Relays systemd's PropertiesChanged of the unit as ours.
  void unit_changed(const std::string& interface,
                    const std::map<std::string, sdbus::Variant>& changed,
                    const std::vector<std::string>& invalidated);
  // The definition file changed: its properties have new values.
  void definition_changed();
  void autostart_changed();
  // Pause or Resume froze or thawed it.
  void paused_changed();

 private:
  std::string Name() override { return name_; }
  std::string Unit() override { return unit_; }
  std::string Description() override;
  std::string State() override;
  std::string SubState() override;
  std::string Error() override;
  uint32_t MainPID() override;
  bool Paused() override;
  uint64_t Since() override;
  int32_t ExitStatus() override;
  std::string DefinitionPath() override;
  std::string Rootfs() override;
  std::string Image() override;
  std::string NextStart() override;
  std::string Autostart() override;
  sdbus::Struct<bool, std::vector<sdbus::Struct<std::string, std::string, std::string>>>
  SessionBus() override;
  sdbus::Struct<bool, std::vector<sdbus::Struct<std::string, std::string, std::string>>>
  SystemBus() override;
  std::vector<std::string> Devices() override;
  bool KeepGroups() override;
  std::vector<std::string> SessionSockets() override;
  std::string AppId() override;
  std::string Pod() override;

  ContainerInfo info();
  const UnitRuntime& runtime();

  std::string name_;
  std::string unit_;
  Snapshot& snapshot_;
};

}  // namespace box::manager
