// The whole path, as a user runs it: definition -> generator -> systemd
// --user -> box-run -> container, and boxctl -> box-manager -> systemd.
// Runs as the unprivileged test user against a real user manager and bus.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {

class WholePath : public BoxTest {
 protected:
  // A container that greets, then waits for SIGTERM and exits 0 on it: the
  // shell is PID 1, which only receives signals it handles.
  std::string hello_yaml() {
    return "description: Hello from box\n"
           "rootfs: ~/rootfs-wholepath\n"
           "command: [sh, -c, 'echo \"hello from $(hostname) as $(id -u)\"; "
           "trap \"echo got SIGTERM; exit 0\" TERM; while :; do sleep 1 & wait $!; done']\n"
           "env: {GREETING: hi}\n";
  }
};

TEST_F(WholePath, StartsThroughSystemdLogsToJournalAndStopsCleanly) {
  define("hello", hello_yaml());
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);

  // The generator's drop-in is in place.
  auto cat = systemctl({"cat", "box@hello.service"});
  ASSERT_EQ(cat.exit_code, 0) << cat.output;
  EXPECT_TRUE(contains(cat.output, "Description=Hello from box")) << cat.output;
  EXPECT_TRUE(contains(cat.output, "Type=notify")) << cat.output;
  EXPECT_TRUE(contains(cat.output, "Delegate=yes")) << cat.output;

  auto start = systemctl({"start", "box@hello.service"});
  ASSERT_EQ(start.exit_code, 0) << start.output << journal("box@hello.service");
  EXPECT_EQ(show("box@hello.service", "ActiveState"), "active");
  EXPECT_EQ(show("box@hello.service", "SubState"), "running");

  EXPECT_TRUE(eventually([] {
    return contains(journal("box@hello.service"), "hello from hello as 0");
  })) << journal("box@hello.service");

  auto list = boxctl({"list"});
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_TRUE(contains(list.output, "hello  active  running  Hello from box")) << list.output;

  auto stop = systemctl({"stop", "box@hello.service"});
  ASSERT_EQ(stop.exit_code, 0) << stop.output;
  // SIGTERM reached the container's PID 1 and the supervisor exited 0.
  EXPECT_EQ(show("box@hello.service", "Result"), "success");
  EXPECT_EQ(show("box@hello.service", "ExecMainStatus"), "0");
  EXPECT_EQ(show("box@hello.service", "ActiveState"), "inactive");
  EXPECT_TRUE(eventually([] { return contains(journal("box@hello.service"), "got SIGTERM"); }))
      << journal("box@hello.service");
}

TEST_F(WholePath, BoxctlStartsAndStopsThroughTheManager) {
  define("hello", hello_yaml());
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);

  auto start = boxctl({"start", "hello"});
  ASSERT_EQ(start.exit_code, 0) << start.output;
  EXPECT_EQ(show("box@hello.service", "ActiveState"), "active");

  auto json = boxctl({"list", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.output;
  EXPECT_TRUE(contains(json.output, "\"name\": \"hello\"")) << json.output;
  EXPECT_TRUE(contains(json.output, "\"state\": \"active\"")) << json.output;

  auto stop = boxctl({"stop", "hello"});
  ASSERT_EQ(stop.exit_code, 0) << stop.output;
  EXPECT_EQ(show("box@hello.service", "ActiveState"), "inactive");
  EXPECT_EQ(show("box@hello.service", "Result"), "success");

  auto missing = boxctl({"start", "no-such-box"});
  EXPECT_EQ(missing.exit_code, 4) << missing.output;
  EXPECT_TRUE(contains(missing.output, "no container named 'no-such-box'")) << missing.output;
}

TEST_F(WholePath, BrokenDefinitionIsReportedAndOthersStillWork) {
  define("hello", hello_yaml());
  define("broken", "rootfs: ~/rootfs-wholepath\ncommand: [sh]\nrestart_policy: always\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);

  auto start = systemctl({"start", "box@hello.service"});
  ASSERT_EQ(start.exit_code, 0) << start.output;

  // The broken one fails to start, and status says exactly why.
  auto bad = systemctl({"start", "box@broken.service"});
  EXPECT_NE(bad.exit_code, 0);
  const std::string why = "broken.yaml:3:1: unknown key 'restart_policy'";
  EXPECT_TRUE(eventually([&] {
    return contains(systemctl({"status", "box@broken.service"}).output, why);
  })) << systemctl({"status", "box@broken.service"}).output;

  auto list = boxctl({"list"});
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_TRUE(contains(list.output, "broken  invalid")) << list.output;
  EXPECT_TRUE(contains(list.output, why)) << list.output;
  EXPECT_TRUE(contains(list.output, "hello   active")) << list.output;

  auto via_manager = boxctl({"start", "broken"});
  EXPECT_EQ(via_manager.exit_code, 3);  // invalid definition
  EXPECT_TRUE(contains(via_manager.output, why)) << via_manager.output;
}

TEST_F(WholePath, FailedSetupShowsTheStepInStatus) {
  define("norootfs", "rootfs: ~/does-not-exist\ncommand: [sh]\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  EXPECT_NE(systemctl({"start", "box@norootfs.service"}).exit_code, 0);
  EXPECT_EQ(show("box@norootfs.service", "ExecMainStatus"), "125");
  EXPECT_TRUE(eventually([&] {
    return contains(journal("box@norootfs.service"),
                    "open rootfs '" + home() + "/does-not-exist': No such file or directory");
  })) << journal("box@norootfs.service");
}

}  // namespace
}  // namespace box::testing
