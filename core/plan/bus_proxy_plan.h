// The message buses of a box, the pure half: the `session_bus` and
// `system_bus` keys (core/model/bus_rules.h) become one xdg-dbus-proxy(1)
// command line, the proxy's sockets in a directory of the box's own under
// the user's runtime dir, their binds in the container and the variables
// that point its clients at them. Nothing of a bus is in the container
// unless its key is given, and what is given is filtered (--filter):
// without rules the box talks to the bus driver only. core/runtime/
// bus_proxy.* starts and stops the proxy; docs/desktop.md compares the keys
// with flatpak's permissions.
#pragma once

#include <string>
#include <vector>

#include "core/model/bus_rules.h"
#include "core/model/definition.h"
#include "core/plan/run_plan.h"
#include "core/plan/runtime_facts.h"
#include "core/sys/result.h"

namespace box {

// Where the system bus is, by the D-Bus specification's default, on the
// host and (its proxy's socket) in the container.
inline constexpr const char* kSystemBusSocket = "/run/dbus/system_bus_socket";

// The descriptor xdg-dbus-proxy gets for --fd: it writes a byte there once
// every socket listens, and exits when the other end is closed.
inline constexpr int kBusProxyReadyFd = 3;

// The proxy's options for one bus: --filter, then --see=, --talk=, --own=
// for each name, --call=NAME=RULE and --broadcast=NAME=RULE for each rule.
std::vector<std::string> bus_policy_args(const BusRules& rules);

// xdg-dbus-proxy --fd=kBusProxyReadyFd, then ADDRESS SOCKET POLICY... for
// each bus.
std::vector<std::string> bus_proxy_argv(const std::string& program,
                                        const std::vector<ProxiedBus>& buses);

// The directory of `name`'s proxy sockets under the user's runtime dir.
std::string bus_proxy_dir(const std::string& runtime_dir, const std::string& name);

// Adds the proxy, its buses, their binds (after every other mount, so a
// tmpfs on /run does not hide them) and DBUS_SESSION_BUS_ADDRESS /
// DBUS_SYSTEM_BUS_ADDRESS (and XDG_RUNTIME_DIR, where the session bus is
// bound, unless the definition sets it) to `plan`. An error when the host
// cannot serve it: no xdg-dbus-proxy, no runtime dir, a socket path too
// long for a unix socket.
Result<void> plan_bus_proxy(const Definition& def, const RuntimeFacts& facts, RunPlan& plan);

}  // namespace box
