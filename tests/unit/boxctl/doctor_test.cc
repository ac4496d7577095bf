#include "boxctl/doctor.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace box::manager {
namespace {

TEST(Subids, Verdicts) {
  EXPECT_EQ(check_subids("/etc/subuid", std::string("alice:100000:65536\n"), "alice", 1000).level,
            CheckLevel::kOk);
  auto few = check_subids("/etc/subuid", std::string("alice:100000:1000\n"), "alice", 1000);
  EXPECT_EQ(few.level, CheckLevel::kWarn);
  EXPECT_NE(few.fix.find("usermod --add-subuids"), std::string::npos);
  auto none = check_subids("/etc/subgid", std::string(""), "alice", 1000);
  EXPECT_EQ(none.level, CheckLevel::kWarn);
  EXPECT_NE(none.fix.find("--add-subgids"), std::string::npos);
  EXPECT_EQ(check_subids("/etc/subuid", std::nullopt, "alice", 1000).level, CheckLevel::kWarn);
}

TEST(UserNamespaces, NamesTheKnobThatIsOff) {
  EXPECT_EQ(check_user_namespaces(15000, std::nullopt, std::nullopt, true, "").level,
            CheckLevel::kOk);
  auto max0 = check_user_namespaces(0, std::nullopt, std::nullopt, false, "unshare: EPERM");
  EXPECT_EQ(max0.level, CheckLevel::kFail);
  EXPECT_NE(max0.fix.find("user.max_user_namespaces"), std::string::npos);
  auto debian = check_user_namespaces(15000, 0, std::nullopt, false, "x");
  EXPECT_NE(debian.fix.find("unprivileged_userns_clone=1"), std::string::npos);
  auto ubuntu = check_user_namespaces(15000, 1, 1, false, "x");
  EXPECT_NE(ubuntu.fix.find("apparmor_restrict_unprivileged_userns=0"), std::string::npos);
  auto other = check_user_namespaces(15000, std::nullopt, std::nullopt, false, "unshare: boom");
  EXPECT_NE(other.detail.find("unshare: boom"), std::string::npos);
}

TEST(Cgroups, Verdicts) {
  const std::string cg = "/user.slice/user-1000.slice/user@1000.service";
  EXPECT_EQ(check_cgroups("unified", cg, true, {"cpu", "memory", "pids", "io"}).level,
            CheckLevel::kOk);
  auto missing = check_cgroups("unified", cg, true, {"pids"});
  EXPECT_EQ(missing.level, CheckLevel::kWarn);
  EXPECT_NE(missing.detail.find("memory cpu"), std::string::npos) << missing.detail;
  EXPECT_NE(missing.fix.find("Delegate="), std::string::npos);
  EXPECT_EQ(check_cgroups("hybrid", cg, true, {}).level, CheckLevel::kWarn);
  EXPECT_EQ(check_cgroups("unified", cg, false, {}).level, CheckLevel::kFail);
  EXPECT_EQ(check_cgroups("unified", "", false, {}).level, CheckLevel::kFail);
  EXPECT_EQ(check_cgroups("none", cg, true, {}).level, CheckLevel::kFail);
}

TEST(Overlay, KernelAndFuseBothReady) {
  auto c = check_overlay("", std::string("/usr/bin/fuse-overlayfs"), "");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].level, CheckLevel::kOk);
  EXPECT_EQ(c[1].name, "fuse-overlayfs");
  EXPECT_EQ(c[1].level, CheckLevel::kOk);
  EXPECT_EQ(c[1].detail, "/usr/bin/fuse-overlayfs, /dev/fuse usable");
}

TEST(Overlay, FuseMissingIsAWarningWhileTheKernelWorks) {
  auto c = check_overlay("", std::nullopt, "cannot open /dev/fuse: Permission denied (mode 0600)");
  EXPECT_EQ(c[0].level, CheckLevel::kOk);
  EXPECT_EQ(c[1].level, CheckLevel::kWarn);
  EXPECT_NE(c[1].detail.find("not installed; cannot open /dev/fuse: Permission denied (mode 0600)"),
            std::string::npos)
      << c[1].detail;
  EXPECT_NE(c[1].fix.find("apt install fuse-overlayfs"), std::string::npos);
  EXPECT_NE(c[1].fix.find("chmod 0666 /dev/fuse"), std::string::npos);
}

TEST(Overlay, TheFallbackCarriesAKernelThatRefuses) {
  auto works = check_overlay("mount overlay: Operation not permitted",
                             std::string("/usr/bin/fuse-overlayfs"), "");
  EXPECT_EQ(works[0].level, CheckLevel::kWarn);
  EXPECT_NE(works[0].detail.find("fuse-overlayfs serves"), std::string::npos);
  auto neither = check_overlay("mount overlay: Operation not permitted",
                               std::string("/usr/bin/fuse-overlayfs"),
                               "cannot open /dev/fuse: Permission denied (mode 0600)");
  EXPECT_EQ(neither[0].level, CheckLevel::kFail);
  EXPECT_EQ(neither[1].level, CheckLevel::kFail);
  EXPECT_EQ(neither[1].fix.find("apt install"), std::string::npos) << neither[1].fix;
  EXPECT_NE(neither[1].fix.find("chmod 0666 /dev/fuse"), std::string::npos);
}

// The helper alone is not enough: both create the box's interface through
// /dev/net/tun, opened as the user (a 0600 device owned by root refuses).
TEST(PrivateNetwork, TheTunDeviceMustOpenAsTheUser) {
  const std::string refused =
      "private networking needs '/dev/net/tun' (mode 0600, owner root, and it does not open for "
      "reading and writing as you; udev's default rules make it 0666: 'chmod 0666 /dev/net/tun' "
      "as root): Permission denied";
  auto ok = check_private_network(std::string("pasta: /usr/bin/pasta"), "", 0);
  EXPECT_EQ(ok.level, CheckLevel::kOk);
  EXPECT_EQ(ok.detail, "pasta: /usr/bin/pasta, /dev/net/tun usable");
  EXPECT_EQ(ok.fix, "");

  auto mode = check_private_network(std::string("pasta: /usr/bin/pasta"), refused, EACCES);
  EXPECT_EQ(mode.level, CheckLevel::kWarn);
  EXPECT_EQ(mode.detail, "pasta: /usr/bin/pasta, but " + refused);
  EXPECT_EQ(mode.fix.rfind("sudo chmod 0666 /dev/net/tun", 0), 0u) << mode.fix;

  auto missing = check_private_network(std::string("slirp4netns: /usr/bin/slirp4netns"),
                                       "private networking needs '/dev/net/tun' (load the tun "
                                       "module: 'modprobe tun' as root): No such file or directory",
                                       ENOENT);
  EXPECT_EQ(missing.level, CheckLevel::kWarn);
  EXPECT_EQ(missing.fix.rfind("sudo modprobe tun", 0), 0u) << missing.fix;

  auto none = check_private_network(std::nullopt, "", 0);
  EXPECT_EQ(none.level, CheckLevel::kWarn);
  EXPECT_EQ(none.detail, "neither pasta nor slirp4netns is installed: 'network: private' fails");
  EXPECT_EQ(none.fix, "sudo apt install passt");
  auto neither = check_private_network(std::nullopt, refused, EACCES);
  EXPECT_EQ(neither.detail,
            "neither pasta nor slirp4netns is installed: 'network: private' fails; and " + refused);
  EXPECT_EQ(neither.fix,
            "sudo apt install passt; sudo chmod 0666 /dev/net/tun (the mode Debian's "
            "udev rules give it; without udev, set it at every boot)");
}

}  // namespace
}  // namespace box::manager
