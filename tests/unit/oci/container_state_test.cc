// box-oci's records, ids, state JSON and signal names.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "oci/commands.h"
#include "oci/container_state.h"
#include "tests/unit/temp_dir.h"

namespace box::oci {
namespace {

TEST(OciState, RecordsRoundTripAndStateFollowsTheSpec) {
  Record r{"c1", 42, 777, "/b", "2026-12-07T00:00:00.000000000Z", 1000, {{"a", "b"}}, {{"unified", "/sys/fs/cgroup/x"}}};
  auto back = parse_record(record_json(r), "state.json");
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->pid, 42);
  EXPECT_EQ(back->start_time, 777u);
  EXPECT_EQ(back->annotations.at("a"), "b");
  EXPECT_EQ(back->cgroups.at("unified"), "/sys/fs/cgroup/x");
  auto created = nlohmann::json::parse(state_json(r, Status::kCreated, "1.0.2"));
  EXPECT_EQ(created["status"], "created");
  EXPECT_EQ(created["pid"], 42);
  EXPECT_EQ(created["ociVersion"], "1.0.2");
  auto stopped = nlohmann::json::parse(state_json(r, Status::kStopped, "1.0.2"));
  EXPECT_FALSE(stopped.contains("pid")) << "a stopped container has no pid";
  EXPECT_FALSE(parse_record("{\"id\": 5}", "f"));
}

TEST(OciState, IdsThatCouldLeaveTheStateDirectoryAreRefused) {
  for (const char* good : {"a", "A-b_c.d+e", "87df64d348ba2013"}) EXPECT_TRUE(check_id(good)) << good;
  for (const char* bad : {"", ".", "..", "../x", "a/b", "a b", "x\n"}) EXPECT_FALSE(check_id(bad)) << bad;
}

TEST(OciState, StatusIsObservedFromTheProcessAndTheFifo) {
  box::testing::TempDir dir;
  StateStore store(dir.path() + "/root/deeper");
  auto held = store.reserve("me");
  ASSERT_TRUE(held);
  EXPECT_FALSE(store.reserve("me")) << "an id is taken once";
  Record r{"me", ::getpid(), process_start_time(::getpid()), "/b", "t", 0, {}, {}};
  ASSERT_GT(r.start_time, 0u);
  ASSERT_TRUE(store.save(r));
  EXPECT_EQ(store.status(r), Status::kCreated) << "the exec FIFO is still there";
  ASSERT_EQ(::unlink(store.fifo("me").c_str()), 0);
  EXPECT_EQ(store.status(r), Status::kRunning);
  Record reused = r;
  reused.start_time += 1;  // the same pid, another process
  EXPECT_EQ(store.status(reused), Status::kStopped);
  EXPECT_EQ(store.ids().value(), std::vector<std::string>{"me"});
  ASSERT_TRUE(store.remove("me"));
  EXPECT_TRUE(store.ids().value().empty());
  EXPECT_EQ(store.load("me").error().errno_value(), ENOENT);
}

// A reservation whose holder let go without a record is what a create
// that died leaves: the next reserve takes the id over.
TEST(OciState, AReservationLeftWithoutARecordIsReclaimed) {
  box::testing::TempDir dir;
  StateStore store(dir.path() + "/root");
  { ASSERT_TRUE(store.reserve("gone")); }
  EXPECT_TRUE(::access(store.fifo("gone").c_str(), F_OK) == 0);
  EXPECT_TRUE(store.ids().value().empty()) << "no record, nothing to list";
  auto again = store.reserve("gone");
  ASSERT_TRUE(again) << again.error().message();
  // A saved record keeps the id, held or not.
  ASSERT_TRUE(store.save(Record{"gone", ::getpid(), process_start_time(::getpid()), "/b", "t", 0, {}, {}}));
  again = Error("released");
  auto taken = store.reserve("gone");
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().message(), "container 'gone' already exists");
}

TEST(OciSignals, NamesNumbersAndRealtime) {
  EXPECT_EQ(signal_number("KILL"), SIGKILL);
  EXPECT_EQ(signal_number("SIGTERM"), SIGTERM);
  EXPECT_EQ(signal_number("sigusr1"), SIGUSR1);
  EXPECT_EQ(signal_number("9"), 9);
  EXPECT_EQ(signal_number("RTMIN+3"), SIGRTMIN + 3);
  EXPECT_EQ(signal_number("SIGRTMAX-1"), SIGRTMAX - 1);
  for (const char* bad : {"", "NOPE", "0", "65", "RTMIN+99", "-9"}) EXPECT_EQ(signal_number(bad), -1) << bad;
}

}  // namespace
}  // namespace box::oci
