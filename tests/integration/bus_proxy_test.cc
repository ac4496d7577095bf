// The session bus reached from a box only through its own xdg-dbus-proxy
// (session_bus), against the testbed's real session bus, as the test user:
// two services the test owns on the bus, one the box may talk to and one it
// may not; a name the box may own and one it may not; the proxy gone (and
// its sockets) once the unit stops; and no bus at all without the key.
// The box's client is gdbus (GDBus authenticates through the proxy from a
// user namespace, where root inside is the user outside).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <set>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;
using std::chrono::seconds;

// A service on the session bus: owns the name argv[1] and answers
// dev.boxctl.test.Greeter.Hello at /dev/boxctl/test with "hello from NAME".
constexpr const char* kService = R"PY(
import sys
from gi.repository import Gio, GLib
name = sys.argv[1]
node = Gio.DBusNodeInfo.new_for_xml(
    "<node><interface name='dev.boxctl.test.Greeter'><method name='Hello'>"
    "<arg type='s' direction='out'/></method></interface></node>")
def call(conn, sender, path, iface, method, params, invocation):
    invocation.return_value(GLib.Variant("(s)", ("hello from " + name,)))
def bus_acquired(conn, _):
    conn.register_object("/dev/boxctl/test", node.interfaces[0], call, None, None)
def acquired(conn, _):
    print("owned", name, flush=True)
def lost(conn, _):
    print("lost", name, flush=True)
    sys.exit(1)
Gio.bus_own_name(Gio.BusType.SESSION, name, Gio.BusNameOwnerFlags.NONE, bus_acquired,
                 acquired, lost)
GLib.MainLoop().run()
)PY";

// In the box: each call's output and exit code into /shared/out, then stay.
constexpr const char* kClient = R"SH(
call() { echo "== $1"; shift; "$@" 2>&1; echo "rc=$?"; }
{
  echo "address=$DBUS_SESSION_BUS_ADDRESS"
  call allowed gdbus call --session -d dev.boxctl.test.Allowed -o /dev/boxctl/test \
    -m dev.boxctl.test.Greeter.Hello
  call other gdbus call --session -d dev.boxctl.test.Other -o /dev/boxctl/test \
    -m dev.boxctl.test.Greeter.Hello
  call own-given gdbus call --session -d org.freedesktop.DBus -o /org/freedesktop/DBus \
    -m org.freedesktop.DBus.RequestName dev.boxctl.test.Mine 0
  call own-not-given gdbus call --session -d org.freedesktop.DBus -o /org/freedesktop/DBus \
    -m org.freedesktop.DBus.RequestName dev.boxctl.test.NotMine 0
  echo "== end"
} > /shared/out.tmp
mv /shared/out.tmp /shared/out
exec sleep 300
)SH";

// The part of `out` after "== SECTION\n", up to the next "== ".
std::string section(const std::string& out, const std::string& name) {
  auto at = out.find("== " + name + "\n");
  if (at == std::string::npos) return "";
  at += name.size() + 4;
  return out.substr(at, out.find("== ", at) - at);
}

class BusProxy : public BoxTest {
 protected:
  BusProxy() : BoxTest("busproxy", Rootfs::kHostUsr) {}
  void prepare() override {
    shared_ = home() + "/busproxy-shared";
    fs::remove_all(shared_);
    fs::create_directories(shared_);
    write_file(home() + "/busproxy-service.py", kService);
    write_file(rootfs_ + "/client.sh", kClient);
    const char* rt = std::getenv("XDG_RUNTIME_DIR");
    ASSERT_NE(rt, nullptr) << "the testbed sets XDG_RUNTIME_DIR";
    runtime_dir_ = rt;
  }
  void cleanup() override {
    services_.clear();
    fs::remove_all(shared_);
    fs::remove(home() + "/busproxy-service.py");
    for (const char* name : {"Allowed", "Other"})
      fs::remove(home() + "/busproxy-dev.boxctl.test." + name + ".log");
  }
  // A service owning `name` on the session bus, once it owns it.
  void serve(const std::string& name) {
    auto s = std::make_unique<Background>(
        std::vector<std::string>{"/usr/bin/python3", home() + "/busproxy-service.py", name},
        home() + "/busproxy-" + name + ".log");
    ASSERT_TRUE(eventually([&] { return contains(s->output(), "owned " + name); },
                           std::chrono::seconds(20)))
        << s->output();
    services_.push_back(std::move(s));
  }
  // Starts box@NAME and waits for its client's report.
  std::string start_and_report(const std::string& name) {
    auto start = systemctl({"start", "box@" + name + ".service"});
    EXPECT_EQ(start.exit_code, 0) << start.output << journal("box@" + name + ".service");
    EXPECT_TRUE(eventually([&] { return fs::exists(shared_ + "/out"); }, std::chrono::seconds(30)))
        << journal("box@" + name + ".service");
    return slurp(shared_ + "/out");
  }
  std::string definition(const std::string& bus_key) const {
    return "rootfs: ~/rootfs-busproxy\n"
           "mounts:\n  - {type: bind, source: /usr, target: /usr, readonly: true}\n"
           "  - {type: bind, source: ~/busproxy-shared, target: /shared}\n" +
           bus_key + "command: [sh, /client.sh]\n";
  }
  std::string shared_, runtime_dir_;
  std::vector<std::unique_ptr<Background>> services_;
};

