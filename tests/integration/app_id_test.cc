// app_id against Debian 12's real xdg-desktop-portal (1.16), as the test
// user, on the testbed's session bus: the portal knows a box with an
// app_id by that id and treats it as sandboxed; a box without one is a
// host app to it (app id ""). The portal is run with a backend of the
// test's own for org.freedesktop.impl.portal.Notification, which the
// portal calls with the app id it gave the caller: what the portal
// attributes, read where the portal says it. The box reaches the portal
// only through its bus proxy with `call: {org.freedesktop.portal.*:
// ['*']}`, as flatpak's apps do.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;

constexpr const char* kBackendName = "org.freedesktop.impl.portal.desktop.boxtest";

// The backend: answers AddNotification(app_id, id, notification) and says
// "add APP_ID|ID" on its output for each.
constexpr const char* kBackend = R"PY(
import sys
from gi.repository import Gio, GLib
name = sys.argv[1]
node = Gio.DBusNodeInfo.new_for_xml("""<node>
 <interface name='org.freedesktop.impl.portal.Notification'>
  <method name='AddNotification'>
   <arg type='s' name='app_id' direction='in'/><arg type='s' name='id' direction='in'/>
   <arg type='a{sv}' name='notification' direction='in'/>
  </method>
  <method name='RemoveNotification'>
   <arg type='s' name='app_id' direction='in'/><arg type='s' name='id' direction='in'/>
  </method>
 </interface></node>""")
def call(conn, sender, path, iface, method, params, invocation):
    args = params.unpack()
    if method == "AddNotification":
        print("add %s|%s" % (args[0], args[1]), flush=True)
    invocation.return_value(None)
def bus_acquired(conn, _):
    conn.register_object("/org/freedesktop/portal/desktop", node.interfaces[0], call, None, None)
def acquired(conn, _):
    print("owned", name, flush=True)
def lost(conn, _):
    print("lost", name, flush=True)
    sys.exit(1)
Gio.bus_own_name(Gio.BusType.SESSION, name, Gio.BusNameOwnerFlags.NONE, bus_acquired,
                 acquired, lost)
GLib.MainLoop().run()
)PY";

// In the box: the metadata file, a write to it, then two portal calls.
constexpr const char* kClient = R"SH(
call() { echo "== $1"; shift; "$@" 2>&1; echo "rc=$?"; }
{
  call info cat /.flatpak-info
  call write sh -c 'echo x > /.flatpak-info'
  call notify gdbus call --session -d org.freedesktop.portal.Desktop \
    -o /org/freedesktop/portal/desktop -m org.freedesktop.portal.Notification.AddNotification \
    "boxtest-$BOX" "{'title': <'hello'>}"
  call network gdbus call --session -d org.freedesktop.portal.Desktop \
    -o /org/freedesktop/portal/desktop -m org.freedesktop.portal.NetworkMonitor.GetAvailable
  echo "== end"
} > /shared/out.tmp
mv /shared/out.tmp /shared/out
exec sleep 300
)SH";

std::string section(const std::string& out, const std::string& name) {
  auto at = out.find("== " + name + "\n");
  if (at == std::string::npos) return "";
  at += name.size() + 4;
  return out.substr(at, out.find("== ", at) - at);
}

class AppId : public BoxTest {
 protected:
  AppId() : BoxTest("appid", Rootfs::kHostUsr) {}
  void prepare() override {
    base_ = home() + "/appid";
    fs::remove_all(base_);
    fs::create_directories(base_ + "/portals");
    write_file(base_ + "/backend.py", kBackend);
    write_file(base_ + "/portals/boxtest.portal",
               std::string("[portal]\nDBusName=") + kBackendName +
                   "\nInterfaces=org.freedesktop.impl.portal.Notification;\nUseIn=boxtest\n");
    write_file(rootfs_ + "/client.sh", kClient);
    const char* rt = std::getenv("XDG_RUNTIME_DIR");
    ASSERT_NE(rt, nullptr) << "the testbed sets XDG_RUNTIME_DIR";
    runtime_dir_ = rt;
  }
  void cleanup() override {
    portal_.reset();
    backend_.reset();
    fs::remove_all(base_);
  }
  void start_portal() {
    backend_ = std::make_unique<Background>(
        std::vector<std::string>{"/usr/bin/python3", base_ + "/backend.py", kBackendName},
        base_ + "/backend.log");
    ASSERT_TRUE(eventually([&] { return contains(backend_->output(), "owned "); },
                           std::chrono::seconds(20)))
        << backend_->output();
    ASSERT_TRUE(fs::exists("/usr/libexec/xdg-desktop-portal"))
        << "xdg-desktop-portal is not installed (build-aux/install-deps)";
    portal_ = std::make_unique<Background>(
        std::vector<std::string>{"env", "XDG_DESKTOP_PORTAL_DIR=" + base_ + "/portals",
                                 "XDG_CURRENT_DESKTOP=boxtest", "/usr/libexec/xdg-desktop-portal",
                                 "--replace", "--verbose"},
        base_ + "/portal.log");
    // Owned by this portal (NameHasOwner starts nothing by activation).
    ASSERT_TRUE(eventually(
        [&] {
          return contains(run({"gdbus", "call", "--session", "-d", "org.freedesktop.DBus", "-o",
                               "/org/freedesktop/DBus", "-m", "org.freedesktop.DBus.NameHasOwner",
                               "org.freedesktop.portal.Desktop"})
                              .output,
                          "(true,)");
        },
        std::chrono::seconds(30)))
        << portal_->output();
  }
  void define_box(const std::string& name, const std::string& extra) {
    fs::create_directories(base_ + "/" + name);
    define(name,
           "rootfs: ~/rootfs-appid\n"
           "mounts:\n  - {type: bind, source: /usr, target: /usr, readonly: true}\n"
           "  - {type: bind, source: ~/appid/" +
               name +
               ", target: /shared}\n"
               "network: none\n"
               "env: {BOX: " +
               name +
               "}\n"
               "session_bus:\n  call: {org.freedesktop.portal.*: ['*']}\n" +
               extra + "command: [sh, /client.sh]\n");
  }
  std::string start_and_report(const std::string& name) {
    auto start = systemctl({"start", "box@" + name + ".service"});
    EXPECT_EQ(start.exit_code, 0) << start.output << journal("box@" + name + ".service");
    const std::string out = base_ + "/" + name + "/out";
    EXPECT_TRUE(eventually([&] { return fs::exists(out); }, std::chrono::seconds(60)))
        << journal("box@" + name + ".service");
    return slurp(out);
  }
  std::string base_, runtime_dir_;
  std::unique_ptr<Background> backend_, portal_;
};

