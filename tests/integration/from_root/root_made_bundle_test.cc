// A bundle whose rootfs root made, installed by the unprivileged test user
// (box-testbed exec). Root makes it here as debootstrap, or `tar -x` of an
// image as root, leave one: root's files, some kept to root (etc/shadow,
// root/), a group of the image's own (shadow, 42) and a file of another id
// (_apt, 100); then `runc spec --rootless` around it. box cannot read what
// root kept to itself and says so; once root lets the user read the tree
// with an ACL (setfacl), it installs with root's owners and modes.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {

namespace fs = std::filesystem;

CommandResult as_user(std::vector<std::string> argv) {
  argv.insert(argv.begin(), {BOX_TESTBED, "exec", "--"});
  return run(argv, std::chrono::seconds(120));
}

// The test user's first subordinate id in /etc/subuid or /etc/subgid.
unsigned subid_start(const std::string& file, const std::string& user) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string name, start;
    if (std::getline(fields, name, ':') && name == user && std::getline(fields, start, ':'))
      return static_cast<unsigned>(std::stoul(start));
  }
  ADD_FAILURE() << "no range for " << user << " in " << file;
  return 0;
}

class RootMadeBundle : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(getuid(), 0u) << "root makes the bundle; ctest runs this as root";
    setenv("BOX_PREFIX", BOX_TEST_ROOT "/prefix", 1);
    dir_ = std::string(BOX_TEST_ROOT) + "/root-made-bundle";
    fs::remove_all(dir_);
    bundle_ = dir_ + "/bundle";
    rootfs_ = bundle_ + "/rootfs";
    make_busybox_rootfs(rootfs_);
    write_file(rootfs_ + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n_apt:x:100:65534::/nonexistent:/bin/false\n");
    write_file(rootfs_ + "/etc/group", "root:x:0:\nshadow:x:42:\n");
    write_file(rootfs_ + "/etc/shadow", "root:*:19000:0:99999:7:::\n");
    write_file(rootfs_ + "/etc/shadow-", "root:*:18000:0:99999:7:::\n");
    write_file(rootfs_ + "/root/.profile", "PS1='# '\n");
    fs::create_directories(rootfs_ + "/var/cache/apt/archives/partial");
    // As Debian has them.
    ASSERT_EQ(chown((rootfs_ + "/etc/shadow").c_str(), 0, 42), 0);
    ASSERT_EQ(chmod((rootfs_ + "/etc/shadow").c_str(), 0640), 0);
    ASSERT_EQ(chmod((rootfs_ + "/etc/shadow-").c_str(), 0600), 0);
    ASSERT_EQ(chmod((rootfs_ + "/root").c_str(), 0700), 0);
    ASSERT_EQ(chown((rootfs_ + "/var/cache/apt/archives/partial").c_str(), 100, 0), 0);
    ASSERT_EQ(chmod((rootfs_ + "/var/cache/apt/archives/partial").c_str(), 0700), 0);
    auto spec = run({"sh", "-c", "cd '" + bundle_ + "' && runc spec --rootless"});
    ASSERT_EQ(spec.exit_code, 0) << spec.output;
    fs::permissions(dir_, fs::perms(0755));
    auto who = as_user({"sh", "-c", "id -un; id -u; echo $HOME"});
    ASSERT_EQ(who.exit_code, 0) << who.output;
    std::istringstream lines(who.output);
    std::string uid;
    std::getline(lines, user_);
    std::getline(lines, uid);
    std::getline(lines, home_);
    uid_ = static_cast<unsigned>(std::stoul(uid));
  }
  void TearDown() override {
    as_user({boxctl_path(), "uninstall", "rootmade", "--purge"});
    fs::remove_all(dir_);
  }
  static std::string boxctl_path() { return prefix() + "/bin/boxctl"; }
  CommandResult install() {
    return as_user({boxctl_path(), "install", "--user", bundle_, "rootmade"});
  }
  std::string dir_, bundle_, rootfs_, user_, home_;
  unsigned uid_ = 0;
};

// Without the ACL, box cannot read what root kept to itself: it says which
// files, why and what would work, and installs nothing (it does not drop
// them quietly).
TEST_F(RootMadeBundle, FilesOnlyRootMayReadAreNamedAndNothingIsInstalled) {
  auto r = install();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "cannot read 4 of its files: 'etc/shadow' (mode 0640), "
                                 "'etc/shadow-' (mode 0600), 'root/' (mode 0700), "
                                 "'var/cache/apt/archives/partial/' (mode 0700). Their owner is "
                                 "a host id outside the ids box reads the bundle as"))
      << r.output;
  EXPECT_TRUE(contains(r.output, "Nothing was installed. As root, let your user read them "
                                 "without changing an owner or a mode: 'setfacl -R -m u:" +
                                     std::to_string(uid_) + ":rX " + rootfs_ + "'"))
      << r.output;
  auto images = as_user({boxctl_path(), "images"});
  EXPECT_FALSE(contains(images.output, "rootmade")) << images.output;
  auto left = as_user({"sh", "-c", "ls -A \"$HOME/.local/share/box/images\" 2>/dev/null"});
  EXPECT_FALSE(contains(left.output, "rootmade")) << left.output;
}

// What the message says, done by root with the real tool; the install then
// keeps root's owners (0, the image's group 42 and user 100, not the
// overflow id) and modes (0640, 0600 and 0700, not the ACL's mask).
TEST_F(RootMadeBundle, ReadableThroughAnAclItInstallsWithRootsOwnersAndModes) {
  auto acl = run({"setfacl", "-R", "-m", "u:" + std::to_string(uid_) + ":rX", rootfs_});
  ASSERT_EQ(acl.exit_code, 0) << acl.output;
  auto r = install();
  ASSERT_EQ(r.exit_code, 0) << r.output;

  // Inside the box's user namespace (userns: auto), as the box sees them.
  const std::string image = home_ + "/.local/share/box/images/rootmade/rootfs";
  auto inside = as_user({box_run(), "run", "--userns", "auto", image, "--", "sh",
                         "-c",
                         "stat -c '%n %u %g %a' /etc/shadow /etc/shadow- /root /root/.profile "
                         "/var/cache/apt/archives/partial /bin/busybox; cat /etc/shadow-"});
  ASSERT_EQ(inside.exit_code, 0) << inside.output;
  EXPECT_EQ(inside.output,
            "/etc/shadow 0 42 640\n/etc/shadow- 0 0 600\n/root 0 0 700\n/root/.profile 0 0 "
            "644\n/var/cache/apt/archives/partial 100 0 700\n/bin/busybox 0 0 755\n"
            "root:*:18000:0:99999:7:::\n");

  // On the host: container 0 is the user, 42 the 42nd subordinate id; no ACL.
  const unsigned subgid = subid_start("/etc/subgid", user_);
  const unsigned subuid = subid_start("/etc/subuid", user_);
  struct stat st;
  ASSERT_EQ(::stat((image + "/etc/shadow").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, uid_);
  EXPECT_EQ(st.st_gid, subgid + 41);
  ASSERT_EQ(::stat((image + "/var/cache/apt/archives/partial").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, subuid + 99);
  auto facl = run({"getfacl", "-c", image + "/etc/shadow"});
  EXPECT_FALSE(contains(facl.output, "user:" + std::to_string(uid_))) << facl.output;
}

}  // namespace
}  // namespace box::testing
