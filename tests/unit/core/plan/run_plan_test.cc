#include "core/plan/run_plan.h"

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include <algorithm>

namespace box {
namespace {

Definition hello() {
  Definition d;
  d.name = "hello";
  d.rootfs = "/srv/hello";
  d.command = {"sh", "-c", "echo hi"};
  d.env = {{"GREETING", "hi"}, {"PATH", "/bin:relative:/usr/bin"}};
  return d;
}

HostIdentity host(bool with_range = false) {
  HostIdentity h;
  h.uid = 1000;
  h.gid = 1001;
  h.data_home = "/home/u/.local/share";
  if (with_range) {
    h.subuids = {{100000, 65536}};
    h.subgids = {{200000, 65536}};
  }
  return h;
}

// What box@NAME.service's box-run found: systemd's notify socket, a
// runtime dir, a console pty; no helper programs.
RuntimeFacts facts() {
  RuntimeFacts f;
  f.service = true;
  f.service_notify_socket = "/run/user/1000/systemd/notify";
  f.runtime_dir = "/run/user/1000";
  f.box_run_pid = 4242;
  f.path = "/opt/bin:/usr/bin";
  f.console_pty = "/dev/pts/7";
  return f;
}

RunPlan plan(const Definition& d, const HostIdentity& h = host(), const RuntimeFacts& f = facts()) {
  auto p = make_run_plan(d, h, f);
  EXPECT_TRUE(p.ok()) << p.error().message();
  return p.ok() ? *p : RunPlan{};
}

bool has_step(const RunPlan& p, MountStep::Kind k, const std::string& target) {
  return std::any_of(p.mounts.begin(), p.mounts.end(),
                     [&](const MountStep& m) { return m.kind == k && m.target == target; });
}

TEST(RunPlan, SingleIdMapsRootToTheUser) {
  Definition d = hello();
  d.userns = UsernsMode::kSingle;
  RunPlan p = plan(d);
  EXPECT_EQ(p.uid_map, (std::vector<IdMapping>{{0, 1000, 1}}));
  EXPECT_EQ(p.gid_map, (std::vector<IdMapping>{{0, 1001, 1}}));
  EXPECT_FALSE(p.use_id_helpers);
  d.uid = 33;
  d.gid = 33;
  EXPECT_EQ(plan(d).uid_map, (std::vector<IdMapping>{{33, 1000, 1}}));
}

TEST(RunPlan, AutoMapsTheSubordinateRangeLikePodman) {
  RunPlan p = plan(hello(), host(true));
  EXPECT_EQ(p.uid_map, (std::vector<IdMapping>{{0, 1000, 1}, {1, 100000, 65536}}));
  EXPECT_EQ(p.gid_map, (std::vector<IdMapping>{{0, 1001, 1}, {1, 200000, 65536}}));
  EXPECT_TRUE(p.use_id_helpers);
}

TEST(RunPlan, AutoWithoutRangeFallsBackOnlyWhenOneIdIsEnough) {
  RunPlan p = plan(hello());
  EXPECT_EQ(p.uid_map, (std::vector<IdMapping>{{0, 1000, 1}}));
  EXPECT_FALSE(p.use_id_helpers);
  Definition d = hello();
  d.uid = 33;
  auto r = make_run_plan(d, host(), facts());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("needs subordinate ids"), std::string::npos)
      << r.error().message();
  EXPECT_NE(r.error().message().find("/etc/subuid"), std::string::npos);
}

TEST(RunPlan, AutoRejectsIdsOutsideTheRange) {
  Definition d = hello();
  d.uid = 70000;
  auto r = make_run_plan(d, host(true), facts());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "user 70000:0 is outside the mapped range (uid 0..65536, gid 0..65536)");
}

TEST(RunPlan, KeepIdPutsTheUserAtItsOwnId) {
  Definition d = hello();
  d.userns = UsernsMode::kKeepId;
  RunPlan p = plan(d, host(true));
  EXPECT_EQ(p.uid, 1000u);
  EXPECT_EQ(p.uid_map,
            (std::vector<IdMapping>{{0, 100000, 1000}, {1000, 1000, 1}, {1001, 101000, 64536}}));
  RunPlan lone = plan(d);
  EXPECT_EQ(lone.uid_map, (std::vector<IdMapping>{{1000, 1000, 1}}));
}

