// The notifications example (examples/notifications) as its README sets it
// up, as the test user: the root made by its build-root from this machine's
// Debian packages (dunst and what it depends on), its definition and its
// D-Bus activation file installed unchanged, and Xvfb as the X display the
// session gives the user manager (DISPLAY, XAUTHORITY). The host's
// notify-send starts the box through bus activation, the boxed dunst draws
// the notification (a screenshot of the display shows it), and the box
// reaches nothing it was not given: its runtime dir, X sockets,
// capabilities and network as seen in /proc, its bus through its proxy
// (its own name only); without its keys the same daemon can neither own
// the name nor open the display.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;
using std::chrono::seconds;

constexpr const char* kCookie = "0123456789abcdef0123456789abcdef";
constexpr const char* kName = "org.freedesktop.Notifications";

bool is_socket(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

// A display number no X server of this machine uses.
int free_display() {
  for (int n = 160; n < 220; ++n)
    if (!fs::exists("/tmp/.X11-unix/X" + std::to_string(n)) &&
        !fs::exists("/tmp/.X" + std::to_string(n) + "-lock"))
      return n;
  return -1;
}

// The names in a directory, sorted, each followed by ",".
std::string entries(const std::string& dir) {
  std::set<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) names.insert(e.path().filename());
  if (ec) return "(" + ec.message() + ")";
  std::string out;
  for (const auto& n : names) out += n + ",";
  return out;
}

class NotificationsExample : public BoxTest {
 protected:
  void prepare() override {
    const char* rt = std::getenv("XDG_RUNTIME_DIR");
    ASSERT_NE(rt, nullptr) << "the testbed sets XDG_RUNTIME_DIR";
    runtime_dir_ = rt;
    example_ = prefix() + "/share/box/examples/notifications";
    root_ = home() + "/.local/share/box/containers/notifications/rootfs";
    activation_ = home() + "/.local/share/dbus-1/services/org.freedesktop.Notifications.service";
    dropins_ = defs_ + "/notifications.yaml.d";

    // The root, as the README builds it (dunst must be installed: a
    // missing package fails here, saying which).
    const auto started = std::chrono::steady_clock::now();
    const auto built = run({example_ + "/build-root", root_}, seconds(180));
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
    ASSERT_EQ(built.exit_code, 0) << built.output;
    std::cout << built.output << "build-root took " << ms << " ms\n";

    // Xvfb, access by cookie only, no TCP; the user's Xauthority holds the
    // display's cookie, as a display manager writes it.
    number_ = free_display();
    ASSERT_GT(number_, 0);
    display_ = ":" + std::to_string(number_);
    auth_ = home() + "/notifications.Xauthority";
    fs::remove(auth_);
    ASSERT_EQ(
        run({"xauth", "-q", "-f", auth_, "add", display_, "MIT-MAGIC-COOKIE-1", kCookie}).exit_code,
        0);
    xvfb_ = std::make_unique<Background>(
        std::vector<std::string>{"Xvfb", display_, "-auth", auth_, "-nolisten", "tcp", "-screen",
                                 "0", "640x200x24"},
        home() + "/notifications-xvfb.log");
    ASSERT_TRUE(eventually([&] { return is_socket("/tmp/.X11-unix/X" + std::to_string(number_)); },
                           seconds(20)))
        << xvfb_->output();
    ASSERT_TRUE(eventually([&] { return x({"xdpyinfo"}).exit_code == 0; }, seconds(20)))
        << xvfb_->output();
    ASSERT_EQ(
        systemctl({"set-environment", "DISPLAY=" + display_, "XAUTHORITY=" + auth_}).exit_code, 0);

    // Installed as the README says: the definition as it is, and the
    // activation file.
    define("notifications", slurp(example_ + "/notifications.yaml"));
    write_file(activation_, slurp(example_ + "/org.freedesktop.Notifications.service"));
    ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
    // The bus reads new service files on its own (inotify); this makes it now.
    ASSERT_EQ(
        bus({"org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.ReloadConfig"})
            .exit_code,
        0);
  }

  void cleanup() override {
    stop_and_reset("box@notifications.service");
    systemctl({"unset-environment", "DISPLAY", "XAUTHORITY"});
    fs::remove_all(dropins_);
    fs::remove(activation_);
    bus({"org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.ReloadConfig"});
    if (xvfb_) xvfb_->stop();
    xvfb_.reset();
    fs::remove(auth_);
    fs::remove_all(root_);
  }

  // An X client on the host, with the display's cookie.
  CommandResult x(std::vector<std::string> argv) const {
    argv.insert(argv.begin(), {"env", "DISPLAY=" + display_, "XAUTHORITY=" + auth_});
    return run(argv);
  }

