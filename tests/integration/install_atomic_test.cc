// A Project Atomic system container shaped like upstream's etcd one
// (projectatomic/atomic-system-containers, etcd/): its config.json.template
// binds $CONF_DIRECTORY/$NAME at /etc/etcd, $STATE_DIRECTORY/etcd/$NAME.etcd
// and $RUN_DIRECTORY/$NAME, on a read-only root; its manifest defaults
// CONF_DIRECTORY to /etc and renames hostfs/etc/etcd/etcd.conf to
// $CONF_DIRECTORY/$NAME/etcd.conf; its tmpfiles.template ends with a "Z"
// line. Installed and started as shipped, as the unprivileged test user.
// The "etcd" is a shell script (busybox) that reports what it sees.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;

// Upstream's files, their shape kept (the env list cut to what the script
// uses, the capabilities, mounts and namespaces as upstream has them).
const char* const kConfigTemplate = R"({
  "ociVersion": "1.0.0",
  "platform": {"os": "linux", "arch": "amd64"},
  "process": {
    "terminal": false,
    "user": {"uid": 0, "gid": 0},
    "args": ["/usr/bin/etcd-env.sh", "/usr/bin/etcd"],
    "env": [
      "NAME=$NAME",
      "ETCD_NAME=$ETCD_NAME",
      "ETCD_DATA_DIR=$ETCD_DATA_DIR",
      "ETCD_INITIAL_CLUSTER_STATE=$ETCD_INITIAL_CLUSTER_STATE",
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "TERM=xterm"
    ],
    "cwd": "/",
    "capabilities": {
      "bounding": ["CAP_DAC_READ_SEARCH", "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "permitted": ["CAP_DAC_READ_SEARCH", "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "inheritable": ["CAP_DAC_READ_SEARCH", "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "effective": ["CAP_DAC_READ_SEARCH", "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "ambient": ["CAP_DAC_READ_SEARCH", "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    },
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}]
  },
  "root": {"path": "rootfs", "readonly": true},
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
     "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
     "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
     "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
     "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs",
     "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
     "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]},
    {"type": "bind", "source": "${STATE_DIRECTORY}/etcd/${NAME}.etcd",
     "destination": "/var/lib/etcd", "options": ["rbind", "rw", "mode=755"]},
    {"type": "bind", "source": "${RUN_DIRECTORY}/${NAME}",
     "destination": "/var/run/etcd", "options": ["rbind", "rw", "mode=755"]},
    {"destination": "/etc/resolv.conf", "type": "bind", "source": "/etc/resolv.conf",
     "options": ["ro", "rbind", "rprivate"]},
    {"type": "bind", "source": "$CONF_DIRECTORY/$NAME", "destination": "/etc/etcd/",
     "options": ["rbind", "ro", "rprivate"]}
    $ADDTL_MOUNTS
  ],
  "linux": {
    "resources": {"devices": [{"allow": false, "access": "rwm"}]},
    "namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "mount"}],
    "devices": null,
    "apparmorProfile": ""
  }
}
)";

const char* const kManifest = R"({
    "version": "1.0",
    "defaultValues": {
        "CONF_DIRECTORY" : "/etc",
        "ETCD_NAME" : "",
        "ETCD_DATA_DIR" : "",
        "ETCD_INITIAL_CLUSTER_STATE" : "new",
        "ADDTL_MOUNTS": ""
    },
    "renameFiles" : {
        "/etc/etcd/etcd.conf" : "$CONF_DIRECTORY/$NAME/etcd.conf",
        "/usr/local/bin/etcdctl" : "/usr/local/bin/${NAME}ctl"
    }
}
)";

const char* const kService = R"([Unit]
Description=Etcd Server
After=network.target

[Service]
ExecStart=$EXEC_START
ExecStop=$EXEC_STOP
Restart=on-failure
WorkingDirectory=$DESTDIR
RuntimeDirectory=${NAME}

[Install]
WantedBy=multi-user.target
)";

const char* const kTmpfiles =
    "d    ${STATE_DIRECTORY}/etcd                0700 ${HOST_UID} ${HOST_GID} - -\n"
    "d    ${STATE_DIRECTORY}/etcd/${NAME}.etcd   0700 ${HOST_UID} ${HOST_GID} - -\n"
    "Z    ${STATE_DIRECTORY}/etcd/${NAME}.etcd   0700 ${HOST_UID} ${HOST_GID} - -\n"
    "d    ${RUN_DIRECTORY}/${NAME}               -        -           -       - -\n";

class InstallAtomic : public ::testing::Test {
 protected:
  void SetUp() override {
    work_ = home() + "/atomic-etcd";
    fs::remove_all(work_);
    fs::create_directories(work_);
  }

  void TearDown() override {
    stop_and_reset("box@etcd.service");
    boxctl({"uninstall", "etcd", "--purge"});
    fs::remove_all(work_);
  }

