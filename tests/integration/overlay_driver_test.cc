// The overlay drivers of rootfs_writes overlay/persistent, as the
// unprivileged test user: fuse-overlayfs (forced, and as the fallback where
// the kernel really refuses), the kernel's overlayfs forced, and the
// lifetime of fuse-overlayfs (gone after stop, after the supervisor is
// killed; the container goes when it does). The harness makes /dev/fuse
// usable as Debian's udev rules do.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;
using std::chrono::seconds;

// Prints the filesystem type of the container's root, from inside (a script
// in the image: "root=overlay", "root=fuse.fuse-overlayfs").
const char kRootType[] = "roottype; ";
const char kRootTypeScript[] =
    "#!/bin/sh\n"
    "while read -r _ _ _ _ mp rest; do\n"
    "  [ \"$mp\" = / ] || continue\n"
    "  t=${rest#* - }; echo \"root=${t%% *}\"\n"
    "done < /proc/self/mountinfo\n";

// Every fuse-overlayfs of ours still running, wherever it is.
std::set<pid_t> our_fuse_overlayfs() {
  std::set<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string status = slurp(e.path().string() + "/status");
    if (status_field(status, "Name") != "fuse-overlayfs") continue;
    if (status_field(status, "Uid").rfind(std::to_string(getuid()) + "\t", 0) != 0) continue;
    if (!dead(std::stoi(name))) out.insert(std::stoi(name));
  }
  return out;
}

// A FUSE mount of fuse-overlayfs in our (the host's) mount namespace.
bool fuse_mount_on_host() { return contains(slurp("/proc/self/mountinfo"), "fuse.fuse-overlayfs"); }

class OverlayDriver : public BoxTest {
 protected:
  OverlayDriver() : BoxTest("overlay") {}
  void prepare() override {
    write_file(rootfs_ + "/etc/keep/kept", "from the image\n");
    write_file(rootfs_ + "/bin/roottype", kRootTypeScript);
    fs::permissions(rootfs_ + "/bin/roottype", fs::perms(0755));
    nest_ = home() + "/overlay-nest";
    fs::create_directories(nest_);
    ASSERT_TRUE(our_fuse_overlayfs().empty()) << "a fuse-overlayfs is left from before";
  }
  void TearDown() override {
    fs::remove(defs_ + "/fusep.yaml");
    BoxTest::TearDown();
    fs::remove_all(nest_);
    std::error_code ec;
    const std::string persist = home() + "/.local/share/box/containers/fusep";
    fs::permissions(persist + "/work/work", fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(persist, ec);
    EXPECT_TRUE(eventually([] { return our_fuse_overlayfs().empty(); }))
        << "fuse-overlayfs left running";
  }

  // Runs box-run `options` on a copy of the image that kernel overlayfs
  // will not stack on: inside a user and mount namespace of the test's own,
  // overlays are stacked on the image until the kernel refuses another
  // ("maximum fs stacking depth exceeded", EINVAL), and the topmost is the
  // container's rootfs. `env` goes before box-run (e.g. PATH=...); `prepare`
  // runs first in that namespace.
  CommandResult box_on_deepest_overlay(const std::vector<std::string>& options,
                                       const std::string& script, const std::string& env = "",
                                       const std::string& prepare = "") {
    std::string opts;
    for (const auto& o : options) opts += " " + o;
    const std::string stack =
        "set -e; " + prepare + "\nn=" + nest_ + "; mount -t tmpfs nest $n; cur=" + rootfs_ +
        "; i=0\n"
        "while [ $i -lt 4 ]; do mkdir $n/u$i $n/w$i $n/m$i\n"
        "  mount -t overlay o -o lowerdir=$cur,upperdir=$n/u$i,workdir=$n/w$i,userxattr $n/m$i "
        "2>/dev/null || break\n"
        "  cur=$n/m$i; i=$((i+1)); done\n"
        "echo stacked=$i\n"
        "exec env " +
        env + " " + box_run() + " run --writable" + opts + " $cur -- sh -c '" + script + "'\n";
    return run({"unshare", "--user", "--map-root-user", "--mount", "sh", "-c", stack}, seconds(60));
  }

  // The one fuse-overlayfs box-run `supervisor` runs, once it runs and
  // `ready()` holds (10 s at most); -1 if that never came.
  static pid_t fuse_server_of(
      pid_t supervisor, const std::function<bool()>& ready = [] { return true; }) {
    std::set<pid_t> servers;
    if (!eventually([&] {
          servers = children_named(supervisor, {"fuse-overlayfs"});
          return servers.size() == 1 && ready();
        }))
      return -1;
    return *servers.begin();
  }
  // ... of a box in the foreground whose command says "up" once it runs.
  static pid_t fuse_server_once_up(const Background& b) {
    return fuse_server_of(b.pid(), [&] { return contains(b.output(), "up\n"); });
  }

  std::string nest_;
};

TEST_F(OverlayDriver, FuseWritesStayInTheOverlayAndTheImageIsUntouched) {
  auto r = box({"--writable", "--overlay-driver", "fuse"},
               std::string(kRootType) +
                   "echo data > /written && cat /written && rm /bin/cat && "
                   "rm -r /etc/keep && mkdir /etc/keep && ls -A /etc/keep | wc -l && "
                   "ls /bin/cat || echo cat-gone");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "root=fuse.fuse-overlayfs\n")) << r.output;
  EXPECT_TRUE(contains(r.output, "data\n0\n")) << r.output;
  EXPECT_TRUE(contains(r.output, "cat-gone")) << r.output;
  EXPECT_FALSE(fs::exists(rootfs_ + "/written"));
  EXPECT_TRUE(fs::is_symlink(rootfs_ + "/bin/cat"));
  EXPECT_EQ(slurp(rootfs_ + "/etc/keep/kept"), "from the image\n");
  EXPECT_FALSE(fuse_mount_on_host());
}

