#include "core/runtime/runtime_facts.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>

namespace box {
namespace {

// Sets an environment variable for one test, and puts it back.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class GatherFacts : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("box-facts-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "bin");
    const auto program = dir_ / "bin" / "fuse-overlayfs";
    std::ofstream(program) << "#!/bin/sh\n";
    std::filesystem::permissions(program, std::filesystem::perms::owner_all);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(GatherFacts, LooksUpOnlyWhatIsAsked) {
  ScopedEnv path("PATH", (dir_ / "bin").string());
  ScopedEnv notify("NOTIFY_SOCKET", "/run/user/1000/systemd/notify");
  RuntimeQuery query;
  auto facts = gather_runtime_facts(query, "/run/user/1000");
  ASSERT_TRUE(facts.ok()) << facts.error().message();
  EXPECT_EQ(facts->path, (dir_ / "bin").string());
  EXPECT_EQ(facts->runtime_dir, "/run/user/1000");
  EXPECT_EQ(facts->box_run_pid, ::getpid());
  EXPECT_EQ(facts->fuse_overlayfs, "");         // there, but not asked for
  EXPECT_EQ(facts->service_notify_socket, "");  // box-run run tells nobody
  EXPECT_FALSE(facts->overlay_marker);
  EXPECT_FALSE(facts->network_helper);

  query.fuse_overlayfs = true;
  query.service = true;
  facts = gather_runtime_facts(query, "");
  ASSERT_TRUE(facts.ok()) << facts.error().message();
  EXPECT_EQ(facts->fuse_overlayfs, (dir_ / "bin" / "fuse-overlayfs").string());
  EXPECT_TRUE(facts->service);
  EXPECT_EQ(facts->service_notify_socket, "/run/user/1000/systemd/notify");
}

TEST_F(GatherFacts, AnEmptyPathIsTheFallback) {
  ScopedEnv path("PATH", "");
  auto facts = gather_runtime_facts(RuntimeQuery{}, "");
  ASSERT_TRUE(facts.ok()) << facts.error().message();
  EXPECT_EQ(facts->path, kFallbackHostPath);
}

TEST_F(GatherFacts, ReadsThePersistentUpperDirsMarker) {
  RuntimeQuery query;
  query.overlay_marker_dir = dir_.string();
  auto none = gather_runtime_facts(query, "");
  ASSERT_TRUE(none.ok()) << none.error().message();
  EXPECT_FALSE(none->overlay_marker);
  std::ofstream(dir_ / "overlay-driver") << "fuse\n";
  auto marked = gather_runtime_facts(query, "");
  ASSERT_TRUE(marked.ok()) << marked.error().message();
  EXPECT_EQ(marked->overlay_marker, std::optional<std::string>("fuse\n"));
  // One that cannot be read stops the start.
  std::filesystem::remove(dir_ / "overlay-driver");
  std::filesystem::create_directory(dir_ / "overlay-driver");
  auto unreadable = gather_runtime_facts(query, "");
  ASSERT_FALSE(unreadable.ok());
  EXPECT_NE(unreadable.error().message().find("overlay-driver"), std::string::npos)
      << unreadable.error().message();
}

}  // namespace
}  // namespace box
