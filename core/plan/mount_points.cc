#include "core/plan/mount_points.h"

namespace box {
namespace {

bool at_or_below(const std::string& path, const std::string& dir) {
  if (dir == "/") return true;
  return path.compare(0, dir.size(), dir) == 0 &&
         (path.size() == dir.size() || path[dir.size()] == '/');
}

// Steps that make their mount point (mkdir -p or an empty file) when it is
// missing; the others are skipped then.
bool makes_mount_point(const MountStep& m) {
  using K = MountStep::Kind;
  switch (m.kind) {
    case K::kMaskFile:
    case K::kMaskDir:
    case K::kReadonly:
    case K::kWrite:
      return false;
    case K::kFile:
    case K::kBind:
    case K::kBindSys:
      return !m.optional_target;
    default:
      return true;
  }
}

// Steps after which what is below the target is no longer the rootfs.
bool mounts_something(const MountStep& m) {
  using K = MountStep::Kind;
  return m.kind != K::kDir && m.kind != K::kSymlink && m.kind != K::kWrite &&
         m.kind != K::kReadonly && m.kind != K::kMaskFile;
}

}  // namespace

std::vector<std::string> rootfs_mount_points(const RunPlan& plan) {
  std::vector<std::string> out;
  if (plan.rootfs_writes != RootfsWrites::kReadonly) return out;
  std::vector<std::string> mounted;
  for (const auto& m : plan.mounts) {
    bool covered = false;
    for (const auto& dir : mounted) covered = covered || (at_or_below(m.target, dir) && m.target != dir);
    if (!covered && makes_mount_point(m)) out.push_back(m.target);
    if (mounts_something(m)) mounted.push_back(m.target);
  }
  return out;
}

void provide_mount_points(RunPlan& plan, const std::vector<std::string>& missing) {
  if (missing.empty() || plan.rootfs_writes != RootfsWrites::kReadonly) return;
  plan.rootfs_writes = RootfsWrites::kOverlay;
  plan.root_readonly_after_mounts = true;
  plan.private_mount_points = missing;
}

}  // namespace box