TEST_F(OverlayDriver, FuseKeepsTheContainersIds) {
  // Subordinate ids: a file chowned inside keeps its owner inside.
  auto r = box({"--writable", "--overlay-driver", "fuse", "--userns", "auto"},
               "touch /owned && chown 1000:1000 /owned && stat -c %u:%g /owned");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "1000:1000\n")) << r.output;
  // keep-id: we are not root inside, fuse-overlayfs still serves us.
  auto keep = box({"--writable", "--overlay-driver", "fuse", "--userns", "keep-id"},
                  "id -u; echo mine > /mine && stat -c %u /mine");
  ASSERT_EQ(keep.exit_code, 0) << keep.output;
  const std::string uid = std::to_string(getuid());
  EXPECT_TRUE(contains(keep.output, uid + "\n" + uid + "\n")) << keep.output;
}

TEST_F(OverlayDriver, KernelDriverForcedStillWorks) {
  auto r = box({"--writable", "--overlay-driver", "kernel"},
               std::string(kRootType) + "echo data > /written && cat /written");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "root=overlay\n")) << r.output;
  EXPECT_TRUE(contains(r.output, "data\n")) << r.output;
  EXPECT_FALSE(fs::exists(rootfs_ + "/written"));
  // auto, where the kernel accepts, is the kernel's.
  auto aut = box({"--writable"}, kRootType);
  EXPECT_TRUE(contains(aut.output, "root=overlay\n")) << aut.output;
}

TEST_F(OverlayDriver, AutoFallsBackToFuseWhereTheKernelRefuses) {
  auto kernel = box_on_deepest_overlay({"--overlay-driver", "kernel"}, "true");
  EXPECT_EQ(kernel.exit_code, 125) << kernel.output;
  EXPECT_TRUE(contains(kernel.output,
                       "mount overlay on the rootfs (overlay_driver: kernel; 'auto' "
                       "falls back to fuse-overlayfs where the kernel refuses): "
                       "Invalid argument"))
      << kernel.output;
  auto aut = box_on_deepest_overlay({}, std::string(kRootType) + "echo x > /x && cat /x");
  ASSERT_EQ(aut.exit_code, 0) << aut.output;
  EXPECT_TRUE(contains(aut.output, "stacked=")) << aut.output;
  EXPECT_TRUE(contains(aut.output, "root=fuse.fuse-overlayfs\n")) << aut.output;
  EXPECT_TRUE(contains(aut.output, "x\n")) << aut.output;
  // Neither: the message names both failures.
  auto neither = box_on_deepest_overlay({}, "true", "PATH=/nonexistent");
  EXPECT_EQ(neither.exit_code, 125) << neither.output;
  EXPECT_TRUE(contains(neither.output,
                       "mount the rootfs overlay: the kernel refused it (Invalid argument), and "
                       "the fuse-overlayfs fallback failed: fuse-overlayfs is not installed"))
      << neither.output;
  // /dev/fuse that cannot be opened (here: on a nodev mount, in the test's
  // own mount namespace).
  auto no_dev = box_on_deepest_overlay(
      {}, "true", "", "mount --bind /dev/fuse /dev/fuse; mount -o remount,bind,nodev /dev/fuse");
  EXPECT_EQ(no_dev.exit_code, 125) << no_dev.output;
  EXPECT_TRUE(contains(no_dev.output,
                       "mount the rootfs overlay: the kernel refused it (Invalid argument), and "
                       "the fuse-overlayfs fallback failed: open /dev/fuse: Permission denied"))
      << no_dev.output;
}

