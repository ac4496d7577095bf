// Names of the box D-Bus service, shared by box-manager and boxctl.
#pragma once

namespace box::manager {

inline constexpr const char* kBusName = "dev.boxctl.box1";
inline constexpr const char* kManagerPath = "/dev/boxctl/box1";

}  // namespace box::manager
