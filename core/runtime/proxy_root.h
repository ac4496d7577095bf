// The bus proxy's own root, for a box with an app_id: xdg-desktop-portal
// (1.16, Debian 12's) knows a sandboxed caller by the file /.flatpak-info
// in the root of the process on the other end of the bus connection
// (/proc/PID/root/.flatpak-info, PID from GetConnectionUnixProcessID), and
// for a box that process is its xdg-dbus-proxy, not the box's own. So the
// proxy runs, as flatpak runs its own (flatpak-run.c, start_dbus_proxy()),
// in a mount namespace whose root holds the box's metadata file and the
// host's tree beside it: a tmpfs with each top-level directory of the
// host's / bound recursively at its own path (the proxy reaches the real
// bus and makes its sockets at the same paths as before), the host's
// top-level symlinks copied, and /.flatpak-info, read-only. A user
// namespace that maps the user's own uid and gid to themselves makes the
// mounts possible; nothing else of the proxy changes (same ids, same
// network, same pid namespace: the portal finds it by its PID).
#pragma once

#include <string>
#include <vector>

#include "core/sys/result.h"
#include "core/sys/spawn.h"

namespace box {

struct ProxyRoot {
  std::string dir;               // an empty directory of box-run's, where the tmpfs goes
  std::string info;              // /.flatpak-info's text
  std::string info_path;         // dir + "/.flatpak-info"
  std::string uid_map, gid_map;  // "UID UID 1", written by the proxy itself
  struct Entry {
    std::string host;    // "/usr"
    std::string target;  // dir + "/usr"
    std::string link;    // a symlink's text; empty: a directory, bound
  };
  std::vector<Entry> entries;
};

// Parent side: makes `dir` (0700) and reads the host's / (directories and
// symlinks; other files at the top level are left out).
Result<ProxyRoot> prepare_proxy_root(const std::string& dir, const std::string& info);

// Child side (spawn()'s `prepare`, system calls only): the user and mount
// namespaces, the tmpfs root, the binds, the file, pivot_root. False with
// `child` saying which step failed.
bool enter_proxy_root(const ProxyRoot& root, SpawnChild& child);

}  // namespace box