TEST_F(OverlayDriver, FuseForcedWithoutTheProgramIsAClearError) {
  auto r = run({"env", "PATH=/nonexistent", box_run(), "run", "--writable", "--overlay-driver",
                "fuse", rootfs_, "--", "true"});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_TRUE(contains(r.output,
                       "overlay_driver: fuse: fuse-overlayfs is not installed (no "
                       "fuse-overlayfs in PATH /nonexistent): install Debian's "
                       "fuse-overlayfs package"))
      << r.output;
  auto usage = run({box_run(), "run", "--overlay-driver", "fuse", rootfs_, "--", "true"});
  EXPECT_EQ(usage.exit_code, 2) << usage.output;
}

TEST_F(OverlayDriver, FusePersistentUpperKeepsWritesAcrossRestarts) {
  const std::string upper = home() + "/.local/share/box/containers/fusep";
  auto define_fusep = [&](const std::string& driver) {
    write_file(defs_ + "/fusep.yaml",
               "rootfs: ~/rootfs-overlay\nrootfs_writes: persistent\noverlay_driver: " + driver +
                   "\ncommand: [sh, -c, '" + kRootType +
                   "cat /counter 2>/dev/null; echo run >> /counter; ls /etc/keep; "
                   "rm -rf /etc/keep; mkdir -p /etc/keep']\n");
  };
  define_fusep("fuse");
  auto first = run({box_run(), "start", "fusep"});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_TRUE(contains(first.output, "root=fuse.fuse-overlayfs\n")) << first.output;
  EXPECT_TRUE(contains(first.output, "kept\n")) << first.output;
  auto second = run({box_run(), "start", "fusep"});
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_TRUE(contains(second.output, "run\n")) << second.output;
  EXPECT_FALSE(contains(second.output, "kept\n"))
      << "a deleted image dir came back: " << second.output;
  EXPECT_FALSE(fs::exists(rootfs_ + "/counter"));
  EXPECT_EQ(slurp(rootfs_ + "/etc/keep/kept"), "from the image\n");
  EXPECT_EQ(slurp(upper + "/upper/counter"), "run\nrun\n");
  EXPECT_EQ(slurp(upper + "/overlay-driver"), "fuse\n");

  // The kernel would not read fuse-overlayfs's markers: auto stays with
  // fuse for this upper dir, a forced kernel is refused before anything runs.
  define_fusep("auto");
  auto again = run({box_run(), "start", "fusep"});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_TRUE(contains(again.output, "root=fuse.fuse-overlayfs\n")) << again.output;
  EXPECT_TRUE(contains(again.output, "run\nrun\n")) << again.output;
  define_fusep("kernel");
  auto kernel = run({box_run(), "start", "fusep"});
  EXPECT_EQ(kernel.exit_code, 125) << kernel.output;
  EXPECT_TRUE(contains(kernel.output,
                       "overlay_driver: kernel, but fuse-overlayfs has written the "
                       "persistent upper dir in '" +
                           upper + "'"))
      << kernel.output;
  EXPECT_EQ(slurp(upper + "/upper/counter"), "run\nrun\nrun\n");
}

