// boxctl's side of the D-Bus API: proxies generated from the same XML file.
#pragma once

#include <sdbus-c++/sdbus-c++.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "bus/dev.boxctl.box1-proxy.h"

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

  // Install, answered through the connection's event loop, which the caller
  // runs: `done` gets the error, or the name, object and what was installed.
  // An install may take long: the call waits up to a day.
  using InstallDone = std::function<void(const sdbus::Error* error, const std::string& name,
                                         const sdbus::ObjectPath& object,
                                         const std::map<std::string, sdbus::Variant>& info)>;
  sdbus::PendingAsyncCall install(const std::string& source, const std::string& name,
                                  const std::map<std::string, sdbus::Variant>& options,
                                  InstallDone done);
  bool cancel_install(const std::string& name);
  // Waits for the stop of the container and the removal of its files.
  void uninstall(const std::string& name, bool keep_data);

  // InstallProgress signals (name, phase, layer, layers, bytes, total_bytes),
  // delivered while the event loop runs.
  using ProgressHandler = std::function<void(const std::string&, const std::string&, uint32_t,
                                             uint32_t, uint64_t, uint64_t)>;
  void on_install_progress(ProgressHandler handler) { progress_ = std::move(handler); }

 private:
  // boxctl does not watch these; the generated proxy requires handlers.
  void onContainerNew(const std::string&, const sdbus::ObjectPath&) override {}
  void onContainerRemoved(const std::string&, const sdbus::ObjectPath&) override {}
  void onInstallProgress(const std::string& name, const std::string& phase, const uint32_t& layer,
                         const uint32_t& layers, const uint64_t& bytes,
                         const uint64_t& total_bytes) override {
    if (progress_) progress_(name, phase, layer, layers, bytes, total_bytes);
  }

  // A method of one container that waits for systemd's job.
  void call_waiting(const char* method, const std::string& name);

  ProgressHandler progress_;

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
