// boxctl's side of the D-Bus API: proxies generated from the same XML file.
#pragma once

#include <sdbus-c++/sdbus-c++.h>

#include <map>
#include <memory>
#include <string>

#include "dev.boxctl.box1-proxy.h"

namespace box::manager {

class ManagerClient final : public sdbus::ProxyInterfaces<dev::boxctl::box1::Manager_proxy> {
 public:
  explicit ManagerClient(sdbus::IConnection& connection);
  ~ManagerClient();

  // These wait for systemd's job, which can take as long as the unit's
  // start or stop timeout: longer than D-Bus's default 25 s.
  void start(const std::string& name);
  void stop(const std::string& name);
  void restart(const std::string& name);
  void kill(const std::string& name, int signal);
  void enable(const std::string& name);
  void disable(const std::string& name);
  void reload();

  // Every dev.boxctl.box1.Container property of container `name`.
  std::map<std::string, sdbus::Variant> container_properties(const std::string& name);

 private:
  // boxctl does not watch; the generated proxy requires handlers.
  void onContainerNew(const std::string&, const sdbus::ObjectPath&) override {}
  void onContainerRemoved(const std::string&, const sdbus::ObjectPath&) override {}

  sdbus::IConnection& connection_;
};

// Reads a property from a GetAll answer, with a fallback for a missing one.
template <typename T>
T property(const std::map<std::string, sdbus::Variant>& props, const std::string& key,
           T fallback = T{}) {
  auto it = props.find(key);
  if (it == props.end() || !it->second.containsValueOfType<T>()) return fallback;
  return it->second.get<T>();
}

}  // namespace box::manager