// A user with two ranges (usermod --add-subuids twice): ids 1.. run
// through both, and an id past the first range is inside the map.
TEST(RunPlan, EveryRangeOfTheUserIsMapped) {
  HostIdentity h = host(true);
  h.subuids.push_back({300000, 70000});
  h.subgids.push_back({400000, 70000});
  Definition d = hello();
  d.uid = 70000;
  d.gid = 100000;
  RunPlan p = plan(d, h);
  EXPECT_EQ(p.uid_map,
            (std::vector<IdMapping>{{0, 1000, 1}, {1, 100000, 65536}, {65537, 300000, 70000}}));
  EXPECT_EQ(p.gid_map,
            (std::vector<IdMapping>{{0, 1001, 1}, {1, 200000, 65536}, {65537, 400000, 70000}}));
  d.uid = 135537;  // one past both
  auto r = make_run_plan(d, h, facts());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "user 135537:100000 is outside the mapped range (uid 0..135536, gid 0..135536)");
  d = hello();
  d.userns = UsernsMode::kKeepId;
  EXPECT_EQ(plan(d, h).uid_map,
            (std::vector<IdMapping>{{0, 100000, 1000}, {1000, 1000, 1}, {1001, 101000, 64536},
                                    {65537, 300000, 70000}}));
}

// keep-id: you inside, with your home and a name, the image unchanged.
TEST(RunPlan, KeepIdGivesTheUsersHomeAndEntries) {
  HostIdentity h = host(true);
  h.user_name = "alice";
  h.user_gecos = "Alice Liddell";
  h.home = "/home/alice";
  h.group_name = "staff";
  Definition d = hello();
  d.userns = UsernsMode::kKeepId;
  RunPlan p = plan(d, h);
  EXPECT_NE(std::find(p.env.begin(), p.env.end(), "HOME=/home/alice"), p.env.end());
  MountStep passwd{MountStep::Kind::kAddEntry, "/etc/passwd",
                   "alice:*:1000:1001:Alice Liddell:/home/alice:/bin/sh", "", MS_RDONLY};
  passwd.mode = 0644;
  MountStep group{MountStep::Kind::kAddEntry, "/etc/group", "staff:x:1001:alice", "", MS_RDONLY};
  group.mode = 0644;
  EXPECT_NE(std::find(p.mounts.begin(), p.mounts.end(), passwd), p.mounts.end());
  EXPECT_NE(std::find(p.mounts.begin(), p.mounts.end(), group), p.mounts.end());
  // The definition's own HOME and /etc/passwd win: its mounts come after.
  d.env.push_back({"HOME", "/srv"});
  d.mounts.push_back(MountSpec{});
  d.mounts.back().type = MountType::kFile;
  d.mounts.back().target = "/etc/passwd";
  p = plan(d, h);
  EXPECT_EQ(std::count_if(p.env.begin(), p.env.end(),
                          [](const std::string& e) { return e.rfind("HOME=", 0) == 0; }),
            1);
  EXPECT_NE(std::find(p.env.begin(), p.env.end(), "HOME=/srv"), p.env.end());
  auto at = [&](MountStep::Kind k) {
    return std::find_if(p.mounts.begin(), p.mounts.end(), [&](const MountStep& m) {
      return m.kind == k && m.target == "/etc/passwd";
    });
  };
  EXPECT_LT(at(MountStep::Kind::kAddEntry), at(MountStep::Kind::kFile));
  // Not for the other modes.
  d = hello();
  p = plan(d, h);
  EXPECT_FALSE(has_step(p, MountStep::Kind::kAddEntry, "/etc/passwd"));
  EXPECT_NE(std::find(p.env.begin(), p.env.end(), "HOME=/root"), p.env.end());
}

TEST(RunPlan, GroupsNeedTheHelpers) {
  Definition d = hello();
  d.userns = UsernsMode::kSingle;
  d.groups = {10};
  EXPECT_FALSE(make_run_plan(d, host(true), facts()).ok());
  d.userns = UsernsMode::kAuto;
  EXPECT_EQ(plan(d, host(true)).groups, (std::vector<gid_t>{10}));
}

