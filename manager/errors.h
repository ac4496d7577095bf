// The D-Bus errors box-manager returns: named once, here.
#pragma once

#include <sdbus-c++/Error.h>

#include <string>

namespace box::manager {

inline constexpr const char* kErrorPrefix = "dev.boxctl.box1.Error.";

sdbus::Error no_such_container(const std::string& name, const std::string& detail);
sdbus::Error invalid_definition(const std::string& message);
sdbus::Error systemd_error(const std::string& message);

}  // namespace box::manager
