// `autostart: login` starts a box when a user manager starts, with no
// command: what happens at login. The test user's own manager is already
// running (and cannot be restarted from here: the test runs unprivileged),
// so the test starts a second, fresh user manager for the same user, as a
// delegated service of the first, and watches it boot: it runs
// box-user-generator, reaches default.target, and with it starts the box.
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
  EXPECT_EQ(inner({"is-active", "default.target"}).output, "active\n");
  EXPECT_EQ(inner({"is-active", "box@gen-manual.service"}).output, "inactive\n");
  EXPECT_EQ(inner({"is-active", "box@gen-desktop.service"}).output, "inactive\n");
  EXPECT_TRUE(contains(inner({"show", "-p", "WantedBy", "box@gen-desktop.service"}).output,
                       "graphical-session.target"));
  EXPECT_FALSE(fs::exists(marks_ + "/manual"));
  EXPECT_FALSE(fs::exists(marks_ + "/desktop"));
}

}  // namespace
}  // namespace box::testing
