#include "errors.h"

namespace box::manager {

sdbus::Error no_such_container(const std::string& name, const std::string& detail) {
  return sdbus::Error(std::string(kErrorPrefix) + "NoSuchContainer",
                      "no container named '" + name + "': " + detail);
}

sdbus::Error invalid_definition(const std::string& message) {
  return sdbus::Error(std::string(kErrorPrefix) + "InvalidDefinition", message);
}

sdbus::Error systemd_error(const std::string& message) {
  return sdbus::Error(std::string(kErrorPrefix) + "SystemdError", message);
}

}  // namespace box::manager
