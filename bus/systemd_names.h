// The user's systemd on the session bus (org.freedesktop.systemd1, see
// org.freedesktop.systemd1(5)): its bus name, object paths, interfaces and
// the error names box looks at, named here and nowhere else. The client
// that calls it is systemd_client.h.
#pragma once

namespace box::manager::systemd1 {

inline constexpr const char* kService = "org.freedesktop.systemd1";
inline constexpr const char* kPath = "/org/freedesktop/systemd1";
// Below it, one object a unit (object_paths.h encodes the unit's name).
inline constexpr const char* kUnitPathPrefix = "/org/freedesktop/systemd1/unit";

inline constexpr const char* kManagerInterface = "org.freedesktop.systemd1.Manager";
inline constexpr const char* kUnitInterface = "org.freedesktop.systemd1.Unit";
inline constexpr const char* kServiceInterface = "org.freedesktop.systemd1.Service";

// Every error systemd itself returns starts with this.
inline constexpr const char* kErrorPrefix = "org.freedesktop.systemd1.";
inline constexpr const char* kNoSuchUnit = "org.freedesktop.systemd1.NoSuchUnit";
inline constexpr const char* kLoadFailed = "org.freedesktop.systemd1.LoadFailed";
inline constexpr const char* kNoSuchProcess = "org.freedesktop.systemd1.NoSuchProcess";
// Not systemd's: what SystemdClient::enable_unit reports when systemd
// enabled nothing because the unit has no [Install] section.
inline constexpr const char* kNoInstallInfo = "org.freedesktop.systemd1.NoInstallInfo";

}  // namespace box::manager::systemd1
