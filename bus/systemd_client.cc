#include "bus/systemd_client.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <optional>

#include "bus/object_paths.h"
#include "bus/systemd_names.h"

namespace box::manager {
namespace {

using namespace systemd1;
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
using UnitRow =
    sdbus::Struct<std::string, std::string, std::string, std::string, std::string, std::string,
                  sdbus::ObjectPath, uint32_t, std::string, sdbus::ObjectPath>;
using Change = sdbus::Struct<std::string, std::string, std::string>;

std::map<std::string, UnitState> states_of(const std::vector<UnitRow>& rows) {
  std::map<std::string, UnitState> out;
  for (const auto& r : rows)
    out[std::get<0>(r)] = UnitState{std::get<2>(r), std::get<3>(r), std::get<4>(r)};
  return out;
}

std::map<std::string, sdbus::Variant> all_properties(sdbus::IProxy& object, const char* interface) {
  std::map<std::string, sdbus::Variant> values;
  object.callMethod("GetAll")
      .onInterface(kPropertiesInterface)
      .withArguments(std::string(interface))
      .storeResultsTo(values);
  return values;
}

// Sends an asynchronous call (`send`): one that cannot even be sent fails
// through `failed`, so the methods below never throw into the event loop.
template <typename Send, typename Failed>
void send_or_fail(Send&& send, Failed&& failed) {
  try {
    send();
  } catch (const sdbus::Error& e) {
    failed(e);
  }
}

}  // namespace

SystemdClient::SystemdClient(sdbus::IConnection& connection)
    : connection_(connection), proxy_(sdbus::createProxy(connection, kService, kPath)) {
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
}

SystemdClient::~SystemdClient() = default;

void SystemdClient::watch_units() {
  // Changes of any box unit: one match for all of them, filtered by path
  // here, rather than one proxy per container. systemd only emits these
  // while a client is subscribed (below).
  const std::string match = std::string("type='signal',sender='") + kService + "',interface='" +
                            kPropertiesInterface + "',member='PropertiesChanged',path_namespace='" +
                            kUnitPathPrefix + "'";
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

void SystemdClient::loaded_unit_states(const std::string& pattern, StatesDone done) {
  send_or_fail(
      [&] {
        proxy_->callMethodAsync("ListUnitsByPatterns")
            .onInterface(kManagerInterface)
            .withArguments(std::vector<std::string>{}, std::vector<std::string>{pattern})
            .uponReplyInvoke([done](const sdbus::Error* error, std::vector<UnitRow> rows) {
              done(error, error ? std::map<std::string, UnitState>{} : states_of(rows));
            });
      },
      [&](const sdbus::Error& e) { done(&e, {}); });
}

std::map<std::string, UnitState> SystemdClient::unit_states_now(
    const std::vector<std::string>& units) {
  std::vector<UnitRow> rows;
  proxy_->callMethod("ListUnitsByNames")
      .onInterface(kManagerInterface)
      .withArguments(units)
      .storeResultsTo(rows);
  return states_of(rows);
}

UnitRuntime SystemdClient::unit_runtime(const std::string& unit) {
  // systemd loads a unit when its object is first accessed, so this works
  // for instances that never ran.
  auto unit_proxy = sdbus::createProxy(connection_, kService, unit_object_path(unit));
  const auto u = all_properties(*unit_proxy, kUnitInterface);
  const auto s = all_properties(*unit_proxy, kServiceInterface);
  UnitRuntime r;
  r.active_state = value_or<std::string>(u, "ActiveState", "");
  r.sub_state = value_or<std::string>(u, "SubState", "");
  r.unit_file_state = value_or<std::string>(u, "UnitFileState", "");
  r.wanted_by = value_or<std::vector<std::string>>(u, "WantedBy", {});
  r.since_usec = value_or<uint64_t>(u, "StateChangeTimestamp", 0);
  r.main_pid = value_or<uint32_t>(s, "MainPID", 0);
  r.control_group = value_or<std::string>(s, "ControlGroup", "");
  r.exec_main_code = value_or<int32_t>(s, "ExecMainCode", 0);
  r.exec_main_status = value_or<int32_t>(s, "ExecMainStatus", 0);
  return r;
}

std::string SystemdClient::manager_property(const std::string& name) {
  sdbus::Variant value;
  proxy_->callMethod("Get")
      .onInterface(kPropertiesInterface)
      .withArguments(std::string(kManagerInterface), name)
      .storeResultsTo(value);
  return value.get<std::string>();
}

ManagerFacts SystemdClient::manager_facts() {
  ManagerFacts facts;
  facts.system_state = manager_property("SystemState");
  facts.control_group = manager_property("ControlGroup");
  facts.version = manager_property("Version");
  return facts;
}

std::string SystemdClient::unit_file_state(const std::string& unit) {
  std::string state;
  proxy_->callMethod("GetUnitFileState")
      .onInterface(kManagerInterface)
      .withArguments(unit)
      .storeResultsTo(state);
  return state;
}

void SystemdClient::queue_job(const char* method, const std::string& unit, JobDone done) {
  send_or_fail(
      [&] {
        proxy_->callMethodAsync(method)
            .onInterface(kManagerInterface)
            .withArguments(unit, std::string("replace"))
            .uponReplyInvoke([this, done](const sdbus::Error* error, sdbus::ObjectPath job) {
              if (error) {
                done(error, "");
                return;
              }
              // systemd sends the reply before it runs the job, so JobRemoved
              // for it cannot have been dispatched yet.
              pending_jobs_[job] = done;
            });
      },
      [&](const sdbus::Error& e) { done(&e, ""); });
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
  send_or_fail(
      [&] {
        proxy_->callMethodAsync("KillUnit")
            .onInterface(kManagerInterface)
            .withArguments(unit, std::string("main"), int32_t{signal})
            .uponReplyInvoke([done](const sdbus::Error* error) { done(error); });
      },
      [&](const sdbus::Error& e) { done(&e); });
}

void SystemdClient::enable_unit(const std::string& unit, Done done) {
  send_or_fail(
      [&] {
        proxy_->callMethodAsync("EnableUnitFiles")
            .onInterface(kManagerInterface)
            .withArguments(std::vector<std::string>{unit}, false /*runtime*/, false /*force*/)
            .uponReplyInvoke([this, unit, done](const sdbus::Error* error,
                                                bool carries_install_info,
                                                std::vector<Change> /*changes*/) {
              if (error) return done(error);
              if (!carries_install_info) {
                const std::string why = unit +
                                        " has no [Install] section: reinstall box (its "
                                        "box@.service says WantedBy=default.target)";
                const sdbus::Error e(kNoInstallInfo, why);
                return done(&e);
              }
              reload(done);
            });
      },
      [&](const sdbus::Error& e) { done(&e); });
}

void SystemdClient::disable_unit(const std::string& unit, Done done) {
  send_or_fail(
      [&] {
        proxy_->callMethodAsync("DisableUnitFiles")
            .onInterface(kManagerInterface)
            .withArguments(std::vector<std::string>{unit}, false /*runtime*/)
            .uponReplyInvoke(
                [this, done](const sdbus::Error* error, std::vector<Change> /*changes*/) {
                  if (error) return done(error);
                  reload(done);
                });
      },
      [&](const sdbus::Error& e) { done(&e); });
}

void SystemdClient::reload(Done done) {
  send_or_fail(
      [&] {
        proxy_->callMethodAsync("Reload")
            .onInterface(kManagerInterface)
            .withTimeout(kReloadTimeout)
            .uponReplyInvoke([done](const sdbus::Error* error) { done(error); });
      },
      [&](const sdbus::Error& e) { done(&e); });
}

namespace {

// How long a stop may take before the waiting process gives up on it.
constexpr auto kJobTimeout = std::chrono::minutes(2);
// How often a wait that can be cancelled looks at the flag: a signal that
// sets it just before poll() starts does not interrupt that poll.
constexpr auto kCancelCheck = std::chrono::milliseconds(100);

enum class Wait { kDone, kFailed, kCancelled };

// Runs `connection` until `done()`, `deadline`, or `*cancel`. poll() fails
// with EINTR when a signal handler runs (as the worker's cancel handler
// does): without a cancel that is no reason to stop waiting for an answer
// already asked for. Throws sdbus::Error when the connection breaks.
Wait run_until(sdbus::IConnection& connection, const std::function<bool()>& done,
               std::chrono::steady_clock::time_point deadline, const std::atomic<bool>* cancel) {
  using namespace std::chrono;
  while (!done()) {
    if (cancel && cancel->load()) return Wait::kCancelled;
    if (connection.processPendingRequest()) continue;
    const auto now = steady_clock::now();
    if (now >= deadline) return Wait::kFailed;
    auto wait = duration_cast<milliseconds>(deadline - now) + milliseconds(1);
    if (cancel) wait = std::min<milliseconds>(wait, kCancelCheck);
    const auto poll_data = connection.getEventLoopPollData();
    int timeout_ms = poll_data.getPollTimeout();
    if (timeout_ms < 0 || timeout_ms > wait.count()) timeout_ms = static_cast<int>(wait.count());
    pollfd p{poll_data.fd, poll_data.events, 0};
    if (::poll(&p, 1, timeout_ms) < 0 && errno != EINTR) return Wait::kFailed;
  }
  return Wait::kDone;
}

// No user bus at all (no session): sd-bus's names for ENOENT, ECONNREFUSED
// (a socket nobody listens on) and ENOMEDIUM (no $XDG_RUNTIME_DIR).
bool no_user_bus(const sdbus::Error& e) {
  const std::string& name = e.getName();
  return name == "org.freedesktop.DBus.Error.FileNotFound" || name == "System.Error.ECONNREFUSED" ||
         name == "System.Error.ENOMEDIUM";
}

}  // namespace

Result<void> stop_user_unit(const std::string& unit, const std::atomic<bool>* cancel) {
  std::unique_ptr<sdbus::IConnection> connection;
  try {
    connection = sdbus::createSessionBusConnection();
  } catch (const sdbus::Error& e) {
    if (no_user_bus(e)) return {};
    return Error("connect to the user bus (box needs a user session: $XDG_RUNTIME_DIR/bus): " +
                 e.getMessage());
  }
  try {
    SystemdClient systemd(*connection);
    bool ended = false;
    std::optional<sdbus::Error> refused;
    std::string result;
    systemd.stop_unit(unit, [&](const sdbus::Error* error, const std::string& job_result) {
      ended = true;
      if (error) refused = *error;
      result = job_result;
    });
    const Wait finished = run_until(
        *connection, [&] { return ended; }, std::chrono::steady_clock::now() + kJobTimeout, cancel);
    // The job goes on in systemd: only the wait for it ends.
    if (finished == Wait::kCancelled) return Error("stop " + unit + ": cancelled");
    if (finished != Wait::kDone) return Error("stop " + unit + ": no answer from systemd");
    if (refused) {
      if (refused->getName() == kNoSuchUnit || refused->getName() == kLoadFailed) return {};
      return Error("stop " + unit + ": " + refused->getMessage());
    }
    if (result != "done") return Error("stop " + unit + ": job " + result);
    return {};
  } catch (const sdbus::Error& e) {
    return Error("stop " + unit + ": " + e.getMessage());
  }
}

}  // namespace box::manager
