// The D-Bus errors box-manager returns: named once, here. docs/dbus-api.md
// lists which method returns which.
#pragma once

#include <sdbus-c++/Error.h>

#include <string>

namespace box::manager {

inline constexpr const char* kErrorPrefix = "dev.boxctl.box1.Error.";

inline constexpr const char* kNoSuchContainer = "dev.boxctl.box1.Error.NoSuchContainer";
inline constexpr const char* kInvalidDefinition = "dev.boxctl.box1.Error.InvalidDefinition";
inline constexpr const char* kAlreadyRunning = "dev.boxctl.box1.Error.AlreadyRunning";
inline constexpr const char* kNotRunning = "dev.boxctl.box1.Error.NotRunning";
inline constexpr const char* kAutostartFromDefinition =
    "dev.boxctl.box1.Error.AutostartFromDefinition";
inline constexpr const char* kSystemdError = "dev.boxctl.box1.Error.SystemdError";

sdbus::Error no_such_container(const std::string& name, const std::string& detail);
sdbus::Error invalid_definition(const std::string& message);
sdbus::Error already_running(const std::string& name);
sdbus::Error not_running(const std::string& name);
sdbus::Error autostart_from_definition(const std::string& name, const std::string& path,
                                       const std::string& autostart);
// `what` says what was asked ("start box@etcd.service"); systemd's own error
// name and message follow it.
sdbus::Error systemd_error(const std::string& what, const sdbus::Error& cause);
sdbus::Error systemd_error(const std::string& message);

}  // namespace box::manager
