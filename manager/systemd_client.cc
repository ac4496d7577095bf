#include "manager/systemd_client.h"

#include "bus/object_paths.h"
#include "manager/unit_changes.h"

namespace box::manager {
namespace {

constexpr const char* kSystemdService = "org.freedesktop.systemd1";
constexpr const char* kSystemdPath = "/org/freedesktop/systemd1";
constexpr const char* kManagerInterface = "org.freedesktop.systemd1.Manager";
constexpr const char* kUnitInterface = "org.freedesktop.systemd1.Unit";
constexpr const char* kServiceInterface = "org.freedesktop.systemd1.Service";
constexpr const char* kPropertiesInterface = "org.freedesktop.DBus.Properties";

// A daemon-reload with many generators and units can take seconds; jobs are
// waited for through JobRemoved, not through the call.
constexpr auto kReloadTimeout = std::chrono::minutes(2);

template <typename T>
T value_or(const std::map<std::string, sdbus::Variant>& props, const char* key, T fallback) {
  auto it = props.find(key);
  if (it == props.end() || !it->second.containsValueOfType<T>()) return fallback;
  return it->second.get<T>();
}

// A row of ListUnitsByNames: name, description, load, active, sub, following,
// unit path, job id, job type, job path.
using UnitRow = sdbus::Struct<std::string, std::string, std::string, std::string, std::string,
                              std::string, sdbus::ObjectPath, uint32_t, std::string,
                              sdbus::ObjectPath>;
using Change = sdbus::Struct<std::string, std::string, std::string>;

}  // namespace

SystemdClient::SystemdClient(sdbus::IConnection& connection)
    : connection_(connection), proxy_(sdbus::createProxy(connection, kSystemdService, kSystemdPath)) {
  proxy_->uponSignal("JobRemoved")
      .onInterface(kManagerInterface)
      .call([this](uint32_t /*id*/, const sdbus::ObjectPath& job, const std::string& /*unit*/,
                   const std::string& result) {
        auto it = pending_jobs_.find(job);
        if (it == pending_jobs_.end()) return;
        JobDone done = std::move(it->second);
        pending_jobs_.erase(it);
        done(nullptr, result);
      });
  proxy_->uponSignal("Reloading").onInterface(kManagerInterface).call([this](bool active) {
    if (!active && reloaded_) reloaded_();
  });
  proxy_->finishRegistration();

  // Changes of any box unit: one match for all of them, filtered by path
  // here, rather than one proxy per container. systemd only emits these
  // while a client is subscribed (below).
  const std::string match = std::string("type='signal',sender='") + kSystemdService +
                            "',interface='" + kPropertiesInterface +
                            "',member='PropertiesChanged',path_namespace='" + kUnitPathPrefix +
                            "'";
  unit_signals_ = connection_.addMatch(match, [this](sdbus::Message& message) {
    if (!unit_changed_) return;
    auto unit = unit_from_object_path(message.getPath());
    if (!unit) return;
    std::string interface;
    std::map<std::string, sdbus::Variant> changed;
    std::vector<std::string> invalidated;
    message >> interface >> changed >> invalidated;
    unit_changed_(*unit, interface, changed, invalidated);
  });
  proxy_->callMethod("Subscribe").onInterface(kManagerInterface);
}

SystemdClient::~SystemdClient() = default;

void SystemdClient::loaded_unit_states(const std::string& pattern, StatesDone done) {
  // Never throws: a call that cannot even be sent fails through `done`.
  try {
    proxy_->callMethodAsync("ListUnitsByPatterns")
        .onInterface(kManagerInterface)
        .withArguments(std::vector<std::string>{}, std::vector<std::string>{pattern})
        .uponReplyInvoke([done](const sdbus::Error* error, std::vector<UnitRow> rows) {
          std::map<std::string, UnitState> out;
          if (!error) {
            for (const auto& r : rows)
              out[std::get<0>(r)] = UnitState{std::get<2>(r), std::get<3>(r), std::get<4>(r)};
          }
          done(error, std::move(out));
        });
  } catch (const sdbus::Error& e) {
    done(&e, {});
  }
}

std::map<std::string, UnitState> SystemdClient::unit_states_now(
    const std::vector<std::string>& units) {
  std::vector<UnitRow> rows;
  proxy_->callMethod("ListUnitsByNames")
      .onInterface(kManagerInterface)
      .withArguments(units)
      .storeResultsTo(rows);
  std::map<std::string, UnitState> out;
  for (const auto& r : rows)
    out[std::get<0>(r)] = UnitState{std::get<2>(r), std::get<3>(r), std::get<4>(r)};
  return out;
}

UnitRuntime SystemdClient::unit_runtime(const std::string& unit) {
  // systemd loads a unit when its object is first accessed, so this works
  // for instances that never ran.
  auto unit_proxy = sdbus::createProxy(connection_, kSystemdService, unit_object_path(unit));
  std::map<std::string, sdbus::Variant> u, s;
  unit_proxy->callMethod("GetAll").onInterface(kPropertiesInterface).withArguments(
      std::string(kUnitInterface)).storeResultsTo(u);
  unit_proxy->callMethod("GetAll").onInterface(kPropertiesInterface).withArguments(
      std::string(kServiceInterface)).storeResultsTo(s);
  UnitRuntime r;
  r.active_state = value_or<std::string>(u, "ActiveState", "");
  r.sub_state = value_or<std::string>(u, "SubState", "");
  r.unit_file_state = value_or<std::string>(u, "UnitFileState", "");
  r.wanted_by = value_or<std::vector<std::string>>(u, "WantedBy", {});
  r.since_usec = value_or<uint64_t>(u, "StateChangeTimestamp", 0);
  r.main_pid = value_or<uint32_t>(s, "MainPID", 0);
  r.exit_status = shell_exit_status(value_or<int32_t>(s, "ExecMainCode", 0),
                                    value_or<int32_t>(s, "ExecMainStatus", 0));
  return r;
}

void SystemdClient::queue_job(const char* method, const std::string& unit, JobDone done) {
  // Never throws: a call that cannot even be sent fails through `done`.
  try {
    proxy_->callMethodAsync(method)
        .onInterface(kManagerInterface)
        .withArguments(unit, std::string("replace"))
        .uponReplyInvoke([this, done](const sdbus::Error* error,
                                                        sdbus::ObjectPath job) {
          if (error) {
            done(error, "");
            return;
          }
          // systemd sends the reply before it runs the job, so JobRemoved for
          // it cannot have been dispatched yet.
          pending_jobs_[job] = done;
        });
  } catch (const sdbus::Error& e) {
    done(&e, "");
  }
}

void SystemdClient::start_unit(const std::string& unit, JobDone done) {
  queue_job("StartUnit", unit, std::move(done));
}

void SystemdClient::stop_unit(const std::string& unit, JobDone done) {
  queue_job("StopUnit", unit, std::move(done));
}

void SystemdClient::restart_unit(const std::string& unit, JobDone done) {
  queue_job("RestartUnit", unit, std::move(done));
}

void SystemdClient::kill_unit(const std::string& unit, int signal, Done done) {
  // Never throws: a call that cannot even be sent fails through `done`.
  try {
    proxy_->callMethodAsync("KillUnit")
        .onInterface(kManagerInterface)
        .withArguments(unit, std::string("main"), int32_t{signal})
        .uponReplyInvoke([done](const sdbus::Error* error) { done(error); });
  } catch (const sdbus::Error& e) {
    done(&e);
  }
}

void SystemdClient::enable_unit(const std::string& unit, Done done) {  // Never throws: a call that cannot even be sent fails through `done`.
  try {
    proxy_->callMethodAsync("EnableUnitFiles")
        .onInterface(kManagerInterface)
        .withArguments(std::vector<std::string>{unit}, false /*runtime*/, false /*force*/)
        .uponReplyInvoke([this, unit, done](
                             const sdbus::Error* error, bool carries_install_info,
                             std::vector<Change> /*changes*/) {
          if (error) return done(error);
          if (!carries_install_info) {
            sdbus::Error e("org.freedesktop.systemd1.NoInstallInfo",
                           unit + " has no [Install] section: reinstall box (its box@.service "
                                  "says WantedBy=default.target)");
            return done(&e);
          }
          reload(done);
        });
  } catch (const sdbus::Error& e) {
    done(&e);
  }
}

void SystemdClient::disable_unit(const std::string& unit, Done done) {  // Never throws: a call that cannot even be sent fails through `done`.
  try {
    proxy_->callMethodAsync("DisableUnitFiles")
        .onInterface(kManagerInterface)
        .withArguments(std::vector<std::string>{unit}, false /*runtime*/)
        .uponReplyInvoke([this, done](const sdbus::Error* error,
                                                        std::vector<Change> /*changes*/) {
          if (error) return done(error);
          reload(done);
        });
  } catch (const sdbus::Error& e) {
    done(&e);
  }
}

void SystemdClient::reload(Done done) {
  // Never throws: a call that cannot even be sent fails through `done`.
  try {
    proxy_->callMethodAsync("Reload")
        .onInterface(kManagerInterface)
        .withTimeout(kReloadTimeout)
        .uponReplyInvoke([done](const sdbus::Error* error) { done(error); });
  } catch (const sdbus::Error& e) {
    done(&e);
  }
}

}  // namespace box::manager
