// box-manager: the D-Bus service dev.boxctl.box1 on the user's session bus,
// started on demand by bus activation (box-manager.service).
#include <sdbus-c++/sdbus-c++.h>

#include "container_registry.h"
#include "log.h"
#include "manager_object.h"
#include "paths.h"
#include "systemd_client.h"

int main() {
  box::log_set_program("box-manager");
  auto dirs = box::user_dirs_from_environment();
  if (!dirs) {
    box::log_error(dirs.error().message());
    return 1;
  }
  try {
    auto connection = sdbus::createSessionBusConnection();
    box::manager::SystemdClient systemd(*connection);
    box::manager::ManagerObject manager(
        *connection, box::manager::ContainerRegistry(box::definition_search_dirs(*dirs), dirs->home),
        systemd);
    // Take the name only once the object is ready, so the first (activating)
    // call never finds the name without the object.
    connection->requestName(box::manager::kBusName);
    connection->enterEventLoop();
  } catch (const sdbus::Error& e) {
    box::log_error("D-Bus: " + e.getName() + ": " + e.getMessage());
    return 1;
  }
  return 0;
}
