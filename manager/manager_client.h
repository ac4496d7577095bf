// boxctl's side of the D-Bus API: a proxy generated from the same XML file.
#pragma once

#include <sdbus-c++/sdbus-c++.h>

#include <chrono>
#include <memory>

#include "dev.boxctl.box1-proxy.h"

namespace box::manager {

class ManagerClient final : public sdbus::ProxyInterfaces<dev::boxctl::box1::Manager_proxy> {
 public:
  explicit ManagerClient(sdbus::IConnection& connection);
  ~ManagerClient();

  // Start and stop wait for systemd's job, which can take as long as the
  // unit's start timeout: longer than D-Bus's default 25 s.
  void start(const std::string& name);
  void stop(const std::string& name);
};

}  // namespace box::manager
