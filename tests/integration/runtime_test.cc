// The namespace runtime, capability by capability, as the unprivileged test
// user: each test runs a real container (box-run run, or box-run start of a
// definition) and checks the effect from inside and, where there is one,
// from outside.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;

// The test user's first subordinate id in FILE (the harness gives it a range).
unsigned subid_start(const char* file) {
  const std::string user = getpwuid(getuid())->pw_name;
  std::istringstream in(slurp(file));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(user + ":", 0) == 0)
      return static_cast<unsigned>(std::stoul(line.substr(user.size() + 1)));
  }
  ADD_FAILURE() << "no " << file << " entry for " << user << ": the harness must create one";
  return 0;
}

class Runtime : public BoxTest {
 protected:
  void prepare() override {
    scratch_ = home() + "/runtime-scratch";
    fs::remove_all(scratch_);
    fs::create_directories(scratch_);
  }
  void cleanup() override {
    // Files created by subordinate ids cannot be removed by us directly.
    run({box_run(), "run", "--userns", "auto", "--writable", "--bind", scratch_ + ":/s", rootfs_,
         "--", "rm", "-rf", "/s/owned"});
    fs::remove_all(scratch_);
    fs::remove_all(home() + "/.config/box/containers/persist.yaml");
    // overlayfs leaves its work/work dir with no permissions at all.
    const std::string persist = home() + "/.local/share/box/containers/persist";
    std::error_code ec;
    fs::permissions(persist + "/work/work", fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(persist, ec);
  }

  std::string scratch_;
};

TEST_F(Runtime, AutoUsernsMapsTheSubordinateRange) {
  auto r = box({"--userns", "auto", "--writable", "--bind", scratch_ + ":/s"},
               "mkdir /s/owned && touch /s/owned/f && chown 1000:1000 /s/owned/f && "
               "cat /proc/self/uid_map");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Root inside is us; uid 1000 inside is the 1000th subordinate id.
  EXPECT_TRUE(contains(r.output, "         0       " + std::to_string(getuid()) + "          1"))
      << r.output;
  struct stat st {};
  ASSERT_EQ(stat((scratch_ + "/owned/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, subid_start("/etc/subuid") + 999);
  EXPECT_EQ(st.st_gid, subid_start("/etc/subgid") + 999);
}

TEST_F(Runtime, RootCanBecomeAnotherUserWithAuto) {
  // What apt-get and daemons do to drop privileges: root inside switches to
  // another id, which exists only with the subordinate range mapped.
  write_file(rootfs_ + "/etc/passwd", "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/:/bin/sh\n");
  write_file(rootfs_ + "/etc/group", "root:x:0:\napp:x:1000:\n");
  auto r = box({"--userns", "auto"}, "su -s /bin/sh app -c 'id -u; id -g'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "1000\n1000\n")) << r.output;
  auto single = box({"--userns", "single"}, "su -s /bin/sh app -c 'id -u'");
  EXPECT_NE(single.exit_code, 0) << single.output;
}

TEST_F(Runtime, KeepIdKeepsOurUid) {
  auto r = box({"--userns", "keep-id"}, "id -u; id -g");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, std::to_string(getuid()) + "\n" + std::to_string(getgid()) + "\n"))
      << r.output;
}

// The test user's ranges in FILE, in order (the harness gives it two).
std::vector<std::pair<unsigned, unsigned>> subid_ranges(const char* file) {
  const std::string user = getpwuid(getuid())->pw_name;
  std::vector<std::pair<unsigned, unsigned>> out;
  std::istringstream in(slurp(file));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(user + ":", 0) != 0) continue;
    const std::string rest = line.substr(user.size() + 1);
    out.emplace_back(std::stoul(rest), std::stoul(rest.substr(rest.find(':') + 1)));
  }
  return out;
}

// Every range of the user is mapped, not only the first: an id past the
// first range is owned, outside, by the second range's ids.
TEST_F(Runtime, EveryRangeOfTheUserIsMapped) {
  const auto uids = subid_ranges("/etc/subuid"), gids = subid_ranges("/etc/subgid");
  ASSERT_GE(uids.size(), 2u) << "the harness gives the test user two ranges";
  ASSERT_GE(gids.size(), 2u) << "the harness gives the test user two ranges";
  const unsigned far = uids[0].second + 100;  // inside: the 100th id of the second range
  const unsigned far_gid = gids[0].second + 7;
  auto r = box({"--userns", "auto", "--writable", "--bind", scratch_ + ":/s"},
               "mkdir /s/owned && touch /s/owned/far && chown " + std::to_string(far) + ":" +
                   std::to_string(far_gid) + " /s/owned/far && grep -c . /proc/self/uid_map");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "3\n");  // the user, then each range
  struct stat st {};
  ASSERT_EQ(stat((scratch_ + "/owned/far").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, uids[1].first + 99);
  EXPECT_EQ(st.st_gid, gids[1].first + 6);
  // A user past the first range, as the definition's `user`.
  auto as = box({"--userns", "auto", "--user", std::to_string(far) + ":" + std::to_string(far_gid)},
                "id -u; id -g");
  EXPECT_EQ(as.exit_code, 0) << as.output;
  EXPECT_EQ(as.output, std::to_string(far) + "\n" + std::to_string(far_gid) + "\n");
  // keep-id too: our own id inside, both ranges around it.
  auto keep = box({"--userns", "keep-id"}, "grep -c . /proc/self/uid_map");
  EXPECT_EQ(keep.exit_code, 0) << keep.output;
  EXPECT_EQ(keep.output, "4\n") << keep.output;
}

// keep-id: you inside, with your home and your name (as toolbox and
// podman give them), and the image's files unchanged.
TEST_F(Runtime, KeepIdGivesTheUsersHomeAndName) {
  const std::string passwd = "root:x:0:0:root:/root:/bin/sh\n";
  const std::string group = "root:x:0:\n";
  write_file(rootfs_ + "/etc/passwd", passwd);
  write_file(rootfs_ + "/etc/group", group);
  const std::string user = getpwuid(getuid())->pw_name;
  const std::string group_name = getgrgid(getgid())->gr_name;
  const std::string id = std::to_string(getuid()), gid = std::to_string(getgid());
  auto r = box({"--userns", "keep-id"},
               "echo HOME=$HOME; id -un; id -gn; cat /etc/passwd /etc/group");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "HOME=" + home() + "\n" + user + "\n" + group_name + "\n" + passwd + user +
                          ":*:" + id + ":" + gid + "::" + home() + ":/bin/sh\n" + group +
                          group_name + ":x:" + gid + ":" + user + "\n");
  // Bound over, not written: the rootfs has what it had.
  EXPECT_EQ(slurp(rootfs_ + "/etc/passwd"), passwd);
  EXPECT_EQ(slurp(rootfs_ + "/etc/group"), group);
  // An image that has our id already keeps its own entry.
  write_file(rootfs_ + "/etc/passwd", passwd + "dev:x:" + id + ":" + gid + "::/home/dev:/bin/sh\n");
  auto own = box({"--userns", "keep-id"}, "id -un; grep -c . /etc/passwd");
  EXPECT_EQ(own.exit_code, 0) << own.output;
  EXPECT_EQ(own.output, "dev\n2\n");
  // The other modes: unchanged.
  auto auto_mode = box({"--userns", "auto"}, "echo HOME=$HOME; grep -c . /etc/passwd");
  EXPECT_EQ(auto_mode.output, "HOME=/root\n2\n") << auto_mode.output;
}