  // A call on the session bus (or through `address`): DEST PATH METHOD ARGS...
  static CommandResult bus(std::vector<std::string> call, const std::string& address = "") {
    std::vector<std::string> argv = {"gdbus", "call",  "--session", "-d",   call[0],
                                     "-o",    call[1], "-m",        call[2]};
    argv.insert(argv.end(), call.begin() + 3, call.end());
    if (!address.empty()) argv.insert(argv.begin(), {"env", "DBUS_SESSION_BUS_ADDRESS=" + address});
    return run(argv);
  }

  static std::string owned() {
    return bus({"org.freedesktop.DBus", "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner", kName})
        .output;
  }

  // The number of colours in a screenshot of the whole display.
  std::string screenshot(const std::string& png) const {
    const auto shot = x({"import", "-window", "root", png});
    EXPECT_EQ(shot.exit_code, 0) << shot.output;
    return run({"identify", "-format", "%k", png}).output;
  }

  // Starts box@notifications with drop-in `dropin` over the example's
  // definition, and waits for it to end: its journal.
  std::string fails_with(const std::string& dropin, const std::string& message) {
    const std::string unit = "box@notifications.service";
    stop_and_reset(unit);
    fs::remove_all(dropins_);
    write_file(dropins_ + "/50-test.yaml", dropin);
    EXPECT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
    systemctl({"start", unit});
    EXPECT_TRUE(eventually(
        [&] { return show(unit, "ActiveState") == "failed" && contains(journal(unit), message); },
        seconds(30)))
        << show(unit, "ActiveState") << "\n"
        << journal(unit);
    const std::string said = journal(unit);
    std::cout << "box@notifications with " << dropin << said;  // the daemon's words, in the log
    return said;
  }

  std::string runtime_dir_, example_, root_, activation_, dropins_, display_, auth_;
  int number_ = -1;
  std::unique_ptr<Background> xvfb_;
};

