// The desktop session's sockets, reached from a box only through the
// definition's `session:` key, with the real components a session runs:
// weston's headless compositor and a PulseAudio server with a null sink,
// both run here as the test user. The boxes are units of the test user's
// manager, which has WAYLAND_DISPLAY as a session would give it
// (systemctl --user import-environment): with the key the client inside
// connects, without it the same client in the same manager cannot.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <thread>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;

bool is_socket(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

std::string runtime_dir() {
  const char* dir = std::getenv("XDG_RUNTIME_DIR");
  return dir ? dir : "";
}

class SessionSockets : public BoxTest {
 protected:
  SessionSockets() : BoxTest("session", Rootfs::kHostUsr) {}
  void cleanup() override {
    fs::remove_all(out_);
    systemctl({"unset-environment", "WAYLAND_DISPLAY"});
    systemctl({"start", "pulseaudio.socket"});
    fs::remove(runtime_dir() + "/" + kDisplay);
    fs::remove(runtime_dir() + "/" + kDisplay + ".lock");
  }

  void prepare() override {
    out_ = home() + "/session-out";
    fs::remove_all(out_);
    fs::create_directories(out_);
  }

  // A box of the host's programs (its /usr bound) running `script`, which
  // may leave what it saw in /out (~/session-out outside).
  std::string box_yaml(const std::string& session, const std::string& script) {
    return "rootfs: ~/rootfs-session\n" + session +
           "mounts:\n  - {type: bind, source: /usr, target: /usr, readonly: true}\n"
           "  - {type: bind, source: ~/session-out, target: /out}\n"
           "command: [sh, -c, '" +
           script + "']\n";
  }

  // Starts box@NAME and waits for it to end. (A unit that ended well is
  // gone from the manager at once, its status with it: the scripts print
  // their client's status themselves.)
  void run_to_the_end(const std::string& name, const std::string& last_words = "") {
    const std::string unit = "box@" + name + ".service";
    EXPECT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
    systemctl({"start", unit});  // returns once the command runs, or the start failed
    EXPECT_TRUE(eventually(
        [&] {
          const std::string state = show(unit, "ActiveState");
          return state == "inactive" || state == "failed";
        },
        std::chrono::seconds(30)))
        << show(unit, "ActiveState") << "\n"
        << journal(unit);
    // The journal has the box's last line a moment after the unit ended.
    if (!last_words.empty()) {
      EXPECT_TRUE(eventually([&] { return contains(journal(unit), last_words); })) << journal(unit);
    }
  }

  static constexpr const char* kDisplay = "box-test-wayland";
  std::string out_;
};

TEST_F(SessionSockets, AWaylandClientReachesTheCompositorOnlyWithTheKey) {
  ASSERT_FALSE(runtime_dir().empty());
  const std::string socket = runtime_dir() + "/" + kDisplay;
  Background weston({"weston", "--backend=headless-backend.so", std::string("--socket=") + kDisplay,
                     "--idle-time=0"},
                    home() + "/weston.log");
  ASSERT_TRUE(eventually([&] { return is_socket(socket); }, std::chrono::seconds(20)))
      << weston.output();
  // Its socket comes before its globals: ready once a client on the host
  // sees them.
  ASSERT_TRUE(eventually(
      [] {
        return contains(
            run({"env", std::string("WAYLAND_DISPLAY=") + kDisplay, "wayland-info"}).output,
            "wl_compositor");
      },
      std::chrono::seconds(20)))
      << weston.output();
  ASSERT_EQ(systemctl({"set-environment", std::string("WAYLAND_DISPLAY=") + kDisplay}).exit_code, 0);

  // The runtime dir inside holds the socket and nothing else of the
  // session's (its bus, systemd's sockets); %t and %U expand as the
  // generator and box-run both read them.
  // The client's output goes to a file: the whole of it, once the box ended.
  const std::string client =
      "wayland-info > /out/$NAME.info 2>&1; echo $? > /out/$NAME.status.tmp; "
      "mv /out/$NAME.status.tmp /out/$NAME.status";
  auto result = [&](const std::string& name) {
    EXPECT_TRUE(eventually([&] { return fs::exists(out_ + "/" + name + ".status"); }))
        << journal("box@" + name + ".service");
    return std::pair{slurp(out_ + "/" + name + ".status"), slurp(out_ + "/" + name + ".info")};
  };
  define("wl-with", box_yaml("session: {wayland: true}\nenv: {NAME: wl-with, SEEN: \"%t uid %U\"}\n",
                             "echo \"runtime: [$(ls -A \"$XDG_RUNTIME_DIR\" | tr \"\\n\" ,)]\" "
                             "\"display: $WAYLAND_DISPLAY seen: $SEEN\" > /out/wl-with.seen; " +
                                 client));
  run_to_the_end("wl-with");
  const auto [with_status, with_info] = result("wl-with");
  EXPECT_EQ(with_status, "0\n") << with_info;
  EXPECT_TRUE(contains(with_info, "interface: 'wl_compositor'")) << with_info;
  const std::string seen = slurp(out_ + "/wl-with.seen");
  EXPECT_TRUE(contains(seen, std::string("runtime: [") + kDisplay + ",]")) << seen;
  EXPECT_TRUE(contains(seen, std::string("display: ") + kDisplay + " seen: " + runtime_dir() +
                                 " uid " + std::to_string(getuid())))
      << seen;

  // The same client, the same manager environment, no key: no socket.
  define("wl-without", box_yaml("env: {NAME: wl-without}\n",
                                "echo \"runtime: [$XDG_RUNTIME_DIR]\" > /out/wl-without.seen; "
                                "export WAYLAND_DISPLAY=" +
                                    runtime_dir() + "/" + kDisplay + "; " + client));
  run_to_the_end("wl-without");
  const auto [without_status, without_info] = result("wl-without");
  EXPECT_NE(without_status, "0\n") << without_info;
  EXPECT_FALSE(contains(without_info, "wl_compositor")) << without_info;
  EXPECT_TRUE(contains(without_info, "failed to create display")) << without_info;
  EXPECT_EQ(slurp(out_ + "/wl-without.seen"), "runtime: []\n");

  // What boxctl and box-manager's Container object say of each.
  auto status = boxctl({"status", "wl-with"});
  EXPECT_TRUE(contains(status.output, "Session: wayland (sockets, read-only)\n")) << status.output;
  EXPECT_FALSE(contains(boxctl({"status", "wl-without"}).output, "Session:"));
  EXPECT_TRUE(contains(boxctl({"status", "--json", "wl-without"}).output, "\"session\": []"));
  auto property = run({"busctl", "--user", "get-property", "dev.boxctl.box1",
                       "/dev/boxctl/box1/container/wl_2dwith", "dev.boxctl.box1.Container",
                       "SessionSockets"});
  EXPECT_EQ(property.output, "as 1 \"wayland\"\n");

  // The compositor gone: the start is refused, saying which socket and why.
  weston.stop();
  ASSERT_TRUE(eventually([&] { return !is_socket(socket); }));
  run_to_the_end("wl-with", "session socket 'wayland'");
  EXPECT_EQ(show("box@wl-with.service", "Result"), "exit-code");
  EXPECT_TRUE(contains(journal("box@wl-with.service"),
                       "session socket 'wayland': no socket at '" + socket + "'"))
      << journal("box@wl-with.service");
}

// Two seconds of noise played in a box reach the null sink, whose monitor
// the host records; without the key the player cannot connect and the
// recording stays silent.
TEST_F(SessionSockets, AudioFromABoxReachesPulseAudioOnlyWithTheKey) {
  ASSERT_FALSE(runtime_dir().empty());
  const std::string socket = runtime_dir() + "/pulse/native";
  // Debian's pulseaudio.socket (enabled for every user) holds the socket
  // for a server the session would start; this test runs its own.
  ASSERT_EQ(systemctl({"stop", "pulseaudio.socket", "pulseaudio.service"}).exit_code, 0);
  fs::remove(socket);  // what the socket unit leaves behind
  Background pulse({"pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1",
                    "--log-target=stderr", "--load=module-native-protocol-unix",
                    "--load=module-null-sink sink_name=boxtest"},
                   home() + "/pulseaudio.log");
  // Its socket first (no client autospawns a server of its own), then
  // its sink.
  ASSERT_TRUE(eventually([&] { return is_socket(socket); }, std::chrono::seconds(20)))
      << pulse.output();
  ASSERT_TRUE(eventually([] {
    return contains(run({"pactl", "list", "short", "sinks"}).output, "boxtest");
  })) << pulse.output();
  const std::string play =
      "head -c 32000 /dev/urandom | pacat --format=s16le --rate=8000 --channels=1; "
      "echo pacat=$?";

  // The host records the sink's monitor while the box plays; the bytes
  // that are not zero are what the box played.
  auto record = [&](const std::string& name) {
    const std::string file = home() + "/recorded-" + name + ".raw";
    Background parec({"sh", "-c",
                      "exec parec -d boxtest.monitor --latency-msec=20 --format=s16le --rate=8000 "
                      "--channels=1 > " +
                          file},
                     home() + "/parec.log");
    // parec is connected once the server lists its stream.
    EXPECT_TRUE(eventually([] {
      return !run({"pactl", "list", "short", "source-outputs"}).output.empty();
    })) << slurp(home() + "/parec.log");
    const auto started = std::chrono::steady_clock::now();
    run_to_the_end(name, "pacat=");
    // The last of what was played on its way to the recorder, and three
    // seconds at least of the sink, played to or silent.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    std::this_thread::sleep_until(started + std::chrono::seconds(3));
    parec.stop();
    std::ifstream in(file, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    fs::remove(file);
    std::size_t loud = 0;
    for (char c : data) loud += c != 0;
    std::cout << name << ": recorded " << data.size() << " bytes, " << loud << " not zero\n"
              << slurp(home() + "/parec.log");
    // A second at least, of the box or of silence: the recorder did record.
    EXPECT_GT(data.size(), 16000u) << slurp(home() + "/parec.log");
    return loud;
  };

  define("audio-with", box_yaml("session: {pulseaudio: true}\n", play));
  const std::size_t with_loud = record("audio-with");
  EXPECT_TRUE(contains(journal("box@audio-with.service"), "pacat=0"))
      << journal("box@audio-with.service") << pulse.output();
  EXPECT_GT(with_loud, 16000u) << journal("box@audio-with.service");

  define("audio-without", box_yaml("", play));
  const std::size_t without_loud = record("audio-without");
  EXPECT_FALSE(contains(journal("box@audio-without.service"), "pacat=0"))
      << journal("box@audio-without.service");
  EXPECT_EQ(without_loud, 0u) << journal("box@audio-without.service");
  pulse.stop();
}

}  // namespace
}  // namespace box::testing
