// containerd (Debian's) as root runs box-oci through its runc shim:
// `ctr run --runc-binary box-oci`, as a node would with BinaryName set. A
// containerd of the test's own (its root, state and socket under the test
// dir) and an image umoci built from a busybox root.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {

namespace fs = std::filesystem;

class Containerd : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(getuid(), 0u) << "containerd runs as root; ctest runs these tests as root";
    setenv("BOX_PREFIX", BOX_TEST_ROOT "/prefix", 1);
    dir_ = std::string(BOX_TEST_ROOT) + "/containerd-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    daemon_ = std::make_unique<Background>(
        std::vector<std::string>{"containerd", "--root", dir_ + "/root", "--state", dir_ + "/state",
                                 "--address", sock()},
        dir_ + "/containerd.log");
    ASSERT_TRUE(eventually([&] { return ctr({"version"}).exit_code == 0; },
                           std::chrono::seconds(20)))
        << daemon_->output();
    // The image: umoci's layout of a busybox root, as an archive.
    make_busybox_rootfs(dir_ + "/rootfs");
    const std::string img = dir_ + "/layout";
    for (const auto& step : std::vector<std::vector<std::string>>{
             {"umoci", "init", "--layout", img},
             {"umoci", "new", "--image", img + ":bb"},
             {"umoci", "unpack", "--image", img + ":bb", dir_ + "/unpacked"},
             {"cp", "-a", dir_ + "/rootfs/.", dir_ + "/unpacked/rootfs/"},
             {"umoci", "repack", "--image", img + ":bb", dir_ + "/unpacked"},
             {"umoci", "config", "--image", img + ":bb", "--config.cmd", "sh"},
             {"tar", "-C", img, "-cf", dir_ + "/bb.tar", "."},
         }) {
      auto r = run(step);
      ASSERT_EQ(r.exit_code, 0) << step[0] << " " << step[1] << ": " << r.output;
    }
    auto imported = ctr({"images", "import", "--base-name", "localhost/bb", dir_ + "/bb.tar"});
    ASSERT_EQ(imported.exit_code, 0) << imported.output;
  }
  void TearDown() override {
    for (const char* id : {"t1", "t2", "t3"}) {
      ctr({"task", "kill", "--signal", "KILL", id});
      ctr({"task", "rm", "--force", id});
      ctr({"container", "rm", id});
    }
    if (daemon_) daemon_->stop();
    fs::remove_all(dir_);
  }
  std::string sock() const { return dir_ + "/containerd.sock"; }
  CommandResult ctr(std::vector<std::string> args) {
    args.insert(args.begin(), {"ctr", "--address", sock()});
    return run(args, std::chrono::seconds(60));
  }
  static std::string box_oci() { return prefix() + "/bin/box-oci"; }
  std::string dir_;
  std::unique_ptr<Background> daemon_;
};

TEST_F(Containerd, CtrRunsABusyboxImageThroughBoxOci) {
  auto r = ctr({"run", "--rm", "--runc-binary", box_oci(), "localhost/bb:bb", "t1", "sh", "-c",
                "echo hello-from-containerd; echo map $(cat /proc/self/uid_map); exit 0"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "hello-from-containerd")) << r.output;
  // As root without a user namespace, as runc runs containerd's tasks.
  EXPECT_TRUE(contains(r.output, "map 0 0 4294967295")) << r.output;
  // Nothing of box-oci's own in the container's output (its log goes to
  // the shim's --log file).
  EXPECT_FALSE(contains(r.output, "box-oci")) << r.output;
}

TEST_F(Containerd, ADetachedTaskExecsAndIsKilled) {
  auto started = ctr({"run", "-d", "--runc-binary", box_oci(), "localhost/bb:bb", "t2", "sh", "-c",
                      "trap 'exit 3' TERM; while :; do sleep 0.1; done"});
  ASSERT_EQ(started.exit_code, 0) << started.output;
  EXPECT_TRUE(eventually([&] { return contains(ctr({"task", "ls"}).output, "RUNNING"); }));
  auto exec = ctr({"task", "exec", "--exec-id", "e1", "t2", "sh", "-c", "echo exec-in-task"});
  EXPECT_EQ(exec.exit_code, 0) << exec.output;
  EXPECT_TRUE(contains(exec.output, "exec-in-task")) << exec.output;
  ASSERT_EQ(ctr({"task", "kill", "t2"}).exit_code, 0);
  EXPECT_TRUE(eventually([&] { return contains(ctr({"task", "ls"}).output, "STOPPED"); }))
      << ctr({"task", "ls"}).output;
  ASSERT_EQ(ctr({"task", "rm", "t2"}).exit_code, 0);
  // The shim's delete removed box-oci's record.
  EXPECT_FALSE(fs::exists("/run/containerd/runc/default/t2"));
}

// Kubernetes' side of `boxctl export` (issue 18): containerd imports what
// the unprivileged test user exported of a box and runs it with its own
// runc, as a node's CRI does. The box writes a file, deletes one of the
// image's and keeps one to root (0600).
TEST_F(Containerd, ImportsAndRunsWhatBoxctlExported) {
  auto as_user = [](std::vector<std::string> argv) {
    argv.insert(argv.begin(), {BOX_TESTBED, "exec", "--"});
    return run(argv, std::chrono::seconds(120));
  };
  const std::string home = as_user({"sh", "-c", "printf %s \"$HOME\""}).output;
  ASSERT_FALSE(home.empty());
  const std::string archive = home + "/containerd-export.tar";
  struct Cleanup {
    std::function<void()> f;
    ~Cleanup() { f(); }
  } cleanup{[&] {
    as_user({prefix() + "/bin/boxctl", "uninstall", "ctrimg"});
    // The box's writes belong to the user's subordinate ids: root removes them.
    fs::remove_all(home + "/.local/share/box/containers/ctrbox");
    fs::remove(home + "/.config/box/containers/ctrbox.yaml");
    fs::remove(archive);
  }};
  make_oci_layout(dir_ + "/export-layout", dir_ + "/rootfs");
  write_file(dir_ + "/ctrbox.yaml",
             "image: ctrimg\n"
             "rootfs_writes: persistent\n"
             "command: [sh, -c, 'cat /etc/greeting; ls /bin/wc 2>/dev/null || echo wc-gone; "
             "stat -c \"%%u %%g %%a\" /root/secret']\n");  // %% for a %
  auto exported = as_user(
      {"sh", "-c",
       "set -e; boxctl=$1; $boxctl install oci:$2 ctrimg >/dev/null; "
       "mkdir -p ~/.config/box/containers; cp $3 ~/.config/box/containers/; "
       "$boxctl run ctrbox sh -c 'echo written > /etc/greeting; rm /bin/wc; "
       "echo s > /root/secret; busybox chmod 600 /root/secret'; "
       "$boxctl export ctrbox oci-archive:$4",
       "sh", prefix() + "/bin/boxctl", dir_ + "/export-layout", dir_ + "/ctrbox.yaml", archive});
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  auto imported = ctr({"images", "import", "--base-name", "localhost/ctrbox", archive});
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  auto r = ctr({"run", "--rm", "localhost/ctrbox:ctrbox", "t3"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "written\nwc-gone\n0 0 600\n");
}

}  // namespace
}  // namespace box::testing
