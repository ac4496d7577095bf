#include "systemd_client.h"

namespace box::manager {
namespace {
constexpr const char* kSystemdService = "org.freedesktop.systemd1";
constexpr const char* kSystemdPath = "/org/freedesktop/systemd1";
constexpr const char* kManagerInterface = "org.freedesktop.systemd1.Manager";
}  // namespace

SystemdClient::SystemdClient(sdbus::IConnection& connection)
    : proxy_(sdbus::createProxy(connection, kSystemdService, kSystemdPath)) {
  proxy_->uponSignal("JobRemoved")
      .onInterface(kManagerInterface)
      .call([this](uint32_t /*id*/, const sdbus::ObjectPath& job, const std::string& unit,
                   const std::string& result) {
        auto it = pending_jobs_.find(job);
        if (it == pending_jobs_.end()) return;
        JobDone done = std::move(it->second);
        pending_jobs_.erase(it);
        done(unit, result);
      });
  proxy_->finishRegistration();
  // systemd only emits job and unit signals while a client is subscribed.
  proxy_->callMethod("Subscribe").onInterface(kManagerInterface);
}

std::map<std::string, UnitState> SystemdClient::unit_states(
    const std::vector<std::string>& units) {
  using Row = sdbus::Struct<std::string, std::string, std::string, std::string, std::string,
                            std::string, sdbus::ObjectPath, uint32_t, std::string,
                            sdbus::ObjectPath>;
  std::vector<Row> rows;
  proxy_->callMethod("ListUnitsByNames")
      .onInterface(kManagerInterface)
      .withArguments(units)
      .storeResultsTo(rows);
  std::map<std::string, UnitState> out;
  for (const auto& r : rows) {
    out[std::get<0>(r)] = UnitState{std::get<2>(r), std::get<3>(r), std::get<4>(r)};
  }
  return out;
}

void SystemdClient::enqueue(const char* method, const std::string& unit, JobDone done) {
  sdbus::ObjectPath job;
  proxy_->callMethod(method)
      .onInterface(kManagerInterface)
      .withArguments(unit, std::string("replace"))
      .storeResultsTo(job);
  // JobRemoved cannot have been dispatched yet: signals that arrive during a
  // synchronous call are queued until this handler returns.
  pending_jobs_[job] = std::move(done);
}

void SystemdClient::start_unit(const std::string& unit, JobDone done) {
  enqueue("StartUnit", unit, std::move(done));
}

void SystemdClient::stop_unit(const std::string& unit, JobDone done) {
  enqueue("StopUnit", unit, std::move(done));
}

}  // namespace box::manager
