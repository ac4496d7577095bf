#include "core/model/bus_rules.h"

#include <gtest/gtest.h>

#include "core/model/definition_loader.h"

namespace box {
namespace {

TEST(BusRules, NamesAreWellKnownNamesOrPrefixes) {
  for (const char* ok : {"org.freedesktop.Notifications", "org.mpris.MediaPlayer2.vlc",
                         "org.freedesktop.portal.*", "com.example-app.my_app", "a.b"})
    EXPECT_TRUE(check_bus_name_pattern(ok).ok()) << ok;
  for (const char* bad : {"", "org", "org.*", ":1.42", "org..foo", "org.2fast", "org.foo.",
                          "org.foo bar", "org/foo", "*", "org.foo.*.bar"})
    EXPECT_FALSE(check_bus_name_pattern(bad).ok()) << bad;
  EXPECT_FALSE(check_bus_name_pattern("org." + std::string(260, 'a')).ok());
  EXPECT_NE(check_bus_name_pattern(":1.42").error().message().find("unique name"),
            std::string::npos);
}

TEST(BusRules, RulesAreMethodAtPath) {
  for (const char* ok :
       {"*", "*@/org/freedesktop/portal/*", "@/org/freedesktop/portal/desktop",
        "org.freedesktop.portal.*", "org.freedesktop.portal.FileChooser.OpenFile",
        "org.freedesktop.DBus.Properties@/", "@/*"})
    EXPECT_TRUE(check_bus_rule(ok).ok()) << ok << ": " << check_bus_rule(ok).error().message();
  for (const char* bad : {"", "@", "org@/a", "org.foo-bar.Baz", "*@relative", "*@/a//b",
                          "*@/a/b-c", "org.foo.Bar@"})
    EXPECT_FALSE(check_bus_rule(bad).ok()) << bad;
}

TEST(BusRules, GrantsAreOneLineEachInTheProxysOrder) {
  BusRules r;
  r.own = {"org.a.Own"};
  r.see = {"org.a.See"};
  r.talk = {"org.a.Talk"};
  r.call = {{"org.a.*", {"*", "@/a"}}};
  r.broadcast = {{"org.b.B", {"org.b.B.Changed"}}};
  EXPECT_EQ(bus_grants(r), (std::vector<BusGrant>{{"see", "org.a.See", ""},
                                                  {"talk", "org.a.Talk", ""},
                                                  {"own", "org.a.Own", ""},
                                                  {"call", "org.a.*", "*"},
                                                  {"call", "org.a.*", "@/a"},
                                                  {"broadcast", "org.b.B", "org.b.B.Changed"}}));
  EXPECT_TRUE(bus_grants(BusRules{}).empty());
}

Result<Definition> load(const std::string& extra) {
  return parse_definition("rootfs: /srv/x\ncommand: [x]\n" + extra, "x.yaml", "x", "/home/u");
}

TEST(BusRules, LoaderReadsBothBuses) {
  auto d = load(
      "session_bus:\n"
      "  see: [org.example.Seen]\n"
      "  talk: [org.freedesktop.Notifications]\n"
      "  own: [org.example.App, org.example.App.*]\n"
      "  call:\n"
      "    org.freedesktop.portal.*: ['*']\n"
      "    org.example.Svc: org.example.Svc.Get@/org/example/Svc\n"
      "  broadcast: {org.freedesktop.portal.*: ['@/org/freedesktop/portal/*']}\n"
      "system_bus: {}\n");
  ASSERT_TRUE(d.ok()) << d.error().message();
  ASSERT_TRUE(d->session_bus);
  EXPECT_EQ(d->session_bus->see, std::vector<std::string>{"org.example.Seen"});
  EXPECT_EQ(d->session_bus->talk, std::vector<std::string>{"org.freedesktop.Notifications"});
  EXPECT_EQ(d->session_bus->own,
            (std::vector<std::string>{"org.example.App", "org.example.App.*"}));
  EXPECT_EQ(d->session_bus->call,
            (std::vector<BusNameRules>{{"org.freedesktop.portal.*", {"*"}},
                                       {"org.example.Svc", {"org.example.Svc.Get@/org/example/Svc"}}}));
  EXPECT_EQ(d->session_bus->broadcast,
            (std::vector<BusNameRules>{{"org.freedesktop.portal.*", {"@/org/freedesktop/portal/*"}}}));
  ASSERT_TRUE(d->system_bus);
  EXPECT_EQ(*d->system_bus, BusRules{});
  // Not given: no bus.
  auto none = load("");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->session_bus);
  EXPECT_FALSE(none->system_bus);
}

TEST(BusRules, LoaderRefusesWithFileLineAndKey) {
  struct Case {
    const char* yaml;
    const char* says;
  };
  for (const Case& c : {
           Case{"session_bus: [org.a.B]\n", "x.yaml:3:14: 'session_bus': expected a mapping"},
           Case{"session_bus: {tlak: [org.a.B]}\n", "unknown key 'tlak' (did you mean 'talk'?)"},
           Case{"session_bus: {talk: [org]}\n", "x.yaml:3:22: 'session_bus.talk': bus name 'org' needs at least two"},
           Case{"system_bus: {own: [':1.5']}\n", "'system_bus.own': ':1.5' is a unique name"},
           Case{"session_bus: {call: {org.a.B: 'org@/x'}}\n", "'session_bus.call.org.a.B': rule 'org@/x'"},
           Case{"session_bus: {call: {org.a.B: []}}\n", "no rule"},
           Case{"session_bus: {call: [org.a.B]}\n", "'session_bus.call': expected a mapping NAME"},
           Case{"session_bus: {broadcast: {org..B: '*'}}\n", "'session_bus.broadcast': bus name 'org..B'"},
       }) {
    auto d = load(c.yaml);
    ASSERT_FALSE(d.ok()) << c.yaml;
    EXPECT_NE(d.error().message().find(c.says), std::string::npos)
        << c.yaml << " -> " << d.error().message();
  }
}

TEST(BusRules, AFragmentReplacesTheRules) {
  auto d = parse_definition_sources(
      {{"x.yaml", "rootfs: /srv/x\ncommand: [x]\nsession_bus: {talk: [org.a.B], own: [org.a.C]}\n"},
       {"x.d/10.yaml", "session_bus: {talk: [org.d.E]}\n"}},
      "x", LoadContext{"/home/u", "/home/u/.local/share", ""});
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->session_bus->talk, std::vector<std::string>{"org.d.E"});
  EXPECT_TRUE(d->session_bus->own.empty());
}

}  // namespace
}  // namespace box
