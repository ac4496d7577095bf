// session: {x11: true}, the pure half: the X display of $DISPLAY as the
// container reaches it. Its socket, /tmp/.X11-unix/XN, is bound read-only
// at the same path (in a tmpfs of its own there, so a box with the host's
// /tmp bound sees that one display only), DISPLAY is set, and the
// display's cookie reaches the box in a file of its own: box-run copies
// the cookie of that display, and nothing else of the user's Xauthority,
// into $XDG_RUNTIME_DIR/box/x11/NAME/Xauthority (core/runtime/x11_auth.h),
// bound read-only at $XDG_RUNTIME_DIR/Xauthority inside, with XAUTHORITY
// set. docs/desktop.md says how it compares with flatpak's --socket=x11.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/plan/run_plan.h"
#include "core/plan/runtime_facts.h"
#include "core/sys/result.h"

namespace box {

// Where X servers put their local sockets (Xtrans).
inline constexpr const char* kX11SocketDir = "/tmp/.X11-unix";

// A local X display: ":N" or ":N.S" ("unix:N[.S]" is the same display).
struct X11Display {
  std::string number;  // N, digits
  std::string screen;  // S, digits; empty: none given
  // ":N" or ":N.S", the DISPLAY the box gets.
  std::string name() const { return ":" + number + (screen.empty() ? "" : "." + screen); }
  // /tmp/.X11-unix/XN
  std::string socket() const { return std::string(kX11SocketDir) + "/X" + number; }
  bool operator==(const X11Display&) const = default;
};

// $DISPLAY as libX11 and libxcb read it, for a display whose socket can be
// bound: ":N", ":N.S", "unix:N", "unix:N.S". An error that says why for
// anything else: unset, a display over TCP ("host:N", "localhost:10.0" of
// ssh -X), DECnet ("host::N"), a socket path, or no number.
Result<X11Display> parse_x11_display(const std::string& display);

// The directory of `name`'s Xauthority under the user's runtime dir.
std::string x11_auth_dir(const std::string& runtime_dir, const std::string& name);

// Adds the tmpfs on /tmp/.X11-unix, the socket's and the cookie file's
// binds (after every other mount, so a tmpfs of the definition's on /tmp
// does not hide them), the socket to p.session_sockets and the cookie to
// p.x11; returns DISPLAY and XAUTHORITY for the container. Needs the
// runtime dir tmpfs of plan_session() (session_plan.h) for the cookie.
Result<std::vector<std::pair<std::string, std::string>>> plan_x11(const std::string& name,
                                                                  const RuntimeFacts& facts,
                                                                  RunPlan& p);

}  // namespace box
