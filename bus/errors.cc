#include "bus/errors.h"

namespace box::manager {

sdbus::Error no_such_container(const std::string& name, const std::string& detail) {
  return sdbus::Error(kNoSuchContainer, "no container named '" + name + "': " + detail);
}

sdbus::Error invalid_definition(const std::string& message) {
  return sdbus::Error(kInvalidDefinition, message);
}

sdbus::Error already_running(const std::string& name) {
  return sdbus::Error(kAlreadyRunning, "container '" + name + "' is already running");
}

sdbus::Error not_running(const std::string& name) {
  return sdbus::Error(kNotRunning, "container '" + name + "' is not running");
}

sdbus::Error autostart_from_definition(const std::string& name, const std::string& path,
                                       const std::string& autostart) {
  return sdbus::Error(kAutostartFromDefinition,
                      "container '" + name + "' starts at " + autostart +
                          " because its definition says so ('autostart: " + autostart + "' in '" +
                          path + "'): change it there, then run 'boxctl reload'");
}

sdbus::Error systemd_error(const std::string& what, const sdbus::Error& cause) {
  std::string message = cause.getMessage();
  if (cause.getName() == "org.freedesktop.DBus.Error.ServiceUnknown" ||
      cause.getName() == "org.freedesktop.DBus.Error.NameHasNoOwner")
    message = "the user's systemd (org.freedesktop.systemd1) is not on the session bus: " + message;
  return sdbus::Error(kSystemdError,
                      "cannot " + what + ": " + message + " (" + cause.getName() + ")");
}

sdbus::Error systemd_error(const std::string& message) {
  return sdbus::Error(kSystemdError, message);
}

sdbus::Error invalid_argument(const std::string& message) {
  return sdbus::Error(kInvalidArgument, message);
}

sdbus::Error request_refused(install::Refusal why, const std::string& message) {
  switch (why) {
    case install::Refusal::kAlreadyExists:
      return sdbus::Error(kAlreadyExists, message);
    case install::Refusal::kNotInstalled:
      return sdbus::Error(kNoSuchContainer, message);
    case install::Refusal::kInvalidArgument:
      break;
  }
  return sdbus::Error(kInvalidArgument, message);
}

sdbus::Error busy(const std::string& name) {
  return sdbus::Error(kBusy, "'" + name +
                                 "' is being installed or uninstalled by another call: wait for "
                                 "it to end (an install can be cancelled with CancelInstall)");
}

sdbus::Error install_failed(const std::string& message) {
  return sdbus::Error(kInstallFailed, message);
}

sdbus::Error uninstall_failed(const std::string& message) {
  return sdbus::Error(kUninstallFailed, message);
}

sdbus::Error cancelled(const std::string& message) { return sdbus::Error(kCancelled, message); }

sdbus::Error cgroup_error(const std::string& name, const std::string& message) {
  return sdbus::Error(kCgroupError, "container '" + name + "': " + message);
}

}  // namespace box::manager