TEST(RunPlan, NamespacesFollowTheDefinition) {
  RunPlan p = plan(hello());
  EXPECT_EQ(p.namespaces, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
                              CLONE_NEWCGROUP);
  EXPECT_EQ(p.hostname, "hello");
  EXPECT_FALSE(p.loopback_up);
  Definition d = hello();
  d.network = NetworkMode::kNone;
  d.namespaces.pid = false;
  d.namespaces.uts = false;
  p = plan(d);
  EXPECT_TRUE(p.namespaces & CLONE_NEWNET);
  EXPECT_FALSE(p.namespaces & CLONE_NEWPID);
  EXPECT_FALSE(p.namespaces & CLONE_NEWUTS);
  EXPECT_TRUE(p.loopback_up);
  EXPECT_EQ(p.hostname, "");
  // sysfs can be mounted only with our own network namespace.
  EXPECT_TRUE(has_step(p, MountStep::Kind::kSysfs, "/sys"));
  EXPECT_TRUE(has_step(plan(hello()), MountStep::Kind::kBindSys, "/sys"));
}

TEST(RunPlan, DefaultHostnameIsTheNameMadeIntoAHostName) {
  Definition d = hello();
  d.name = "web@blue";
  RunPlan p = plan(d);
  EXPECT_EQ(p.hostname, "web-blue");
  EXPECT_TRUE(is_valid_hostname(p.hostname));
  // The environment and the generated /etc/hosts get the same name.
  EXPECT_NE(std::find(p.env.begin(), p.env.end(), "HOSTNAME=web-blue"), p.env.end());
  // What the definition sets is used as written.
  d.hostname = "blue.example";
  EXPECT_EQ(plan(d).hostname, "blue.example");
}

TEST(RunPlan, TinyInitNeedsAPidNamespace) {
  Definition d = hello();
  d.init = InitMode::kTiny;
  d.namespaces.pid = false;
  EXPECT_FALSE(make_run_plan(d, host(), facts()).ok());
}

TEST(RunPlan, EnvironmentStartsEmpty) {
  RunPlan p = plan(hello());
  EXPECT_EQ(p.env, (std::vector<std::string>{"container=box", "PATH=/bin:relative:/usr/bin",
                                             "HOME=/root", "HOSTNAME=hello", "GREETING=hi"}));
}

TEST(RunPlan, SearchesPathSkippingRelativeEntries) {
  RunPlan p = plan(hello());
  EXPECT_EQ(p.exec_candidates, (std::vector<std::string>{"/bin/sh", "/usr/bin/sh"}));
  Definition d = hello();
  d.command = {"/opt/app/run"};
  EXPECT_EQ(plan(d).exec_candidates, (std::vector<std::string>{"/opt/app/run"}));
}

TEST(RunPlan, ProcIsMaskedAndSysReadOnly) {
  RunPlan p = plan(hello());
  using K = MountStep::Kind;
  EXPECT_EQ(p.mounts.front().kind, K::kProc);
  for (const char* f : {"/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug"})
    EXPECT_TRUE(has_step(p, K::kMaskFile, f)) << f;
  for (const char* r : {"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus"})
    EXPECT_TRUE(has_step(p, K::kReadonly, r)) << r;
  auto sys = std::find_if(p.mounts.begin(), p.mounts.end(),
                          [](const MountStep& m) { return m.target == "/sys"; });
  ASSERT_NE(sys, p.mounts.end());
  EXPECT_TRUE(sys->flags & MS_RDONLY);
}

