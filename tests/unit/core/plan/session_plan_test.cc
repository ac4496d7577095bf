#include "core/plan/session_plan.h"

#include <gtest/gtest.h>
#include <sys/mount.h>

#include <algorithm>

namespace box {
namespace {

Definition gui() {
  Definition d;
  d.name = "gui";
  d.rootfs = "/srv/gui";
  d.command = {"client"};
  MountSpec extra;
  extra.target = extra.source = "/run/user/1000/extra";
  d.mounts = {extra};
  return d;
}

HostIdentity host() {
  HostIdentity h;
  h.uid = 1000;
  h.gid = 1000;
  return h;
}

RuntimeFacts facts(const std::string& wayland_display = "") {
  RuntimeFacts f;
  f.runtime_dir = "/run/user/1000";
  f.path = "/usr/bin";
  f.wayland_display = wayland_display;
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

TEST(SessionPlan, NothingOfTheSessionWithoutTheKey) {
  auto p = make_run_plan(gui(), host(), facts("wayland-1"));
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_TRUE(p->session_sockets.empty());
  EXPECT_EQ(index_of(*p, MountStep::Kind::kTmpfs, "/run/user/1000"), p->mounts.size());
  EXPECT_TRUE(env_of(*p, "XDG_RUNTIME_DIR=").empty());
  EXPECT_TRUE(env_of(*p, "WAYLAND_DISPLAY=").empty());
}

TEST(SessionPlan, EachSocketReadOnlyAtItsOwnPathInAFreshRuntimeDir) {
  Definition d = gui();
  d.session = {.wayland = true, .pulseaudio = true, .pipewire = true};
  auto p = make_run_plan(d, host(), facts("wayland-1"));
  ASSERT_TRUE(p.ok()) << p.error().message();
  using K = MountStep::Kind;
  const std::size_t run = index_of(*p, K::kTmpfs, "/run/user/1000");
  ASSERT_LT(run, p->mounts.size());
  EXPECT_EQ(p->mounts[run].options, "mode=700,size=64k,uid=0,gid=0");
  for (const char* socket :
       {"/run/user/1000/wayland-1", "/run/user/1000/pulse/native", "/run/user/1000/pipewire-0"}) {
    const std::size_t at = index_of(*p, K::kBind, socket);
    ASSERT_LT(at, p->mounts.size()) << socket;
    EXPECT_GT(at, run) << socket;
    EXPECT_EQ(p->mounts[at].source, socket);
    EXPECT_EQ(p->mounts[at].flags & MS_RDONLY, static_cast<unsigned long>(MS_RDONLY)) << socket;
  }
  // The definition's own binds come after, so they may add to the runtime dir.
  EXPECT_GT(index_of(*p, K::kBind, "/run/user/1000/extra"), run);
  EXPECT_EQ(p->session_sockets,
            (std::vector<SessionSocket>{{"wayland", "/run/user/1000/wayland-1"},
                                        {"pulseaudio", "/run/user/1000/pulse/native"},
                                        {"pipewire", "/run/user/1000/pipewire-0"}}));
  EXPECT_EQ(env_of(*p, "XDG_RUNTIME_DIR="),
            std::vector<std::string>{"XDG_RUNTIME_DIR=/run/user/1000"});
  EXPECT_EQ(env_of(*p, "WAYLAND_DISPLAY="), std::vector<std::string>{"WAYLAND_DISPLAY=wayland-1"});
  EXPECT_EQ(env_of(*p, "PULSE_SERVER="),
            std::vector<std::string>{"PULSE_SERVER=unix:/run/user/1000/pulse/native"});
}

TEST(SessionPlan, WaylandDisplayDefaultsAndAbsolutePaths) {
  Definition d = gui();
  d.session.wayland = true;
  auto unset = make_run_plan(d, host(), facts());
  ASSERT_TRUE(unset.ok()) << unset.error().message();
  EXPECT_EQ(unset->session_sockets[0].path, "/run/user/1000/wayland-0");
  EXPECT_EQ(env_of(*unset, "WAYLAND_DISPLAY="),
            std::vector<std::string>{"WAYLAND_DISPLAY=wayland-0"});
  auto absolute = make_run_plan(d, host(), facts("/tmp/compositor.sock"));
  ASSERT_TRUE(absolute.ok()) << absolute.error().message();
  EXPECT_EQ(absolute->session_sockets[0].path, "/tmp/compositor.sock");
  auto climbing = make_run_plan(d, host(), facts("../../etc/x"));
  ASSERT_FALSE(climbing.ok());
  EXPECT_EQ(climbing.error().message(), "$WAYLAND_DISPLAY '../../etc/x' names no socket");
}

TEST(SessionPlan, TheDefinitionsEnvironmentWins) {
  Definition d = gui();
  d.session.pulseaudio = true;
  d.env = {{"PULSE_SERVER", "tcp:127.0.0.1"}};
  auto p = make_run_plan(d, host(), facts());
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(env_of(*p, "PULSE_SERVER="), std::vector<std::string>{"PULSE_SERVER=tcp:127.0.0.1"});
}

TEST(SessionPlan, TheRuntimeDirBelongsToTheUserInside) {
  Definition d = gui();
  d.session.wayland = true;
  d.userns = UsernsMode::kKeepId;
  auto p = make_run_plan(d, host(), facts());
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->mounts[index_of(*p, MountStep::Kind::kTmpfs, "/run/user/1000")].options,
            "mode=700,size=64k,uid=1000,gid=1000");
}

TEST(SessionPlan, NeedsARuntimeDir) {
  Definition d = gui();
  d.session.pipewire = true;
  RuntimeFacts f = facts();
  f.runtime_dir.clear();
  auto p = make_run_plan(d, host(), f);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message(),
            "'session' needs the session's runtime dir, and $XDG_RUNTIME_DIR is not set (start "
            "the box from your session's user manager)");
}

TEST(SessionPlan, AMissingSocketSaysWhatToDo) {
  EXPECT_EQ(session_socket_missing({"wayland", "/run/user/1000/wayland-0"}, facts()),
            "session socket 'wayland': no socket at '/run/user/1000/wayland-0' (WAYLAND_DISPLAY "
            "is unset, so wayland-0): is a Wayland compositor running, and has the session given "
            "WAYLAND_DISPLAY to the user manager ('systemctl --user import-environment "
            "WAYLAND_DISPLAY')?");
  EXPECT_EQ(session_socket_missing({"pulseaudio", "/run/user/1000/pulse/native"}, facts()),
            "session socket 'pulseaudio': no socket at '/run/user/1000/pulse/native': is a "
            "PulseAudio server (or pipewire-pulse) running in this session?");
}

}  // namespace
}  // namespace box
