// D-Bus object paths of box's containers and of systemd's units. Both use
// sd_bus_path_encode's escaping ("box@a-b.service" -> "box_40a_2db_2eservice"),
// so any client library that decodes systemd's paths decodes ours.
#pragma once

#include <optional>
#include <string>

#include "bus/systemd_names.h"

namespace box::manager {

inline constexpr const char* kContainerPathPrefix = "/dev/boxctl/box1/container";

std::string container_object_path(const std::string& name);
// The container name of a path under kContainerPathPrefix, if it is one.
std::optional<std::string> container_from_object_path(const std::string& path);

std::string unit_object_path(const std::string& unit);
std::optional<std::string> unit_from_object_path(const std::string& path);

}  // namespace box::manager
