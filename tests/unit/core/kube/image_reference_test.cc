#include "core/kube/image_reference.h"

#include <gtest/gtest.h>

namespace box::kube {
namespace {

TEST(KubeImageReference, CompletesShortNamesAsContainerToolsDo) {
  EXPECT_EQ(to_string(parse_image_reference("busybox")), "docker.io/library/busybox:latest");
  EXPECT_EQ(to_string(parse_image_reference("bitnami/redis:7")), "docker.io/bitnami/redis:7");
  EXPECT_EQ(to_string(parse_image_reference("localhost/web")), "localhost/web:latest");
  EXPECT_EQ(to_string(parse_image_reference("registry:5000/a/b")), "registry:5000/a/b:latest");
  EXPECT_EQ(to_string(parse_image_reference("quay.io/x/y@sha256:abc")), "quay.io/x/y@sha256:abc");
}

TEST(KubeImageReference, TellsWhetherTwoNameOneImage) {
  EXPECT_TRUE(same_image("busybox", "docker.io/library/busybox:latest"));
  EXPECT_TRUE(same_image("localhost/bb:test", "localhost/bb:test"));
  EXPECT_FALSE(same_image("busybox:1.36", "busybox"));
  EXPECT_FALSE(same_image("localhost/busybox", "busybox"));
  EXPECT_FALSE(same_image("", ""));
}

TEST(KubeImageReference, RepositoryName) {
  EXPECT_EQ(repository_name("docker.io/library/busybox:1.36"), "busybox");
  EXPECT_EQ(repository_name("localhost/box-busybox:test"), "box-busybox");
  EXPECT_EQ(repository_name("registry:5000/web"), "web");
}

}  // namespace
}  // namespace box::kube
