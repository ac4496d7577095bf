// What a box may reach on a message bus: the `session_bus` and `system_bus`
// keys of a definition, in the terms of xdg-dbus-proxy(1)'s policy (see,
// talk, own; call and broadcast rules), and the checks of the names and
// rules in them, made at load time so that a typo is refused with its
// file:line instead of being handed to the proxy. Pure.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/sys/result.h"

namespace box {

// A name with its rules, "org.freedesktop.portal.*": ["*@/org/freedesktop/portal/*"].
using BusNameRules = std::pair<std::string, std::vector<std::string>>;

struct BusRules {
  // Well-known names, each optionally ending in ".*" (the name and every
  // name below it). Each level implies the ones before it: see < talk < own.
  std::vector<std::string> see, talk, own;
  // Method calls the box may make on NAME, and broadcast signals it may
  // receive from NAME, only as the rules say ("[METHOD][@PATH]").
  std::vector<BusNameRules> call, broadcast;
  bool operator==(const BusRules&) const = default;
};

// One thing a box may do on a bus, for those who show it (boxctl status,
// the Container's SessionBus/SystemBus properties): `level` is see, talk,
// own, call or broadcast; `rule` the call or broadcast rule ("" for the
// others).
struct BusGrant {
  std::string level, name, rule;
  bool operator==(const BusGrant&) const = default;
};

// The rules one grant a line, in the order xdg-dbus-proxy is given them.
std::vector<BusGrant> bus_grants(const BusRules& rules);

// A well-known bus name as xdg-dbus-proxy's policy takes it: at least two
// dot-separated elements of letters, digits, '_' and '-', none starting with
// a digit, at most 255 characters, optionally followed by ".*". A unique
// name (":1.42") is refused: it changes with every connection.
Result<void> check_bus_name_pattern(std::string_view name);

// A --call or --broadcast rule, "[METHOD][@PATH]": METHOD is '*', an
// interface (optionally ending in ".*") or interface.Method; PATH an object
// path, optionally ending in "/*". At least one of the two.
Result<void> check_bus_rule(std::string_view rule);

}  // namespace box
