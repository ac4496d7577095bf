// `autostart: login` starts a box when a user manager starts, with no
// command: what happens at login. The test user's own manager is already
// running (and cannot be restarted from here: the test runs unprivileged),
// so the test starts a second, fresh user manager for the same user, as a
// delegated service of the first, and watches it boot: it runs
// box-user-generator, reaches default.target, and with it starts the box.
//
// `autostart: session` starts a box with the desktop session and stops it
// with the session, in the test user's own manager: the test starts and
// stops a session target as a desktop session does (systemd.special(7)).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;

// A user manager leaves mode-000 directories in its runtime dir
// (systemd/inaccessible/): make them removable first.
void remove_runtime_dir(const std::string& dir) {
  if (fs::exists(dir)) run({"chmod", "-R", "u+rwX", dir});
  fs::remove_all(dir);
}

class GeneratorAutostart : public BoxTest {
 protected:
  GeneratorAutostart() : BoxTest("autostart") {}
  void prepare() override {
    marks_ = home() + "/autostart-marks";
    fs::remove_all(marks_);
    fs::create_directories(marks_);
    runtime_ = home() + "/autostart-rt";
    remove_runtime_dir(runtime_);
    fs::create_directories(runtime_);
    fs::permissions(runtime_, fs::perms::owner_all);
    unit_ = "box-test-login-" + std::to_string(::getpid()) + ".service";
  }

  void cleanup() override {
    // Stopping the second manager stops its boxes (exit.target) first.
    stop_and_reset(unit_);
    for (const char* name : {"gen-auto", "gen-manual", "gen-desktop"})
      fs::remove(defs_ + "/" + name + ".yaml");
    systemctl({"stop", kSessionTarget});
    fs::remove(session_target_file());
    systemctl({"daemon-reload"});
    fs::remove_all(marks_);
    remove_runtime_dir(runtime_);
  }

  // The second manager's state, through its private socket.
  CommandResult inner(std::vector<std::string> args) {
    args.insert(args.begin(), {"env", "-u", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR=" + runtime_,
                               "systemctl", "--user", "--no-pager"});
    return run(args);
  }

  // A box that leaves a mark in a directory bound from the host, then waits.
  std::string marking(const std::string& mark, const std::string& autostart) {
    return "rootfs: ~/rootfs-autostart\nautostart: " + autostart +
           "\nmounts: [{type: bind, source: ~/autostart-marks, target: /marks}]\n"
           "command: [sh, -c, 'echo up > /marks/" + mark +
           "; trap \"exit 0\" TERM; while :; do sleep 1 & wait $!; done']\n";
  }

  static constexpr const char* kSessionTarget = "box-test-session.target";
  std::string session_target_file() const {
    return home() + "/.config/systemd/user/" + kSessionTarget;
  }

  std::string marks_, runtime_, unit_;
};

TEST_F(GeneratorAutostart, LoginBoxStartsWhenTheUserManagerStarts) {
  write_file(defs_ + "/gen-auto.yaml", marking("auto", "login"));
  write_file(defs_ + "/gen-manual.yaml", marking("manual", "no"));
  write_file(defs_ + "/gen-desktop.yaml", marking("desktop", "session"));

  // A user manager as user@.service would run it, with the prefix under
  // test in its search paths (as the harness sets up the first one).
  const std::string p = prefix();
  auto r = run({"systemd-run", "--user", "--quiet", "--unit=" + unit_, "-p", "Delegate=yes",
                "-E", "HOME=" + home(), "-E", "XDG_RUNTIME_DIR=" + runtime_,
                // Its own bus only. Given the first manager's (which systemd
                // passes its services), it took org.freedesktop.systemd1 there
                // and the first manager answered on the bus no more: every
                // D-Bus test after this one timed out.
                "-E", "DBUS_SESSION_BUS_ADDRESS=unix:path=" + runtime_ + "/bus",
                "-E", "PATH=" + p + "/bin:/usr/local/bin:/usr/bin:/bin",
                "-E", "SYSTEMD_UNIT_PATH=" + p + "/lib/systemd/user:",
                "-E", "SYSTEMD_GENERATOR_PATH=" + p + "/lib/systemd/user-generators",
                "/lib/systemd/systemd", "--user"});
  ASSERT_EQ(r.exit_code, 0) << r.output;

  // Nobody asks it to start anything: default.target pulls the box in.
  EXPECT_TRUE(eventually([&] { return fs::exists(marks_ + "/auto"); }, std::chrono::seconds(20)))
      << systemctl({"status", unit_}).output;
  EXPECT_TRUE(eventually([&] {
    return inner({"is-active", "box@gen-auto.service"}).output == "active\n";
  })) << inner({"status", "box@gen-auto.service"}).output;
  EXPECT_TRUE(contains(inner({"show", "-p", "WantedBy", "box@gen-auto.service"}).output,
                       "default.target"));

  // Not the others: no autostart, and a session box waits for a desktop
  // session (graphical-session.target), which this manager has not.
  // default.target's own job may end a moment after the box's: until then
  // it is "inactive" with a job waiting.
  EXPECT_TRUE(eventually([&] {
    return inner({"is-active", "default.target"}).output == "active\n";
  })) << inner({"list-jobs"}).output;
  EXPECT_EQ(inner({"is-active", "box@gen-manual.service"}).output, "inactive\n");
  EXPECT_EQ(inner({"is-active", "box@gen-desktop.service"}).output, "inactive\n");
  EXPECT_TRUE(contains(inner({"show", "-p", "WantedBy", "box@gen-desktop.service"}).output,
                       "graphical-session.target"));
  EXPECT_FALSE(fs::exists(marks_ + "/manual"));
  EXPECT_FALSE(fs::exists(marks_ + "/desktop"));
}

