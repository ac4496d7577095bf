// The object /dev/boxctl/box1 implementing dev.boxctl.box1.Manager. Thin: it
// converts between D-Bus and the registry and systemd client.
#pragma once

#include <sdbus-c++/sdbus-c++.h>

#include "bus_names.h"
#include "container_registry.h"
#include "dev.boxctl.box1-adaptor.h"
#include "systemd_client.h"

namespace box::manager {

class ManagerObject final : public sdbus::AdaptorInterfaces<dev::boxctl::box1::Manager_adaptor> {
 public:
  ManagerObject(sdbus::IConnection& connection, ContainerRegistry registry,
                SystemdClient& systemd);
  ~ManagerObject();

 private:
  using Row = sdbus::Struct<std::string, std::string, std::string, std::string, std::string>;
  std::vector<Row> ListContainers() override;
  void Start(sdbus::Result<>&& result, std::string name) override;
  void Stop(sdbus::Result<>&& result, std::string name) override;

  void run_job(bool start, sdbus::Result<>&& result, const std::string& name);

  ContainerRegistry registry_;
  SystemdClient& systemd_;
};

}  // namespace box::manager
