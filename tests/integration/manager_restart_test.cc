// The D-Bus Restart method of box-manager, called with busctl as any
// program would, against the real manager and user manager: it starts a
// stopped box, replaces a running one (a new supervisor and container), and
// answers when systemd's job is done; its errors are named. Runs as the
// test user.
#include <gtest/gtest.h>

#include <string>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {

CommandResult restart(const std::string& name) {
  return run({"busctl", "--user", "call", "dev.boxctl.box1", "/dev/boxctl/box1",
              "dev.boxctl.box1.Manager", "Restart", "s", name});
}

// dbus-send prints the error's name.
CommandResult restart_named_error(const std::string& name) {
  return run({"dbus-send", "--session", "--print-reply", "--dest=dev.boxctl.box1",
              "/dev/boxctl/box1", "dev.boxctl.box1.Manager.Restart", "string:" + name});
}

class ManagerRestart : public BoxTest {
 protected:
  ManagerRestart() : BoxTest("restart") {}
  void TearDown() override {
    BoxTest::TearDown();
    stop_and_reset("box-manager.service");
  }
  pid_t main_pid() {
    return static_cast<pid_t>(std::stol("0" + show("box@restarted.service", "MainPID")));
  }
};

TEST_F(ManagerRestart, RestartStartsOrReplacesTheBoxAndAnswersWhenDone) {
  define("restarted",
         "rootfs: ~/rootfs-restart\n"
         "command: [sh, -c, 'trap \"exit 0\" TERM; echo up; "
         "while :; do sleep 1 & wait $!; done']\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  ASSERT_EQ(show("box@restarted.service", "ActiveState"), "inactive");

  // Stopped: Restart starts it, and answers once it runs.
  auto first = restart("restarted");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_EQ(first.output, "");
  EXPECT_EQ(show("box@restarted.service", "ActiveState"), "active");
  const pid_t supervisor = main_pid();
  ASSERT_GT(supervisor, 0);
  pid_t pid1 = -1;
  ASSERT_TRUE(eventually([&] { return (pid1 = first_child(supervisor)) > 0; }));

  // Running: a new supervisor and container replace the old ones, which
  // are gone when the answer comes.
  auto second = restart("restarted");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(show("box@restarted.service", "ActiveState"), "active");
  const pid_t new_supervisor = main_pid();
  EXPECT_GT(new_supervisor, 0);
  EXPECT_NE(new_supervisor, supervisor);
  EXPECT_TRUE(dead(supervisor)) << "the old supervisor " << supervisor << " still runs";
  EXPECT_TRUE(dead(pid1)) << "the old container's PID 1 " << pid1 << " still runs";
  pid_t new_pid1 = -1;
  EXPECT_TRUE(eventually([&] { return (new_pid1 = first_child(new_supervisor)) > 0; }));
  EXPECT_NE(new_pid1, pid1);

  // Named errors: no such box; a definition that does not load.
  auto missing = restart_named_error("no-such-box");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_TRUE(contains(missing.output,
                       "Error dev.boxctl.box1.Error.NoSuchContainer: no container named "
                       "'no-such-box'"))
      << missing.output;
  define("broken", "rootfs: ~/rootfs-restart\ncommand: [sh]\nno_such_key: 1\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  auto invalid = restart_named_error("broken");
  EXPECT_TRUE(contains(invalid.output, "Error dev.boxctl.box1.Error.InvalidDefinition: "))
      << invalid.output;
  EXPECT_TRUE(contains(invalid.output, "broken.yaml:3:1: unknown key 'no_such_key'"))
      << invalid.output;
  EXPECT_EQ(show("box@restarted.service", "MainPID"), std::to_string(new_supervisor))
      << "a failed Restart of another box touched this one";
}

}  // namespace
}  // namespace box::testing
