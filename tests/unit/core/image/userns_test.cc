#include "core/image/userns.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

#include "tests/unit/core/image/image_fixtures.h"

namespace box::image {
namespace {

TEST(SubIds, MappingNeedsBothRanges) {
  box::testing::TempDir tmp;
  box::testing::write_bytes(tmp / "subuid", "u:100000:65536\n");
  box::testing::write_bytes(tmp / "subgid", "other:100000:65536\n");
  auto m = id_mapping_for(1000, 1000, "u", tmp / "subuid", tmp / "subgid");
  EXPECT_FALSE(m.full());
  EXPECT_EQ(m.describe(), "0:1000:1");
  EXPECT_EQ(m.max_id(), 0u);
  box::testing::write_bytes(tmp / "subgid", "u:300000:1000\n");
  m = id_mapping_for(1000, 1000, "u", tmp / "subuid", tmp / "subgid");
  EXPECT_TRUE(m.full());
  EXPECT_EQ(m.max_id(), 1000u);
  EXPECT_EQ(m.describe(), "0:1000:1,1:100000:65536");
}

IdMapping just_me() {
  IdMapping m;
  m.uid = getuid();
  m.gid = getgid();
  return m;
}

TEST(UserNamespace, WorkRunsAsRootInsideAndTalksBack) {
  std::vector<std::string> got;
  auto r = run_in_user_namespace(
      just_me(),
      [](const MessageSink& send) -> Result<void> {
        send("uid " + std::to_string(getuid()));
        send(std::string(100000, 'x'));  // larger than a pipe buffer's worth in one frame
        return {};
      },
      [&](const std::string& m) { got.push_back(m); });
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], "uid 0");
  EXPECT_EQ(got[1].size(), 100000u);
}

TEST(UserNamespace, ErrorsAndDeathsReachTheCaller) {
  auto r = run_in_user_namespace(
      just_me(), [](const MessageSink&) -> Result<void> { return Error("it broke"); }, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "it broke");

  // The errno crosses too: the installer tells a full disk by it.
  auto full = run_in_user_namespace(
      just_me(),
      [](const MessageSink&) -> Result<void> { return Error("write 'layer': disk full", ENOSPC); },
      nullptr);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().message(), "write 'layer': disk full");
  EXPECT_EQ(full.error().errno_value(), ENOSPC);

  auto killed = run_in_user_namespace(
      just_me(),
      [](const MessageSink&) -> Result<void> {
        raise(SIGKILL);
        return {};
      },
      nullptr);
  ASSERT_FALSE(killed.ok());
  EXPECT_NE(killed.error().message().find("killed by signal"), std::string::npos);
}

// ^C on a terminal, or systemd stopping a service, signals every process of
// the group or cgroup: the worker too. Cancelling is the caller's decision
// (through `cancel`); the worker finishes its work undisturbed.
TEST(UserNamespace, SignalsToTheWholeGroupAreTheCallersToHandle) {
  std::vector<std::string> got;
  auto r = run_in_user_namespace(
      just_me(),
      [](const MessageSink& send) -> Result<void> {
        send(std::to_string(getpid()));
        // Long enough for the signals below to arrive while it works.
        struct timespec left = {0, 300 * 1000 * 1000};
        while (nanosleep(&left, &left) != 0 && errno == EINTR) {
        }
        send("finished");
        return {};
      },
      [&](const std::string& m) {
        got.push_back(m);
        if (got.size() == 1)
          for (int s : {SIGINT, SIGQUIT, SIGTERM, SIGHUP}) kill(std::stoi(m), s);
      });
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1], "finished");
}

TEST(UserNamespace, CancelKillsTheWorker) {
  std::atomic<bool> cancel{false};
  std::thread t([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cancel = true;
  });
  auto start = std::chrono::steady_clock::now();
  auto r = run_in_user_namespace(
      just_me(),
      [](const MessageSink&) -> Result<void> {
        sleep(30);
        return {};
      },
      nullptr, &cancel);
  t.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "cancelled");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace box::image
