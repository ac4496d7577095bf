#include "core/sys/id_map.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace box {
namespace {

TEST(IdMap, ParsesTheKernelsLinesAndFindsAnIdInside) {
  auto map = parse_id_map("         0       1000          1\n         1     100000      65536\n");
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(*map, (std::vector<IdMapLine>{{0, 1000, 1}, {1, 100000, 65536}}));
  EXPECT_EQ(*id_inside(*map, 1000), 0u);
  EXPECT_EQ(*id_inside(*map, 100000), 1u);
  EXPECT_EQ(*id_inside(*map, 165535), 65536u);
  EXPECT_EQ(id_inside(*map, 165536).error().message(),
            "id 165536 is not mapped into the container");
  EXPECT_FALSE(id_inside(*map, 0).ok());
  EXPECT_EQ(parse_id_map("0 1\n").error().message(), "malformed id map line '0 1'");
  EXPECT_FALSE(parse_id_map("0 1 x\n").ok());
  EXPECT_TRUE(parse_id_map("").value().empty());
}

TEST(IdMap, TextAsTheKernelTakesIt) {
  EXPECT_EQ(id_map_text({{0, 1000, 1}, {1, 100000, 65536}}), "0 1000 1\n1 100000 65536\n");
  EXPECT_EQ(id_map_text(*parse_id_map(id_map_text({{33, 1000, 1}}))),
            id_map_text({{33, 1000, 1}}));
}

// The helper's command line and its stderr in the error, with a program
// that fails as newuidmap would (the real one needs a user namespace
// waiting for it and the caller's ranges in /etc/subuid: the Runtime and
// Install integration tests run it).
TEST(IdMapHelper, ReportsTheCommandAndWhatItSaid) {
  auto helper = IdMapHelper::start("/bin/sh", 77, {{0, 1000, 1}});
  auto done = helper.finish();
  ASSERT_FALSE(done.ok());
  const std::string& message = done.error().message();
  EXPECT_EQ(message.rfind("'/bin/sh 77 0 1000 1' failed: ", 0), 0u) << message;
  EXPECT_NE(message.find("77"), message.rfind("77")) << "sh's own words: " << message;

  auto missing = IdMapHelper::start("no-such-newuidmap", 77, {{0, 1000, 1}}).finish();
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().errno_value(), ENOENT);
  EXPECT_EQ(missing.error().message().rfind(
                "'no-such-newuidmap' is missing (install the 'uidmap' package): ", 0),
            0u)
      << missing.error().message();
}

TEST(IdMapHelper, ASuccessSaysNothing) {
  EXPECT_TRUE(IdMapHelper::start("/bin/true", 1, {{0, 1000, 1}}).finish().ok());
}

TEST(IdMapHelper, ACancelDoesNotWaitForIt) {
  // sleep adds its arguments up: 1000 + 0 + 1000 + 1 seconds.
  auto helper = IdMapHelper::start("/bin/sleep", 1000, {{0, 1000, 1}});
  std::atomic<bool> cancel{false};
  std::thread t([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cancel = true;
  });
  const auto start = std::chrono::steady_clock::now();
  auto done = helper.finish(&cancel);
  t.join();
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.error().message(), "cancelled");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace box