TEST(RunPlan, MinimalDev) {
  RunPlan p = plan(hello());
  using K = MountStep::Kind;
  EXPECT_TRUE(has_step(p, K::kTmpfs, "/dev"));
  for (const char* dev :
       {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"})
    EXPECT_TRUE(has_step(p, K::kBindDev, dev)) << dev;
  EXPECT_TRUE(has_step(p, K::kDevpts, "/dev/pts"));
  EXPECT_TRUE(has_step(p, K::kSymlink, "/dev/ptmx"));
  EXPECT_TRUE(has_step(p, K::kTmpfs, "/dev/shm"));
  EXPECT_TRUE(has_step(p, K::kMqueue, "/dev/mqueue"));
  // /dev exists (tmpfs) before anything is created in it.
  auto dev = std::find_if(p.mounts.begin(), p.mounts.end(),
                          [](const MountStep& m) { return m.target == "/dev"; });
  auto first_child = std::find_if(p.mounts.begin(), p.mounts.end(), [](const MountStep& m) {
    return m.target.rfind("/dev/", 0) == 0;
  });
  EXPECT_LT(dev - p.mounts.begin(), first_child - p.mounts.begin());
}

TEST(RunPlan, UserMountsComeLastInOrder) {
  Definition d = hello();
  MountSpec bind;
  bind.source = "/home/u/data";
  bind.target = "/data";
  bind.readonly = true;
  MountSpec tmp;
  tmp.type = MountSpec::Type::kTmpfs;
  tmp.target = "/run";
  tmp.size = 1 << 20;
  MountSpec file;
  file.type = MountSpec::Type::kFile;
  file.target = "/etc/motd";
  file.content = "hi\n";
  d.mounts = {bind, tmp, file};
  RunPlan p = plan(d);
  ASSERT_GE(p.mounts.size(), 3u);
  const auto& m = p.mounts;
  EXPECT_EQ(m[m.size() - 3],
            (MountStep{MountStep::Kind::kBind, "/data", "/home/u/data", "", MS_RDONLY}));
  EXPECT_EQ(m[m.size() - 2].options, "mode=755,size=1048576");
  EXPECT_EQ(m[m.size() - 1].kind, MountStep::Kind::kFile);
  EXPECT_EQ(m[m.size() - 1].source, "hi\n");
  EXPECT_EQ(m[m.size() - 1].mode, 0644u);
}

TEST(RunPlan, PersistentWritesLiveInTheDataDir) {
  Definition d = hello();
  d.rootfs_writes = RootfsWrites::kPersistent;
  RunPlan p = plan(d);
  EXPECT_EQ(p.upper_dir, "/home/u/.local/share/box/containers/hello/upper");
  EXPECT_EQ(p.work_dir, "/home/u/.local/share/box/containers/hello/work");
  EXPECT_EQ(p.overlay_driver, OverlayDriver::kAuto);
}

// The driver and fuse-overlayfs, from what the host has: the program found
// in $PATH, and the marker a persistent upper dir holds.
TEST(RunPlan, TheOverlayDriverComesFromTheFacts) {
  Definition d = hello();
  d.rootfs_writes = RootfsWrites::kOverlay;
  RuntimeFacts with_fuse = facts();
  with_fuse.fuse_overlayfs = "/usr/bin/fuse-overlayfs";
  // auto: the kernel's, with fuse-overlayfs where the kernel refuses, if
  // it is installed.
  RunPlan p = plan(d, host(), with_fuse);
  EXPECT_EQ(p.overlay_driver, OverlayDriver::kAuto);
  EXPECT_EQ(p.fuse_overlayfs, "/usr/bin/fuse-overlayfs");
  p = plan(d);
  EXPECT_EQ(p.overlay_driver, OverlayDriver::kAuto);
  EXPECT_EQ(p.fuse_overlayfs, "");
  // kernel: never fuse-overlayfs.
  d.overlay_driver = OverlayDriver::kKernel;
  EXPECT_EQ(plan(d, host(), with_fuse).fuse_overlayfs, "");
  // fuse: only fuse-overlayfs, which must be there.
  d.overlay_driver = OverlayDriver::kFuse;
  EXPECT_EQ(plan(d, host(), with_fuse).fuse_overlayfs, "/usr/bin/fuse-overlayfs");
  auto missing = make_run_plan(d, host(), facts());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message(),
            "overlay_driver: fuse: fuse-overlayfs is not installed (no fuse-overlayfs in PATH "
            "/opt/bin:/usr/bin): install Debian's fuse-overlayfs package");
  // A read-only rootfs has no overlay, whatever the host has.
  d.rootfs_writes = RootfsWrites::kReadonly;
  EXPECT_EQ(plan(d, host(), with_fuse).fuse_overlayfs, "");

  // A persistent upper dir fuse-overlayfs has written stays with it.
  d = hello();
  d.rootfs_writes = RootfsWrites::kPersistent;
  with_fuse.overlay_marker = "fuse\n";
  p = plan(d, host(), with_fuse);
  EXPECT_EQ(p.overlay_driver, OverlayDriver::kFuse);
  EXPECT_EQ(p.fuse_overlayfs, "/usr/bin/fuse-overlayfs");
  RuntimeFacts marker_only = facts();
  marker_only.overlay_marker = "fuse\n";
  auto gone = make_run_plan(d, host(), marker_only);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().message().rfind("fuse-overlayfs has written the persistent upper dir in "
                                         "'/home/u/.local/share/box/containers/hello' and must "
                                         "serve it: fuse-overlayfs is not installed",
                                         0),
            0u)
      << gone.error().message();
  d.overlay_driver = OverlayDriver::kKernel;
  auto kernel = make_run_plan(d, host(), with_fuse);
  ASSERT_FALSE(kernel.ok());
  EXPECT_NE(kernel.error().message().find("overlay_driver: kernel, but fuse-overlayfs has written"),
            std::string::npos)
      << kernel.error().message();
}