TEST_F(Runtime, OverlayWritesVanishAndLeaveTheImageUntouched) {
  auto r = box({"--writable"}, "echo data > /written && cat /written && rm /bin/cat; ls /bin/cat");
  EXPECT_TRUE(contains(r.output, "data\n")) << r.output;
  EXPECT_TRUE(contains(r.output, "No such file")) << r.output;
  EXPECT_FALSE(fs::exists(rootfs_ + "/written"));
  EXPECT_TRUE(fs::is_symlink(rootfs_ + "/bin/cat"));
}

TEST_F(Runtime, PersistentWritesSurviveARestart) {
  write_file(home() + "/.config/box/containers/persist.yaml",
             "rootfs: ~/rootfs-runtime\nrootfs_writes: persistent\n"
             "command: [sh, -c, 'cat /counter 2>/dev/null; echo run >> /counter']\n");
  auto first = run({box_run(), "start", "persist"});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  auto second = run({box_run(), "start", "persist"});
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_TRUE(contains(second.output, "run\n")) << second.output;
  EXPECT_FALSE(fs::exists(rootfs_ + "/counter"));
  EXPECT_TRUE(fs::exists(home() + "/.local/share/box/containers/persist/upper/counter"));
}

// A first start that fails in setup (here: the command is missing, after the
// overlay was mounted and a mount point written into the upper dir) leaves
// no upper or work dir behind; an upper dir that held writes before is kept.
TEST_F(Runtime, FailedPersistentStartRemovesOnlyWhatItCreated) {
  const std::string data = home() + "/.local/share/box/containers/persist";
  ASSERT_FALSE(fs::exists(data));  // TearDown removes it
  write_file(home() + "/.config/box/containers/persist.yaml",
             "rootfs: ~/rootfs-runtime\nrootfs_writes: persistent\n"
             "mounts:\n  - {type: dir, target: /var/lib/app}\n"
             "command: [/no/such/program]\n");
  auto first = run({box_run(), "start", "persist"});
  EXPECT_NE(first.exit_code, 0) << first.output;
  EXPECT_TRUE(contains(first.output, "/no/such/program")) << first.output;
  EXPECT_FALSE(fs::exists(data)) << first.output;

  write_file(data + "/upper/kept", "user data\n");
  auto again = run({box_run(), "start", "persist"});
  EXPECT_NE(again.exit_code, 0) << again.output;
  EXPECT_EQ(slurp(data + "/upper/kept"), "user data\n");
  EXPECT_FALSE(fs::exists(data + "/work")) << again.output;

  // The same definition with a command that runs keeps its writes.
  write_file(home() + "/.config/box/containers/persist.yaml",
             "rootfs: ~/rootfs-runtime\nrootfs_writes: persistent\n"
             "command: [sh, -c, 'cat /kept']\n");
  auto good = run({box_run(), "start", "persist"});
  EXPECT_EQ(good.exit_code, 0) << good.output;
  EXPECT_TRUE(contains(good.output, "user data\n")) << good.output;
  EXPECT_TRUE(fs::exists(data + "/work"));
}

TEST_F(Runtime, ReadonlyAndDirectWrites) {
  auto ro = box({}, "touch /x");
  EXPECT_NE(ro.exit_code, 0);
  EXPECT_TRUE(contains(ro.output, "Read-only file system")) << ro.output;
  write_file(home() + "/.config/box/containers/persist.yaml",
             "rootfs: ~/rootfs-runtime\nrootfs_writes: direct\ncommand: [touch, /direct-write]\n");
  auto direct = run({box_run(), "start", "persist"});
  ASSERT_EQ(direct.exit_code, 0) << direct.output;
  EXPECT_TRUE(fs::exists(rootfs_ + "/direct-write"));
}

