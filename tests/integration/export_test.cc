// boxctl export and commit (issue 18): a box of an installed image writes
// and deletes files (its persistent upper dir then holds new files, a
// whiteout, an opaque directory, files of other owners and modes); the
// export is checked by the other side, Debian's skopeo and rootless podman
// (with runc, one of its own runtimes, not box-oci), and a commit runs
// again in box. Kubernetes' side, containerd, is in from_root/oci_containerd_test.cc.
#include <unistd.h>

#include <string>
#include <vector>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {

class Export : public BoxTest {
 protected:
  void prepare() override {
    // A directory with content in the image, which the box replaces.
    write_file(rootfs_ + "/opt/old/a", "a\n");
    write_file(rootfs_ + "/opt/old/b", "b\n");
    layout_ = home() + "/export-layout";
    archive_ = home() + "/export-out.tar";
    make_oci_layout(layout_, rootfs_);
    auto installed = boxctl({"install", "oci:" + layout_, "expimg"});
    ASSERT_EQ(installed.exit_code, 0) << installed.output;
    define_box("expbox", "");
  }
  void define_box(const std::string& name, const std::string& more) {
    define(name,
           "image: expimg\n"
           "command: [sh, -c, 'echo from-$GREETING in $(pwd); cat /etc/greeting; "
           "ls /bin/wc 2>/dev/null || echo wc-gone']\n"
           "env: {GREETING: box}\n"
           "workdir: /root\n"
           "rootfs_writes: persistent\n" +
               more);
  }
  void cleanup() override {
    podman({"rmi", "--force", "localhost/expbox:latest"});
    boxctl({"uninstall", "expnew"});
    boxctl({"uninstall", "expimg"});
    // Files of other owners than the user: removed as podman's user
    // namespace maps them (the same ids box maps).
    for (const char* box : {"expbox", "expfuse"})
      run({"podman", "unshare", "rm", "-rf", home() + "/.local/share/box/containers/" + box});
    fs::remove_all(layout_);
    fs::remove(archive_);
  }

  static CommandResult podman(std::vector<std::string> args) {
    args.insert(args.begin(), "podman");
    return run(args, std::chrono::seconds(120));
  }
  // `podman run` with one of podman's own runtimes, runc: crun 1.8 refuses
  // a hybrid cgroup host (as the project's machines are) outright ("cgroups
  // in hybrid mode not supported").
  static CommandResult podman_run(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"--runtime", "runc", "run", "--rm", "--network", "none"};
    argv.insert(argv.end(), args.begin(), args.end());
    return podman(argv);
  }

  // What the box writes: a new file, a deletion of the image's (a whiteout
  // in the upper dir), a directory of the image replaced (opaque), a file
  // only root may read and one of another owner.
  void write_in_the_box(const std::string& box = "expbox") {
    auto wrote = boxctl({"run", box, "sh", "-c",
                         "echo written > /etc/greeting; rm /bin/wc; "
                         "rm -r /opt/old; mkdir /opt/old; echo new > /opt/old/new; "
                         "echo secret > /root/secret; busybox chmod 600 /root/secret; "
                         "echo theirs > /srv-owned; chown 42:43 /srv-owned; "
                         "busybox chmod 640 /srv-owned"});
    ASSERT_EQ(wrote.exit_code, 0) << wrote.output;
  }

  // What a look at those files shows, in the box and in the images.
  static constexpr const char* kLook =
      "cat /etc/greeting; ls /bin/wc 2>/dev/null || echo wc-gone; ls /opt/old; "
      "stat -c '%u %g %a' /root/secret /srv-owned";
  static constexpr const char* kSeen = "written\nwc-gone\nnew\n0 0 600\n42 43 640\n";

  std::string layout_, archive_;
};

TEST_F(Export, PodmanRunsTheExportedImageAsTheBoxRanIt) {
  write_in_the_box();
  auto exported = boxctl({"export", "expbox", "oci-archive:" + archive_});
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_TRUE(contains(exported.output, "Exported expbox to oci-archive:" + archive_))
      << exported.output;
  // The image's deleted files are said to be left out: /bin/wc, /opt/old/{a,b}.
  EXPECT_TRUE(contains(exported.output, "note: 3 files and directories of the image deleted in "
                                        "the box are not in it"))
      << exported.output;

  // skopeo reads it: the config carries what the box runs.
  auto inspect = run({"skopeo", "inspect", "--config", "oci-archive:" + archive_});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.output;
  for (const char* part : {"\"GREETING=box\"", "\"WorkingDir\": \"/root\"", "\"User\": \"0:0\"",
                           "\"created_by\": \"boxctl export expbox\""})
    EXPECT_TRUE(contains(inspect.output, part)) << part << " not in:\n" << inspect.output;
  auto tags = run({"skopeo", "inspect", "oci-archive:" + archive_ + ":expbox"});
  EXPECT_EQ(tags.exit_code, 0) << tags.output;

  // podman loads it under the tag (localhost/expbox) and runs the box's
  // command with its own runtime.
  auto loaded = podman({"load", "--input", archive_});
  ASSERT_EQ(loaded.exit_code, 0) << loaded.output;
  EXPECT_TRUE(contains(loaded.output, "localhost/expbox:latest")) << loaded.output;
  auto ran = podman_run({"localhost/expbox:latest"});
  EXPECT_EQ(ran.exit_code, 0) << ran.output;
  EXPECT_EQ(ran.output, "from-box in /root\nwritten\nwc-gone\n");
  // What the box saw through its overlay.
  auto in_box = boxctl({"run", "expbox", "sh", "-c", kLook});
  EXPECT_EQ(in_box.output, kSeen);
  auto files = podman_run({"localhost/expbox:latest", "sh", "-c", kLook});
  EXPECT_EQ(files.exit_code, 0) << files.output;
  EXPECT_EQ(files.output, kSeen);
}

