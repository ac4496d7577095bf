// Which mount points a read-only root must have, and the private layer a
// plan gets when the rootfs lacks some (mount_points.h).
#include "core/plan/mount_points.h"

#include <gtest/gtest.h>

namespace box {
namespace {

using K = MountStep::Kind;

MountStep step(K kind, const std::string& target, bool optional_target = false) {
  MountStep m{kind, target, "", "", 0};
  m.optional_target = optional_target;
  return m;
}

RunPlan plan_with(std::vector<MountStep> mounts, RootfsWrites writes = RootfsWrites::kReadonly) {
  RunPlan p;
  p.rootfs_writes = writes;
  p.mounts = std::move(mounts);
  return p;
}

TEST(MountPoints, OnlyThoseMadeInTheRootfsItself) {
  auto p = plan_with({step(K::kProc, "/proc"), step(K::kTmpfs, "/dev"),
                      step(K::kDevpts, "/dev/pts"),  // on the /dev tmpfs
                      step(K::kBind, "/var/lib/etcd"), step(K::kBind, "/var/run/etcd"),
                      step(K::kMaskDir, "/proc/acpi"),  // skipped when absent
                      step(K::kReadonly, "/proc/sys"),
                      step(K::kBind, "/etc/resolv.conf", true),  // skipped when it cannot be made
                      step(K::kBind, "/var/lib/etcd/sub")});     // on the bind
  EXPECT_EQ(rootfs_mount_points(p),
            (std::vector<std::string>{"/proc", "/dev", "/var/lib/etcd", "/var/run/etcd"}));
  // A root that is written anyway (overlay, persistent, direct) makes its own.
  for (auto w : {RootfsWrites::kOverlay, RootfsWrites::kPersistent, RootfsWrites::kDirect})
    EXPECT_TRUE(rootfs_mount_points(plan_with(p.mounts, w)).empty());
}

TEST(MountPoints, MissingOnesGiveAPrivateOverlayReadOnlyAfterTheMounts) {
  auto p = plan_with({step(K::kBind, "/var/run/etcd")});
  provide_mount_points(p, {});
  EXPECT_EQ(p.rootfs_writes, RootfsWrites::kReadonly);
  EXPECT_FALSE(p.root_readonly_after_mounts);
  provide_mount_points(p, {"/var/run/etcd"});
  EXPECT_EQ(p.rootfs_writes, RootfsWrites::kOverlay);
  EXPECT_TRUE(p.root_readonly_after_mounts);
  EXPECT_TRUE(p.upper_dir.empty()) << "the upper layer is the scratch tmpfs, never on disk";
  EXPECT_EQ(p.private_mount_points, std::vector<std::string>{"/var/run/etcd"});
}

}  // namespace
}  // namespace box