TEST(RunPlan, Capabilities) {
  auto names = [](const std::vector<int>& caps) { return caps; };
  CapabilitySpec spec;
  auto def = resolve_capabilities(spec);
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(names(*def), (std::vector<int>{CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID,
                                           CAP_KILL, CAP_SETGID, CAP_SETUID, CAP_SETPCAP,
                                           CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_SETFCAP}));
  spec.add = {"CAP_NET_ADMIN"};
  spec.drop = {"CAP_CHOWN"};
  auto changed = resolve_capabilities(spec);
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(std::count(changed->begin(), changed->end(), CAP_NET_ADMIN));
  EXPECT_FALSE(std::count(changed->begin(), changed->end(), CAP_CHOWN));
  CapabilitySpec all;
  all.add_all = true;
  EXPECT_EQ(resolve_capabilities(all)->size(), static_cast<std::size_t>(CAP_LAST_CAP + 1));
  CapabilitySpec none;
  none.drop = {"ALL"};
  EXPECT_TRUE(resolve_capabilities(none)->empty());
}

TEST(RunPlan, RlimitsAndProcessState) {
  Definition d = hello();
  d.rlimits = {{"nofile", RLIMIT_NOFILE, 1024, 2048}};
  d.umask = 077;
  d.workdir = "/srv";
  d.seccomp = SeccompMode::kUnconfined;
  RunPlan p = plan(d);
  EXPECT_EQ(p.rlimits, (std::vector<Rlimit>{{RLIMIT_NOFILE, 1024, 2048}}));
  EXPECT_EQ(p.umask, 077u);
  EXPECT_EQ(p.workdir, "/srv");
  EXPECT_FALSE(p.seccomp);
}

// The filter's variant: ptrace and its relatives are denied exactly when the
// host's pid namespace is shared; user namespaces only for an inner systemd.
TEST(RunPlan, SeccompVariantFollowsPidNamespaceAndInit) {
  Definition d = hello();
  EXPECT_EQ(plan(d).seccomp, (SeccompOptions{}));
  d.namespaces.pid = false;
  EXPECT_EQ(plan(d).seccomp, (SeccompOptions{.deny_ptrace = true}));
  d.seccomp = SeccompMode::kUnconfined;
  EXPECT_FALSE(plan(d).seccomp);
  Definition inner = hello();
  inner.init = InitMode::kSystemd;
  EXPECT_EQ(plan(inner).seccomp, (SeccompOptions{.allow_user_namespaces = true}));
  inner.init = InitMode::kTiny;
  EXPECT_EQ(plan(inner).seccomp, (SeccompOptions{}));
}

// With the host's pid, ipc or network namespace, what only their owner can
// mount is bound from the host or left out.
TEST(RunPlan, SharedNamespacesChangeWhatIsMounted) {
  using K = MountStep::Kind;
  Definition d = hello();
  d.namespaces.pid = false;
  d.namespaces.ipc = false;
  d.namespaces.cgroup = false;
  RunPlan p = plan(d);
  EXPECT_FALSE(has_step(p, K::kProc, "/proc"));
  EXPECT_TRUE(has_step(p, K::kBind, "/proc"));
  EXPECT_TRUE(has_step(p, K::kMaskFile, "/proc/kcore")) << "the host's /proc is masked too";
  EXPECT_FALSE(has_step(p, K::kMqueue, "/dev/mqueue"));
  EXPECT_FALSE(has_step(p, K::kCgroup2, "/sys/fs/cgroup"));
  EXPECT_FALSE(p.namespaces & (CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWCGROUP));
}

// The container's cgroup2 view is read-only, except for an inner systemd.
TEST(RunPlan, CgroupIsReadOnlyExceptForSystemd) {
  auto cgroup = [](const RunPlan& p) {
    return *std::find_if(p.mounts.begin(), p.mounts.end(),
                         [](const MountStep& m) { return m.kind == MountStep::Kind::kCgroup2; });
  };
  EXPECT_TRUE(cgroup(plan(hello())).flags & MS_RDONLY);
  Definition d = hello();
  d.init = InitMode::kSystemd;
  EXPECT_FALSE(cgroup(plan(d)).flags & MS_RDONLY);
}

