// What an install or uninstall leaves when its process is killed (SIGKILL,
// a crash, a power loss) before it can clean up, and its removal:
//   images/.staging-NAME-PID-RANDOM   an install's staged image
//   images/.old-NAME-PID-RANDOM       an image being replaced
//   images/.removing-NAME-PID-RANDOM  an image being uninstalled
//   containers/NAME.yaml.installing-PID  a definition not yet renamed
// Each carries the PID of the process that made it; only entries whose
// process is gone are removed, so a running install is never touched.
// box-manager removes them when it starts, and every install before it
// stages. Removal never leaves the images and definitions directories: an
// entry is removed by name inside them (a symlink is removed, not followed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/image/userns.h"
#include "install/install.h"

namespace box::install {

// The PID an entry's name carries when it is debris of the kind above
// (pure): ".staging-etcd-123-ab12cd34" -> 123, "etcd.yaml.installing-123"
// -> 123; nullopt for anything else.
std::optional<std::int64_t> debris_pid(const std::string& entry);

// `entry` is debris and its PID is gone.
bool left_by_dead_process(const std::string& entry);

struct DebrisRemoval {
  std::vector<std::string> removed;  // paths
  std::vector<std::string> errors;   // one message per path that could not be removed
};

DebrisRemoval remove_debris(const Locations& locs, const image::IdMapping& mapping);

// The same for the calling user (box-manager's start).
DebrisRemoval remove_install_debris(const InstallContext& ctx);

}  // namespace box::install
