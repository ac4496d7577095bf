// boxctl install docker://REF: the name a reference suggests, what skopeo
// is run with, and the error when skopeo is not there.
#include "install/registry_pull.h"

#include <gtest/gtest.h>

namespace box::install {
namespace {

TEST(RegistryPull, SourcesAndNames) {
  EXPECT_TRUE(is_registry_source("docker://docker.io/library/redis:7"));
  EXPECT_FALSE(is_registry_source("oci:/x"));
  EXPECT_FALSE(is_registry_source("/srv/docker://x"));
  EXPECT_EQ(name_from_reference("docker://docker.io/library/redis:7"), "redis");
  EXPECT_EQ(name_from_reference("docker://127.0.0.1:5000/box/hello:1"), "hello");
  EXPECT_EQ(name_from_reference("docker://quay.io/coreos/etcd"), "etcd");
  EXPECT_EQ(name_from_reference("docker://busybox"), "busybox");
  EXPECT_EQ(name_from_reference("docker://r.example/a/b@sha256:0123"), "b");
}

// The reference reaches skopeo as given; the layout is tagged "latest".
TEST(RegistryPull, SkopeoCopiesIntoAnOciLayout) {
  EXPECT_EQ(skopeo_copy_argv("/usr/bin/skopeo", "docker://127.0.0.1:5000/box/hello:1", "/c/l"),
            (std::vector<std::string>{"/usr/bin/skopeo", "copy",
                                      "docker://127.0.0.1:5000/box/hello:1", "oci:/c/l:latest"}));
}

TEST(RegistryPull, WithoutSkopeoTheErrorSaysWhatToInstall) {
  auto r = pull_with_skopeo("docker://busybox", "/nonexistent/l", "/nonexistent");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "pull 'docker://busybox': box pulls from registries through skopeo, which is not "
            "installed (not in $PATH): install Debian's package skopeo ('sudo apt install "
            "skopeo'), or copy the image yourself ('skopeo copy docker://busybox "
            "oci-archive:image.tar') and install oci-archive:image.tar");
  auto empty = pull_with_skopeo("docker://", "/nonexistent/l", "/usr/bin");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().message(),
            "pull 'docker://': expected docker://IMAGE, such as docker://docker.io/library/redis:7");
}

}  // namespace
}  // namespace box::install