TEST_F(BusProxy, TheBoxReachesOnlyTheNamesItIsGiven) {
  serve("dev.boxctl.test.Allowed");
  serve("dev.boxctl.test.Other");
  define("busclient", definition("session_bus:\n  talk: [dev.boxctl.test.Allowed]\n"
                                 "  own: [dev.boxctl.test.Mine]\n"));
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  const std::string out = start_and_report("busclient");
  const std::string unit = "box@busclient.service";

  // The proxy's socket, at the same path inside as the bus outside.
  EXPECT_TRUE(contains(out, "address=unix:path=" + runtime_dir_ + "/bus\n")) << out;
  // A call to the name it may talk to is answered by the service.
  EXPECT_TRUE(contains(section(out, "allowed"), "('hello from dev.boxctl.test.Allowed',)\nrc=0"))
      << out;
  // The other service is there, but not for the box.
  const std::string other = section(out, "other");
  EXPECT_TRUE(contains(other, "org.freedesktop.DBus.Error.ServiceUnknown") ||
              contains(other, "org.freedesktop.DBus.Error.AccessDenied"))
      << out;
  EXPECT_FALSE(contains(other, "hello from")) << out;
  EXPECT_FALSE(contains(other, "rc=0")) << out;
  // The bus itself gave it the name it may own (1: primary owner)...
  EXPECT_TRUE(contains(section(out, "own-given"), "(uint32 1,)\nrc=0")) << out;
  // ... and not one it was not given.
  // (The session bus itself lets any of the user's connections own any
  // name: the refusal is the proxy's, which answers ServiceUnknown.)
  const std::string not_mine = section(out, "own-not-given");
  EXPECT_TRUE(contains(not_mine, "org.freedesktop.DBus.Error.ServiceUnknown") ||
              contains(not_mine, "org.freedesktop.DBus.Error.AccessDenied"))
      << out;
  EXPECT_FALSE(contains(not_mine, "(uint32 1,)")) << out;
  EXPECT_FALSE(contains(not_mine, "rc=0")) << out;

  // One proxy, the supervisor's child, its sockets in the box's own directory.
  const pid_t supervisor = static_cast<pid_t>(std::stol("0" + show(unit, "MainPID")));
  ASSERT_GT(supervisor, 0);
  const auto proxies = children_named(supervisor, {"xdg-dbus-proxy"});
  ASSERT_EQ(proxies.size(), 1u) << journal(unit);
  const pid_t proxy = *proxies.begin();
  const std::string dir = runtime_dir_ + "/box/bus/busclient";
  EXPECT_TRUE(fs::is_socket(dir + "/session"));
  EXPECT_FALSE(fs::exists(dir + "/system"));  // no system_bus: no system bus proxied

  // What it may reach, as boxctl status and box-manager's properties say.
  auto status = boxctl({"status", "busclient"});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_TRUE(contains(status.output, "Session bus: through its proxy: talk "
                                      "dev.boxctl.test.Allowed, own dev.boxctl.test.Mine\n"))
      << status.output;
  EXPECT_FALSE(contains(status.output, "System bus:")) << status.output;
  auto json = boxctl({"status", "--json", "busclient"});
  EXPECT_TRUE(contains(json.output, "\"system_bus\": null")) << json.output;
  EXPECT_TRUE(contains(json.output, "\"level\": \"own\"")) << json.output;

  // Stopped with the box, its sockets and directory gone.
  ASSERT_EQ(systemctl({"stop", unit}).exit_code, 0);
  EXPECT_TRUE(eventually([&] { return dead(proxy); })) << "xdg-dbus-proxy outlived the box";
  EXPECT_FALSE(fs::exists(dir)) << dir << " left after stop";
}

TEST_F(BusProxy, WithoutTheKeyThereIsNoBus) {
  serve("dev.boxctl.test.Allowed");
  BoxTest::define("nobus", "rootfs: ~/rootfs-busproxy\n"
                           "mounts:\n  - {type: bind, source: /usr, target: /usr, readonly: true}\n"
                           "  - {type: bind, source: ~/busproxy-shared, target: /shared}\n"
                           "command: [sh, -c, '{ echo \"address=$DBUS_SESSION_BUS_ADDRESS.\"; "
                           "echo \"runtime=$XDG_RUNTIME_DIR.\"; ls -d " +
                               runtime_dir_ + " " + runtime_dir_ +
                               "/bus 2>&1; gdbus call --session -d dev.boxctl.test.Allowed "
                               "-o /dev/boxctl/test -m dev.boxctl.test.Greeter.Hello 2>&1; "
                               "echo \"rc=$?\"; } > /shared/out.tmp; mv /shared/out.tmp "
                               "/shared/out; exec sleep 300']\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  const std::string out = start_and_report("nobus");
  EXPECT_TRUE(contains(out, "address=.\n")) << out;
  EXPECT_TRUE(contains(out, "runtime=.\n")) << out;
  EXPECT_TRUE(contains(out, "'" + runtime_dir_ + "': No such file or directory")) << out;
  EXPECT_TRUE(contains(out, "'" + runtime_dir_ + "/bus': No such file or directory")) << out;
  EXPECT_FALSE(contains(out, "hello from")) << out;
  EXPECT_FALSE(contains(out, "rc=0")) << out;
  const pid_t supervisor = static_cast<pid_t>(std::stol("0" + show("box@nobus.service", "MainPID")));
  ASSERT_GT(supervisor, 0);
  EXPECT_TRUE(children_named(supervisor, {"xdg-dbus-proxy"}).empty());
  EXPECT_FALSE(fs::exists(runtime_dir_ + "/box/bus/nobus"));
  auto status = boxctl({"status", "nobus"});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_FALSE(contains(status.output, "bus:")) << status.output;
  auto json = boxctl({"status", "--json", "nobus"});
  EXPECT_TRUE(contains(json.output, "\"session_bus\": null")) << json.output;
  ASSERT_EQ(systemctl({"stop", "box@nobus.service"}).exit_code, 0);
}

}  // namespace
}  // namespace box::testing