TEST_F(Runtime, BindTmpfsDirSymlinkAndFileMounts) {
  write_file(scratch_ + "/in.txt", "from host\n");
  fs::create_directories(scratch_ + "/rw");
  write_file(
      home() + "/.config/box/containers/persist.yaml",
      "rootfs: ~/rootfs-runtime\n"
      "mounts:\n"
      "  - {type: bind, source: ~/runtime-scratch/in.txt, target: /etc/in.txt, readonly: true}\n"
      "  - {type: bind, source: ~/runtime-scratch/rw, target: /data}\n"
      "  - {type: tmpfs, target: /cache, size: 1M, mode: '0700'}\n"
      "  - {type: dir, target: /var/lib/app}\n"
      "  - {type: symlink, target: /etc/link, link: /etc/in.txt}\n"
      "  - {type: file, target: /etc/motd, content: \"welcome\\n\"}\n"
      "  - {type: bind, source: ~/no-such-dir, target: /opt, optional: true}\n"
      "command: [sh, -c, 'cat /etc/link; echo new > /data/out; cat /etc/motd; "
      "stat -c %%a /cache; df -k /cache | grep -c 1024; ls -d /var/lib/app; "
      "echo x > /etc/in.txt || echo ro-ok; echo x > /etc/motd || echo file-ro-ok']\n");
  auto r = run({box_run(), "start", "persist"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "from host\n")) << r.output;
  EXPECT_TRUE(contains(r.output, "welcome\n")) << r.output;
  EXPECT_TRUE(contains(r.output, "700\n1\n/var/lib/app\n")) << r.output;
  EXPECT_TRUE(contains(r.output, "ro-ok")) << r.output;
  EXPECT_TRUE(contains(r.output, "file-ro-ok")) << r.output;
  EXPECT_EQ(slurp(scratch_ + "/rw/out"), "new\n");
  EXPECT_EQ(slurp(scratch_ + "/in.txt"), "from host\n");
  // The read-only rootfs itself was not written to make mount points.
  EXPECT_FALSE(fs::exists(rootfs_ + "/cache"));
}

// A read-only bind is read-only with every mount below its source too
// (mount_setattr with AT_RECURSIVE): the host's /dev/shm, a tmpfs anyone
// may write, cannot be written under a read-only bind of /dev.
TEST_F(Runtime, ReadOnlyBindCoversTheMountsBelowItsSource) {
  ASSERT_TRUE(contains(slurp("/proc/self/mountinfo"), " /dev/shm "))
      << "this test needs the host's /dev/shm to be a mount of its own";
  const std::string name = "box-ro-bind-test-" + std::to_string(getpid());
  auto r = box({"--writable", "--ro-bind", "/dev:/hostdev"},
               "touch /hostdev/shm/" + name + " && echo wrote || echo refused");
  std::error_code ec;
  const bool written = fs::exists("/dev/shm/" + name, ec);
  fs::remove("/dev/shm/" + name, ec);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "refused\n")) << r.output;
  EXPECT_FALSE(written);
}

TEST_F(Runtime, MountTargetsCannotEscapeThroughSymlinks) {
  // An image symlink pointing at a host path must resolve inside the root.
  fs::create_symlink(scratch_, rootfs_ + "/escape");
  auto r = box({"--writable", "--tmpfs", "/escape/inside"}, "ls -d /escape/inside");
  // Inside the root the link dangles, so the mount fails; what matters is
  // that nothing was created at the host path it names.
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_TRUE(contains(r.output, "create mount point '/escape/inside': No such file or directory"))
      << r.output;
  EXPECT_FALSE(fs::exists(scratch_ + "/inside")) << "a mount point was created on the host";
}

// Masked /proc files read as /dev/null inside, each on its own line; a
// write to /proc/sys, /proc/sysrq-trigger or /sys fails with EROFS, which
// only the read-only mount gives (without it root inside, who owns none of
// these, gets EACCES). Paths this kernel lacks are left out; at least two
// masks and two read-only mounts are checked.
TEST_F(Runtime, ProcIsMaskedAndSysIsReadOnly) {
  std::string script;
  int masks = 0, readonly = 0;
  for (const char* f : {"/proc/kcore", "/proc/keys", "/proc/timer_list"}) {
    if (!fs::exists(f)) continue;
    ++masks;
    script += std::string("echo \"") + f + ": $(stat -c %t:%T " + f + ") $(wc -c < " + f + ")\"; ";
  }
  const std::vector<std::pair<std::string, std::string>> writes = {
      {"/proc/sysrq-trigger", "echo b > /proc/sysrq-trigger"},
      {"/proc/sys/kernel/printk", "echo 1 > /proc/sys/kernel/printk"},
      {"/sys/kernel", "touch /sys/kernel/x"}};
  for (const auto& [path, command] : writes)
    if (fs::exists(path)) ++readonly, script += command + "; ";
  ASSERT_GE(masks, 2);
  ASSERT_GE(readonly, 2);
  auto r = box({}, script + "echo done");
  ASSERT_TRUE(contains(r.output, "done\n")) << r.output;
  for (const char* f : {"/proc/kcore", "/proc/keys", "/proc/timer_list"}) {
    if (fs::exists(f)) {
      EXPECT_EQ(status_field(r.output, f), "1:3 0") << f << "\n" << r.output;
    }
  }
  if (fs::exists("/proc/sysrq-trigger")) {
    EXPECT_TRUE(contains(r.output, "can't create /proc/sysrq-trigger: Read-only file system\n"))
        << r.output;
  }
  EXPECT_TRUE(contains(r.output, "can't create /proc/sys/kernel/printk: Read-only file system\n"))
      << r.output;
  EXPECT_TRUE(contains(r.output, "touch: /sys/kernel/x: Read-only file system\n")) << r.output;
}

