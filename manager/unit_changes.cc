#include "manager/unit_changes.h"

#include <signal.h>

#include <algorithm>

#include "bus/systemd_names.h"

namespace box::manager {
namespace {

struct Mapping {
  const char* interface;
  const char* systemd;
  const char* ours;
};

using systemd1::kServiceInterface;
using systemd1::kUnitInterface;

constexpr Mapping kMappings[] = {
    {kUnitInterface, "ActiveState", "State"},
    {kUnitInterface, "SubState", "SubState"},
    {kUnitInterface, "StateChangeTimestamp", "Since"},
    {kServiceInterface, "MainPID", "MainPID"},
};

}  // namespace

bool is_running(const std::string& active_state) {
  return active_state == "active" || active_state == "activating" ||
         active_state == "deactivating" || active_state == "reloading";
}

std::int32_t shell_exit_status(std::int32_t code, std::int32_t status) {
  // CLD_KILLED and CLD_DUMPED: `status` is the signal.
  return code == CLD_KILLED || code == CLD_DUMPED ? 128 + status : status;
}

std::string container_state(bool definition_valid, const std::string& active_state) {
  if (!definition_valid && !is_running(active_state)) return "invalid";
  if (active_state.empty()) return "unknown";
  return active_state;
}

std::string autostart_from_wanted_by(const std::vector<std::string>& wanted_by) {
  auto has = [&](const char* target) {
    return std::find(wanted_by.begin(), wanted_by.end(), target) != wanted_by.end();
  };
  if (has("default.target")) return "login";
  if (has("graphical-session.target")) return "session";
  return "no";
}

PropertyChanges translate_unit_changes(const std::string& interface,
                                       const std::map<std::string, sdbus::Variant>& changed,
                                       const std::vector<std::string>& invalidated,
                                       bool definition_valid) {
  PropertyChanges out;
  for (const auto& m : kMappings) {
    if (interface != m.interface) continue;
    auto it = changed.find(m.systemd);
    if (it != changed.end()) {
      if (std::string(m.ours) == "State" && it->second.containsValueOfType<std::string>()) {
        out.changed[m.ours] =
            sdbus::Variant(container_state(definition_valid, it->second.get<std::string>()));
      } else {
        out.changed[m.ours] = it->second;
      }
    } else if (std::find(invalidated.begin(), invalidated.end(), m.systemd) != invalidated.end()) {
      out.invalidated.push_back(m.ours);
    }
  }
  if (interface == kServiceInterface) {
    auto code = changed.find("ExecMainCode"), status = changed.find("ExecMainStatus");
    const bool have_code = code != changed.end() && code->second.containsValueOfType<int32_t>();
    const bool have_status =
        status != changed.end() && status->second.containsValueOfType<int32_t>();
    if (have_code && have_status) {
      out.changed["ExitStatus"] = sdbus::Variant(
          shell_exit_status(code->second.get<int32_t>(), status->second.get<int32_t>()));
    } else if (have_code || have_status ||
               std::find(invalidated.begin(), invalidated.end(), "ExecMainStatus") !=
                   invalidated.end() ||
               std::find(invalidated.begin(), invalidated.end(), "ExecMainCode") !=
                   invalidated.end()) {
      out.invalidated.push_back("ExitStatus");
    }
  }
  // Whether there is a next start to speak of follows the supervisor.
  if (out.changed.count("MainPID") ||
      std::find(out.invalidated.begin(), out.invalidated.end(), "MainPID") != out.invalidated.end())
    out.invalidated.push_back("NextStart");
  return out;
}

}  // namespace box::manager
