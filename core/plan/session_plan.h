// The desktop session's sockets a definition names (`session:`), as mount
// steps and variables of the run plan. Each socket is bound read-only at
// the path it has on the host, in a fresh tmpfs at the session's runtime
// dir, so the container finds it where the session's clients look and
// reaches nothing else of the runtime dir. Pure; docs/desktop.md says what
// each key gives and how it compares with flatpak's --socket. X11's socket
// and cookie are x11_plan.h's (they come after the definition's mounts).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/model/definition.h"
#include "core/plan/run_plan.h"
#include "core/plan/runtime_facts.h"
#include "core/sys/result.h"

namespace box {

// Adds the tmpfs and the binds for `sockets` to p.mounts and lists the
// sockets in p.session_sockets; returns the variables the container's
// clients need ({XDG_RUNTIME_DIR, ...}, WAYLAND_DISPLAY, PULSE_SERVER). An
// error without a runtime dir, or for a $WAYLAND_DISPLAY that names no path.
Result<std::vector<std::pair<std::string, std::string>>> plan_session(
    const SessionSockets& sockets, const RuntimeFacts& facts, RunPlan& p);

// Why `socket` cannot be reached when it is missing, and what to do.
std::string session_socket_missing(const SessionSocket& socket, const RuntimeFacts& facts);

}  // namespace box