// A desktop session starts graphical-session.target the way
// systemd.special(7) says: through a target of its own that has
// BindsTo=graphical-session.target (gnome-session's, sway's
// sway-session.target), started when the compositor is up and stopped when
// it ends. graphical-session.target itself refuses a manual start
// (RefuseManualStart=yes) and stops once no such target binds it
// (StopWhenUnneeded=yes). Here the session target is the test's own, in
// the test user's real manager.
TEST_F(GeneratorAutostart, SessionBoxStartsAndStopsWithTheGraphicalSession) {
  define("gen-desktop", marking("desktop", "session"));
  fs::create_directories(home() + "/.config/systemd/user");
  write_file(session_target_file(),
             "[Unit]\n"
             "Description=A desktop session, as sway-session.target is one\n"
             "BindsTo=graphical-session.target\n"
             "Wants=graphical-session-pre.target\n"
             "After=graphical-session-pre.target\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  const std::string box = "box@gen-desktop.service";
  // The generator's unit: pulled in by the session, stopped with it.
  EXPECT_TRUE(contains(show(box, "WantedBy"), "graphical-session.target")) << show(box, "WantedBy");
  EXPECT_TRUE(contains(show(box, "PartOf"), "graphical-session.target")) << show(box, "PartOf");
  EXPECT_TRUE(contains(show(box, "After"), "graphical-session.target")) << show(box, "After");

  // Not by hand: a session target is the way in.
  auto by_hand = systemctl({"start", "graphical-session.target"});
  EXPECT_NE(by_hand.exit_code, 0);
  EXPECT_TRUE(contains(by_hand.output, "may be requested by dependency only")) << by_hand.output;
  EXPECT_EQ(show("graphical-session.target", "ActiveState"), "inactive");
  EXPECT_EQ(show(box, "ActiveState"), "inactive");

  // The session starts: graphical-session.target, and with it the box.
  auto started = systemctl({"start", kSessionTarget});
  ASSERT_EQ(started.exit_code, 0) << started.output;
  EXPECT_EQ(show("graphical-session.target", "ActiveState"), "active");
  EXPECT_TRUE(eventually([&] { return show(box, "ActiveState") == "active"; },
                         std::chrono::seconds(20)))
      << journal(box);
  EXPECT_TRUE(eventually([&] { return fs::exists(marks_ + "/desktop"); })) << journal(box);

  // The session ends: graphical-session.target stops, unneeded, and the box
  // with it (PartOf=), cleanly.
  auto stopped = systemctl({"stop", kSessionTarget});
  ASSERT_EQ(stopped.exit_code, 0) << stopped.output;
  EXPECT_TRUE(eventually(
      [&] { return show("graphical-session.target", "ActiveState") == "inactive"; },
      std::chrono::seconds(20)));
  EXPECT_TRUE(eventually([&] { return show(box, "ActiveState") == "inactive"; },
                         std::chrono::seconds(20)))
      << show(box, "ActiveState") << "\n" << journal(box);
  EXPECT_EQ(show(box, "Result"), "success") << journal(box);

  // And again at the next session: the box comes back.
  fs::remove(marks_ + "/desktop");
  ASSERT_EQ(systemctl({"start", kSessionTarget}).exit_code, 0);
  EXPECT_TRUE(eventually([&] { return show(box, "ActiveState") == "active"; },
                         std::chrono::seconds(20)))
      << journal(box);
  EXPECT_TRUE(eventually([&] { return fs::exists(marks_ + "/desktop"); })) << journal(box);
  ASSERT_EQ(systemctl({"stop", kSessionTarget}).exit_code, 0);
  EXPECT_TRUE(eventually([&] { return show(box, "ActiveState") == "inactive"; },
                         std::chrono::seconds(20)));
}

}  // namespace
}  // namespace box::testing
