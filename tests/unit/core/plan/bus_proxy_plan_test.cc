#include "core/plan/bus_proxy_plan.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/model/definition_loader.h"

namespace box {
namespace {

using Args = std::vector<std::string>;

Definition box_with(std::optional<BusRules> session, std::optional<BusRules> system = {}) {
  Definition d;
  d.name = "notes";
  d.rootfs = "/srv/notes";
  d.command = {"notes"};
  d.session_bus = std::move(session);
  d.system_bus = std::move(system);
  return d;
}

HostIdentity host() {
  HostIdentity h;
  h.uid = 1000;
  h.gid = 1000;
  return h;
}

// box-run started as box@notes.service, with xdg-dbus-proxy installed.
RuntimeFacts facts() {
  RuntimeFacts f;
  f.service = true;
  f.runtime_dir = "/run/user/1000";
  f.box_run_pid = 4242;
  f.path = "/usr/bin";
  f.bus_proxy = "/usr/bin/xdg-dbus-proxy";
  f.session_bus_address = "unix:path=/run/user/1000/bus";
  f.system_bus_address = "unix:path=/run/dbus/system_bus_socket";
  return f;
}

bool has_env(const RunPlan& p, const std::string& entry) {
  return std::find(p.env.begin(), p.env.end(), entry) != p.env.end();
}

bool env_named(const RunPlan& p, const std::string& name) {
  return std::any_of(p.env.begin(), p.env.end(),
                     [&](const std::string& e) { return e.rfind(name + "=", 0) == 0; });
}

TEST(BusProxyPlan, PolicyIsAlwaysFilteredAndOrderedByLevel) {
  BusRules r;
  r.talk = {"org.freedesktop.Notifications"};
  r.own = {"org.example.Notes", "org.mpris.MediaPlayer2.notes.*"};
  r.see = {"org.example.Other"};
  r.call = {{"org.freedesktop.portal.*", {"*", "org.freedesktop.portal.FileChooser@/org/freedesktop/portal/desktop"}}};
  r.broadcast = {{"org.freedesktop.portal.*", {"@/org/freedesktop/portal/*"}}};
  EXPECT_EQ(bus_policy_args(r),
            (Args{"--filter", "--see=org.example.Other", "--talk=org.freedesktop.Notifications",
                  "--own=org.example.Notes", "--own=org.mpris.MediaPlayer2.notes.*",
                  "--call=org.freedesktop.portal.*=*",
                  "--call=org.freedesktop.portal.*=org.freedesktop.portal.FileChooser@/org/"
                  "freedesktop/portal/desktop",
                  "--broadcast=org.freedesktop.portal.*=@/org/freedesktop/portal/*"}));
  // No rules: filtered all the same (the bus driver only), never the whole bus.
  EXPECT_EQ(bus_policy_args(BusRules{}), Args{"--filter"});
}

TEST(BusProxyPlan, OneProxyServesEveryBusAndReportsOnItsFd) {
  std::vector<ProxiedBus> buses = {
      {"session", "unix:path=/run/user/1000/bus", "/run/user/1000/box/bus/notes/session",
       "/run/user/1000/bus", {"--filter", "--talk=org.a.B"}},
      {"system", "unix:path=/run/dbus/system_bus_socket", "/run/user/1000/box/bus/notes/system",
       "/run/dbus/system_bus_socket", {"--filter"}}};
  EXPECT_EQ(bus_proxy_argv("/usr/bin/xdg-dbus-proxy", buses),
            (Args{"/usr/bin/xdg-dbus-proxy", "--fd=3", "unix:path=/run/user/1000/bus",
                  "/run/user/1000/box/bus/notes/session", "--filter", "--talk=org.a.B",
                  "unix:path=/run/dbus/system_bus_socket", "/run/user/1000/box/bus/notes/system",
                  "--filter"}));
}

TEST(BusProxyPlan, WithoutTheKeysThereIsNoBusAtAll) {
  auto p = make_run_plan(box_with(std::nullopt), host(), facts());
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_TRUE(p->buses.empty());
  EXPECT_TRUE(p->bus_proxy.empty());
  EXPECT_FALSE(env_named(*p, "DBUS_SESSION_BUS_ADDRESS"));
  EXPECT_FALSE(env_named(*p, "DBUS_SYSTEM_BUS_ADDRESS"));
  EXPECT_FALSE(env_named(*p, "XDG_RUNTIME_DIR"));
  for (const auto& m : p->mounts) EXPECT_EQ(m.source.find("/box/bus/"), std::string::npos);
}

TEST(BusProxyPlan, SessionBusIsBoundAtTheRuntimeDirInside) {
  BusRules r;
  r.talk = {"org.freedesktop.Notifications"};
  auto p = make_run_plan(box_with(r), host(), facts());
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->bus_proxy, "/usr/bin/xdg-dbus-proxy");
  EXPECT_EQ(p->bus_proxy_dir, "/run/user/1000/box/bus/notes");
  ASSERT_EQ(p->buses.size(), 1u);
  EXPECT_EQ(p->buses[0], (ProxiedBus{"session", "unix:path=/run/user/1000/bus",
                                     "/run/user/1000/box/bus/notes/session", "/run/user/1000/bus",
                                     {"--filter", "--talk=org.freedesktop.Notifications"}}));
  EXPECT_TRUE(has_env(*p, "XDG_RUNTIME_DIR=/run/user/1000"));
  EXPECT_TRUE(has_env(*p, "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus"));
  EXPECT_FALSE(env_named(*p, "DBUS_SYSTEM_BUS_ADDRESS"));
  // The last mount: nothing of the definition's (a tmpfs on /run) hides it.
  ASSERT_FALSE(p->mounts.empty());
  EXPECT_EQ(p->mounts.back(), (MountStep{MountStep::Kind::kBind, "/run/user/1000/bus",
                                         "/run/user/1000/box/bus/notes/session", "", 0}));
}

TEST(BusProxyPlan, TheDefinitionsRuntimeDirMovesTheSessionBus) {
  Definition d = box_with(BusRules{});
  d.env = {{"XDG_RUNTIME_DIR", "/run/app/"}};
  auto p = make_run_plan(d, host(), facts());
  ASSERT_TRUE(p.ok()) << p.error().message();
  ASSERT_EQ(p->buses.size(), 1u);
  EXPECT_EQ(p->buses[0].inside, "/run/app/bus");
  EXPECT_TRUE(has_env(*p, "XDG_RUNTIME_DIR=/run/app/"));  // the definition's, once
  EXPECT_EQ(std::count_if(p->env.begin(), p->env.end(),
                          [](const std::string& e) { return e.rfind("XDG_RUNTIME_DIR=", 0) == 0; }),
            1);
  EXPECT_TRUE(has_env(*p, "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/app/bus"));
  d.env = {{"XDG_RUNTIME_DIR", "relative"}};
  EXPECT_FALSE(make_run_plan(d, host(), facts()).ok());
}

TEST(BusProxyPlan, SystemBusIsBoundAtItsWellKnownPath) {
  BusRules r;
  r.talk = {"org.freedesktop.login1"};
  auto p = make_run_plan(box_with(std::nullopt, r), host(), facts());
  ASSERT_TRUE(p.ok()) << p.error().message();
  ASSERT_EQ(p->buses.size(), 1u);
  EXPECT_EQ(p->buses[0].bus, "system");
  EXPECT_EQ(p->buses[0].address, "unix:path=/run/dbus/system_bus_socket");
  EXPECT_EQ(p->buses[0].socket, "/run/user/1000/box/bus/notes/system");
  EXPECT_EQ(p->buses[0].inside, "/run/dbus/system_bus_socket");
  EXPECT_TRUE(has_env(*p, "DBUS_SYSTEM_BUS_ADDRESS=unix:path=/run/dbus/system_bus_socket"));
  EXPECT_FALSE(env_named(*p, "DBUS_SESSION_BUS_ADDRESS"));
}

TEST(BusProxyPlan, BothBusesShareOneProxy) {
  auto p = make_run_plan(box_with(BusRules{}, BusRules{}), host(), facts());
  ASSERT_TRUE(p.ok()) << p.error().message();
  ASSERT_EQ(p->buses.size(), 2u);
  EXPECT_EQ(p->buses[0].bus, "session");
  EXPECT_EQ(p->buses[1].bus, "system");
}

TEST(BusProxyPlan, WhatTheHostLacksIsSaid) {
  RuntimeFacts no_proxy = facts();
  no_proxy.bus_proxy.clear();
  auto missing = make_run_plan(box_with(BusRules{}), host(), no_proxy);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("install Debian's xdg-dbus-proxy package"),
            std::string::npos)
      << missing.error().message();

