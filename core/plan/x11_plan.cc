#include "core/plan/x11_plan.h"

#include <sys/mount.h>

#include <cctype>

namespace box {
namespace {

bool all_digits(const std::string& s) {
  if (s.empty() || s.size() > 9) return false;  // no display has a larger number
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

}  // namespace

Result<X11Display> parse_x11_display(const std::string& display) {
  if (display.empty())
    return Error(
        "session: x11 needs $DISPLAY, which is unset: is an X server (or Xwayland) running, and "
        "has the session given DISPLAY and XAUTHORITY to the user manager ('systemctl --user "
        "import-environment DISPLAY XAUTHORITY')?");
  const std::string quoted = "DISPLAY '" + display + "'";
  // [HOST]:N[.S], as XOpenDisplay and xcb_connect split it: the host is
  // what comes before the last ':' ("host::N" is DECnet).
  const std::size_t colon = display.rfind(':');
  if (colon == std::string::npos)
    return Error(quoted + " names no display (expected ':N' or ':N.S')");
  std::string host = display.substr(0, colon);
  const std::string rest = display.substr(colon + 1);
  if (!host.empty() && host.back() == ':')
    return Error(quoted + " is a DECnet display: box binds a local display's socket only");
  if (!host.empty() && host.front() == '/')
    return Error(quoted + " names a socket path (launchd's form): box binds '" + kX11SocketDir +
                 "/XN' of a local display ':N' only");
  if (!host.empty() && host != "unix")
    return Error(quoted +
                 " is a display over TCP (HOST:N; ssh -X forwards one as localhost:10.0): box "
                 "binds a local display's socket only, '" + kX11SocketDir + "/XN' of ':N'");
  X11Display d;
  const std::size_t dot = rest.find('.');
  d.number = rest.substr(0, dot);
  if (dot != std::string::npos) d.screen = rest.substr(dot + 1);
  if (!all_digits(d.number) || (dot != std::string::npos && !all_digits(d.screen)))
    return Error(quoted + " names no display (expected ':N' or ':N.S', N and S numbers)");
  return d;
}

std::string x11_auth_dir(const std::string& runtime_dir, const std::string& name) {
  return runtime_dir + "/box/x11/" + name;
}

Result<std::vector<std::pair<std::string, std::string>>> plan_x11(const std::string& name,
                                                                  const RuntimeFacts& facts,
                                                                  RunPlan& p) {
  auto display = parse_x11_display(facts.display);
  if (!display) return display.error();
  const std::string& run = facts.runtime_dir;
  if (run.empty() || run.front() != '/')
    return Error(
        "session: x11 needs the session's runtime dir for the display's cookie, and "
        "$XDG_RUNTIME_DIR is not set (start the box from your session's user manager)");
  using K = MountStep::Kind;
  // The one display: no other socket of the host's (a bound /tmp) or the
  // image's is beside it.
  p.mounts.push_back({K::kTmpfs, kX11SocketDir, "", "mode=755,size=64k",
                      MS_NOSUID | MS_NODEV | MS_NOEXEC});
  p.mounts.push_back({K::kBind, display->socket(), display->socket(), "", MS_RDONLY});
  p.session_sockets.push_back({"x11", display->socket()});
  X11Cookie cookie;
  cookie.display = ":" + display->number;
  cookie.source = facts.xauthority;
  cookie.dir = x11_auth_dir(run, name);
  cookie.file = cookie.dir + "/Xauthority";
  // In the box's own runtime dir (plan_session's tmpfs), where GDM keeps
  // a session's Xauthority too.
  cookie.inside = run + "/Xauthority";
  cookie.xauth = facts.xauth;
  p.mounts.push_back({K::kBind, cookie.inside, cookie.file, "", MS_RDONLY});
  std::vector<std::pair<std::string, std::string>> vars = {{"DISPLAY", display->name()},
                                                           {"XAUTHORITY", cookie.inside}};
  p.x11 = std::move(cookie);
  return vars;
}

}  // namespace box