// fuse-overlayfs marks an opaque directory its own way (a ".wh..wh..opq"
// file beside its xattr), and deletions too where it may not make a
// device: the export reads its upper dir as it shows it to the box.
TEST_F(Export, AnUpperDirOfFuseOverlayfsReadsAsItShowsIt) {
  define_box("expfuse", "overlay_driver: fuse\n");
  write_in_the_box("expfuse");
  auto in_box = boxctl({"run", "expfuse", "sh", "-c", kLook});
  ASSERT_EQ(in_box.output, kSeen);
  auto exported = boxctl({"export", "expfuse", "oci:" + layout_ + ":fuse"});
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  auto installed = boxctl({"install", "oci:" + layout_ + ":fuse", "expnew"});
  ASSERT_EQ(installed.exit_code, 0) << installed.output;
  auto out = boxctl({"run", "expnew", "sh", "-c", kLook});
  EXPECT_EQ(out.output, kSeen);
}

TEST_F(Export, CommitInstallsTheStateAsANewImage) {
  write_in_the_box();
  auto committed = boxctl({"commit", "expbox", "expnew"});
  ASSERT_EQ(committed.exit_code, 0) << committed.output;
  EXPECT_TRUE(contains(committed.output, "Installed expnew from commit:expbox")) << committed.output;

  // Its own command, and the state the box left.
  auto ran = boxctl({"run", "expnew"});
  EXPECT_EQ(ran.exit_code, 0) << ran.output;
  EXPECT_EQ(ran.output, "from-box in /root\nwritten\nwc-gone\n");
  auto files = boxctl({"run", "expnew", "sh", "-c", kLook});
  EXPECT_EQ(files.exit_code, 0) << files.output;
  EXPECT_EQ(files.output, kSeen);
  auto images = boxctl({"images"});
  EXPECT_TRUE(contains(images.output, "commit:expbox")) << images.output;

  // Into its own name: refused, nothing changed.
  auto self = boxctl({"commit", "expbox", "expbox"});
  EXPECT_EQ(self.exit_code, 2) << self.output;
  EXPECT_TRUE(contains(self.output, "the new image needs a name of its own")) << self.output;
  // A name taken: as install says it.
  auto taken = boxctl({"commit", "expbox", "expimg"});
  EXPECT_EQ(taken.exit_code, 1) << taken.output;
  EXPECT_TRUE(contains(taken.output, "'expimg' is already installed")) << taken.output;
}

TEST_F(Export, RefusalsWriteNothing) {
  auto unknown = boxctl({"export", "no-such-box", "oci-archive:" + archive_});
  EXPECT_EQ(unknown.exit_code, 4) << unknown.output;
  EXPECT_TRUE(contains(unknown.output, "boxctl: export 'no-such-box': ")) << unknown.output;

  auto docker = boxctl({"export", "expbox", "docker-archive:" + archive_});
  EXPECT_EQ(docker.exit_code, 2) << docker.output;
  EXPECT_TRUE(contains(docker.output, "box exports to oci-archive:FILE[:TAG] or oci:DIR[:TAG]"))
      << docker.output;

  // While its writes may change: refused (the lock box-run takes).
  PipedProcess running({prefix() + "/bin/boxctl", "run", "expbox", "sh", "-c",
                        "echo up; sleep 30"});
  ASSERT_TRUE(running.wait_for("up")) << running.output();
  auto busy = boxctl({"export", "expbox", "oci-archive:" + archive_});
  EXPECT_EQ(busy.exit_code, 1) << busy.output;
  EXPECT_TRUE(contains(busy.output, "its writes are read while it is stopped: box 'expbox' is "
                                    "already running"))
      << busy.output;
  EXPECT_FALSE(fs::exists(archive_));
  for (const auto& e : fs::directory_iterator(home()))
    EXPECT_FALSE(contains(e.path().filename().string(), "box-export")) << e.path();
}

}  // namespace
}  // namespace box::testing
