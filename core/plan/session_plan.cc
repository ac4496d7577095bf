#include "core/plan/session_plan.h"

#include <sys/mount.h>

namespace box {
namespace {

// libwayland's default when $WAYLAND_DISPLAY is unset.
constexpr const char* kDefaultWaylandDisplay = "wayland-0";

std::string wayland_display(const RuntimeFacts& facts) {
  return facts.wayland_display.empty() ? kDefaultWaylandDisplay : facts.wayland_display;
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> plan_session(
    const SessionSockets& sockets, const RuntimeFacts& facts, RunPlan& p) {
  std::vector<std::pair<std::string, std::string>> vars;
  if (!sockets.any()) return vars;
  const std::string& run = facts.runtime_dir;
  if (run.empty() || run.front() != '/')
    return Error(
        "'session' needs the session's runtime dir, and $XDG_RUNTIME_DIR is not set (start the "
        "box from your session's user manager)");
  using K = MountStep::Kind;
  // Only the sockets named appear in it: the session's bus, its other
  // sockets and files stay out of reach.
  p.mounts.push_back({K::kTmpfs, run, "",
                      "mode=700,size=64k,uid=" + std::to_string(p.uid) +
                          ",gid=" + std::to_string(p.gid),
                      MS_NOSUID | MS_NODEV | MS_NOEXEC});
  vars.emplace_back("XDG_RUNTIME_DIR", run);
  auto add = [&](const char* name, const std::string& path) {
    p.mounts.push_back({K::kBind, path, path, "", MS_RDONLY});
    p.session_sockets.push_back({name, path});
  };
  if (sockets.wayland) {
    // A name is relative to the runtime dir; an absolute path is itself
    // (libwayland's rules).
    const std::string display = wayland_display(facts);
    if (display.find("..") != std::string::npos || display.back() == '/')
      return Error("$WAYLAND_DISPLAY '" + display + "' names no socket");
    add("wayland", display.front() == '/' ? display : run + "/" + display);
    vars.emplace_back("WAYLAND_DISPLAY", display);
  }
  if (sockets.pulseaudio) {
    // Named, so that the client does not look for a server elsewhere (X11
    // properties, a system-wide daemon).
    add("pulseaudio", run + "/pulse/native");
    vars.emplace_back("PULSE_SERVER", "unix:" + run + "/pulse/native");
    // No client config: the audio's shared memory goes to the server as
    // memfd descriptors over the socket, which the box's own /dev/shm does
    // not hinder (SessionSockets.AudioFromABoxReachesPulseAudioOnlyWithTheKey).
  }
  if (sockets.pipewire) add("pipewire", run + "/pipewire-0");
  return vars;
}

std::string session_socket_missing(const SessionSocket& socket, const RuntimeFacts& facts) {
  std::string what = "session socket '" + socket.name + "': no socket at '" + socket.path + "'";
  if (socket.name == "wayland")
    return what + " (WAYLAND_DISPLAY is " +
           (facts.wayland_display.empty() ? "unset, so wayland-0"
                                          : "'" + facts.wayland_display + "'") +
           "): is a Wayland compositor running, and has the session given WAYLAND_DISPLAY to "
           "the user manager ('systemctl --user import-environment WAYLAND_DISPLAY')?";
  if (socket.name == "x11")
    return what + " (DISPLAY is '" + facts.display +
           "'): is that X server (or Xwayland) running, and does it listen on its local socket?";
  if (socket.name == "pulseaudio")
    return what + ": is a PulseAudio server (or pipewire-pulse) running in this session?";
  return what + ": is PipeWire running in this session?";
}

}  // namespace box