TEST_F(AppId, ThePortalKnowsTheBoxByItsAppIdAndTreatsItAsSandboxed) {
  start_portal();
  define_box("portalapp", "app_id: org.example.Player\n");
  define_box("portalhost", "");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  const std::string app = start_and_report("portalapp");
  const std::string host = start_and_report("portalhost");
  const std::string expected_info = "[Application]\nname=org.example.Player\n";

  // In the box: the metadata file, read-only.
  EXPECT_EQ(section(app, "info"), expected_info + "rc=0\n") << app;
  EXPECT_TRUE(contains(section(app, "write"), "Read-only file system")) << app;
  EXPECT_FALSE(contains(section(app, "write"), "rc=0")) << app;
  EXPECT_TRUE(contains(section(host, "info"), "No such file or directory")) << host;

  // The portal called its backend with the box's app id, and with none
  // (a host app's "") for the box without one.
  EXPECT_TRUE(contains(section(app, "notify"), "()\nrc=0")) << app << portal_->output();
  EXPECT_TRUE(contains(section(host, "notify"), "()\nrc=0")) << host << portal_->output();
  EXPECT_TRUE(eventually([&] {
    return contains(backend_->output(), "add org.example.Player|boxtest-portalapp\n") &&
           contains(backend_->output(), "add |boxtest-portalhost\n");
  })) << backend_->output()
      << portal_->output();

  // Sandboxed: the network monitor is refused to an app whose metadata
  // does not share the network (network: none), and answers a host app.
  EXPECT_TRUE(contains(section(app, "network"), "This call is not available inside the sandbox"))
      << app;
  EXPECT_FALSE(contains(section(app, "network"), "rc=0")) << app;
  EXPECT_TRUE(contains(section(host, "network"), "rc=0")) << host;

  // Where the portal read it: the root of the box's bus proxy.
  const std::string unit = "box@portalapp.service";
  const pid_t supervisor = static_cast<pid_t>(std::stol("0" + show(unit, "MainPID")));
  ASSERT_GT(supervisor, 0);
  const auto proxies = children_named(supervisor, {"xdg-dbus-proxy"});
  ASSERT_EQ(proxies.size(), 1u) << journal(unit);
  EXPECT_EQ(slurp("/proc/" + std::to_string(*proxies.begin()) + "/root/.flatpak-info"),
            expected_info);
  // The proxy still makes its sockets where they were.
  EXPECT_TRUE(fs::is_socket(runtime_dir_ + "/box/bus/portalapp/session"));

  // What boxctl and box-manager say.
  auto status = boxctl({"status", "portalapp"});
  EXPECT_TRUE(contains(status.output, "App id: org.example.Player (/.flatpak-info)\n"))
      << status.output;
  auto json = boxctl({"status", "--json", "portalhost"});
  EXPECT_TRUE(contains(json.output, "\"app_id\": \"\"")) << json.output;
  auto property =
      run({"busctl", "--user", "get-property", "dev.boxctl.box1",
           "/dev/boxctl/box1/container/portalapp", "dev.boxctl.box1.Container", "AppId"});
  EXPECT_EQ(property.output, "s \"org.example.Player\"\n");

  // Stopped: the proxy and its directory (the root's mount point in it) gone.
  const pid_t proxy = *proxies.begin();
  ASSERT_EQ(systemctl({"stop", unit}).exit_code, 0);
  EXPECT_TRUE(eventually([&] { return dead(proxy); }));
  EXPECT_FALSE(fs::exists(runtime_dir_ + "/box/bus/portalapp"));
}

// A box with an app_id and no bus: the file in the box, nothing else.
TEST_F(AppId, WithoutABusTheFileIsInTheBoxOnly) {
  fs::create_directories(base_ + "/nobus");
  define("appnobus",
         "rootfs: ~/rootfs-appid\n"
         "mounts:\n  - {type: bind, source: /usr, target: /usr, readonly: true}\n"
         "  - {type: bind, source: ~/appid/nobus, target: /shared}\n"
         "rootfs_writes: readonly\n"
         "app_id: org.example.NoBus\n"
         "command: [sh, -c, 'cat /.flatpak-info > /shared/out; exec sleep 300']\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  ASSERT_EQ(systemctl({"start", "box@appnobus.service"}).exit_code, 0)
      << journal("box@appnobus.service");
  ASSERT_TRUE(eventually([&] { return !slurp(base_ + "/nobus/out").empty(); }))
      << journal("box@appnobus.service");
  EXPECT_EQ(slurp(base_ + "/nobus/out"),
            "[Application]\nname=org.example.NoBus\n\n[Context]\nshared=network;\n");
  EXPECT_FALSE(fs::exists(runtime_dir_ + "/box/bus/appnobus"));
}

}  // namespace
}  // namespace box::testing