  // The image, an OCI layout; `mount_points`: whether its rootfs has the
  // directories the template mounts on (/var/lib/etcd, /var/run/etcd,
  // /etc/etcd). Upstream's Fedora rootfs has /var/run -> ../run and no
  // /run/etcd or /etc/etcd; this one too when `mount_points` is false.
  std::string image(bool mount_points) {
    const std::string root = work_ + "/rootfs";
    make_busybox_rootfs(root);
    write_file(root + "/usr/bin/etcd-env.sh",
               "#!/bin/sh\n"
               "export ETCD_NAME=${ETCD_NAME:-$NAME}\n"
               "export ETCD_DATA_DIR=/var/lib/etcd/$NAME.etcd\n"
               "if test -e /etc/etcd/etcd.conf; then . /etc/etcd/etcd.conf; fi\n"
               "exec \"$@\"\n");
    write_file(root + "/usr/bin/etcd",
               "#!/bin/sh\n"
               "echo \"name=$ETCD_NAME state=$ETCD_INITIAL_CLUSTER_STATE data=$ETCD_DATA_DIR\" "
               ">/var/lib/etcd/seen\n"
               "echo running >/var/run/etcd/state\n"
               "exec sleep 1000\n");
    fs::permissions(root + "/usr/bin/etcd-env.sh", fs::perms(0755));
    fs::permissions(root + "/usr/bin/etcd", fs::perms(0755));
    fs::create_directories(root + "/var/lib");
    if (mount_points) {
      fs::create_directories(root + "/var/lib/etcd");
      fs::create_directories(root + "/var/run/etcd");
      fs::create_directories(root + "/etc/etcd");
    } else {
      fs::create_symlink("../run", root + "/var/run");
    }
    write_file(root + "/exports/config.json.template", kConfigTemplate);
    write_file(root + "/exports/manifest.json", kManifest);
    write_file(root + "/exports/service.template", kService);
    write_file(root + "/exports/tmpfiles.template", kTmpfiles);
    write_file(root + "/exports/hostfs/etc/etcd/etcd.conf", "ETCD_INITIAL_CLUSTER_STATE=existing\n");
    write_file(root + "/exports/hostfs/usr/local/bin/etcdctl", "#!/bin/sh\necho etcdctl\n");
    const std::string layout = work_ + "/layout";
    make_oci_layout(layout, root);
    return "oci:" + layout + ":latest";
  }

  CommandResult install(const std::string& source, std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"install",         "--user",
                                     "--allow-autostart", "--allow-host-file",
                                     home() + "/.local/bin/etcdctl"};
    args.insert(args.end(), more.begin(), more.end());
    args.insert(args.end(), {source, "etcd"});
    return boxctl(args);
  }

  // Starts box@etcd and waits for its script's report: the cluster state
  // it read from /etc/etcd/etcd.conf, and its runtime dir written.
  void start_and_see(const std::string& state) {
    fs::remove(data_ + "/seen");
    auto start = systemctl({"start", "box@etcd.service"});
    ASSERT_EQ(start.exit_code, 0) << start.output << journal("box@etcd.service");
    ASSERT_TRUE(eventually([&] { return fs::exists(data_ + "/seen"); }, std::chrono::seconds(20)))
        << journal("box@etcd.service");
    EXPECT_EQ(slurp(data_ + "/seen"),
              "name=etcd state=" + state + " data=/var/lib/etcd/etcd.etcd\n");
    const std::string run_dir = std::string(getenv("XDG_RUNTIME_DIR")) + "/box/run/etcd";
    EXPECT_TRUE(eventually([&] { return slurp(run_dir + "/state") == "running\n"; },
                           std::chrono::seconds(10)))
        << journal("box@etcd.service");
  }

  std::string work_;
  const std::string data_ = home() + "/.local/share/box/state/etcd/etcd.etcd";
};