// Each path the runtime masks, read from inside and compared with the same
// path outside (as this user): a file is /dev/null inside (a character
// device that reads empty) and a procfs file outside; a directory is an
// empty tmpfs inside and procfs outside. A path this kernel lacks is absent
// on both sides (no mask is made up for it). The host's /proc, bound with
// --share pid, is masked the same way.
TEST_F(Runtime, ProcMasksHideFromInsideOnly) {
  const std::vector<std::string> files = {"/proc/kcore",         "/proc/keys",
                                          "/proc/latency_stats", "/proc/timer_list",
                                          "/proc/timer_stats",   "/proc/sched_debug"};
  const std::vector<std::string> dirs = {"/proc/acpi", "/proc/scsi"};
  std::string script;
  for (const auto& f : files)
    script += "if [ -e " + f + " ]; then echo \"" + f + " $(stat -c %F " + f + ") $(wc -c < " + f +
              ")\"; else echo " + f + " absent; fi; ";
  for (const auto& d : dirs)
    script += "if [ -e " + d + " ]; then echo \"" + d + " $(stat -f -c %T " + d + ") $(ls -A " + d +
              " | wc -l)\"; else echo " + d + " absent; fi; ";
  int masked_here = 0;
  for (const auto& options :
       {std::vector<std::string>{}, std::vector<std::string>{"--share", "pid"}}) {
    auto r = box(options, script);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    for (const auto& f : files) {
      struct stat st {};
      if (lstat(f.c_str(), &st) != 0) {
        EXPECT_TRUE(contains(r.output, f + " absent\n")) << r.output;
        continue;
      }
      ++masked_here;
      EXPECT_TRUE(S_ISREG(st.st_mode)) << f << " is masked outside";
      EXPECT_TRUE(contains(r.output, f + " character special file 0\n")) << r.output;
    }
    for (const auto& d : dirs) {
      struct statfs sfs {};
      if (statfs(d.c_str(), &sfs) != 0) {
        EXPECT_TRUE(contains(r.output, d + " absent\n")) << r.output;
        continue;
      }
      ++masked_here;
      EXPECT_EQ(sfs.f_type, static_cast<decltype(sfs.f_type)>(PROC_SUPER_MAGIC))
          << d << " is masked outside";
      EXPECT_TRUE(contains(r.output, d + " tmpfs 0\n")) << r.output;
    }
  }
  // This kernel has at least /proc/keys, /proc/timer_list and /proc/acpi:
  // the test must have checked some masks, not only absences.
  EXPECT_GE(masked_here, 2 * 3);
}

TEST_F(Runtime, CapabilitiesAddDropAndAll) {
  auto eff = [&](std::vector<std::string> opts) {
    auto r = box(opts, "grep CapEff /proc/self/status");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return r.output;
  };
  // CAP_NET_ADMIN is bit 12 (0x1000).
  EXPECT_TRUE(contains(eff({"--cap-add", "CAP_NET_ADMIN"}), "00000000800415fb")) << eff({});
  // Root inside gives a file it owns (on a tmpfs) to uid 1000 (mapped by
  // auto): allowed with the default set, refused without CAP_CHOWN (bit 0),
  // which is the only bit gone.
  const std::string give_away =
      "touch /tmp/f && chown 1000 /tmp/f && echo chown-ok; grep CapEff /proc/self/status";
  auto with_chown = box({"--userns", "auto", "--tmpfs", "/tmp"}, give_away);
  EXPECT_TRUE(contains(with_chown.output, "chown-ok\n")) << with_chown.output;
  EXPECT_EQ(status_field(with_chown.output, "CapEff"), "00000000800405fb") << with_chown.output;
  auto no_chown = box({"--userns", "auto", "--tmpfs", "/tmp", "--cap-drop", "CHOWN"}, give_away);
  EXPECT_TRUE(contains(no_chown.output, "chown: /tmp/f: Operation not permitted\n"))
      << no_chown.output;
  EXPECT_FALSE(contains(no_chown.output, "chown-ok")) << no_chown.output;
  EXPECT_EQ(status_field(no_chown.output, "CapEff"), "00000000800405fa") << no_chown.output;
  EXPECT_TRUE(contains(eff({"--cap-add", "ALL"}), "000001ffffffffff")) << eff({"--cap-add", "ALL"});
  // Another user inside keeps added capabilities through the ambient set.
  auto user = box({"--user", "0:0", "--cap-drop", "ALL", "--cap-add", "NET_BIND_SERVICE"},
                  "grep -E 'CapEff|CapBnd' /proc/self/status");
  EXPECT_TRUE(contains(user.output, "CapEff:\t0000000000000400")) << user.output;
  EXPECT_TRUE(contains(user.output, "CapBnd:\t0000000000000400")) << user.output;
}

TEST_F(Runtime, SeccompDeniesNestedUserNamespacesUnlessUnconfined) {
  auto confined = box({}, "grep Seccomp: /proc/self/status; unshare -U true; echo rc=$?");
  EXPECT_TRUE(contains(confined.output, "Seccomp:\t2")) << confined.output;
  EXPECT_TRUE(contains(confined.output, "Operation not permitted")) << confined.output;
  auto open = box({"--seccomp", "unconfined"},
                  "grep Seccomp: /proc/self/status; unshare -U true; echo rc=$?");
  EXPECT_TRUE(contains(open.output, "Seccomp:\t0")) << open.output;
  EXPECT_TRUE(contains(open.output, "rc=0")) << open.output;
}

// The names in /sys/class/net, sorted and joined by spaces.
std::string host_interfaces() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator("/sys/class/net"))
    names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : " ") + n;
  return out;
}

TEST_F(Runtime, NetworkNoneHasOnlyLoopbackUp) {
  auto r = box({"--network", "none"},
               "echo interfaces: $(ls /sys/class/net); echo links: $(ip -o link | wc -l); "
               "echo lo-flags: $(cat /sys/class/net/lo/flags); "
               "echo lo-operstate: $(cat /sys/class/net/lo/operstate)");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(status_field(r.output, "interfaces"), "lo") << r.output;
  EXPECT_EQ(status_field(r.output, "links"), "1") << r.output;
  // Up (IFF_UP); a loopback's operstate is "unknown" when up, "down" when not.
  EXPECT_EQ(std::stoul(status_field(r.output, "lo-flags"), nullptr, 16) & 0x1, 0x1u) << r.output;
  EXPECT_EQ(status_field(r.output, "lo-operstate"), "unknown") << r.output;
  // A server on the container's loopback is reachable from inside (the
  // client retries until the server listens, for 5 s at most).
  auto loop = box({"--network", "none"},
                  "(echo pong | nc -l -p 7777 127.0.0.1 &); i=0; "
                  "until nc 127.0.0.1 7777 </dev/null 2>/dev/null || [ $i -ge 100 ]; do "
                  "sleep 0.05; i=$((i+1)); done");
  EXPECT_TRUE(contains(loop.output, "pong\n")) << loop.output;
  // Without --network: the host's interfaces, every one of them.
  auto host = box({}, "echo interfaces: $(ls /sys/class/net)");
  EXPECT_EQ(status_field(host.output, "interfaces"), host_interfaces()) << host.output;
  EXPECT_NE(host_interfaces(), "lo") << "the test machine has no interface but lo";
}