TEST_F(OverlayDriver, NoFuseOverlayfsOrMountLeftAfterStopOrSupervisorKill) {
  define("fusesrv",
         "rootfs: ~/rootfs-overlay\noverlay_driver: fuse\n"
         "command: [sh, -c, 'trap \"exit 0\" TERM; echo up > /up; "
         "while :; do sleep 1 & wait $!; done']\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  auto start_and_find_server = [&]() -> pid_t {
    auto start = systemctl({"start", "box@fusesrv.service"});
    EXPECT_EQ(start.exit_code, 0) << start.output;
    const pid_t main_pid =
        static_cast<pid_t>(std::stol("0" + show("box@fusesrv.service", "MainPID")));
    const pid_t found = fuse_server_of(main_pid);
    EXPECT_GT(found, 0) << "box-run " << main_pid << " should run one fuse-overlayfs";
    return found;
  };

  // 1. A clean stop: box-run stops and reaps fuse-overlayfs.
  pid_t server = start_and_find_server();
  ASSERT_GT(server, 0);
  ASSERT_EQ(systemctl({"stop", "box@fusesrv.service"}).exit_code, 0);
  EXPECT_EQ(show("box@fusesrv.service", "Result"), "success");
  EXPECT_TRUE(eventually([&] { return dead(server); })) << "fuse-overlayfs " << server;
  EXPECT_FALSE(fuse_mount_on_host());

  // 2. box-run killed outright: the parent-death signal (and systemd's
  // cgroup kill) take fuse-overlayfs too.
  server = start_and_find_server();
  ASSERT_GT(server, 0);
  ASSERT_EQ(kill(static_cast<pid_t>(std::stol(show("box@fusesrv.service", "MainPID"))), SIGKILL),
            0);
  EXPECT_TRUE(eventually([&] { return dead(server); })) << "fuse-overlayfs " << server;
  systemctl({"stop", "box@fusesrv.service"});

  // 3. The same without systemd (box-run run from a shell, no cgroup of its
  // own): only the parent-death signals are left to do it.
  Background b(box_argv({"--writable", "--overlay-driver", "fuse"}, sh("echo up; exec sleep 60")),
               home() + "/overlay-kill.log");
  ASSERT_GT(fuse_server_once_up(b), 0) << b.output();
  std::set<pid_t> all = children_named(b.pid(), {"fuse-overlayfs", "sleep"});
  ASSERT_EQ(all.size(), 2u) << b.output();
  kill(b.pid(), SIGKILL);
  for (pid_t p : all) EXPECT_TRUE(eventually([&] { return dead(p); })) << p << " outlived box-run";
  EXPECT_FALSE(fuse_mount_on_host());

  // 4. fuse-overlayfs also ends by itself when the container's mount
  // namespace goes. With the host's pid namespace a process of the container
  // can outlive PID 1 and keep that namespace: the parent-death signal alone
  // must end fuse-overlayfs then.
  fs::create_directories(nest_ + "/s");
  Background shared(box_argv({"--writable", "--overlay-driver", "fuse", "--share", "pid", "--bind",
                              nest_ + "/s:/s"},
                             sh("sleep 60 & echo $! > /s/bg; echo up; exec sleep 60")),
                    home() + "/overlay-kill-shared.log");
  const pid_t shared_server = fuse_server_once_up(shared);
  ASSERT_GT(shared_server, 0) << shared.output();
  const pid_t orphan = static_cast<pid_t>(std::stol("0" + slurp(nest_ + "/s/bg")));
  ASSERT_GT(orphan, 0) << shared.output();
  kill(shared.pid(), SIGKILL);
  EXPECT_TRUE(eventually([&] { return dead(shared_server); }))
      << "fuse-overlayfs outlived box-run while a container process held the mount";
  kill(orphan, SIGKILL);
  EXPECT_TRUE(eventually([&] { return dead(orphan); }));
}

TEST_F(OverlayDriver, ContainerEndsWhenFuseOverlayfsDies) {
  Background b(box_argv({"--writable", "--overlay-driver", "fuse"}, sh("echo up; exec sleep 60")),
               home() + "/overlay-lost.log");
  const pid_t server = fuse_server_once_up(b);
  ASSERT_GT(server, 0) << b.output();
  ASSERT_EQ(kill(server, SIGKILL), 0);
  EXPECT_EQ(b.wait(), 128 + SIGKILL) << b.output();
  EXPECT_TRUE(contains(b.output(),
                       "fuse-overlayfs was killed by signal Killed: the container's "
                       "root filesystem is gone: stopping the container"))
      << b.output();
}

}  // namespace
}  // namespace box::testing
