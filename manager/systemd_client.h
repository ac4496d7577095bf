// The user's systemd (org.freedesktop.systemd1 on the session bus): the one
// source of truth for whether a container runs. Nothing here is remembered
// between calls except the callbacks of jobs still running.
#pragma once

#include <sdbus-c++/sdbus-c++.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace box::manager {

struct UnitState {
  std::string load_state;    // loaded, not-found, ...
  std::string active_state;  // active, inactive, failed, activating, ...
  std::string sub_state;     // running, dead, ...
};

// What a container object shows of its unit, read in one go.
struct UnitRuntime {
  std::string active_state;
  std::string sub_state;
  std::string unit_file_state;  // enabled, disabled, static, generated, ...
  std::vector<std::string> wanted_by;
  uint32_t main_pid = 0;
  uint64_t since_usec = 0;  // StateChangeTimestamp, realtime
  int32_t exit_status = 0;  // ExecMainStatus
};

class SystemdClient {
 public:
  // `error` is null on success.
  using Done = std::function<void(const sdbus::Error* error)>;
  // Called with the job's result ("done", "failed", "canceled", "timeout",
  // "dependency", "skipped"), or with `error` when systemd refused the job.
  using JobDone = std::function<void(const sdbus::Error* error, const std::string& result)>;
  using StatesDone =
      std::function<void(const sdbus::Error* error, std::map<std::string, UnitState> states)>;
  // A unit's org.freedesktop.DBus.Properties.PropertiesChanged, as systemd sent it.
  using UnitChanged = std::function<void(
      const std::string& unit, const std::string& interface,
      const std::map<std::string, sdbus::Variant>& changed, const std::vector<std::string>& invalidated)>;

  explicit SystemdClient(sdbus::IConnection& connection);
  ~SystemdClient();

  // The loaded units matching `pattern` (ListUnitsByPatterns), in one round
  // trip that loads nothing: a unit systemd has not loaded is inactive
  // (systemd unloads only inactive units without a failure to report), so
  // absence means "inactive". ListUnitsByNames would load (and systemd then
  // unload) every unit on each call: ~0.5 ms per unit.
  void loaded_unit_states(const std::string& pattern, StatesDone done);
  // ListUnitsByNames: loads the units first, so right for a few names.
  std::map<std::string, UnitState> unit_states_now(const std::vector<std::string>& units);

  // Everything a container object shows (two GetAll calls). Throws sdbus::Error.
  UnitRuntime unit_runtime(const std::string& unit);

  // Queues a job in "replace" mode, as systemctl does; `done` runs when
  // systemd reports the job's end (JobRemoved).
  void start_unit(const std::string& unit, JobDone done);
  void stop_unit(const std::string& unit, JobDone done);
  void restart_unit(const std::string& unit, JobDone done);

  // KillUnit(unit, "main", signal): the signal goes to box-run alone, which
  // forwards it to the container's PID 1. (The container's processes may run
  // under subordinate uids that the user manager cannot signal anyway.)
  void kill_unit(const std::string& unit, int signal, Done done);

  // EnableUnitFiles/DisableUnitFiles for ~/.config/systemd/user, then a
  // daemon-reload so WantedBy and UnitFileState show the change (as
  // `systemctl --user enable` does).
  void enable_unit(const std::string& unit, Done done);
  void disable_unit(const std::string& unit, Done done);

  // daemon-reload: systemd replies once the reload (and the generators) ran.
  void reload(Done done);

  void on_unit_changed(UnitChanged callback) { unit_changed_ = std::move(callback); }
  // systemd finished a daemon-reload (ours or anyone's).
  void on_reloaded(std::function<void()> callback) { reloaded_ = std::move(callback); }

 private:
  void queue_job(const char* method, const std::string& unit, JobDone done);

  sdbus::IConnection& connection_;
  std::unique_ptr<sdbus::IProxy> proxy_;
  sdbus::Slot unit_signals_;
  std::map<sdbus::ObjectPath, JobDone> pending_jobs_;
  UnitChanged unit_changed_;
  std::function<void()> reloaded_;
};

}  // namespace box::manager
