// boxctl pause, resume, top, stats and events on a box run by the real user
// manager, and the D-Bus methods and property under them: the box's own
// cgroup below the unit's delegated one. Runs as the test user.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {

using namespace std::chrono_literals;

class BoxctlCgroup : public BoxTest {
 protected:
  void prepare() override {
    ticks_ = home() + "/ticks-" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(ticks_);
    fs::create_directories(ticks_);
  }
  void cleanup() override { fs::remove_all(ticks_); }

  // A box that adds a line to a host file ten times a second, from a
  // child of its PID 1 (so the whole cgroup, not PID 1 alone, must stop).
  void start_ticker() {
    define("ticker",
           "rootfs: ~/rootfs-boxctlcgroup\n"
           "mounts: [{type: bind, source: " + ticks_ + ", target: /ticks}]\n"
           "command: [sh, -c, 'trap \"echo stopping; exit 0\" TERM; "
           "(while :; do echo x >> /ticks/count; sleep 0.1; done) & "
           "while :; do sleep 1 & wait $!; done']\n");
    ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
    auto start = boxctl({"start", "ticker"});
    ASSERT_EQ(start.exit_code, 0) << start.output;
    ASSERT_TRUE(eventually([&] { return ticks() > 2; })) << "the ticker never ticked";
  }
  std::size_t ticks() {
    const std::string text = slurp(ticks_ + "/count");
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  }
  static std::string paused_property() {
    return run({"busctl", "--user", "get-property", "dev.boxctl.box1",
                "/dev/boxctl/box1/container/ticker", "dev.boxctl.box1.Container", "Paused"})
        .output;
  }
  std::string ticks_;
};

