#include "core/plan/x11_plan.h"

#include <gtest/gtest.h>
#include <sys/mount.h>

#include <algorithm>

#include "core/plan/session_plan.h"

namespace box {
namespace {

Definition gui() {
  Definition d;
  d.name = "xclock";
  d.rootfs = "/srv/gui";
  d.command = {"xclock"};
  MountSpec tmp;
  tmp.type = MountSpec::Type::kTmpfs;
  tmp.target = "/tmp";
  d.mounts = {tmp};
  return d;
}

HostIdentity host() {
  HostIdentity h;
  h.uid = 1000;
  h.gid = 1000;
  return h;
}

RuntimeFacts facts(const std::string& display = ":5.1") {
  RuntimeFacts f;
  f.runtime_dir = "/run/user/1000";
  f.path = "/usr/bin";
  f.display = display;
  f.xauthority = "/home/u/.Xauthority";
  f.xauth = "/usr/bin/xauth";
  return f;
}

std::vector<std::string> env_of(const RunPlan& p, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& e : p.env)
    if (e.rfind(prefix, 0) == 0) out.push_back(e);
  return out;
}

std::size_t index_of(const RunPlan& p, MountStep::Kind kind, const std::string& target) {
  auto it = std::find_if(p.mounts.begin(), p.mounts.end(), [&](const MountStep& m) {
    return m.kind == kind && m.target == target;
  });
  return static_cast<std::size_t>(it - p.mounts.begin());
}

std::string refusal(const std::string& display) {
  auto d = parse_x11_display(display);
  return d.ok() ? "accepted as " + d->name() : d.error().message();
}

TEST(X11Display, LocalDisplaysWithAndWithoutAScreen) {
  struct Case {
    const char* display;
    X11Display parsed;
  };
  for (const Case& c : {Case{":0", {"0", ""}}, Case{":12.3", {"12", "3"}},
                        Case{"unix:1", {"1", ""}}, Case{"unix:1.0", {"1", "0"}}}) {
    auto d = parse_x11_display(c.display);
    ASSERT_TRUE(d.ok()) << c.display << ": " << d.error().message();
    EXPECT_EQ(*d, c.parsed) << c.display;
  }
  auto d = parse_x11_display("unix:7.2");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->name(), ":7.2");
  EXPECT_EQ(d->socket(), "/tmp/.X11-unix/X7");
}

TEST(X11Display, WhatCannotBeBoundIsRefusedSayingWhy) {
  EXPECT_EQ(refusal(""),
            "session: x11 needs $DISPLAY, which is unset: is an X server (or Xwayland) running, "
            "and has the session given DISPLAY and XAUTHORITY to the user manager ('systemctl "
            "--user import-environment DISPLAY XAUTHORITY')?");
  EXPECT_EQ(refusal("localhost:10.0"),
            "DISPLAY 'localhost:10.0' is a display over TCP (HOST:N; ssh -X forwards one as "
            "localhost:10.0): box binds a local display's socket only, '/tmp/.X11-unix/XN' of "
            "':N'");
  EXPECT_EQ(refusal("example.org:0"),
            "DISPLAY 'example.org:0' is a display over TCP (HOST:N; ssh -X forwards one as "
            "localhost:10.0): box binds a local display's socket only, '/tmp/.X11-unix/XN' of "
            "':N'");
  EXPECT_EQ(refusal("vax::0"),
            "DISPLAY 'vax::0' is a DECnet display: box binds a local display's socket only");
  EXPECT_EQ(refusal("/private/tmp/com.apple.launchd.x/org.xquartz:0"),
            "DISPLAY '/private/tmp/com.apple.launchd.x/org.xquartz:0' names a socket path "
            "(launchd's form): box binds '/tmp/.X11-unix/XN' of a local display ':N' only");
  EXPECT_EQ(refusal("0"), "DISPLAY '0' names no display (expected ':N' or ':N.S')");
  for (const char* bad : {":", ":x", ":0.", ":0.a", ":-1", ":0.1.2", ":1234567890", ": 0"})
    EXPECT_EQ(refusal(bad), "DISPLAY '" + std::string(bad) +
                                "' names no display (expected ':N' or ':N.S', N and S numbers)");
}

