#include <sys/stat.h>

#include <cstdlib>
#include <iostream>

#include "boxctl/boxctl.h"
#include "bus/errors.h"
#include "bus/systemd_names.h"

namespace box::boxctl {
namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// Why there is no session bus, as precisely as the environment tells.
std::string explain_no_bus(const sdbus::Error& e) {
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  const char* address = std::getenv("DBUS_SESSION_BUS_ADDRESS");
  std::string why;
  if ((!address || !*address) && (!runtime || !*runtime)) {
    why = "XDG_RUNTIME_DIR and DBUS_SESSION_BUS_ADDRESS are not set: this is not a login "
          "session. Log in as the user (ssh, a desktop, or 'machinectl shell USER@'), not "
          "with su or sudo";
  } else if (!address || !*address) {
    struct stat st {};
    std::string socket = std::string(runtime) + "/bus";
    if (::stat(socket.c_str(), &st) != 0)
      why = "there is no session bus at " + socket +
            ": install dbus-user-session (then log out and in again), or start a user "
            "manager with 'loginctl enable-linger $USER'";
  }
  std::string out = "cannot connect to the session bus: " + e.getMessage();
  if (!why.empty()) out += "\n" + why;
  return out;
}

}  // namespace

void complain(const std::string& message) { std::cerr << "boxctl: " << message << "\n"; }

sdbus::IConnection& Context::bus() {
  if (!bus_) {
    try {
      bus_ = sdbus::createSessionBusConnection();
    } catch (const sdbus::Error& e) {
      throw Failure{kExitNoSession, explain_no_bus(e)};
    }
  }
  return *bus_;
}

manager::ManagerClient& Context::manager() {
  if (!manager_) manager_ = std::make_unique<manager::ManagerClient>(bus());
  return *manager_;
}

int Context::report(const sdbus::Error& e) {
  const std::string name = e.getName();
  const std::string message = e.getMessage();
  if (name == manager::kNoSuchContainer) {
    complain(message);
    return kExitNoSuchContainer;
  }
  if (name == manager::kInvalidDefinition) {
    complain(message);
    return kExitInvalidDefinition;
  }
  if (name == manager::kNotRunning) {
    complain(message);
    return kExitNotRunning;
  }
  // Is there a user manager at all? The most common cause of the errors
  // below, and the one with an obvious fix.
  bool has_systemd = true;
  if (bus_) {
    try {
      auto dbus = sdbus::createProxy(*bus_, "org.freedesktop.DBus", "/org/freedesktop/DBus");
      dbus->callMethod("NameHasOwner")
          .onInterface("org.freedesktop.DBus")
          .withArguments(std::string(manager::systemd1::kService))
          .storeResultsTo(has_systemd);
    } catch (const sdbus::Error&) {
    }
  }
  if (!has_systemd) {
    complain(message + "\nno user manager: systemd --user is not running for this user "
                       "(org.freedesktop.systemd1 is not on the session bus). Log in through a "
                       "PAM session (ssh, a desktop), or run 'loginctl enable-linger $USER'");
    return kExitNoSession;
  }
  if (name == "org.freedesktop.DBus.Error.ServiceUnknown" ||
      name == "org.freedesktop.DBus.Error.NameHasNoOwner" ||
      starts_with(name, "org.freedesktop.DBus.Error.Spawn.") ||
      starts_with(name, manager::systemd1::kErrorPrefix)) {
    complain("cannot start box-manager (dev.boxctl.box1): " + message + " (" + name +
             ")\nCheck that box is installed where the session bus and systemd look "
             "(share/dbus-1/services/dev.boxctl.box1.service, lib/systemd/user/"
             "box-manager.service) and see 'journalctl --user -u box-manager.service'");
    return kExitNoSession;
  }
  if (name == "org.freedesktop.DBus.Error.NoReply" ||
      name == "org.freedesktop.DBus.Error.Disconnected" ||
      name == "org.freedesktop.DBus.Error.Timeout") {
    complain("box-manager did not answer: " + message +
             " (it may have been stopped mid-call; the next command starts it again)");
    return kExitFailure;
  }
  complain(message);
  return kExitFailure;
}

}  // namespace box::boxctl