TEST_F(BoxctlCgroup, PauseFreezesEveryProcessAndResumeThawsThem) {
  start_ticker();
  EXPECT_EQ(paused_property(), "b false\n");
  auto paused = boxctl({"pause", "ticker"});
  ASSERT_EQ(paused.exit_code, 0) << paused.output;
  const std::size_t frozen_at = ticks();
  std::this_thread::sleep_for(800ms);
  EXPECT_EQ(ticks(), frozen_at) << "a process of the box went on while paused";
  EXPECT_EQ(paused_property(), "b true\n");
  auto status = boxctl({"status", "ticker", "--json"});
  EXPECT_TRUE(nlohmann::json::parse(status.output)["paused"].get<bool>()) << status.output;
  EXPECT_TRUE(contains(boxctl({"status", "ticker"}).output, "active (running), paused"));
  // Its supervisor is not frozen: systemd still sees the unit running.
  EXPECT_EQ(show("box@ticker.service", "SubState"), "running");

  auto resumed = boxctl({"resume", "ticker"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_TRUE(eventually([&] { return ticks() > frozen_at + 2; })) << "no tick after resume";
  EXPECT_EQ(paused_property(), "b false\n");
}

TEST_F(BoxctlCgroup, AStopOfAPausedBoxThawsItAndTheStopSignalArrives) {
  start_ticker();
  ASSERT_EQ(boxctl({"pause", "ticker"}).exit_code, 0);
  const auto before = std::chrono::steady_clock::now();
  auto stopped = boxctl({"stop", "ticker"});
  const auto took = std::chrono::steady_clock::now() - before;
  EXPECT_EQ(stopped.exit_code, 0) << stopped.output;
  // Not the 10 s stop timeout and a SIGKILL: the trap ran.
  EXPECT_LT(took, 5s);
  EXPECT_TRUE(contains(journal("box@ticker.service"), "stopping"));
  EXPECT_EQ(show("box@ticker.service", "Result"), "success");
}

TEST_F(BoxctlCgroup, TopListsTheProcessesByTheirPidInsideAndStatsReadTheCgroup) {
  start_ticker();
  auto top = boxctl({"top", "ticker", "--json"});
  ASSERT_EQ(top.exit_code, 0) << top.output;
  auto rows = nlohmann::json::parse(top.output);
  ASSERT_GE(rows.size(), 3u) << top.output;  // PID 1, the ticking subshell, a sleep
  EXPECT_EQ(rows[0]["pid"], 1) << top.output;
  EXPECT_EQ(rows[0]["uid"], 0) << top.output;
  EXPECT_TRUE(contains(rows[0]["command"].get<std::string>(), "sh -c trap")) << top.output;
  // The host PID is the supervisor's child, the container's PID 1.
  const pid_t supervisor = std::stoi(show("box@ticker.service", "MainPID"));
  EXPECT_EQ(rows[0]["host_pid"].get<pid_t>(), first_child(supervisor)) << top.output;
  auto table = boxctl({"top", "ticker"});
  EXPECT_EQ(table.output.rfind("PID  HOST PID  UID  COMMAND\n", 0), 0u) << table.output;

  auto stats = boxctl({"stats", "ticker", "--json"});
  ASSERT_EQ(stats.exit_code, 0) << stats.output;
  auto s = nlohmann::json::parse(stats.output)["ticker"];
  EXPECT_GT(s["cpu_usage_ns"].get<std::uint64_t>(), 0u) << stats.output;
  EXPECT_GE(s["pids"].get<std::uint64_t>(), 3u) << stats.output;
  auto line = boxctl({"events", "ticker", "--stats"});
  ASSERT_EQ(line.exit_code, 0) << line.output;
  auto one = nlohmann::json::parse(line.output);
  EXPECT_EQ(one["type"], "stats");
  EXPECT_TRUE(one["data"].contains("cpu_usage_ns")) << line.output;
  // Through the bus as a settings panel would call it.
  auto bus = run({"busctl", "--user", "call", "dev.boxctl.box1", "/dev/boxctl/box1",
                  "dev.boxctl.box1.Manager", "Top", "s", "ticker"});
  EXPECT_EQ(bus.output.rfind("a(uuus) ", 0), 0u) << bus.output;
}

TEST_F(BoxctlCgroup, EventsFollowsTheBoxUntilItStops) {
  start_ticker();
  Background events({prefix() + "/bin/boxctl", "events", "ticker", "--interval", "0.2"},
                    ticks_ + "/events");
  ASSERT_TRUE(eventually([&] { return contains(events.output(), "\"type\":\"stats\""); }));
  ASSERT_EQ(boxctl({"pause", "ticker"}).exit_code, 0);
  ASSERT_TRUE(eventually([&] { return contains(events.output(), "\"paused\":true"); }))
      << events.output();
  ASSERT_EQ(boxctl({"resume", "ticker"}).exit_code, 0);
  ASSERT_EQ(boxctl({"stop", "ticker"}).exit_code, 0);
  EXPECT_EQ(events.wait(20s), 0) << events.output();
  const std::string out = events.output();
  const auto first = out.find("{\"name\":\"ticker\",\"paused\":false,\"state\":\"active\",\"type\":\"state\"}");
  const auto frozen = out.find("\"paused\":true");
  const auto last = out.rfind("\"state\":\"inactive\"");
  EXPECT_TRUE(first != std::string::npos && frozen != std::string::npos && last != std::string::npos &&
              first < frozen && frozen < last)
      << out;
}

TEST_F(BoxctlCgroup, WhatCannotBeDoneIsSaidWithItsExitCode) {
  define("idle", "rootfs: ~/rootfs-boxctlcgroup\ncommand: [sleep, '1000']\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  auto not_running = boxctl({"pause", "idle"});
  EXPECT_EQ(not_running.exit_code, 5) << not_running.output;
  EXPECT_TRUE(contains(not_running.output, "'idle' is not running")) << not_running.output;
  EXPECT_EQ(boxctl({"top", "idle"}).exit_code, 5);
  EXPECT_EQ(boxctl({"events", "idle"}).exit_code, 5);
  auto unknown = boxctl({"stats", "no-such-box"});
  EXPECT_EQ(unknown.exit_code, 4) << unknown.output;
  auto interval = boxctl({"events", "idle", "--interval", "0"});
  EXPECT_EQ(interval.exit_code, 2) << interval.output;
}

}  // namespace
}  // namespace box::testing