// notify: true gets a socket in /run/host on a fresh /run; init: systemd
// also gets /dev/console, its own cgroup, /tmp, every capability but three,
// and the container interface's files and variables.
TEST(RunPlan, NotifyAndSystemdMechanics) {
  using K = MountStep::Kind;
  Definition d = hello();
  d.notify = true;
  RunPlan p = plan(d);
  EXPECT_EQ(p.notify_socket, "/run/host/notify");
  EXPECT_TRUE(has_step(p, K::kTmpfs, "/run"));
  EXPECT_TRUE(has_step(p, K::kDir, "/run/host"));
  EXPECT_FALSE(p.console);
  EXPECT_FALSE(p.cgroup_required);
  EXPECT_TRUE(plan(hello()).notify_socket.empty());

  d = hello();
  d.init = InitMode::kSystemd;
  d.stop.signal = SIGRTMIN + 3;
  HostIdentity h = host();
  h.instance_id = "0123456789abcdef0123456789abcdef";
  p = plan(d, h);
  EXPECT_EQ(p.notify_socket, "/run/host/notify");
  EXPECT_TRUE(p.console);
  EXPECT_TRUE(p.cgroup_required);
  EXPECT_EQ(p.stop_signal, SIGRTMIN + 3);
  EXPECT_TRUE(has_step(p, K::kTmpfs, "/tmp"));
  EXPECT_TRUE(has_step(p, K::kFile, "/run/host/container-manager"));
  EXPECT_NE(std::find(p.env.begin(), p.env.end(), "container_uuid=" + h.instance_id), p.env.end());
  for (int cap : {CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_SYS_PTRACE})
    EXPECT_NE(std::find(p.capabilities.begin(), p.capabilities.end(), cap), p.capabilities.end())
        << cap;
  for (int cap : {CAP_SYS_RAWIO, CAP_SYS_MODULE, CAP_SYS_TIME})
    EXPECT_EQ(std::find(p.capabilities.begin(), p.capabilities.end(), cap), p.capabilities.end())
        << cap;
  // A systemd box's own add/drop apply to that set: dropping one
  // capability keeps SYS_ADMIN, without which systemd exits (issue 16).
  d.capabilities.drop = {"CAP_NET_RAW"};
  p = plan(d, h);
  EXPECT_NE(std::find(p.capabilities.begin(), p.capabilities.end(), CAP_SYS_ADMIN),
            p.capabilities.end());
  EXPECT_EQ(std::find(p.capabilities.begin(), p.capabilities.end(), CAP_NET_RAW),
            p.capabilities.end());
  EXPECT_EQ(std::find(p.capabilities.begin(), p.capabilities.end(), CAP_SYS_TIME),
            p.capabilities.end());
  // Adding one of the three brings it back; dropping ALL starts from nothing.
  d.capabilities = {false, {"CAP_SYS_TIME"}, {}};
  p = plan(d, h);
  EXPECT_NE(std::find(p.capabilities.begin(), p.capabilities.end(), CAP_SYS_TIME),
            p.capabilities.end());
  EXPECT_EQ(std::find(p.capabilities.begin(), p.capabilities.end(), CAP_SYS_RAWIO),
            p.capabilities.end());
  d.capabilities = {false, {"CAP_SYS_ADMIN"}, {"ALL"}};
  p = plan(d, h);
  EXPECT_EQ(p.capabilities, std::vector<int>{CAP_SYS_ADMIN});
}

