#include "manager_client.h"

#include "bus_names.h"

namespace box::manager {
namespace {
constexpr auto kJobTimeout = std::chrono::minutes(5);
}

ManagerClient::ManagerClient(sdbus::IConnection& connection)
    : ProxyInterfaces(connection, kBusName, kManagerPath) {
  registerProxy();
}

ManagerClient::~ManagerClient() { unregisterProxy(); }

void ManagerClient::start(const std::string& name) {
  getProxy().callMethod("Start").onInterface(INTERFACE_NAME).withTimeout(kJobTimeout).withArguments(
      name);
}

void ManagerClient::stop(const std::string& name) {
  getProxy().callMethod("Stop").onInterface(INTERFACE_NAME).withTimeout(kJobTimeout).withArguments(
      name);
}

}  // namespace box::manager
