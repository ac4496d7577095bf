// What a container can see and do, checked from inside and outside, through
// the foreground path (box-run run) as the unprivileged test user.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;

class Isolation : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(getuid(), 0u) << "integration tests must run as the unprivileged test user";
    rootfs_ = home() + "/rootfs-isolation";
    make_busybox_rootfs(rootfs_);
  }
  void TearDown() override { fs::remove_all(rootfs_); }

  CommandResult in_box(const std::string& script) {
    return run({box_run(), "run", rootfs_, "--", "sh", "-c", script});
  }

  std::string rootfs_;
};

TEST_F(Isolation, RootInsideIsTheUserOutside) {
  auto r = in_box("id -u; id -g; cat /proc/self/uid_map");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "0\n0\n")) << r.output;
  EXPECT_TRUE(contains(r.output, std::to_string(getuid()) + "          1")) << r.output;
}

TEST_F(Isolation, SeesOnlyItsOwnProcesses) {
  auto r = in_box("ls -d /proc/[0-9]* | wc -l; echo pid=$$");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // PID 1 (the shell), ls and wc: nothing of the host.
  EXPECT_TRUE(contains(r.output, "pid=1")) << r.output;
  int count = std::stoi(r.output);
  EXPECT_LE(count, 3) << r.output;
}

TEST_F(Isolation, RootfsIsReadOnlyAndUnchanged) {
  auto r = in_box("touch /new-file; echo rc=$?");
  EXPECT_TRUE(contains(r.output, "Read-only file system")) << r.output;
  EXPECT_FALSE(fs::exists(rootfs_ + "/new-file"));
}

TEST_F(Isolation, MinimalDevAndProc) {
  auto r = in_box("ls /dev; echo x > /dev/null && echo null-ok; hostname");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* dev : {"null", "zero", "full", "random", "urandom", "tty", "pts", "ptmx",
                          "shm", "mqueue"})
    EXPECT_TRUE(contains(r.output, std::string(dev) + "\n")) << dev << "\n" << r.output;
  EXPECT_TRUE(contains(r.output, "null-ok")) << r.output;
  EXPECT_FALSE(contains(r.output, "sda")) << r.output;
}

TEST_F(Isolation, CapabilitiesAreLimitedAndNoNewPrivs) {
  auto r = in_box("grep -E '^(CapBnd|NoNewPrivs)' /proc/self/status");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // CAP_SYS_ADMIN (bit 21) is not in the bounding set.
  EXPECT_TRUE(contains(r.output, "CapBnd:\t00000000800405fb")) << r.output;
  EXPECT_TRUE(contains(r.output, "NoNewPrivs:\t1")) << r.output;
}

TEST_F(Isolation, EnvironmentIsClean) {
  setenv("BOX_SECRET_FROM_HOST", "leak", 1);
  auto r = in_box("env");
  unsetenv("BOX_SECRET_FROM_HOST");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(contains(r.output, "BOX_SECRET_FROM_HOST")) << r.output;
  EXPECT_TRUE(contains(r.output, "container=box")) << r.output;
}

TEST_F(Isolation, ExitStatusPassesThrough) {
  EXPECT_EQ(in_box("exit 7").exit_code, 7);
  auto missing = run({box_run(), "run", rootfs_, "--", "no-such-command"});
  EXPECT_EQ(missing.exit_code, 127);
  EXPECT_TRUE(contains(missing.output, "execute 'no-such-command': No such file or directory"))
      << missing.output;
}

}  // namespace
}  // namespace box::testing
