// Images as buildah builds them, rootless, as the test user: a base from a
// busybox tarball, then a Containerfile whose RUN deletes a file of the
// base (a whiteout in the second layer) and adds one. buildah pushes the
// result as an oci-archive and a docker-archive; box installs each and
// runs it with the image's own command (docs/install.md).
#include <unistd.h>

#include <string>
#include <vector>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {

class BuildahImage : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(getuid(), 0u) << "runs as the unprivileged test user";
    dir_ = home() + "/buildah-image";
    fs::remove_all(dir_);
    make_busybox_rootfs(dir_ + "/root");
    write_file(dir_ + "/root/etc/gone", "deleted by the second layer\n");
    auto tar = run({"tar", "-C", dir_ + "/root", "-cf", dir_ + "/base.tar", "."});
    ASSERT_EQ(tar.exit_code, 0) << tar.output;
    write_file(dir_ + "/Base", "FROM scratch\nADD base.tar /\nCMD [\"/bin/sh\"]\n");
    write_file(dir_ + "/Top",
               "FROM localhost/box-test-base\n"
               "RUN rm /etc/gone && echo added-by-buildah > /etc/added\n"
               "CMD [\"/bin/cat\", \"/etc/added\"]\n");
  }
  void TearDown() override {
    for (const char* name : {"buildah-oci", "buildah-docker"}) boxctl({"uninstall", name});
    run({"buildah", "rmi", "--force", "localhost/box-test-top", "localhost/box-test-base"});
    fs::remove_all(dir_);
  }
  // buildah's RUN in a chroot of its own user namespace: no runtime, so
  // no cgroup manager (crun refuses these hosts' hybrid cgroups).
  CommandResult bud(const std::string& file, const std::string& tag) {
    return run({"buildah", "bud", "--quiet", "--isolation", "chroot", "-f", dir_ + "/" + file, "-t",
                tag, dir_},
               std::chrono::seconds(120));
  }
  std::string dir_;
};

TEST_F(BuildahImage, TwoLayersWithAWhiteoutInstallAndRunFromBothArchives) {
  auto base = bud("Base", "box-test-base");
  ASSERT_EQ(base.exit_code, 0) << base.output;
  auto top = bud("Top", "box-test-top");
  ASSERT_EQ(top.exit_code, 0) << top.output;
  const std::vector<std::pair<std::string, std::string>> pushed = {
      {"oci-archive:" + dir_ + "/top.tar", "buildah-oci"},
      {"docker-archive:" + dir_ + "/top-docker.tar:box-test-top:1", "buildah-docker"}};
  for (const auto& [to, name] : pushed) {
    auto push = run({"buildah", "push", "--quiet", "localhost/box-test-top", to});
    ASSERT_EQ(push.exit_code, 0) << push.output;
    // The archive holds one image: its path is the source.
    const std::string source = to.substr(0, to.find(".tar") + 4);
    auto installed = boxctl({"install", source, name});
    ASSERT_EQ(installed.exit_code, 0) << to << ": " << installed.output;
    const std::string rootfs = home() + "/.local/share/box/images/" + name + "/rootfs";
    EXPECT_TRUE(fs::exists(rootfs + "/etc/added")) << name;
    EXPECT_FALSE(fs::exists(fs::symlink_status(rootfs + "/etc/gone"))) << name;
    EXPECT_FALSE(fs::exists(fs::symlink_status(rootfs + "/etc/.wh.gone"))) << name;
    // The image's command, from buildah's config.
    auto ran = boxctl({"run", name});
    EXPECT_EQ(ran.exit_code, 0) << ran.output;
    EXPECT_EQ(ran.output, "added-by-buildah\n") << name;
  }
}

}  // namespace
}  // namespace box::testing
