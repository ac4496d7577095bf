#include "manager_object.h"

#include "errors.h"
#include "log.h"
#include "unit_text.h"

namespace box::manager {

ManagerObject::ManagerObject(sdbus::IConnection& connection, ContainerRegistry registry,
                             SystemdClient& systemd)
    : AdaptorInterfaces(connection, kManagerPath),
      registry_(std::move(registry)),
      systemd_(systemd) {
  registerAdaptor();
}

ManagerObject::~ManagerObject() { unregisterAdaptor(); }

std::vector<ManagerObject::Row> ManagerObject::ListContainers() {
  auto containers = registry_.list();
  std::vector<std::string> units;
  for (const auto& c : containers)
    if (c.valid) units.push_back(generator::unit_name(c.name));
  std::map<std::string, UnitState> states;
  if (!units.empty()) {
    try {
      states = systemd_.unit_states(units);
    } catch (const sdbus::Error& e) {
      throw systemd_error("cannot read unit states from the user's systemd: " + e.getMessage());
    }
  }
  std::vector<Row> rows;
  for (const auto& c : containers) {
    if (!c.valid) {
      rows.emplace_back(c.name, c.description, "invalid", "", c.error);
      continue;
    }
    auto it = states.find(generator::unit_name(c.name));
    if (it == states.end()) {
      rows.emplace_back(c.name, c.description, "unknown", "", "");
    } else {
      rows.emplace_back(c.name, c.description, it->second.active_state, it->second.sub_state, "");
    }
  }
  return rows;
}

void ManagerObject::run_job(bool start, sdbus::Result<>&& result, const std::string& name) {
  auto info = registry_.find(name);
  if (!info) {
    result.returnError(no_such_container(name, "no definition file in the search path"));
    return;
  }
  if (start && !info->valid) {
    result.returnError(invalid_definition(info->error));
    return;
  }
  const std::string unit = generator::unit_name(name);
  // The reply is sent when systemd reports the job's end, as systemctl waits.
  // sdbus::Result is move-only and std::function needs a copyable callable.
  auto reply = std::make_shared<sdbus::Result<>>(std::move(result));
  const std::string verb = start ? "start" : "stop";
  auto done = [reply, verb](const std::string& job_unit, const std::string& job_result) {
    if (job_result == "done") {
      reply->returnResults();
    } else {
      reply->returnError(systemd_error("job to " + verb + " " + job_unit +
                                       " ended with result '" + job_result +
                                       "'; see 'journalctl --user -u " + job_unit + "'"));
    }
  };
  try {
    if (start) {
      systemd_.start_unit(unit, std::move(done));
    } else {
      systemd_.stop_unit(unit, std::move(done));
    }
  } catch (const sdbus::Error& e) {
    log_warning("systemd refused to " + verb + " " + unit + ": " + e.getMessage());
    reply->returnError(systemd_error("systemd refused to " + verb + " " + unit + ": " +
                                     e.getMessage()));
  }
}

void ManagerObject::Start(sdbus::Result<>&& result, std::string name) {
  run_job(true, std::move(result), name);
}

void ManagerObject::Stop(sdbus::Result<>&& result, std::string name) {
  run_job(false, std::move(result), name);
}

}  // namespace box::manager
