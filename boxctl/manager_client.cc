#include "boxctl/manager_client.h"

#include "bus/bus_names.h"

namespace box::manager {
namespace {
constexpr auto kJobTimeout = std::chrono::minutes(5);
constexpr auto kInstallTimeout = std::chrono::hours(24);
constexpr const char* kContainerInterface = "dev.boxctl.box1.Container";
}  // namespace

ManagerClient::ManagerClient(sdbus::IConnection& connection)
    : ProxyInterfaces(connection, kBusName, kManagerPath), connection_(connection) {
  registerProxy();
}

ManagerClient::~ManagerClient() { unregisterProxy(); }

void ManagerClient::call_waiting(const char* method, const std::string& name) {
  getProxy()
      .callMethod(method)
      .onInterface(INTERFACE_NAME)
      .withTimeout(kJobTimeout)
      .withArguments(name);
}

void ManagerClient::start(const std::string& name) { call_waiting("Start", name); }

void ManagerClient::stop(const std::string& name) { call_waiting("Stop", name); }

void ManagerClient::restart(const std::string& name) { call_waiting("Restart", name); }

void ManagerClient::kill(const std::string& name, int signal) {
  getProxy().callMethod("Kill").onInterface(INTERFACE_NAME).withArguments(name, int32_t{signal});
}

void ManagerClient::enable(const std::string& name) { call_waiting("Enable", name); }

void ManagerClient::disable(const std::string& name) { call_waiting("Disable", name); }

void ManagerClient::reload() {
  getProxy().callMethod("Reload").onInterface(INTERFACE_NAME).withTimeout(kJobTimeout);
}

sdbus::PendingAsyncCall ManagerClient::install(const std::string& source, const std::string& name,
                                               const std::map<std::string, sdbus::Variant>& options,
                                               InstallDone done) {
  return getProxy()
      .callMethodAsync("Install")
      .onInterface(INTERFACE_NAME)
      .withTimeout(kInstallTimeout)
      .withArguments(source, name, options)
      .uponReplyInvoke([done = std::move(done)](const sdbus::Error* error, std::string installed,
                                                sdbus::ObjectPath object,
                                                std::map<std::string, sdbus::Variant> info) {
        done(error, installed, object, info);
      });
}

bool ManagerClient::cancel_install(const std::string& name) { return CancelInstall(name); }

void ManagerClient::uninstall(const std::string& name, bool keep_data) {
  getProxy()
      .callMethod("Uninstall")
      .onInterface(INTERFACE_NAME)
      .withTimeout(kInstallTimeout)
      .withArguments(name, keep_data);
}

std::map<std::string, sdbus::Variant> ManagerClient::container_properties(const std::string& name) {
  sdbus::ObjectPath path = GetContainer(name);
  auto proxy = sdbus::createProxy(connection_, kBusName, path);
  std::map<std::string, sdbus::Variant> props;
  proxy->callMethod("GetAll")
      .onInterface("org.freedesktop.DBus.Properties")
      .withArguments(std::string(kContainerInterface))
      .storeResultsTo(props);
  return props;
}

}  // namespace box::manager