// The notify socket and the console are in the plan: where box-run makes
// the socket, both binds (after every other mount) and NOTIFY_SOCKET (after
// the rest of the environment).
TEST(RunPlan, NotifySocketAndConsoleAreBoundLast) {
  using K = MountStep::Kind;
  Definition d = hello();
  d.notify = true;
  RunPlan p = plan(d);
  EXPECT_EQ(p.notify_socket_host, "/run/user/1000/box/notify-hello-4242");
  ASSERT_FALSE(p.mounts.empty());
  EXPECT_EQ(p.mounts.back(), (MountStep{K::kBind, "/run/host/notify",
                                        "/run/user/1000/box/notify-hello-4242", "", 0}));
  EXPECT_EQ(p.env.back(), "NOTIFY_SOCKET=/run/host/notify");
  EXPECT_FALSE(p.console);
  // Outside a session: /tmp.
  RuntimeFacts no_session = facts();
  no_session.runtime_dir = "";
  EXPECT_EQ(plan(d, host(), no_session).notify_socket_host, "/tmp/notify-hello-4242");
  // Without notify: neither, and no NOTIFY_SOCKET.
  p = plan(hello());
  EXPECT_EQ(p.notify_socket_host, "");
  EXPECT_FALSE(has_step(p, K::kBind, "/run/host/notify"));
  for (const auto& e : p.env) EXPECT_NE(e.rfind("NOTIFY_SOCKET=", 0), 0u) << e;
  // A path a socket cannot have is refused before anything is made.
  RuntimeFacts deep = facts();
  deep.runtime_dir = "/run/" + std::string(100, 'x');
  auto too_long = make_run_plan(d, host(), deep);
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.error().message().find("notify socket path too long"), std::string::npos)
      << too_long.error().message();

  // init: systemd: the notify socket, then the console pty box-run opened.
  d = hello();
  d.init = InitMode::kSystemd;
  p = plan(d);
  ASSERT_GE(p.mounts.size(), 2u);
  EXPECT_EQ(p.mounts[p.mounts.size() - 2].target, "/run/host/notify");
  EXPECT_EQ(p.mounts.back(), (MountStep{K::kBindDev, "/dev/console", "/dev/pts/7", "", 0}));
  EXPECT_TRUE(p.console);
  EXPECT_EQ(p.env.back(), "NOTIFY_SOCKET=/run/host/notify");
  RuntimeFacts no_pty = facts();
  no_pty.console_pty = "";
  EXPECT_FALSE(make_run_plan(d, host(), no_pty).ok());
}

// What box-run tells the service manager, and the cgroup it makes, follow
// how it was started.
TEST(RunPlan, ServiceFactsDecideReadinessAndCgroup) {
  RunPlan p = plan(hello());
  EXPECT_EQ(p.service_notify_socket, "/run/user/1000/systemd/notify");
  EXPECT_TRUE(p.own_cgroup);
  RuntimeFacts run;  // box-run run
  run.path = "/usr/bin";
  run.box_run_pid = 4242;
  p = plan(hello(), host(), run);
  EXPECT_EQ(p.service_notify_socket, "");
  EXPECT_FALSE(p.own_cgroup);
  // An inner systemd needs the cgroup only a service has.
  Definition d = hello();
  d.init = InitMode::kSystemd;
  run.console_pty = "/dev/pts/7";
  auto r = make_run_plan(d, host(), run);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "init: systemd needs a delegated cgroup: start it as box@hello.service");
}

TEST(RunPlan, IdHelpersFromTheFactsOnlyWhenTheMapsNeedThem) {
  RuntimeFacts f = facts();
  f.newuidmap = "/opt/uidmap/newuidmap";
  f.newgidmap = "/opt/uidmap/newgidmap";
  RunPlan p = plan(hello(), host(true), f);
  EXPECT_TRUE(p.use_id_helpers);
  EXPECT_EQ(p.newuidmap, "/opt/uidmap/newuidmap");
  EXPECT_EQ(p.newgidmap, "/opt/uidmap/newgidmap");
  p = plan(hello(), host(false), f);
  EXPECT_FALSE(p.use_id_helpers);
  EXPECT_EQ(p.newuidmap, "");
}

TEST(RunPlan, RefusesWhatCannotWork) {
  auto error_of = [](const Definition& d) {
    auto p = make_run_plan(d, host(), facts());
    return p.ok() ? std::string("ok") : p.error().message();
  };
  Definition d = hello();
  d.ports.push_back(PortMapping{"", 8080, 80, "tcp"});
  EXPECT_EQ(error_of(d), "publishing ports needs 'network: private' (network is host)");
  d = hello();
  d.init = InitMode::kSystemd;
  d.namespaces.pid = false;
  EXPECT_EQ(error_of(d), "'init: systemd' needs a private pid namespace (namespaces.pid is host)");
  d.namespaces.pid = true;
  d.namespaces.cgroup = false;
  EXPECT_EQ(error_of(d),
            "'init: systemd' needs a private cgroup namespace (namespaces.cgroup is host)");
  d = hello();
  d.capabilities.add = {"CAP_NO_SUCH"};
  EXPECT_EQ(error_of(d), "unknown capability 'CAP_NO_SUCH'");
}

}  // namespace
}  // namespace box
