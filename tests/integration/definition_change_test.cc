// A definition edited, broken or masked while its box runs (issue 13): after
// `systemctl --user daemon-reload` the running box is untouched (same
// supervisor, same PID 1, still active), and `boxctl status` says what the
// next start will do. And one box runs once: a second `box-run start` of a
// running box is refused. As the unprivileged test user, real user manager.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {

class DefinitionChange : public BoxTest {
 protected:
  static std::string yaml(const std::string& value) {
    return "rootfs: ~/rootfs-definitionchange\nenv: {VALUE: '" + value +
           "'}\ncommand: [sh, -c, 'echo started-with-$VALUE; exec sleep 300']\n";
  }
  nlohmann::json status_json(const std::string& name) {
    auto r = boxctl({"status", name, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    auto j = nlohmann::json::parse(r.output, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.output;
    return j;
  }
  void reload() { ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0); }
  // The box runs on as it was: same supervisor, same PID 1, still active.
  void expect_untouched(const std::string& unit, const std::string& main_pid, pid_t pid1) {
    EXPECT_EQ(show(unit, "ActiveState"), "active");
    EXPECT_EQ(show(unit, "MainPID"), main_pid);
    EXPECT_EQ(first_child(std::stoi(main_pid)), pid1);
    EXPECT_FALSE(dead(pid1));
  }
};

TEST_F(DefinitionChange, RunningBoxIsUntouchedAndStatusSaysWhatTheNextStartDoes) {
  const std::string unit = "box@edited.service", file = defs_ + "/edited.yaml";
  define("edited", yaml("one"));
  reload();
  auto start = systemctl({"start", unit});
  ASSERT_EQ(start.exit_code, 0) << start.output << journal(unit);
  const std::string main_pid = show(unit, "MainPID");
  pid_t pid1 = -1;
  ASSERT_TRUE(eventually([&] { return (pid1 = first_child(std::stoi(main_pid))) > 0; }));
  ASSERT_TRUE(eventually([&] { return contains(journal(unit), "started-with-one"); }))
      << journal(unit);
  EXPECT_EQ(status_json("edited")["next_start"], "unchanged");

  // Changed: valid, different. The next start applies it.
  write_file(file, yaml("two"));
  reload();
  expect_untouched(unit, main_pid, pid1);
  auto j = status_json("edited");
  EXPECT_EQ(j["next_start"], "changed") << j.dump();
  EXPECT_EQ(j["state"], "active");
  EXPECT_EQ(j["error"], "");
  auto text = boxctl({"status", "edited"});
  EXPECT_TRUE(contains(text.output, "Next start: the changed definition")) << text.output;

  // Broken: the next start would fail, and the error says why.
  write_file(file, yaml("three") + "no_such_key: 1\n");
  reload();
  expect_untouched(unit, main_pid, pid1);
  j = status_json("edited");
  EXPECT_EQ(j["next_start"], "fails") << j.dump();
  EXPECT_EQ(j["state"], "active");
  EXPECT_TRUE(contains(j["error"].get<std::string>(), "no_such_key")) << j.dump();
  text = boxctl({"status", "edited"});
  EXPECT_TRUE(contains(text.output, "Next start: fails")) << text.output;

  // Masked: refused at the next start.
  fs::remove(file);
  fs::create_symlink("/dev/null", file);
  reload();
  expect_untouched(unit, main_pid, pid1);
  j = status_json("edited");
  EXPECT_EQ(j["next_start"], "fails") << j.dump();
  EXPECT_TRUE(contains(j["error"].get<std::string>(), "masked")) << j.dump();

  // Back to the very text it started from.
  fs::remove(file);
  write_file(file, yaml("one"));
  reload();
  expect_untouched(unit, main_pid, pid1);
  EXPECT_EQ(status_json("edited")["next_start"], "unchanged");

  // A restart takes the change, and the record follows the new run.
  write_file(file, yaml("four"));
  reload();
  ASSERT_EQ(systemctl({"restart", unit}).exit_code, 0) << journal(unit);
  ASSERT_TRUE(eventually([&] { return contains(journal(unit), "started-with-four"); }))
      << journal(unit);
  EXPECT_NE(show(unit, "MainPID"), main_pid);
  EXPECT_EQ(status_json("edited")["next_start"], "unchanged");

  // Stopped: nothing to compare; the record is gone with its run.
  ASSERT_EQ(systemctl({"stop", unit}).exit_code, 0);
  EXPECT_EQ(status_json("edited")["next_start"], "");
  const std::string runtime = std::getenv("XDG_RUNTIME_DIR");
  EXPECT_FALSE(fs::exists(runtime + "/box/running/edited"));
}

// Two supervisors of one box would share its persistent upper dir, which
// overlayfs does not support: the second start is refused, naming the first,
// and the running box goes on.
TEST_F(DefinitionChange, ASecondStartOfARunningBoxIsRefused) {
  const std::string unit = "box@once.service";
  define("once",
         "rootfs: ~/rootfs-definitionchange\nrootfs_writes: persistent\ncommand: [sleep, '300']\n");
  reload();
  ASSERT_EQ(systemctl({"start", unit}).exit_code, 0) << journal(unit);
  const std::string main_pid = show(unit, "MainPID");
  pid_t pid1 = -1;
  ASSERT_TRUE(eventually([&] { return (pid1 = first_child(std::stoi(main_pid))) > 0; }));

  auto second = run({box_run(), "start", "once"}, std::chrono::seconds(20));
  EXPECT_NE(second.exit_code, 0) << second.output;
  EXPECT_TRUE(contains(second.output, "box 'once' is already running (box-run pid " + main_pid + ")"))
      << second.output;
  expect_untouched(unit, main_pid, pid1);

  // Once it has stopped, a start by hand runs.
  ASSERT_EQ(systemctl({"stop", unit}).exit_code, 0);
  Background by_hand({box_run(), "start", "once"}, home() + "/once-by-hand.log");
  pid_t by_hand_pid1 = -1;
  EXPECT_TRUE(eventually([&] { return (by_hand_pid1 = first_child(by_hand.pid())) > 0; }))
      << by_hand.output();
  // ... and now the unit is the one refused, failing without touching it.
  auto unit_start = systemctl({"start", unit});
  EXPECT_NE(unit_start.exit_code, 0);
  EXPECT_TRUE(contains(journal(unit), "is already running (box-run pid " +
                                          std::to_string(by_hand.pid()) + ")"))
      << journal(unit);
  EXPECT_FALSE(dead(by_hand_pid1));
  by_hand.stop();
  ASSERT_EQ(systemctl({"reset-failed", unit}).exit_code, 0);
  ASSERT_EQ(systemctl({"start", unit}).exit_code, 0) << journal(unit);
}

}  // namespace
}  // namespace box::testing