TEST_F(Runtime, SharedPidNamespaceSeesTheHost) {
  // A host process may end between the glob and ls: its error is not a count.
  auto own = box({}, "ls -d /proc/[0-9]* 2>/dev/null | wc -l");
  auto shared = box({"--share", "pid"}, "ls -d /proc/[0-9]* 2>/dev/null | wc -l");
  ASSERT_EQ(own.exit_code, 0) << own.output;
  ASSERT_EQ(shared.exit_code, 0) << shared.output;
  EXPECT_LE(std::stoi(own.output), 3) << own.output;
  EXPECT_GT(std::stoi(shared.output), 10) << shared.output;
}

// Each namespace kind, private by default and shared on request, as the
// kernel sees it: the inside's /proc/self/ns link against ours.
TEST_F(Runtime, EachNamespaceIsPrivateUnlessShared) {
  const std::vector<std::string> kinds = {"user", "mnt", "pid", "ipc", "uts", "cgroup", "net"};
  auto inside = [&](std::vector<std::string> opts) {
    std::string script;
    for (const auto& k : kinds) script += "readlink /proc/self/ns/" + k + "; ";
    auto r = box(opts, script);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    std::map<std::string, std::string> out;
    std::istringstream in(r.output);
    std::string line;
    for (const auto& k : kinds) {
      std::getline(in, line);
      out[k] = line;
    }
    return out;
  };
  auto ours = [](const std::string& kind) {
    return fs::read_symlink("/proc/self/ns/" + kind).string();
  };
  auto defaults = inside({});
  for (const char* k : {"user", "mnt", "pid", "ipc", "uts", "cgroup"})
    EXPECT_NE(defaults[k], ours(k)) << k << " must be private by default";
  EXPECT_EQ(defaults["net"], ours("net")) << "network: host is the default of box-run run";
  EXPECT_NE(inside({"--network", "none"})["net"], ours("net"));
  for (const char* k : {"pid", "ipc", "uts", "cgroup"}) {
    auto shared = inside({"--share", k});
    EXPECT_EQ(shared[k], ours(k)) << "--share " << k;
    EXPECT_NE(shared["user"], ours("user")) << "the user namespace is always private";
    EXPECT_NE(shared["mnt"], ours("mnt")) << "the mount namespace is always private";
  }
}

// An option's value is one of its key's names (core/model/schema.h), as in
// a definition: anything else ends box-run with exit 2 before anything
// starts, with the names it takes; --help lists them from the same table.
TEST_F(Runtime, OptionValuesAreTheDefinitionsNames) {
  auto network = box({"--network", "lan"}, "true");
  EXPECT_EQ(network.exit_code, 2) << network.output;
  EXPECT_TRUE(
      contains(network.output, "--network: expected one of host, none, private, found 'lan'"))
      << network.output;
  auto share = box({"--share", "net"}, "true");
  EXPECT_EQ(share.exit_code, 2) << share.output;
  EXPECT_TRUE(contains(share.output, "--share: expected one of pid, ipc, uts, cgroup, found 'net'"))
      << share.output;
  auto workdir = box({"--workdir", "/srv/../etc"}, "true");
  EXPECT_EQ(workdir.exit_code, 2) << workdir.output;
  EXPECT_TRUE(contains(workdir.output, "--workdir: '..' is not allowed in '/srv/../etc'"))
      << workdir.output;
  auto help = run({box_run(), "--help"});
  EXPECT_EQ(help.exit_code, 0) << help.output;
  for (const char* line : {"--network host|none|private ", "--userns auto|single|keep-id ",
                           "--init none|tiny ", "--share pid|ipc|uts|cgroup "})
    EXPECT_TRUE(contains(help.output, line)) << line << " not in:\n" << help.output;
}

// Every command of box-run answers --help with its help (exit 0), as
// boxctl's do, never taking it for a NAME or a value; a bad command line
// says what is wrong and where the help is (exit 2).
TEST_F(Runtime, EveryCommandHasItsHelp) {
  for (const char* command : {"run", "start", "validate"}) {
    auto help = run({box_run(), command, "--help"});
    EXPECT_EQ(help.exit_code, 0) << command << ": " << help.output;
    EXPECT_TRUE(contains(help.output, std::string("Usage: box-run ") + command + " [OPTIONS]"))
        << command << ": " << help.output;
  }
  auto run_help = run({box_run(), "run", "--help"});
  EXPECT_TRUE(contains(run_help.output, "--userns auto|single|keep-id ")) << run_help.output;
  auto all = run({box_run(), "--help"});
  EXPECT_EQ(all.exit_code, 0) << all.output;
  auto nope = run({box_run(), "run", "--nope", rootfs_, "--", "true"});
  EXPECT_EQ(nope.exit_code, 2) << nope.output;
  EXPECT_TRUE(contains(nope.output,
                       "The following argument was not expected: --nope\n"
                       "Try 'box-run run --help'."))
      << nope.output;
  auto missing = run({box_run(), "run", "--network"});
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_TRUE(contains(missing.output, "--network: 1 required host|none|private missing"))
      << missing.output;
  auto no_name = run({box_run(), "start"});
  EXPECT_EQ(no_name.exit_code, 2) << no_name.output;
  EXPECT_TRUE(contains(no_name.output, "NAME is required\nTry 'box-run start --help'."))
      << no_name.output;
  auto typo = run({box_run(), "strat", "web"});
  EXPECT_EQ(typo.exit_code, 2) << typo.output;
  EXPECT_TRUE(contains(typo.output, "unknown command 'strat'")) << typo.output;
  // After ROOTFS, --help is the command's.
  auto inner = run({box_run(), "run", rootfs_, "echo", "--help"});
  EXPECT_EQ(inner.exit_code, 0) << inner.output;
  EXPECT_EQ(inner.output, "--help\n");
}

