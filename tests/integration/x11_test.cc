// session: {x11: true} with a real X server: Debian's Xvfb, run here as the
// test user with -auth (access by MIT-MAGIC-COOKIE-1 only), and xdpyinfo
// (x11-utils) as the client in a box. The boxes are units of the test
// user's manager, which has DISPLAY and XAUTHORITY as a session gives them
// (systemctl --user import-environment): with the key the client connects
// with the display's cookie and nothing else of the user's Xauthority;
// without the key it cannot connect; the cookie is the one the server
// checks (a wrong one is refused, none is reported and refused).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;

constexpr const char* kCookie = "00112233445566778899aabbccddeeff";
constexpr const char* kOtherCookie = "ffeeddccbbaa99887766554433221100";

bool is_socket(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

std::string runtime_dir() {
  const char* dir = std::getenv("XDG_RUNTIME_DIR");
  return dir ? dir : "";
}

// A display number no X server of this machine uses.
int free_display() {
  for (int n = 140; n < 200; ++n)
    if (!fs::exists("/tmp/.X11-unix/X" + std::to_string(n)) &&
        !fs::exists("/tmp/.X" + std::to_string(n) + "-lock"))
      return n;
  return -1;
}

class X11 : public BoxTest {
 protected:
  X11() : BoxTest("x11", Rootfs::kHostUsr) {}

  void prepare() override {
    out_ = home() + "/x11-out";
    fs::remove_all(out_);
    fs::create_directories(out_);
    number_ = free_display();
    ASSERT_GT(number_, 0);
    display_ = ":" + std::to_string(number_);
    server_auth_ = home() + "/x11-server.auth";
    user_auth_ = home() + "/x11-user.Xauthority";
    fs::remove(server_auth_);
    fs::remove(user_auth_);
    // The server's cookie, as a display manager writes it for -auth.
    ASSERT_EQ(run({"xauth", "-q", "-f", server_auth_, "add", display_, "MIT-MAGIC-COOKIE-1",
                   kCookie})
                  .exit_code,
              0);
  }

  void cleanup() override {
    systemctl({"unset-environment", "DISPLAY", "XAUTHORITY"});
    fs::remove_all(out_);
    fs::remove(server_auth_);
    fs::remove(user_auth_);
  }

  // The user's Xauthority: `cookie` for the box's display (as `xauth add`
  // writes it, FamilyLocal with this host's name), and another display's.
  void user_xauthority(const std::string& cookie) {
    fs::remove(user_auth_);
    if (!cookie.empty()) {
      ASSERT_EQ(run({"xauth", "-q", "-f", user_auth_, "add", display_, "MIT-MAGIC-COOKIE-1",
                     cookie})
                    .exit_code,
                0);
    }
    ASSERT_EQ(run({"xauth", "-q", "-f", user_auth_, "add", ":" + std::to_string(number_ + 1),
                   "MIT-MAGIC-COOKIE-1", kOtherCookie})
                  .exit_code,
              0);
  }

  // Xvfb on display_, access by the cookie only (-auth), no TCP.
  std::unique_ptr<Background> start_xvfb() {
    auto xvfb = std::make_unique<Background>(
        std::vector<std::string>{"Xvfb", display_, "-auth", server_auth_, "-nolisten", "tcp"},
        home() + "/xvfb.log");
    EXPECT_TRUE(eventually([&] { return is_socket(socket()); }, std::chrono::seconds(20)))
        << xvfb->output();
    // Listening once a client on the host with the cookie gets its answer.
    EXPECT_TRUE(eventually(
        [&] {
          return run({"env", "DISPLAY=" + display_, "XAUTHORITY=" + server_auth_, "xdpyinfo"})
                     .exit_code == 0;
        },
        std::chrono::seconds(20)))
        << xvfb->output();
    return xvfb;
  }

  std::string socket() const { return "/tmp/.X11-unix/X" + std::to_string(number_); }

  // A box of the host's programs (its /usr bound) running `script`, which
  // may leave what it saw in /out (~/x11-out outside).
  std::string box_yaml(const std::string& keys, const std::string& script) {
    return "rootfs: ~/rootfs-x11\n" + keys +
           "mounts:\n  - {type: bind, source: /usr, target: /usr, readonly: true}\n"
           "  - {type: bind, source: ~/x11-out, target: /out}\n"
           "command: [sh, -c, '" +
           script + "']\n";
  }

  // xdpyinfo in box NAME: its exit status and its output, once the box
  // has ended.
  std::pair<std::string, std::string> client_in(const std::string& name) {
    const std::string unit = "box@" + name + ".service";
    EXPECT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
    systemctl({"start", unit});
    EXPECT_TRUE(eventually(
        [&] {
          const std::string state = show(unit, "ActiveState");
          return state == "inactive" || state == "failed";
        },
        std::chrono::seconds(30)))
        << journal(unit);
    EXPECT_TRUE(eventually([&] { return fs::exists(out_ + "/" + name + ".status"); }))
        << journal(unit);
    return {slurp(out_ + "/" + name + ".status"), slurp(out_ + "/" + name + ".info")};
  }

  static std::string client(const std::string& name) {
    return "xdpyinfo > /out/" + name + ".info 2>&1; echo $? > /out/" + name +
           ".status.tmp; mv /out/" + name + ".status.tmp /out/" + name + ".status";
  }

  std::string out_, display_, server_auth_, user_auth_;
  int number_ = -1;
};

TEST_F(X11, AnXClientReachesXvfbOnlyWithTheKey) {
  ASSERT_FALSE(runtime_dir().empty());
  user_xauthority(kCookie);
  auto xvfb = start_xvfb();
  // The server checks cookies: a client on the host without one is refused.
  const auto bare = run({"env", "DISPLAY=" + display_, "XAUTHORITY=/dev/null", "xdpyinfo"});
  EXPECT_NE(bare.exit_code, 0);
  EXPECT_TRUE(contains(bare.output, "Authorization required")) << bare.output;
  ASSERT_EQ(systemctl({"set-environment", "DISPLAY=" + display_ + ".0",
                       "XAUTHORITY=" + user_auth_})
                .exit_code,
            0);

  // With the key: the one socket, the variables, and an Xauthority of the
  // display's cookie alone, as FamilyWild (the box's host name is its own).
  define("x-with",
         box_yaml("session: {x11: true}\n",
                  "echo \"display: $DISPLAY xauthority: $XAUTHORITY sockets: [$(ls -A "
                  "/tmp/.X11-unix | tr \"\\n\" ,)] host: $(cat /proc/sys/kernel/hostname)\" > "
                  "/out/x-with.seen; xauth -i -f \"$XAUTHORITY\" nlist > /out/x-with.entries; "
                  "ls -A \"$XDG_RUNTIME_DIR\" > /out/x-with.runtime; " +
                      client("x-with")));
  const auto [with_status, with_info] = client_in("x-with");
  EXPECT_EQ(with_status, "0\n") << with_info << journal("box@x-with.service");
  EXPECT_TRUE(contains(with_info, "name of display:    " + display_ + ".0")) << with_info;
  const std::string seen = slurp(out_ + "/x-with.seen");
  EXPECT_TRUE(contains(seen, "display: " + display_ + ".0 xauthority: " + runtime_dir() +
                                 "/Xauthority sockets: [X" + std::to_string(number_) +
                                 ",] host: x-with"))
      << seen;
  const std::string entries = slurp(out_ + "/x-with.entries");
  EXPECT_EQ(entries.rfind("ffff ", 0), 0u) << entries;
  EXPECT_TRUE(contains(entries, kCookie)) << entries;
  EXPECT_FALSE(contains(entries, kOtherCookie)) << entries;
  EXPECT_EQ(std::count(entries.begin(), entries.end(), '\n'), 1) << entries;
  EXPECT_EQ(slurp(out_ + "/x-with.runtime"), "Xauthority\n");
  // The box's copy is gone with the box.
  EXPECT_TRUE(eventually([] { return !fs::exists(runtime_dir() + "/box/x11/x-with"); }));

  // Without the key and in a network namespace of its own, the same client
  // pointed at the display finds no socket, at its path or in the abstract
  // namespace (which is the network namespace's).
  define("x-without",
         box_yaml("network: none\n",
                  "echo \"sockets: [$(ls -A /tmp/.X11-unix 2>&1 | tr \"\\n\" ,)]\" > "
                  "/out/x-without.seen; export DISPLAY=" +
                      display_ + "; " + client("x-without")));
  const auto [without_status, without_info] = client_in("x-without");
  EXPECT_NE(without_status, "0\n") << without_info;
  EXPECT_TRUE(contains(without_info, "unable to open display")) << without_info;
  EXPECT_FALSE(contains(without_info, "Authorization")) << without_info;
  EXPECT_FALSE(contains(slurp(out_ + "/x-without.seen"), "X" + std::to_string(number_)))
      << slurp(out_ + "/x-without.seen");

  // Without the key in the host's network namespace (network: host, the
  // default), the server's abstract socket @/tmp/.X11-unix/XN is in reach;
  // the box has no cookie, and the server refuses it.
  define("x-without-host-net",
         box_yaml("", "export DISPLAY=" + display_ + "; " + client("x-without-host-net")));
  const auto [host_net_status, host_net_info] = client_in("x-without-host-net");
  EXPECT_NE(host_net_status, "0\n") << host_net_info;
  EXPECT_TRUE(contains(host_net_info, "Authorization required")) << host_net_info;
  xvfb->stop();
}

TEST_F(X11, TheServerChecksTheCookieTheBoxIsGiven) {
  ASSERT_FALSE(runtime_dir().empty());
  auto xvfb = start_xvfb();
  ASSERT_EQ(systemctl({"set-environment", "DISPLAY=" + display_, "XAUTHORITY=" + user_auth_})
                .exit_code,
            0);
  define("x-cookie", box_yaml("session: {x11: true}\n", client("x-cookie")));

  // A wrong cookie for the display in the user's Xauthority: the box gets
  // it, and the server refuses it.
  user_xauthority(kOtherCookie);
  const auto [wrong_status, wrong_info] = client_in("x-cookie");
  EXPECT_NE(wrong_status, "0\n") << wrong_info;
  EXPECT_TRUE(contains(wrong_info, "Invalid MIT-MAGIC-COOKIE-1 key")) << wrong_info;

  // None for the display (another display's only): the box starts without
  // one, the journal says so, and the server refuses it.
  fs::remove(out_ + "/x-cookie.status");
  user_xauthority("");
  const auto [none_status, none_info] = client_in("x-cookie");
  EXPECT_NE(none_status, "0\n") << none_info;
  EXPECT_TRUE(contains(none_info, "Authorization required")) << none_info;
  EXPECT_TRUE(contains(journal("box@x-cookie.service"),
                       "session: x11: '" + user_auth_ + "' holds no cookie for " + display_))
      << journal("box@x-cookie.service");

  // The server gone: the start is refused, saying which socket and why.
  xvfb->stop();
  ASSERT_TRUE(eventually([&] { return !is_socket(socket()); }));
  const std::string unit = "box@x-cookie.service";
  systemctl({"start", unit});
  EXPECT_TRUE(eventually([&] {
    return contains(journal(unit), "session socket 'x11': no socket at '" + socket() + "'");
  })) << journal(unit);

  // No DISPLAY in the manager: refused, saying what to do.
  ASSERT_EQ(systemctl({"unset-environment", "DISPLAY"}).exit_code, 0);
  systemctl({"reset-failed", unit});
  systemctl({"start", unit});
  EXPECT_TRUE(eventually([&] {
    return contains(journal(unit), "session: x11 needs $DISPLAY, which is unset");
  })) << journal(unit);
}

}  // namespace
}  // namespace box::testing