TEST_F(InstallAtomic, UpstreamEtcdShapeInstallsAndStartsAsShipped) {
  const std::string source = image(true);
  auto r = install(source);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string conf = home() + "/.config/box/etc/etcd";
  // hostfs/etc/etcd/etcd.conf renamed to $CONF_DIRECTORY/$NAME/etcd.conf:
  // the box's own config dir, which the template binds at /etc/etcd.
  EXPECT_EQ(slurp(conf + "/etcd.conf"), "ETCD_INITIAL_CLUSTER_STATE=existing\n");
  EXPECT_FALSE(fs::exists(home() + "/.config/etcd")) << "not in your own ~/.config";
  const std::string definition = slurp(home() + "/.config/box/containers/etcd.yaml");
  EXPECT_TRUE(contains(definition, "source: \"" + conf + "\"")) << definition;
  EXPECT_FALSE(contains(definition, "\"/etc/etcd\"\n    target")) << definition;
  // The "Z" line is a note, not a refusal.
  EXPECT_TRUE(contains(r.output, "tmpfiles.template:3:")) << r.output;
  EXPECT_TRUE(contains(r.output, "ignored (box made the directory; it is yours already)"))
      << r.output;

  start_and_see("existing");
  EXPECT_EQ(show("box@etcd.service", "ActiveState"), "active");
  ASSERT_EQ(systemctl({"stop", "box@etcd.service"}).exit_code, 0);

  // Its config dir is its data: --purge removes it.
  auto purge = boxctl({"uninstall", "etcd", "--purge"});
  ASSERT_EQ(purge.exit_code, 0) << purge.output;
  EXPECT_FALSE(fs::exists(conf)) << purge.output;

  // --set CONF_DIRECTORY names another directory of yours: the etc/ files
  // go there and the template's bind follows; outside the box's own places,
  // that bind needs your consent like any other.
  const std::string mine = home() + "/etcd-conf";
  fs::remove_all(mine);
  auto refused = install(source, {"--set", "CONF_DIRECTORY=" + mine});
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_TRUE(contains(refused.output, "--allow-bind " + mine + "/etcd")) << refused.output;
  auto relative = install(source, {"--set", "CONF_DIRECTORY=etc"});
  EXPECT_EQ(relative.exit_code, 1) << relative.output;
  EXPECT_TRUE(contains(relative.output, "--set CONF_DIRECTORY=etc: not an absolute directory"))
      << relative.output;
  auto set = install(source, {"--set", "CONF_DIRECTORY=" + mine, "--allow-bind", mine + "/etcd"});
  ASSERT_EQ(set.exit_code, 0) << set.output;
  EXPECT_EQ(slurp(mine + "/etcd/etcd.conf"), "ETCD_INITIAL_CLUSTER_STATE=existing\n");
  EXPECT_FALSE(fs::exists(conf));
  write_file(mine + "/etcd/etcd.conf", "ETCD_INITIAL_CLUSTER_STATE=mine\n");
  start_and_see("mine");
  ASSERT_EQ(systemctl({"stop", "box@etcd.service"}).exit_code, 0);
  fs::remove_all(mine);

  auto un = boxctl({"uninstall", "etcd", "--purge"});
  ASSERT_EQ(un.exit_code, 0) << un.output;
  EXPECT_FALSE(fs::exists(home() + "/.local/bin/etcdctl"));
}

// Upstream's rootfs has no /run/etcd (behind /var/run -> ../run) and no
// /etc/etcd; the root is read-only. runc would make them in the rootfs;
// box makes them in a private layer at start and leaves the rootfs as it is.
TEST_F(InstallAtomic, MissingMountPointsUnderTheReadOnlyRootAreMadePrivately) {
  auto r = install(image(false));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string rootfs = home() + "/.local/share/box/images/etcd/rootfs";
  ASSERT_TRUE(fs::is_symlink(rootfs + "/var/run"));
  start_and_see("existing");
  // The container's root is still read-only.
  auto enter = boxctl({"enter", "--no-tty", "etcd", "sh", "-c",
                       "touch /x 2>&1; ls -d /run/etcd /etc/etcd /var/lib/etcd"});
  EXPECT_TRUE(contains(enter.output, "Read-only file system")) << enter.output;
  EXPECT_TRUE(contains(enter.output, "/etc/etcd\n/run/etcd\n/var/lib/etcd\n")) << enter.output;
  ASSERT_EQ(systemctl({"stop", "box@etcd.service"}).exit_code, 0);
  for (const char* p : {"/run/etcd", "/etc/etcd", "/var/lib/etcd", "/x"})
    EXPECT_FALSE(fs::exists(rootfs + p)) << p << " made in the rootfs";
}

// The same for a rootfs of your own (box-run run, read-only by default): the
// mount point is there for the container, never in your directory.
TEST_F(InstallAtomic, YourOwnReadOnlyRootfsIsNotWrittenForAMountPoint) {
  const std::string root = work_ + "/mine", data = work_ + "/data";
  make_busybox_rootfs(root);
  write_file(data + "/hello", "hi\n");
  auto r = run({box_run(), "run", "--bind", data + ":/srv/data/here", root, "--", "sh", "-c",
                "cat /srv/data/here/hello; touch /srv/x 2>&1; touch /y 2>&1; true"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "hi\n")) << r.output;
  EXPECT_TRUE(contains(r.output, "touch: /srv/x: Read-only file system")) << r.output;
  EXPECT_TRUE(contains(r.output, "touch: /y: Read-only file system")) << r.output;
  EXPECT_FALSE(fs::exists(root + "/srv"));
  EXPECT_FALSE(fs::exists(root + "/y"));
  // --dry-run says so.
  auto dry = run({box_run(), "run", "--dry-run", "--bind", data + ":/srv/data/here", root, "--",
                  "true"});
  EXPECT_TRUE(contains(dry.output, "private mount points")) << dry.output;
  EXPECT_TRUE(contains(dry.output, "/srv/data/here")) << dry.output;
}

}  // namespace
}  // namespace box::testing