// The host name is the container's own: the host's is unchanged, and a
// bad one is refused before anything starts.
TEST_F(Runtime, HostnameStaysInside) {
  char before[256] = {};
  gethostname(before, sizeof before - 1);
  // Renaming needs CAP_SYS_ADMIN (of the container's user namespace only).
  auto r = box({"--hostname", "inner-name", "--cap-add", "SYS_ADMIN"},
               "hostname; hostname renamed; hostname");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "inner-name\nrenamed\n")) << r.output;
  char after[256] = {};
  gethostname(after, sizeof after - 1);
  EXPECT_STREQ(before, after);
  auto bad = box({"--hostname", "no spaces!"}, "true");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_TRUE(contains(bad.output, "--hostname: 'no spaces!' is not a valid host name"))
      << bad.output;
  auto shared = box({"--share", "uts", "--hostname", "x"}, "true");
  EXPECT_EQ(shared.exit_code, 2) << shared.output;
  EXPECT_TRUE(contains(shared.output, "--hostname: needs a private uts namespace")) << shared.output;
}

// user: UID:GID with supplementary groups (userns: auto): the ids inside,
// and what they are outside on a file they write.
TEST_F(Runtime, UserAndSupplementaryGroups) {
  fs::create_directories(scratch_ + "/owned");
  fs::permissions(scratch_ + "/owned", fs::perms::all);
  write_file(
      home() + "/.config/box/containers/persist.yaml",
      "rootfs: ~/rootfs-runtime\nuserns: auto\nuser: '1000:1000'\ngroups: [10, 20]\n"
      "capabilities: {drop: [ALL]}\n"
      "mounts:\n  - {type: bind, source: ~/runtime-scratch, target: /s}\n"
      "command: [sh, -c, 'id -u; id -g; id -G; touch /s/owned/f && chgrp 20 /s/owned/f "
      "&& echo chgrp-member-ok; chgrp 30 /s/owned/f 2>/dev/null || echo chgrp-other-denied']\n");
  auto r = run({box_run(), "start", "persist"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "1000\n1000\n1000 10 20\n")) << r.output;
  EXPECT_TRUE(contains(r.output, "chgrp-member-ok\nchgrp-other-denied\n")) << r.output;
  struct stat st {};
  ASSERT_EQ(stat((scratch_ + "/owned/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, subid_start("/etc/subuid") + 999);
  EXPECT_EQ(st.st_gid, subid_start("/etc/subgid") + 19);  // group 20 inside
}

// single and keep-id: what the container writes is ours outside.
TEST_F(Runtime, SingleAndKeepIdWriteAsUs) {
  for (const char* mode : {"single", "keep-id"}) {
    fs::remove(scratch_ + "/mine");
    auto r = box({"--userns", mode, "--bind", scratch_ + ":/tmp"}, "touch /tmp/mine && id -u");
    ASSERT_EQ(r.exit_code, 0) << mode << ": " << r.output;
    EXPECT_EQ(r.output, (std::string(mode) == "single" ? "0" : std::to_string(getuid())) + "\n")
        << mode;
    struct stat st {};
    ASSERT_EQ(stat((scratch_ + "/mine").c_str(), &st), 0) << mode;
    EXPECT_EQ(st.st_uid, getuid()) << mode;
    EXPECT_EQ(st.st_gid, getgid()) << mode;
  }
}

// userns: auto for a user who has no subordinate ids, with an id that
// needs them: a precise error, and nothing started. A user namespace of our
// own where we are an id no /etc/subuid line names stands in for that user.
TEST_F(Runtime, AutoWithoutSubordinateIdsIsAClearError) {
  const std::string stranger = "4242";
  auto r = run({"unshare", "--user", "--map-user=" + stranger, "--map-group=" + stranger, box_run(),
                "run", "--userns", "auto", "--user", "1000:1000", rootfs_, "--", "touch",
                "/tmp/should-not-run"});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_TRUE(contains(r.output,
                       "user 1000:1000 needs subordinate ids, and there is no range for "
                       "uid " +
                           stranger + " in /etc/subuid and /etc/subgid"))
      << r.output;
  EXPECT_TRUE(contains(r.output, "usermod --add-subuids")) << r.output;
  // One id is enough for root inside: auto falls back to it.
  auto root = run({"unshare", "--user", "--map-user=" + stranger, "--map-group=" + stranger,
                   box_run(), "run", "--userns", "auto", rootfs_, "--", "id", "-u"});
  EXPECT_EQ(root.exit_code, 0) << root.output;
  EXPECT_EQ(root.output, "0\n");
}

// All five capability sets of another user inside, read from inside and
// from outside; and capabilities count only in the container's user
// namespace: with every one of them, the host's uts namespace stays shut.
TEST_F(Runtime, CapabilitySetsInsideAndOutside) {
  PipedProcess b({box_run(), "run", "--userns", "auto", "--user", "1000:1000", "--cap-drop", "ALL",
                  "--cap-add", "NET_BIND_SERVICE", rootfs_, "--", "sh", "-c",
                  "grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb)' /proc/self/status; echo up; exec sleep 30"});
  ASSERT_TRUE(b.wait_for("up\n")) << b.output();
  const std::string sets =
      "CapInh:\t0000000000000400\nCapPrm:\t0000000000000400\n"
      "CapEff:\t0000000000000400\nCapBnd:\t0000000000000400\n"
      "CapAmb:\t0000000000000400\n";
  EXPECT_TRUE(contains(b.output(), sets)) << b.output();
  const pid_t pid1 = first_child(b.pid());
  ASSERT_GT(pid1, 0);
  EXPECT_TRUE(contains(slurp("/proc/" + std::to_string(pid1) + "/status"), sets));
  // Root with the default set: nothing inheritable or ambient.
  auto root = box({}, "grep -E '^Cap(Inh|Amb)' /proc/self/status");
  EXPECT_EQ(root.output, "CapInh:\t0000000000000000\nCapAmb:\t0000000000000000\n");

  char before[256] = {};
  gethostname(before, sizeof before - 1);
  auto all = box({"--share", "uts", "--cap-add", "ALL"},
                 "grep CapEff /proc/self/status; hostname taken-over; echo rc=$?");
  EXPECT_TRUE(contains(all.output, "CapEff:\t000001ffffffffff")) << all.output;
  EXPECT_TRUE(contains(all.output, "rc=1")) << all.output;
  char after[256] = {};
  gethostname(after, sizeof after - 1);
  EXPECT_STREQ(before, after);
}

// command, env, workdir, rlimits and umask of a definition, as the kernel
// shows the container's PID 1 from outside.
TEST_F(Runtime, ProcessStateSeenFromOutside) {
  write_file(home() + "/.config/box/containers/persist.yaml",
             "rootfs: ~/rootfs-runtime\nrootfs_writes: readonly\nenv: {GREETING: hi}\n"
             "workdir: /tmp\numask: '0077'\n"
             "rlimits: {nofile: 512}\n"
             "command: [sh, -c, 'echo $GREETING $container; pwd; umask; ulimit -n; echo up; "
             "exec sleep 30']\n");
  setenv("BOX_SECRET_FROM_HOST", "leak", 1);
  PipedProcess b({box_run(), "start", "persist"});
  unsetenv("BOX_SECRET_FROM_HOST");
  ASSERT_TRUE(b.wait_for("up\n")) << b.output();
  EXPECT_TRUE(contains(b.output(), "hi box\n/tmp\n0077\n512\n")) << b.output();
  const pid_t pid1 = first_child(b.pid());
  ASSERT_GT(pid1, 0);
  const std::string proc = "/proc/" + std::to_string(pid1);
  // The command itself (once the shell has exec'd it).
  const std::string sleep_cmdline(
      "sleep\0"
      "30\0",
      9);
  EXPECT_TRUE(eventually([&] { return slurp(proc + "/cmdline") == sleep_cmdline; }))
      << slurp(proc + "/cmdline");
  // Read once the shell has become sleep: in the middle of an exec the
  // kernel shows an empty environment.
  std::string env = slurp(proc + "/environ");
  std::replace(env.begin(), env.end(), '\0', '\n');
  EXPECT_TRUE(contains(env, "container=box\n")) << env;
  EXPECT_TRUE(contains(env, "GREETING=hi\n")) << env;
  EXPECT_FALSE(contains(env, "BOX_SECRET_FROM_HOST")) << env;
  struct stat cwd {
  }, tmp{};
  ASSERT_EQ(stat((proc + "/cwd").c_str(), &cwd), 0);
  ASSERT_EQ(stat((rootfs_ + "/tmp").c_str(), &tmp), 0);
  EXPECT_EQ(cwd.st_ino, tmp.st_ino);
  EXPECT_TRUE(contains(slurp(proc + "/status"), "Umask:\t0077\n"));
  std::istringstream limits(slurp(proc + "/limits"));
  std::string line, soft, hard;
  while (std::getline(limits, line))
    if (line.rfind("Max open files", 0) == 0) std::istringstream(line.substr(14)) >> soft >> hard;
  EXPECT_EQ(soft + " " + hard, "512 512");
  // A new session led by PID 1: not ours, so no terminal of ours.
  EXPECT_EQ(getsid(pid1), pid1);
  EXPECT_NE(getsid(pid1), getsid(0));
}

TEST_F(Runtime, HostnameUmaskRlimitsWorkdir) {
  auto r = box({"--hostname", "web-1", "--workdir", "/tmp"}, "hostname; pwd; umask; ulimit -n");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "web-1\n/tmp\n0022\n")) << r.output;
  write_file(home() + "/.config/box/containers/persist.yaml",
             "rootfs: ~/rootfs-runtime\numask: '0077'\nrlimits: {nofile: 512}\n"
             "command: [sh, -c, 'umask; ulimit -n']\n");
  auto d = run({box_run(), "start", "persist"});
  EXPECT_TRUE(contains(d.output, "0077\n512\n")) << d.output;
}

// Run from a terminal (script(1) gives box-run a pty as its controlling
// terminal), PID 1 leads a session of its own, has no controlling terminal
// (tty_nr 0), and /dev/tty does not open: nothing inside can reach the
// caller's terminal through it.
TEST_F(Runtime, NewSessionWithoutTerminal) {
  auto from_terminal = [](const std::string& command) {
    auto r = run({"script", "--quiet", "--return", "--command", command, "/dev/null"});
    r.output.erase(std::remove(r.output.begin(), r.output.end(), '\r'), r.output.end());
    return r;
  };
  const std::string probe =
      "echo \"session tty: $(cut -d\" \" -f6,7 /proc/$$/stat)\"; "
      "echo x > /dev/tty && echo tty-opened";
  // The control: outside, the same probe sees the terminal.
  auto outside = from_terminal("sh -c '" + probe + "'");
  ASSERT_EQ(outside.exit_code, 0) << outside.output;
  ASSERT_TRUE(contains(outside.output, "tty-opened\n")) << outside.output;
  const std::string seen = status_field(outside.output, "session tty");
  ASSERT_NE(seen.substr(seen.find(' ') + 1), "0") << "no terminal outside: " << outside.output;

  auto inside = from_terminal(box_run() + " run " + rootfs_ + " -- sh -c '" + probe + "'");
  EXPECT_EQ(status_field(inside.output, "session tty"), "1 0") << inside.output;
  EXPECT_TRUE(contains(inside.output, "can't create /dev/tty: No such device or address\n"))
      << inside.output;
  EXPECT_FALSE(contains(inside.output, "tty-opened")) << inside.output;
}

// An orphan is re-parented to PID 1. The tiny init (PID 1, the command is
// PID 2) reaps it; a command exec'd as PID 1 that never waits (`cat` here)
// leaves it a zombie. Each outcome is polled for, with a deadline, not
// waited for: the second orphan waits until PID 1 is `cat` before it exits,
// so the shell that was PID 1 cannot have reaped it. A signal sent to
// box-run reaches the command through the tiny init.
TEST_F(Runtime, TinyInitReapsAndForwardsSignals) {
  // Sets $o to the PID of an orphan running `script`.
  auto make_orphan = [](const std::string& script) {
    return "w='" + script + "'; o=$(sh -c \"sh -c '$w' >/dev/null 2>&1 & echo \\$!\"); ";
  };
  // Polls the orphan until it is gone or in state `until` (20 s at most):
  // prints "orphan: reaped", or its state and parent.
  auto check_orphan = [](const std::string& until) {
    return "i=0; while s=$(cut -d' ' -f3,4 /proc/$o/stat 2>/dev/null) && [ \"${s%% *}\" != " +
           until +
           " ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; "
           "echo \"orphan: ${s:-reaped}\"; ";
  };

  PipedProcess tiny({box_run(), "run", "--init", "tiny", rootfs_, "--", "sh", "-c",
                     "trap 'echo got-usr1' USR1; trap 'echo got-term; exit 42' TERM; "
                     "echo \"pid: $$\"; " +
                         make_orphan("exit 0") + check_orphan("none") +
                         "echo ready; while :; do sleep 1 & wait $!; done"});
  ASSERT_TRUE(tiny.wait_for("ready\n", std::chrono::seconds(30))) << tiny.output();
  EXPECT_EQ(status_field(tiny.output(), "pid"), "2") << tiny.output();  // PID 1 is the init
  EXPECT_EQ(status_field(tiny.output(), "orphan"), "reaped") << tiny.output();
  ASSERT_EQ(kill(tiny.pid(), SIGUSR1), 0);
  EXPECT_TRUE(tiny.wait_for("got-usr1\n", std::chrono::seconds(10))) << tiny.output();
  ASSERT_EQ(kill(tiny.pid(), SIGTERM), 0);
  EXPECT_EQ(tiny.wait(), 42) << tiny.output();
  EXPECT_TRUE(contains(tiny.output(), "got-term\n")) << tiny.output();

  PipedProcess none(
      {box_run(), "run", rootfs_, "--", "sh", "-c",
       "echo \"pid: $$\"; " +
           make_orphan("until [ \"$(cat /proc/1/comm)\" = cat ]; do sleep 0.01; done") + "(" +
           check_orphan("Z") + "echo checked) & exec cat"});
  ASSERT_TRUE(none.wait_for("checked\n", std::chrono::seconds(30))) << none.output();
  EXPECT_EQ(status_field(none.output(), "pid"), "1") << none.output();
  EXPECT_EQ(status_field(none.output(), "orphan"), "Z 1") << none.output();  // a zombie of PID 1
  none.close_input();
  EXPECT_EQ(none.wait(), 0) << none.output();
}

// SIGTERM to the supervisor reaches PID 1, which decides the exit status.
TEST_F(Runtime, SignalsToTheSupervisorReachPid1) {
  for (const char* init : {"none", "tiny"}) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
      dup2(fds[1], 1);
      close(fds[0]);
      std::string b = box_run();
      execl(b.c_str(), b.c_str(), "run", "--init", init, rootfs_.c_str(), "--", "sh", "-c",
            "trap 'echo got-term; exit 42' TERM; echo ready; while :; do sleep 1 & wait $!; done",
            nullptr);
      _exit(127);
    }
    close(fds[1]);
    char buf[64] = {};
    ASSERT_GT(read(fds[0], buf, sizeof buf - 1), 0);  // "ready"
    kill(pid, SIGTERM);
    std::string rest;
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) rest.append(buf, static_cast<std::size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status)) << init;
    EXPECT_EQ(WEXITSTATUS(status), 42) << init;
    EXPECT_TRUE(contains(rest, "got-term")) << init << ": " << rest;
  }
}

