// A box's application id (`app_id: org.example.App`): the name desktop
// tools and xdg-desktop-portal know it by, and the metadata file through
// which a sandboxed app tells the portal (and GLib inside) who it is, in
// flatpak's format (docs/desktop.md, "Application id"). Pure.
#pragma once

#include <string>
#include <string_view>

#include "core/sys/result.h"

namespace box {

struct Definition;

// What xdg-desktop-portal 1.16 takes as an app id (xdp_is_valid_app_id())
// and D-Bus as a well-known name: at least two dot-separated elements of
// letters, digits and '_', none starting with a digit, '-' in the last
// element only, at most 255 characters.
Result<void> check_app_id(std::string_view id);

// Where the metadata file is in the box, and in the bus proxy's root:
// the portal reads /proc/PID/root/.flatpak-info of the process on the other
// end of a bus connection, which for a box is its xdg-dbus-proxy.
inline constexpr const char* kAppInfoPath = "/.flatpak-info";

// The metadata file's text for a definition with an app_id, as flatpak
// writes /.flatpak-info (a GKeyFile): [Application] name; [Context] shared
// with "network" when the box has a network (network: host or private);
// [Session Bus Policy] each see/talk/own name of session_bus with its
// level. Only what the box really has: no [Instance] (there is no flatpak
// instance to point at).
std::string app_info_text(const Definition& def);

}  // namespace box
