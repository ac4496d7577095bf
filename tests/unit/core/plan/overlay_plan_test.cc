#include "core/plan/overlay_plan.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace box {
namespace {

const OverlayLayers kLayers{"/tmp/lower", "/tmp/upper", "/tmp/work"};

TEST(OverlayPlan, KernelOptionsUseUserXattrs) {
  EXPECT_EQ(kernel_overlay_options(kLayers),
            "lowerdir=/tmp/lower,upperdir=/tmp/upper,workdir=/tmp/work,userxattr");
}

TEST(OverlayPlan, OnlyTheKernelsRefusalsFallBack) {
  for (int err : {EPERM, ENODEV, EINVAL}) EXPECT_TRUE(kernel_overlay_refused(err)) << err;
  // What fuse-overlayfs would stumble on too: reported as it is.
  for (int err : {ENOENT, EACCES, EBUSY, ELOOP, ENOTDIR, ENOMEM, EROFS, 0})
    EXPECT_FALSE(kernel_overlay_refused(err)) << err;
}

TEST(OverlayPlan, FuseMountIsOpenToTheContainersIdsWithKernelChecks) {
  EXPECT_EQ(fuse_mount_options(7, 0, 0),
            "fd=7,rootmode=40000,user_id=0,group_id=0,allow_other,default_permissions");
  EXPECT_EQ(fuse_mount_options(3, 1000, 100),
            "fd=3,rootmode=40000,user_id=1000,group_id=100,allow_other,default_permissions");
}

TEST(OverlayPlan, FuseOverlayfsServesTheMountedConnectionInTheForeground) {
  EXPECT_EQ(fuse_overlayfs_argv("/usr/bin/fuse-overlayfs", kLayers, 3),
            (std::vector<std::string>{"/usr/bin/fuse-overlayfs", "-f", "-o",
                                      "lowerdir=/tmp/lower,upperdir=/tmp/upper,workdir=/tmp/work",
                                      "/dev/fd/3"}));
}

TEST(OverlayPlan, DriverFollowsTheDefinitionWithoutAMarker) {
  for (auto d : {OverlayDriver::kAuto, OverlayDriver::kKernel, OverlayDriver::kFuse}) {
    auto r = resolve_overlay_driver(d, std::nullopt, "/d");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, d);
  }
}

TEST(OverlayPlan, AnUpperWrittenByFuseStaysWithFuse) {
  auto aut = resolve_overlay_driver(OverlayDriver::kAuto, std::string("fuse\n"), "/d");
  ASSERT_TRUE(aut.ok());
  EXPECT_EQ(*aut, OverlayDriver::kFuse);
  auto fuse = resolve_overlay_driver(OverlayDriver::kFuse, std::string("fuse\n"), "/d");
  ASSERT_TRUE(fuse.ok());
  EXPECT_EQ(*fuse, OverlayDriver::kFuse);
  auto kernel = resolve_overlay_driver(OverlayDriver::kKernel, std::string("fuse\n"), "/d");
  ASSERT_FALSE(kernel.ok());
  EXPECT_EQ(kernel.error().message(),
            "overlay_driver: kernel, but fuse-overlayfs has written the persistent upper dir in "
            "'/d', and kernel overlayfs would bring back what was deleted there: use "
            "overlay_driver: auto or fuse (or remove '/d' to start afresh)");
  auto odd = resolve_overlay_driver(OverlayDriver::kAuto, std::string("kernel\n"), "/d");
  ASSERT_FALSE(odd.ok());
  EXPECT_NE(odd.error().message().find("'/d/overlay-driver' says 'kernel\n'"), std::string::npos)
      << odd.error().message();
}

TEST(OverlayPlan, MessagesNameBothFailuresAndTheFix) {
  EXPECT_EQ(overlay_failure("Invalid argument", "open /dev/fuse: Permission denied"),
            "mount the rootfs overlay: the kernel refused it (Invalid argument), and the "
            "fuse-overlayfs fallback failed: open /dev/fuse: Permission denied");
  EXPECT_EQ(overlay_failure("", "open /dev/fuse: No such file or directory"),
            "mount the rootfs overlay with fuse-overlayfs: open /dev/fuse: No such file or "
            "directory");
  EXPECT_EQ(fuse_overlayfs_missing("/bin"),
            "fuse-overlayfs is not installed (no fuse-overlayfs in PATH /bin): install Debian's "
            "fuse-overlayfs package");
  EXPECT_EQ(fuse_overlayfs_missing(""),
            "fuse-overlayfs is not installed (no fuse-overlayfs in $PATH): install Debian's "
            "fuse-overlayfs package");
  EXPECT_EQ(
      dev_fuse_hint(EACCES, 0600),
      " (its mode is 0600; Debian's udev rules make it 0666: 'chmod 0666 /dev/fuse' as root)");
  EXPECT_EQ(dev_fuse_hint(ENOENT, -1), " (load the fuse module: 'modprobe fuse' as root)");
  EXPECT_EQ(dev_fuse_hint(EIO, 0666), "");
}

}  // namespace
}  // namespace box