TEST_F(NotificationsExample, TheHostsNotificationIsDrawnByTheBoxedDaemon) {
  const std::string unit = "box@notifications.service";
  ASSERT_TRUE(contains(owned(), "(false,)")) << "something else owns " << kName;
  const std::string before = home() + "/notifications-before.png";
  EXPECT_EQ(screenshot(before), "1") << "the empty display is one colour";

  // The first notification sent starts the box (bus activation through
  // systemd --user), and dunst in it shows it.
  const auto sent = run({"notify-send", "--app-name=box", "Hello from a box",
                         "dunst (Debian's) in box@notifications drew this"},
                        seconds(60));
  ASSERT_EQ(sent.exit_code, 0) << sent.output << journal(unit);
  ASSERT_EQ(show(unit, "ActiveState"), "active") << journal(unit);
  const pid_t supervisor = static_cast<pid_t>(std::stol("0" + show(unit, "MainPID")));
  ASSERT_GT(supervisor, 0);
  const auto proxies = children_named(supervisor, {"xdg-dbus-proxy"});
  const auto daemons = children_named(supervisor, {"dunst"});
  ASSERT_EQ(proxies.size(), 1u) << journal(unit);
  ASSERT_EQ(daemons.size(), 1u) << journal(unit);
  const pid_t proxy = *proxies.begin(), dunst = *daemons.begin();

  // The name is the box's: its owner on the bus is the box's proxy, and
  // what answers is dunst.
  const auto owner = bus({"org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus.GetConnectionUnixProcessID", kName});
  EXPECT_EQ(owner.output, "(uint32 " + std::to_string(proxy) + ",)\n") << owner.output;
  const auto info = bus({kName, "/org/freedesktop/Notifications",
                         "org.freedesktop.Notifications.GetServerInformation"});
  EXPECT_TRUE(contains(info.output, "('dunst',")) << info.output;

  // Drawn: dunst's window is on the display, and the screenshot has more
  // than the background.
  EXPECT_TRUE(eventually([&] {
    return contains(x({"xwininfo", "-root", "-children"}).output, "(\"Dunst\" \"Dunst\")");
  })) << x({"xwininfo", "-root", "-children"}).output;
  const std::string after = home() + "/notifications.png";
  std::string colours;
  EXPECT_TRUE(eventually([&] { return (colours = screenshot(after)) != "1"; }, seconds(20)))
      << colours;
  std::cout << "screenshot: " << after << " (" << colours << " colours, " << fs::file_size(after)
            << " bytes)\n";

  // What the box reaches, seen from outside in dunst's /proc: a runtime dir
  // of the bus proxy's socket and the display's cookie, one X socket, the
  // session's variables for those alone, no capabilities, loopback only.
  const std::string proc = "/proc/" + std::to_string(dunst);
  EXPECT_EQ(entries(proc + "/root" + runtime_dir_), "Xauthority,bus,");
  EXPECT_EQ(entries(proc + "/root/tmp/.X11-unix"), "X" + std::to_string(number_) + ",");
  std::string environ = slurp(proc + "/environ");
  for (char& c : environ)
    if (c == '\0') c = '\n';
  EXPECT_TRUE(contains(environ, "\nDISPLAY=" + display_ + "\n")) << environ;
  EXPECT_TRUE(contains(environ, "\nDBUS_SESSION_BUS_ADDRESS=unix:path=" + runtime_dir_ + "/bus\n"))
      << environ;
  EXPECT_FALSE(contains(environ, "WAYLAND_DISPLAY")) << environ;
  EXPECT_FALSE(contains(environ, "PULSE_SERVER")) << environ;
  const std::string status = slurp(proc + "/status");
  EXPECT_EQ(status_field(status, "CapEff"), "0000000000000000") << status;
  EXPECT_EQ(status_field(status, "CapPrm"), "0000000000000000") << status;
  EXPECT_EQ(status_field(status, "CapBnd"), "0000000000000000") << status;
  const std::string net = slurp(proc + "/net/dev");
  EXPECT_TRUE(contains(net, "lo:")) << net;
  EXPECT_EQ(std::count(net.begin(), net.end(), ':'), 1) << net;  // lo alone

  // The bus as the box has it (its proxy's socket, which is all it has):
  // its name is its own; another name cannot be owned, and another
  // service on the bus (the user manager) is not there for it.
  const std::string boxbus = "unix:path=" + runtime_dir_ + "/box/bus/notifications/session";
  const auto other_name = bus({"org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus.RequestName", "org.example.NotMine", "0"},
                              boxbus);
  EXPECT_NE(other_name.exit_code, 0) << other_name.output;
  EXPECT_TRUE(contains(other_name.output, "org.freedesktop.DBus.Error.ServiceUnknown") ||
              contains(other_name.output, "org.freedesktop.DBus.Error.AccessDenied"))
      << other_name.output;
  const auto systemd_from_box = bus(
      {"org.freedesktop.systemd1", "/org/freedesktop/systemd1", "org.freedesktop.DBus.Peer.Ping"},
      boxbus);
  EXPECT_NE(systemd_from_box.exit_code, 0) << systemd_from_box.output;
  EXPECT_TRUE(contains(systemd_from_box.output, "org.freedesktop.DBus.Error.ServiceUnknown") ||
              contains(systemd_from_box.output, "org.freedesktop.DBus.Error.AccessDenied"))
      << systemd_from_box.output;
  const auto systemd_from_host = bus(
      {"org.freedesktop.systemd1", "/org/freedesktop/systemd1", "org.freedesktop.DBus.Peer.Ping"});
  EXPECT_EQ(systemd_from_host.exit_code, 0) << systemd_from_host.output;

  // What it may reach, as boxctl status says it.
  const auto status_text = boxctl({"status", "notifications"});
  EXPECT_TRUE(contains(status_text.output,
                       "Session bus: through its proxy: own org.freedesktop.Notifications\n"))
      << status_text.output;

  // Stopped, the name is free again and the proxy gone.
  ASSERT_EQ(systemctl({"stop", unit}).exit_code, 0);
  EXPECT_TRUE(eventually([&] { return dead(proxy) && dead(dunst); }));
  EXPECT_TRUE(contains(owned(), "(false,)"));
}

// The same daemon and root without the example's keys: no `own` rule, and
// the proxy refuses it the name; no `x11`, and it finds no display.
// (`restart: no` so each ends at its first failure.)
TEST_F(NotificationsExample, WithoutItsKeysTheDaemonCannotOwnTheNameNorDraw) {
  const std::string no_name =
      fails_with("session_bus: {}\nrestart: no\n", "Cannot acquire '" + std::string(kName) + "'");
  EXPECT_TRUE(contains(owned(), "(false,)"));
  EXPECT_TRUE(contains(x({"xwininfo", "-root", "-children"}).output, "0 children")) << no_name;

  const std::string no_display = fails_with("session: {x11: false}\nrestart: no\n", "X11 display");
  EXPECT_TRUE(contains(no_display, "Cannot open X11 display")) << no_display;
  EXPECT_TRUE(contains(owned(), "(false,)"));
}

}  // namespace
}  // namespace box::testing
