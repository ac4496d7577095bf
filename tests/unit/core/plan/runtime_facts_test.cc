#include "core/plan/runtime_facts.h"

#include <gtest/gtest.h>

namespace box {
namespace {

Definition plain() {
  Definition d;
  d.name = "web";
  d.rootfs = "/srv/web";
  d.command = {"httpd"};
  d.rootfs_writes = RootfsWrites::kReadonly;
  return d;
}

// Only what the definition needs is looked up: a plain start asks the host
// for nothing but the basics.
TEST(RuntimeQuery, AsksOnlyWhatTheDefinitionNeeds) {
  RuntimeQuery q = runtime_query(plain(), "/home/u/.local/share", false);
  EXPECT_FALSE(q.service);
  EXPECT_FALSE(q.network_helper);
  EXPECT_FALSE(q.fuse_overlayfs);
  EXPECT_EQ(q.overlay_marker_dir, "");
  EXPECT_FALSE(q.console);

  Definition d = plain();
  d.network = NetworkMode::kPrivate;
  EXPECT_TRUE(runtime_query(d, "", false).network_helper);
  d.network = NetworkMode::kNone;
  EXPECT_FALSE(runtime_query(d, "", false).network_helper);

  d = plain();
  d.rootfs_writes = RootfsWrites::kOverlay;
  EXPECT_TRUE(runtime_query(d, "", false).fuse_overlayfs);
  d.overlay_driver = OverlayDriver::kKernel;
  EXPECT_FALSE(runtime_query(d, "", false).fuse_overlayfs);
  EXPECT_EQ(runtime_query(d, "/home/u/.local/share", false).overlay_marker_dir, "");

  // A persistent upper dir's marker is read whatever the driver: `kernel`
  // is refused for one fuse-overlayfs has written.
  d.rootfs_writes = RootfsWrites::kPersistent;
  q = runtime_query(d, "/home/u/.local/share", false);
  EXPECT_EQ(q.overlay_marker_dir, "/home/u/.local/share/box/containers/web");
  EXPECT_FALSE(q.fuse_overlayfs);
  d.overlay_driver = OverlayDriver::kAuto;
  EXPECT_TRUE(runtime_query(d, "/home/u/.local/share", false).fuse_overlayfs);
  EXPECT_EQ(runtime_query(d, "", false).overlay_marker_dir, "");  // the plan refuses it

  d = plain();
  d.init = InitMode::kSystemd;
  q = runtime_query(d, "", true);
  EXPECT_TRUE(q.console);
  EXPECT_TRUE(q.service);
}

}  // namespace
}  // namespace box
