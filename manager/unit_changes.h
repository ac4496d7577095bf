// Translation between systemd's view of a box@NAME.service and the
// dev.boxctl.box1.Container properties. Pure: no bus, no state.
#pragma once

#include <sdbus-c++/Types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace box::manager {

// The State a container shows: systemd's ActiveState, except that a
// definition that cannot be used is "invalid" while its unit is not running
// (a container started before its file broke still shows that it runs).
std::string container_state(bool definition_valid, const std::string& active_state);

// "login" when default.target wants the unit, "session" for
// graphical-session.target, else "no".
std::string autostart_from_wanted_by(const std::vector<std::string>& wanted_by);

// systemd's ExecMainCode and ExecMainStatus as a shell shows the end of a
// command: the exit status, or 128+N for a process killed by signal N
// (box-run ends by the signal its container's PID 1 died of).
std::int32_t shell_exit_status(std::int32_t code, std::int32_t status);

bool is_running(const std::string& active_state);

struct PropertyChanges {
  std::map<std::string, sdbus::Variant> changed;
  std::vector<std::string> invalidated;
  bool empty() const { return changed.empty() && invalidated.empty(); }
};

// systemd's PropertiesChanged of the unit (on `interface`) as the container's
// PropertiesChanged: ActiveState -> State, SubState, StateChangeTimestamp ->
// Since, MainPID, ExecMainCode and ExecMainStatus -> ExitStatus (a value
// when both came, invalidated when only one did). Values systemd only
// invalidated are invalidated in ours too.
PropertyChanges translate_unit_changes(const std::string& interface,
                                       const std::map<std::string, sdbus::Variant>& changed,
                                       const std::vector<std::string>& invalidated,
                                       bool definition_valid);

}  // namespace box::manager
