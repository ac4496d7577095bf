// The user's systemd (org.freedesktop.systemd1 on the session bus): the one
// client of it, for box-manager (asynchronous, in its event loop), doctor
// (a few properties) and box-install-worker (a stop waited for, below).
// Nothing here is remembered between calls except the callbacks of jobs
// still running.
#pragma once

#include <sdbus-c++/sdbus-c++.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/sys/result.h"

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
  std::string control_group;  // "/user.slice/.../box@NAME.service"; empty when it has none
  uint64_t since_usec = 0;    // StateChangeTimestamp, realtime
  // How the main process ended (CLD_EXITED, CLD_KILLED...) and its status
  // or signal: unit_changes.h's shell_exit_status() makes one number of them.
  int32_t exec_main_code = 0;
  int32_t exec_main_status = 0;
};

// What doctor shows of the user manager itself.
struct ManagerFacts {
  std::string version;        // "252"
  std::string system_state;   // running, degraded, starting, ...
  std::string control_group;  // its cgroup, "/user.slice/.../user@1000.service"
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
  using UnitChanged = std::function<void(const std::string& unit, const std::string& interface,
                                         const std::map<std::string, sdbus::Variant>& changed,
                                         const std::vector<std::string>& invalidated)>;

  // Hears the end of the jobs it queues (JobRemoved: systemd sends it to the
  // client that queued the job) and, while anyone is subscribed (watch_units),
  // of daemon-reloads (Reloading).
  explicit SystemdClient(sdbus::IConnection& connection);
  ~SystemdClient();

  // box-manager's: asks systemd to send its signals (Subscribe: without a
  // subscriber it sends no PropertiesChanged) and passes those of every unit
  // to on_unit_changed.
  void watch_units();

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
  // Three properties of the manager, and the UnitFileState of `unit`
  // (GetUnitFileState: also for a template). Both throw sdbus::Error.
  ManagerFacts manager_facts();
  std::string unit_file_state(const std::string& unit);

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
  std::string manager_property(const std::string& name);

  sdbus::IConnection& connection_;
  std::unique_ptr<sdbus::IProxy> proxy_;
  sdbus::Slot unit_signals_;
  std::map<sdbus::ObjectPath, JobDone> pending_jobs_;
  UnitChanged unit_changed_;
  std::function<void()> reloaded_;
};

// For a process with no event loop of its own (box-install-worker): stops
// `unit` and waits until systemd reports the job done, on a connection to
// the user bus of its own. A unit systemd does not know is already stopped;
// no user bus at all (no session) means no user manager and nothing to stop.
// When `*cancel` becomes true the wait ends (within 100 ms) with
// "cancelled"; the stop itself goes on in systemd.
Result<void> stop_user_unit(const std::string& unit, const std::atomic<bool>* cancel = nullptr);

}  // namespace box::manager
