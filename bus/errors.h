// The D-Bus errors box-manager returns: named once, here. docs/dbus-api.md
// lists which method returns which.
#pragma once

#include <sdbus-c++/Error.h>

#include <string>

#include "install/request.h"

namespace box::manager {

inline constexpr const char* kErrorPrefix = "dev.boxctl.box1.Error.";

inline constexpr const char* kNoSuchContainer = "dev.boxctl.box1.Error.NoSuchContainer";
inline constexpr const char* kInvalidDefinition = "dev.boxctl.box1.Error.InvalidDefinition";
inline constexpr const char* kAlreadyRunning = "dev.boxctl.box1.Error.AlreadyRunning";
inline constexpr const char* kNotRunning = "dev.boxctl.box1.Error.NotRunning";
inline constexpr const char* kAutostartFromDefinition =
    "dev.boxctl.box1.Error.AutostartFromDefinition";
inline constexpr const char* kSystemdError = "dev.boxctl.box1.Error.SystemdError";
inline constexpr const char* kInvalidArgument = "dev.boxctl.box1.Error.InvalidArgument";
inline constexpr const char* kAlreadyExists = "dev.boxctl.box1.Error.AlreadyExists";
inline constexpr const char* kBusy = "dev.boxctl.box1.Error.Busy";
inline constexpr const char* kInstallFailed = "dev.boxctl.box1.Error.InstallFailed";
inline constexpr const char* kUninstallFailed = "dev.boxctl.box1.Error.UninstallFailed";
inline constexpr const char* kCancelled = "dev.boxctl.box1.Error.Cancelled";
inline constexpr const char* kCgroupError = "dev.boxctl.box1.Error.CgroupError";

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

sdbus::Error invalid_argument(const std::string& message);
// What install::check_install_request/check_uninstall_request refused:
// InvalidArgument, AlreadyExists, or NoSuchContainer (nothing installed).
sdbus::Error request_refused(install::Refusal why, const std::string& message);
// Another Install or Uninstall of `name` is running.
sdbus::Error busy(const std::string& name);
sdbus::Error install_failed(const std::string& message);
sdbus::Error uninstall_failed(const std::string& message);
sdbus::Error cancelled(const std::string& message);
// The running box's cgroup could not be found, frozen, thawed or read
// (`message` names the file and why).
sdbus::Error cgroup_error(const std::string& name, const std::string& message);

}  // namespace box::manager
