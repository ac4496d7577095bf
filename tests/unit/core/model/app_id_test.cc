#include "core/model/app_id.h"

#include <gtest/gtest.h>

#include "core/model/definition_loader.h"

namespace box {
namespace {

Result<Definition> parse(const std::string& text) {
  return parse_definition_sources({{"x.yaml", "rootfs: /srv/x\ncommand: [x]\n" + text}}, "x",
                                  LoadContext{"/home/u", "/home/u/.local/share", ""});
}

std::vector<std::string> every_error(const std::string& text) {
  return check_definition_sources({{"x.yaml", "rootfs: /srv/x\ncommand: [x]\n" + text}}, "x",
                                  LoadContext{"/home/u", "/home/u/.local/share", ""})
      .errors;
}

// What xdg-desktop-portal 1.16 takes (xdp_is_valid_app_id()), within what
// D-Bus takes for a well-known name.
TEST(AppId, TheNamesThePortalTakes) {
  for (const char* id : {"org.example.App", "org.gnome.Evolution", "io.github.user.my-tool",
                         "org.example_2.App_3", "com.example"})
    EXPECT_TRUE(check_app_id(id).ok()) << id << ": " << check_app_id(id).error().message();
  struct Case {
    const char* id;
    const char* says;
  };
  for (const auto& c : {
           Case{"", "empty application id"},
           Case{"App", "'App' needs at least two elements (org.example.App)"},
           Case{"org..App", "has an empty element"},
           Case{"org.example.", "has an empty element"},
           Case{".org.example", "has an empty element"},
           Case{"org.3d.App", "an element starts with a digit ('3d')"},
           Case{"org.my-company.App",
                "'-' is allowed in the last element only (xdg-desktop-portal refuses it "
                "elsewhere; write '_')"},
           Case{"org.example.App/1", "contains '/'"},
           Case{"org.example.*", "contains '*'"},
           Case{"org.example.Äpp", "contains"},
       }) {
    auto r = check_app_id(c.id);
    ASSERT_FALSE(r.ok()) << c.id;
    EXPECT_NE(r.error().message().find(c.says), std::string::npos)
        << c.id << " -> " << r.error().message();
  }
  EXPECT_FALSE(check_app_id("org.example." + std::string(250, 'a')).ok());
}

TEST(AppId, TheKeyIsCheckedWhereItIsWritten) {
  auto d = parse("app_id: org.example.Player\n");
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->app_id, "org.example.Player");
  auto none = parse("");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->app_id, "");
  EXPECT_EQ(every_error("app_id: player\n"),
            (std::vector<std::string>{"x.yaml:3:9: 'app_id': application id 'player' needs at "
                                      "least two elements (org.example.App)"}));
  EXPECT_EQ(every_error("app_id: [org.example.App]\n"),
            (std::vector<std::string>{"x.yaml:3:9: 'app_id': expected a string, found a list"}));
  // A drop-in's replaces the main file's.
  auto dropped =
      parse_definition_sources({{"x.yaml", "rootfs: /srv/x\ncommand: [x]\napp_id: org.example.A\n"},
                                {"x.yaml.d/10.yaml", "app_id: org.example.B\n"}},
                               "x", LoadContext{"/home/u", "/home/u/.local/share", ""});
  ASSERT_TRUE(dropped.ok()) << dropped.error().message();
  EXPECT_EQ(dropped->app_id, "org.example.B");
}

// The metadata file says what the box is and has, in the keys the portal
// and GLib read, and nothing it does not have.
TEST(AppId, TheMetadataFileSaysWhatTheBoxHas) {
  Definition d;
  d.name = "player";
  d.app_id = "org.example.Player";
  EXPECT_EQ(app_info_text(d),
            "[Application]\nname=org.example.Player\n\n[Context]\nshared=network;\n");
  d.network = NetworkMode::kNone;
  EXPECT_EQ(app_info_text(d), "[Application]\nname=org.example.Player\n");
  d.network = NetworkMode::kPrivate;
  BusRules rules;
  rules.see = {"org.freedesktop.secrets"};
  rules.talk = {"org.freedesktop.Notifications", "ca.desrt.dconf"};
  rules.own = {"org.example.Player", "org.mpris.MediaPlayer2.Player.*"};
  rules.call = {{"org.freedesktop.portal.*", {"*"}}};
  d.session_bus = rules;
  EXPECT_EQ(app_info_text(d),
            "[Application]\nname=org.example.Player\n\n[Context]\nshared=network;\n\n"
            "[Session Bus Policy]\norg.freedesktop.secrets=see\n"
            "org.freedesktop.Notifications=talk\nca.desrt.dconf=talk\n"
            "org.example.Player=own\norg.mpris.MediaPlayer2.Player.*=own\n");
}

}  // namespace
}  // namespace box
