// The user's systemd (org.freedesktop.systemd1 on the session bus): the one
// source of truth for whether a container runs.
#pragma once

#include <sdbus-c++/sdbus-c++.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace box::manager {

struct UnitState {
  std::string load_state;    // loaded, not-found, ...
  std::string active_state;  // active, inactive, failed, activating, ...
  std::string sub_state;     // running, dead, ...
};

class SystemdClient {
 public:
  using JobDone = std::function<void(const std::string& unit, const std::string& result)>;

  explicit SystemdClient(sdbus::IConnection& connection);

  // Current state of each unit, in one round trip (ListUnitsByNames loads
  // units not yet loaded, such as template instances never started).
  std::map<std::string, UnitState> unit_states(const std::vector<std::string>& units);

  // Queues a start/stop job ("replace" mode, as systemctl does); `done` runs
  // when systemd reports the job finished. Throws sdbus::Error.
  void start_unit(const std::string& unit, JobDone done);
  void stop_unit(const std::string& unit, JobDone done);

 private:
  void enqueue(const char* method, const std::string& unit, JobDone done);

  std::unique_ptr<sdbus::IProxy> proxy_;
  std::map<sdbus::ObjectPath, JobDone> pending_jobs_;
};

}  // namespace box::manager
