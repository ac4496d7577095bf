#include "core/plan/box_processes.h"

#include <gtest/gtest.h>

#include <string>

namespace box {
namespace {

using namespace std::string_literals;

// A process of a box with the user's subordinate range: uid 0 inside is
// 1000 outside, 1.. are 100000..
constexpr const char* kUidMap = "         0       1000          1\n         1     100000      65536\n";

std::string status(const char* name, const char* uid, const char* nspid) {
  return "Name:\t"s + name + "\nUid:\t" + uid + "\t" + uid + "\t" + uid + "\t" + uid +
         "\nGid:\t1000\t1000\t1000\t1000\nNSpid:\t" + nspid + "\nCapBnd:\t000001ffffffffff\n";
}

TEST(BoxProcesses, ThePidAndUidInsideAndTheCommandLine) {
  auto p = box_process(4321, status("sh", "1000", "4321\t1"), kUidMap, "sh\0-c\0sleep 5\0"s);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->pid, 1);
  EXPECT_EQ(p->host_pid, 4321);
  EXPECT_EQ(p->uid, 0u);
  EXPECT_EQ(p->command, "sh -c sleep 5");
  auto other = box_process(4400, status("nginx", "100032", "4400\t17"), kUidMap, "nginx\0"s);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->uid, 33u);
  EXPECT_EQ(other->pid, 17);
}

TEST(BoxProcesses, AZombieShowsItsNameAndUnmappedIdsAreErrors) {
  auto zombie = box_process(4500, status("sleep", "1000", "4500\t9"), kUidMap, "");
  ASSERT_TRUE(zombie);
  EXPECT_EQ(zombie->command, "[sleep]");
  auto stranger = box_process(4600, status("x", "5", "4600\t3"), kUidMap, "x\0"s);
  ASSERT_FALSE(stranger);
  EXPECT_EQ(stranger.error().message(), "/proc/4600: id 5 is not mapped into the container");
  auto no_uid = box_process(4700, "Name:\tx\n", kUidMap, "x\0"s);
  ASSERT_FALSE(no_uid);
  EXPECT_NE(no_uid.error().message().find("/proc/4700/status"), std::string::npos);
}

TEST(BoxProcesses, StatsTakeWhatTheCgroupGivesAndNoLimitIsAbsent) {
  auto hybrid = box_stats(
      R"({"cpu":{"usage":{"total":2000,"user":1500,"kernel":500}},"memory":{},"pids":{"current":3}})");
  EXPECT_EQ(hybrid, (std::map<std::string, std::uint64_t>{
                        {"cpu_usage_ns", 2000}, {"cpu_user_ns", 1500}, {"cpu_system_ns", 500}, {"pids", 3}}));
  auto limited = box_stats(
      R"({"memory":{"usage":{"usage":4096,"limit":1048576}},"pids":{"current":2,"limit":50}})");
  EXPECT_EQ(limited.at("memory_bytes"), 4096u);
  EXPECT_EQ(limited.at("memory_limit_bytes"), 1048576u);
  EXPECT_EQ(limited.at("pids_limit"), 50u);
  auto unlimited = box_stats(
      R"({"memory":{"usage":{"usage":4096,"limit":18446744073709551615}},"pids":{"current":2,"limit":0}})");
  EXPECT_EQ(unlimited.count("memory_limit_bytes"), 0u);
  EXPECT_EQ(unlimited.count("pids_limit"), 0u);
  EXPECT_TRUE(box_stats("not json").empty());
}

}  // namespace
}  // namespace box
