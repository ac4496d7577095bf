#include "bus/object_paths.h"

#include <gtest/gtest.h>

namespace box::manager {
namespace {

TEST(ObjectPaths, ContainerNamesAreEscapedAsSystemdDoes) {
  EXPECT_EQ(container_object_path("etcd"), "/dev/boxctl/box1/container/etcd");
  EXPECT_EQ(container_object_path("my-box.v2"), "/dev/boxctl/box1/container/my_2dbox_2ev2");
  EXPECT_EQ(container_object_path("a_b"), "/dev/boxctl/box1/container/a_5fb");
  // A leading digit is escaped too (path elements may not start with one in sd-bus's scheme).
  EXPECT_EQ(container_object_path("9lives"), "/dev/boxctl/box1/container/_39lives");
}

TEST(ObjectPaths, RoundTrip) {
  for (const char* name : {"etcd", "my-box.v2", "a_b", "9lives", "x"}) {
    auto back = container_from_object_path(container_object_path(name));
    ASSERT_TRUE(back.has_value()) << name;
    EXPECT_EQ(*back, name);
  }
  EXPECT_FALSE(container_from_object_path("/dev/boxctl/box1").has_value());
  EXPECT_FALSE(container_from_object_path("/other/etcd").has_value());
}

TEST(ObjectPaths, UnitPathsMatchSystemds) {
  EXPECT_EQ(unit_object_path("box@etcd.service"),
            "/org/freedesktop/systemd1/unit/box_40etcd_2eservice");
  EXPECT_EQ(unit_from_object_path("/org/freedesktop/systemd1/unit/box_40etcd_2eservice"),
            "box@etcd.service");
}

}  // namespace
}  // namespace box::manager
