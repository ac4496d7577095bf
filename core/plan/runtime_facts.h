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

namespace box {

enum class NetworkHelperKind { kPasta, kSlirp4netns };
const char* to_string(NetworkHelperKind kind);

struct NetworkHelperSpec {
  NetworkHelperKind kind = NetworkHelperKind::kPasta;
  std::string program;  // absolute path
  bool operator==(const NetworkHelperSpec&) const = default;
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
};

// What a start of a definition needs to know of the host: nothing else is
// looked up, so a container start does no work it does not need.
struct RuntimeQuery {
  bool service = false;            // read $NOTIFY_SOCKET
  bool network_helper = false;     // network: private
  bool fuse_overlayfs = false;     // rootfs_writes overlay/persistent, overlay_driver auto/fuse
  std::string overlay_marker_dir;  // persistent: the dir holding upper/, work/ and the marker
  bool console = false;            // init: systemd: open a pty for /dev/console
};

// The parent of the persistent upper and work dirs of `name`, under the
// user's data dir (empty `data_home`: none).
std::string persistent_dir(const std::string& data_home, const std::string& name);

// Pure: what to ask the host before planning `def`.
RuntimeQuery runtime_query(const Definition& def, const std::string& data_home, bool service);

}  // namespace box
