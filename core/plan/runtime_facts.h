// What the host says, as far as a run plan depends on it: how box-run was
// started, where it keeps its sockets, the helper programs found, the
// overlay driver a persistent upper dir asks for, the console pty. Plain
// data: core/runtime/runtime_facts.cc gathers it (the one place box-run
// reads what its plan depends on in its environment and $PATH),
// make_run_plan() (run_plan.h) turns a Definition and these facts into the
// whole plan, and `box-run --dry-run` prints both (plan_text.h).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "core/model/definition.h"
#include "core/model/pod.h"

namespace box {

enum class NetworkHelperKind { kPasta, kSlirp4netns };
const char* to_string(NetworkHelperKind kind);

struct NetworkHelperSpec {
  NetworkHelperKind kind = NetworkHelperKind::kPasta;
  std::string program;  // absolute path
  bool operator==(const NetworkHelperSpec&) const = default;
};

// The pod a member joins (Definition::pod), as it runs: its definition and
// the namespaces its holder keeps, each by a path to join it by (an open
// descriptor of box-run's: /proc/self/fd/N; empty: the pod keeps none of
// that kind). core/runtime/pod_join.h finds them.
struct PodFacts {
  PodDefinition pod;
  // False where nothing will run (--dry-run, validate) and the pod is not
  // running: the paths then name where the holder's namespaces would be.
  bool running = false;
  pid_t holder = 0;
  std::string user_ns, net_ns, ipc_ns, uts_ns;
  // Whether the pod's user namespace lets its processes call setgroups:
  // not when box-run mapped the single id itself (userns: single, or auto
  // without subordinate ids), as for a box of its own.
  bool setgroups_allowed = true;
};

// Used where $PATH is unset or empty.
inline constexpr const char* kFallbackHostPath = "/usr/local/bin:/usr/bin:/bin";

struct RuntimeFacts {
  // `box-run start`: the main process of box@NAME.service, whose cgroup
  // systemd delegates to it (Delegate=yes) and which tells systemd about the
  // container. `box-run run` is neither.
  bool service = false;
  // systemd's $NOTIFY_SOCKET (read for a service only); empty: nobody to tell.
  std::string service_notify_socket;
  // $XDG_RUNTIME_DIR; empty outside a session.
  std::string runtime_dir;
  // box-run's own pid: its sockets carry it in their names, so two
  // box-runs never take each other's.
  pid_t box_run_pid = 0;
  // $PATH, where helper programs are looked up (kFallbackHostPath when unset
  // or empty).
  std::string path;
  // Debian's uidmap helpers, for id maps other than our own id. Taken from
  // where the package installs them, not looked up.
  std::string newuidmap = "/usr/bin/newuidmap";
  std::string newgidmap = "/usr/bin/newgidmap";

  // The rest is looked up only when the definition needs it (RuntimeQuery).
  // An overlay whose driver may be fuse-overlayfs: where it is in `path`;
  // empty: not there.
  std::string fuse_overlayfs;
  // rootfs_writes: persistent: the content of the upper dir's driver marker
  // (overlay_plan.h, kFuseMarkerName); nullopt: there is none.
  std::optional<std::string> overlay_marker;
  // network: private: $BOX_NETWORK_HELPER, and the helper found for it
  // (pasta, else slirp4netns); nullopt: none is installed.
  std::string network_helper_preference;
  std::optional<NetworkHelperSpec> network_helper;
  // init: systemd: the pty box-run opened to be the container's /dev/console.
  std::string console_pty;
  // session: {wayland: true}: $WAYLAND_DISPLAY (empty: unset).
  std::string wayland_display;
  // session: {x11: true}: $DISPLAY (empty: unset), the user's Xauthority
  // ($XAUTHORITY, else $HOME/.Xauthority, as libXau looks for it; empty:
  // neither is set) and xauth in `path` (empty: not installed).
  std::string display;
  std::string xauthority;
  std::string xauth;
  // session_bus/system_bus: xdg-dbus-proxy in `path` (empty: not installed),
  // and the real buses' addresses: $DBUS_SESSION_BUS_ADDRESS (else
  // unix:path=$XDG_RUNTIME_DIR/bus) and $DBUS_SYSTEM_BUS_ADDRESS (else
  // the well-known unix:path=/run/dbus/system_bus_socket).
  std::string bus_proxy;
  std::string session_bus_address;
  std::string system_bus_address;
  // pod: the pod the box joins.
  std::optional<PodFacts> pod;
};

// What a start of a definition needs to know of the host: nothing else is
// looked up, so a container start does no work it does not need.
struct RuntimeQuery {
  bool service = false;            // read $NOTIFY_SOCKET
  bool network_helper = false;     // network: private
  bool fuse_overlayfs = false;     // rootfs_writes overlay/persistent, overlay_driver auto/fuse
  std::string overlay_marker_dir;  // persistent: the dir holding upper/, work/ and the marker
  bool console = false;            // init: systemd or run -t: open a pty for /dev/console
  bool terminal = false;           // run -t: that pty is a terminal (echo, output processing)
  bool wayland_display = false;    // session: {wayland: true}: read $WAYLAND_DISPLAY
  bool x11 = false;                // session: {x11: true}: $DISPLAY, the Xauthority, xauth
  bool bus_proxy = false;          // session_bus or system_bus: xdg-dbus-proxy, the addresses
  std::string pod;                 // pod: the pod to find (its definition and its holder)
};

// The parent of the persistent upper and work dirs of `name`, under the
// user's data dir (empty `data_home`: none).
std::string persistent_dir(const std::string& data_home, const std::string& name);

// Pure: what to ask the host before planning `def`.
RuntimeQuery runtime_query(const Definition& def, const std::string& data_home, bool service);

}  // namespace box
