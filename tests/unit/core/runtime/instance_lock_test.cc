#include "core/runtime/instance_lock.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>

namespace box {
namespace {

namespace fs = std::filesystem;

class InstanceLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/box-lock-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    dir_ = root_ + "/box/running";
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string root_, dir_;
};

TEST_F(InstanceLockTest, ASecondHolderIsRefusedNamingTheFirst) {
  auto first = InstanceLock::acquire(dir_, "web");
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(fs::status(dir_).permissions() & fs::perms::all, fs::perms::owner_all);
  ASSERT_TRUE(first->write("box-start-record 1\npid 4242\nsource 0 /x\n"));
  auto second = InstanceLock::acquire(dir_, "web");
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message().find("box 'web' is already running (box-run pid 4242)"),
            std::string::npos)
      << second.error().message();
  // Another box is not concerned.
  EXPECT_TRUE(InstanceLock::acquire(dir_, "db"));
}

TEST_F(InstanceLockTest, ReleasingRemovesTheFileAndFreesTheName) {
  {
    auto held = InstanceLock::acquire(dir_, "web");
    ASSERT_TRUE(held);
    ASSERT_TRUE(held->write("content"));
    std::ifstream in(dir_ + "/web");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(text, "content");
  }
  EXPECT_FALSE(fs::exists(dir_ + "/web"));
  EXPECT_TRUE(InstanceLock::acquire(dir_, "web"));
}

TEST_F(InstanceLockTest, AStaleFileOfADeadHolderDoesNotBlock) {
  fs::create_directories(dir_);
  std::ofstream(dir_ + "/web") << "box-start-record 1\npid 1\n";
  auto held = InstanceLock::acquire(dir_, "web");
  ASSERT_TRUE(held) << held.error().message();
  ASSERT_TRUE(held->write("new"));
  std::ifstream in(dir_ + "/web");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "new");  // truncated, not appended
}

TEST_F(InstanceLockTest, TheLockGoesWithTheProcessThatHeldIt) {
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto held = InstanceLock::acquire(dir_, "web");
    char c = held ? '1' : '0';
    (void)!::write(ready[1], &c, 1);
    ::pause();
    ::_exit(0);
  }
  ::close(ready[1]);
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::close(ready[0]);
  ASSERT_EQ(c, '1');
  EXPECT_FALSE(InstanceLock::acquire(dir_, "web"));
  ::kill(child, SIGKILL);  // no destructor runs: the file stays, unlocked
  ::waitpid(child, nullptr, 0);
  EXPECT_TRUE(fs::exists(dir_ + "/web"));
  EXPECT_TRUE(InstanceLock::acquire(dir_, "web"));
}

TEST_F(InstanceLockTest, StaleFilesGoAndHeldOnesStay) {
  auto held = InstanceLock::acquire(dir_, "running");
  ASSERT_TRUE(held);
  std::ofstream(dir_ + "/killed") << "box-start-record 1\npid 1\n";
  EXPECT_EQ(remove_stale_instance_files(dir_), std::vector<std::string>{"killed"});
  EXPECT_FALSE(fs::exists(dir_ + "/killed"));
  EXPECT_TRUE(fs::exists(dir_ + "/running"));
  EXPECT_FALSE(InstanceLock::acquire(dir_, "running"));  // still held
  EXPECT_TRUE(remove_stale_instance_files(root_ + "/missing").empty());
}

}  // namespace
}  // namespace box
