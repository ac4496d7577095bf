// boxctl run TARGET: a name, a root filesystem or an OCI bundle, each
// made into the definition the run starts from.
#include "boxctl/run_target.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace box::boxctl {
namespace {

namespace fs = std::filesystem;

class RunTargetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    top_ = fs::temp_directory_path() /
           ("run-target-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(top_);
    fs::create_directories(top_ / "defs");
    fs::create_directories(top_ / "data");
    dirs_.home = top_.string();
    dirs_.config_home = (top_ / "config").string();
    dirs_.data_home = (top_ / "data").string();
    dirs_.containers_path = (top_ / "defs").string();
  }
  void TearDown() override { fs::remove_all(top_); }
  void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }
  Result<RunTarget> resolve(const std::string& target) {
    return resolve_run_target(target, dirs_, top_.string());
  }
  fs::path top_;
  UserDirs dirs_;
};

TEST_F(RunTargetTest, ARootFilesystemGetsBoxRunsDefaults) {
  fs::create_directories(top_ / "root/bin");
  for (const std::string& t : std::vector<std::string>{"root", "./root", (top_ / "root/").string()}) {
    auto r = resolve(t);
    ASSERT_TRUE(r.ok()) << t << ": " << r.error().message();
    EXPECT_EQ(r->kind, RunTarget::Kind::kRootfs) << t;
    EXPECT_EQ(r->def.rootfs, (top_ / "root").string()) << t;
    EXPECT_EQ(r->def.rootfs_writes, RootfsWrites::kReadonly);
    EXPECT_EQ(r->def.name, "run");
  }
}

TEST_F(RunTargetTest, ANameIsItsDefinitionAsStartLoadsIt) {
  fs::create_directories(top_ / "r");
  write(top_ / "defs/web.yaml",
        "rootfs: " + (top_ / "r").string() +
            "\ncommand: [/bin/httpd, -f]\nenv: {A: b}\nrootfs_writes: persistent\n");
  auto r = resolve("web");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->kind, RunTarget::Kind::kImage);
  EXPECT_EQ(r->def.name, "web");
  EXPECT_EQ(r->def.command, (std::vector<std::string>{"/bin/httpd", "-f"}));
  EXPECT_EQ(r->def.rootfs_writes, RootfsWrites::kPersistent);
  ASSERT_EQ(r->sources.size(), 1u);
  EXPECT_EQ(r->sources[0].path, (top_ / "defs/web.yaml").string());

  auto missing = resolve("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message(),
            "no image or container 'nope' (see 'boxctl images' and 'boxctl list'), and no "
            "directory of that name");
}

// As runc spec --rootless writes it (trimmed): translated as install does.
constexpr const char* kConfig = R"({
  "ociVersion": "1.0.2",
  "process": {"terminal": false, "user": {"uid": 0, "gid": 0},
              "args": ["sh", "-c", "echo hi"], "env": ["PATH=/bin", "X=1"], "cwd": "/tmp"},
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "bundled",
  "mounts": [%MOUNTS%
    {"destination": "/proc", "type": "proc", "source": "proc"}],
  "linux": {"namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"},
                           {"type": "mount"}, {"type": "user"}]}
})";

std::string config(const std::string& mounts) {
  std::string c = kConfig;
  c.replace(c.find("%MOUNTS%"), 8, mounts);
  return c;
}

TEST_F(RunTargetTest, ABundleIsTranslatedAsInstallDoes) {
  fs::create_directories(top_ / "b/rootfs/tmp");
  fs::create_directories(top_ / "b/data");
  write(top_ / "b/config.json",
        config(R"({"destination": "/data", "type": "bind", "source": "data", "options": ["rbind"]},)"));
  auto r = resolve("b");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->kind, RunTarget::Kind::kBundle);
  EXPECT_EQ(r->def.rootfs, (top_ / "b/rootfs").string());
  EXPECT_EQ(r->def.command, (std::vector<std::string>{"sh", "-c", "echo hi"}));
  EXPECT_EQ(r->def.workdir, "/tmp");
  EXPECT_EQ(r->def.hostname, "bundled");
  EXPECT_EQ(r->def.rootfs_writes, RootfsWrites::kReadonly);
  ASSERT_EQ(r->def.mounts.size(), 1u);
  EXPECT_EQ(r->def.mounts[0].source, (top_ / "b/data").string());

  // Its config.json is untrusted: a host path outside the bundle is not bound.
  write(top_ / "b/config.json",
        config(R"({"destination": "/e", "type": "bind", "source": "/etc", "options": ["rbind"]},)"));
  auto refused = resolve(top_.string() + "/b");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("binds the host path '/etc' at '/e': boxctl run binds "
                                           "only what you name (-v /etc:/e)"),
            std::string::npos)
      << refused.error().message();
}

// Leaving out the pid or ipc namespace asks for the host's: run only when
// the user says --share for it too.
TEST_F(RunTargetTest, ABundlesHostNamespacesNeedShare) {
  fs::create_directories(top_ / "b/rootfs");
  std::string c = config("");
  const std::string own_pid_ipc = R"({"type": "pid"}, {"type": "ipc"}, )";
  c.replace(c.find(own_pid_ipc), own_pid_ipc.size(), "");
  write(top_ / "b/config.json", c);
  auto r = resolve("b");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->host_namespaces, (std::vector<std::string>{"pid", "ipc"}));
  auto none = check_host_namespaces(*r, {});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message(),
            (top_ / "b/config.json").string() +
                ": no pid namespace, so the host's: the box would see and signal your processes; "
                "add --share pid to run it so, or give the config a pid namespace");
  auto pid_only = check_host_namespaces(*r, {"pid"});
  ASSERT_FALSE(pid_only.ok());
  EXPECT_NE(pid_only.error().message().find("add --share ipc"), std::string::npos);
  EXPECT_TRUE(check_host_namespaces(*r, {"ipc", "pid"}).ok());

  write(top_ / "b/config.json", config(""));
  auto own = resolve("b");
  ASSERT_TRUE(own.ok()) << own.error().message();
  EXPECT_TRUE(own->host_namespaces.empty());
  EXPECT_TRUE(check_host_namespaces(*own, {}).ok());
}

}  // namespace
}  // namespace box::boxctl