TEST(X11Plan, NothingOfTheDisplayWithoutTheKey) {
  auto p = make_run_plan(gui(), host(), facts());
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_FALSE(p->x11);
  EXPECT_TRUE(p->session_sockets.empty());
  EXPECT_EQ(index_of(*p, MountStep::Kind::kTmpfs, "/tmp/.X11-unix"), p->mounts.size());
  EXPECT_TRUE(env_of(*p, "DISPLAY=").empty());
  EXPECT_TRUE(env_of(*p, "XAUTHORITY=").empty());
}

TEST(X11Plan, TheSocketAndTheCookieReadOnlyAfterTheDefinitionsMounts) {
  Definition d = gui();
  d.session.x11 = true;
  auto p = make_run_plan(d, host(), facts());
  ASSERT_TRUE(p.ok()) << p.error().message();
  using K = MountStep::Kind;
  const std::size_t tmp = index_of(*p, K::kTmpfs, "/tmp");
  const std::size_t dir = index_of(*p, K::kTmpfs, "/tmp/.X11-unix");
  const std::size_t socket = index_of(*p, K::kBind, "/tmp/.X11-unix/X5");
  const std::size_t run = index_of(*p, K::kTmpfs, "/run/user/1000");
  const std::size_t cookie = index_of(*p, K::kBind, "/run/user/1000/Xauthority");
  ASSERT_LT(cookie, p->mounts.size());
  // The definition's tmpfs on /tmp first, or it would hide the socket.
  EXPECT_LT(tmp, dir);
  EXPECT_LT(dir, socket);
  EXPECT_LT(run, cookie);
  EXPECT_EQ(p->mounts[socket].source, "/tmp/.X11-unix/X5");
  EXPECT_EQ(p->mounts[cookie].source, "/run/user/1000/box/x11/xclock/Xauthority");
  for (std::size_t at : {socket, cookie})
    EXPECT_EQ(p->mounts[at].flags & MS_RDONLY, static_cast<unsigned long>(MS_RDONLY));
  EXPECT_EQ(p->session_sockets, (std::vector<SessionSocket>{{"x11", "/tmp/.X11-unix/X5"}}));
  ASSERT_TRUE(p->x11);
  EXPECT_EQ(*p->x11, (X11Cookie{":5", "/home/u/.Xauthority", "/run/user/1000/box/x11/xclock",
                                "/run/user/1000/box/x11/xclock/Xauthority",
                                "/run/user/1000/Xauthority", "/usr/bin/xauth"}));
  EXPECT_EQ(env_of(*p, "DISPLAY="), std::vector<std::string>{"DISPLAY=:5.1"});
  EXPECT_EQ(env_of(*p, "XAUTHORITY="),
            std::vector<std::string>{"XAUTHORITY=/run/user/1000/Xauthority"});
  EXPECT_EQ(env_of(*p, "XDG_RUNTIME_DIR="),
            std::vector<std::string>{"XDG_RUNTIME_DIR=/run/user/1000"});
}

TEST(X11Plan, TheDefinitionsEnvironmentWins) {
  Definition d = gui();
  d.session.x11 = true;
  d.env = {{"DISPLAY", ":9"}};
  auto p = make_run_plan(d, host(), facts());
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(env_of(*p, "DISPLAY="), std::vector<std::string>{"DISPLAY=:9"});
}

TEST(X11Plan, ADisplayThatCannotBeBoundFailsThePlan) {
  Definition d = gui();
  d.session.x11 = true;
  auto remote = make_run_plan(d, host(), facts("localhost:10.0"));
  ASSERT_FALSE(remote.ok());
  EXPECT_EQ(remote.error().message(), refusal("localhost:10.0"));
  auto unset = make_run_plan(d, host(), facts(""));
  ASSERT_FALSE(unset.ok());
  EXPECT_EQ(unset.error().message(), refusal(""));
}

TEST(X11Plan, AMissingSocketSaysWhatToDo) {
  EXPECT_EQ(session_socket_missing({"x11", "/tmp/.X11-unix/X5"}, facts()),
            "session socket 'x11': no socket at '/tmp/.X11-unix/X5' (DISPLAY is ':5.1'): is that "
            "X server (or Xwayland) running, and does it listen on its local socket?");
}

}  // namespace
}  // namespace box
