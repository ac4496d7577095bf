#include "core/plan/plan_text.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include <functional>
#include <vector>

namespace box {
namespace {

using K = MountStep::Kind;

TEST(PlanText, WordsAreBareOrQuotedWithEscapes) {
  EXPECT_EQ(plan_word("/usr/bin/pasta"), "/usr/bin/pasta");
  EXPECT_EQ(plan_word("PATH=/bin:/usr/bin"), "PATH=/bin:/usr/bin");
  EXPECT_EQ(plan_word(""), "\"\"");
  EXPECT_EQ(plan_word("a b"), "\"a b\"");
  EXPECT_EQ(plan_word("say \"hi\"\n\t\\\x01"), "\"say \\\"hi\\\"\\n\\t\\\\\\x01\"");
}

TEST(PlanText, MountStepsSayKindTargetSourceAndFlags) {
  MountStep bind{K::kBind, "/data", "/home/u/data", "", MS_RDONLY};
  bind.optional = true;
  EXPECT_EQ(format_mount_step(bind), "bind /data <- /home/u/data ro optional");
  EXPECT_EQ(format_mount_step({K::kProc, "/proc", "", "", MS_NOSUID | MS_NODEV | MS_NOEXEC}),
            "proc /proc nosuid,nodev,noexec");
  EXPECT_EQ(format_mount_step({K::kTmpfs, "/dev", "", "mode=755,size=64k", MS_NOSUID}),
            "tmpfs /dev mode=755,size=64k nosuid");
  EXPECT_EQ(format_mount_step({K::kSymlink, "/dev/ptmx", "pts/ptmx", "", 0}),
            "symlink /dev/ptmx -> pts/ptmx");
  MountStep file{K::kFile, "/etc/hosts", "127.0.0.1\tlocalhost\n", "", MS_RDONLY};
  file.mode = 0644;
  file.optional_target = true;
  EXPECT_EQ(format_mount_step(file),
            "file /etc/hosts = \"127.0.0.1\\tlocalhost\\n\" ro mode=0644 optional-target");
  EXPECT_EQ(format_mount_step({K::kBindDev, "/dev/console", "/dev/pts/7", "", 0}),
            "bind-dev /dev/console <- /dev/pts/7");
  EXPECT_EQ(format_mount_step({K::kMaskDir, "/proc/acpi", "", "", MS_REMOUNT}),
            "mask-dir /proc/acpi 0x20");
}

RunPlan sample() {
  RunPlan p;
  p.name = "web";
  p.uid_map = {{0, 1000, 1}};
  p.gid_map = {{0, 1000, 1}};
  p.namespaces = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID;
  p.rootfs = "/srv/web";
  p.mounts = {{K::kProc, "/proc", "", "", MS_NOSUID}};
  p.argv = {"httpd", "-f"};
  p.exec_candidates = {"/usr/bin/httpd"};
  p.env = {"container=box", "PATH=/usr/bin"};
  p.capabilities = {0};
  return p;
}

TEST(PlanText, ThePlanInOrder) {
  RuntimeFacts facts;
  facts.path = "/usr/bin";
  facts.box_run_pid = 42;
  const std::string text = format_run_plan(sample(), facts);
  EXPECT_EQ(text.rfind("host:\n  started as: box-run run\n", 0), 0u) << text;
  EXPECT_NE(text.find("\n  PATH: /usr/bin\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nplan:\n  name: web\n  user: 0:0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n  namespaces: user mount pid\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n  mounts:\n    proc /proc nosuid\n  init: none\n  command: httpd -f\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\n  env:\n    container=box\n    PATH=/usr/bin\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("\n  capabilities: CAP_CHOWN\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n  seccomp: unconfined\n"), std::string::npos) << text;
}

// Two plans that differ in any one field differ in their text: what is
// printed is the whole plan.
TEST(PlanText, EveryFieldShows) {
  const std::vector<std::function<void(RunPlan&)>> changes = {
      [](RunPlan& p) { p.name = "db"; },
      [](RunPlan& p) {
        p.uid_map = {{0, 1001, 1}};
      },
      [](RunPlan& p) {
        p.gid_map = {{0, 1001, 1}};
      },
      [](RunPlan& p) { p.use_id_helpers = true; },
      [](RunPlan& p) {
        p.use_id_helpers = true;
        p.newuidmap = "/opt/newuidmap";
      },
      [](RunPlan& p) {
        p.use_id_helpers = true;
        p.newgidmap = "/opt/newgidmap";
      },
      [](RunPlan& p) { p.uid = 33; },
      [](RunPlan& p) { p.gid = 33; },
      [](RunPlan& p) { p.groups = {5}; },
      [](RunPlan& p) { p.namespaces |= CLONE_NEWNET; },
      [](RunPlan& p) { p.loopback_up = true; },
      [](RunPlan& p) { p.network = NetworkMode::kPrivate; },
      [](RunPlan& p) {
        p.network_helper = NetworkHelperSpec{NetworkHelperKind::kPasta, "/usr/bin/pasta"};
      },
      [](RunPlan& p) { p.network_api_socket = "/run/user/1000/box/net-1.sock"; },
      [](RunPlan& p) {
        p.ports = {PortMapping{"", 8080, 80, "tcp"}};
      },
      [](RunPlan& p) { p.hostname = "web"; },
      [](RunPlan& p) { p.rootfs = "/srv/db"; },
      [](RunPlan& p) { p.rootfs_writes = RootfsWrites::kDirect; },
      [](RunPlan& p) { p.upper_dir = "/u"; },
      [](RunPlan& p) { p.work_dir = "/w"; },
      [](RunPlan& p) {
        p.rootfs_writes = RootfsWrites::kOverlay;
        p.overlay_driver = OverlayDriver::kFuse;
      },
      [](RunPlan& p) {
        p.rootfs_writes = RootfsWrites::kOverlay;
        p.fuse_overlayfs = "/usr/bin/fuse-overlayfs";
      },
      [](RunPlan& p) {
        p.mounts.push_back({K::kDir, "/x", "", "", 0});
      },
      [](RunPlan& p) { p.mounts[0].flags |= MS_NOEXEC; },
      [](RunPlan& p) { p.init = InitMode::kTiny; },
      [](RunPlan& p) { p.argv = {"httpd"}; },
      [](RunPlan& p) { p.exec_candidates = {"/bin/httpd"}; },
      [](RunPlan& p) { p.env.push_back("A=b"); },
      [](RunPlan& p) { p.workdir = "/srv"; },
      [](RunPlan& p) { p.umask = 077; },
      [](RunPlan& p) {
        p.rlimits = {{RLIMIT_NOFILE, 1024, 4096}};
      },
      [](RunPlan& p) { p.capabilities = {}; },
      [](RunPlan& p) { p.seccomp = SeccompOptions{}; },
      [](RunPlan& p) { p.seccomp = SeccompOptions{.allow_user_namespaces = true}; },
      [](RunPlan& p) { p.seccomp = SeccompOptions{.deny_ptrace = true}; },
      [](RunPlan& p) { p.service_notify_socket = "/run/user/1000/systemd/notify"; },
      [](RunPlan& p) { p.notify_socket = "/run/host/notify"; },
      [](RunPlan& p) {
        p.notify_socket = "/run/host/notify";
        p.notify_socket_host = "/tmp/notify-web-1";
      },
      [](RunPlan& p) { p.console = true; },
      [](RunPlan& p) { p.own_cgroup = true; },
      [](RunPlan& p) {
        p.own_cgroup = true;
        p.cgroup_required = true;
      },
      [](RunPlan& p) { p.stop_signal = SIGRTMIN + 3; },
  };
  const RuntimeFacts facts;
  const RunPlan base = sample();
  const std::string base_text = format_run_plan(base, facts);
  for (std::size_t i = 0; i < changes.size(); ++i) {
    RunPlan changed = base;
    changes[i](changed);
    EXPECT_NE(format_run_plan(changed, facts), base_text) << "change " << i;
  }
  // The seccomp variants differ from one another too.
  RunPlan a = base, b = base;
  a.seccomp = SeccompOptions{.allow_user_namespaces = true};
  b.seccomp = SeccompOptions{.deny_ptrace = true};
  EXPECT_NE(format_run_plan(a, facts), format_run_plan(b, facts));
}

}  // namespace
}  // namespace box