  RuntimeFacts no_runtime_dir = facts();
  no_runtime_dir.runtime_dir.clear();
  auto outside = make_run_plan(box_with(std::nullopt, BusRules{}), host(), no_runtime_dir);
  ASSERT_FALSE(outside.ok());
  EXPECT_NE(outside.error().message().find("system_bus needs the user's runtime directory"),
            std::string::npos)
      << outside.error().message();

  Definition long_name = box_with(BusRules{});
  long_name.name = std::string(100, 'n');
  auto too_long = make_run_plan(long_name, host(), facts());
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.error().message().find("too long"), std::string::npos);
}

TEST(BusProxyPlan, TheLoadedKeysBecomeTheProxysArguments) {
  auto d = parse_definition(
      "rootfs: /srv/notes\ncommand: [notes]\n"
      "session_bus:\n"
      "  talk: [org.freedesktop.Notifications]\n"
      "  own: [org.example.Notes]\n"
      "  call: {org.freedesktop.portal.Desktop: '*@/org/freedesktop/portal/desktop'}\n"
      "system_bus: {}\n",
      "notes.yaml", "notes", "/home/u");
  ASSERT_TRUE(d.ok()) << d.error().message();
  auto p = make_run_plan(*d, host(), facts());
  ASSERT_TRUE(p.ok()) << p.error().message();
  auto argv = bus_proxy_argv(p->bus_proxy, p->buses);
  EXPECT_EQ(argv, (Args{"/usr/bin/xdg-dbus-proxy", "--fd=3", "unix:path=/run/user/1000/bus",
                        "/run/user/1000/box/bus/notes/session", "--filter",
                        "--talk=org.freedesktop.Notifications", "--own=org.example.Notes",
                        "--call=org.freedesktop.portal.Desktop=*@/org/freedesktop/portal/desktop",
                        "unix:path=/run/dbus/system_bus_socket",
                        "/run/user/1000/box/bus/notes/system", "--filter"}));
}

}  // namespace
}  // namespace box