TEST_F(Runtime, SupervisorDeathKillsTheContainer) {
  pid_t pid = fork();
  if (pid == 0) {
    std::string b = box_run();
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    execl(b.c_str(), b.c_str(), "run", rootfs_.c_str(), "--", "sh", "-c",
          "echo $$ > /dev/null; sleep 30", nullptr);
    _exit(127);
  }
  // Wait for the container's sleep to exist, then kill the supervisor hard.
  std::string children;
  ASSERT_TRUE(eventually([&] {
    children = slurp("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
    return !children.empty();
  }));
  const std::string pid1 = children.substr(0, children.find(' '));
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  EXPECT_TRUE(eventually([&] { return !fs::exists("/proc/" + pid1); }))
      << "container PID 1 " << pid1 << " outlived its supervisor";
}

TEST_F(Runtime, SetupErrorsNameTheStep) {
  auto r = box({"--ro-bind", home() + "/no-such-source:/x"}, "true");
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_TRUE(contains(r.output, "open bind source '" + home() +
                                     "/no-such-source' for '/x': No such file or directory"))
      << r.output;
  // A mount point the read-only rootfs lacks is made in a private layer
  // (core/plan/mount_points.h); one below a file cannot be made at all.
  auto missing_target = box({"--bind", scratch_ + ":/not-in-image"}, "test -d /not-in-image");
  EXPECT_EQ(missing_target.exit_code, 0) << missing_target.output;
  auto below_file = box({"--bind", scratch_ + ":/bin/busybox/x"}, "true");
  EXPECT_EQ(below_file.exit_code, 125);
  EXPECT_TRUE(contains(below_file.output, "create mount point '/bin/busybox/x'"))
      << below_file.output;
}

}  // namespace
}  // namespace box::testing
