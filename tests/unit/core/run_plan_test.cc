#include "run_plan.h"

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sched.h>

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

TEST(RunPlan, MapsRootInsideToTheUser) {
  RunPlan p = plan_from_definition(hello(), {1000, 1001});
  EXPECT_EQ(p.uid_map, (IdMapping{0, 1000, 1}));
  EXPECT_EQ(p.gid_map, (IdMapping{0, 1001, 1}));
}

TEST(RunPlan, IsolatesWithFiveNamespaces) {
  RunPlan p = plan_from_definition(hello(), {1000, 1000});
  EXPECT_EQ(p.namespaces, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS);
  EXPECT_EQ(p.hostname, "hello");
  EXPECT_TRUE(p.rootfs_readonly);
  EXPECT_EQ(p.rootfs, "/srv/hello");
}

TEST(RunPlan, EnvironmentStartsEmpty) {
  RunPlan p = plan_from_definition(hello(), {1000, 1000});
  EXPECT_EQ(p.env, (std::vector<std::string>{"container=box", "PATH=/bin:relative:/usr/bin",
                                             "HOME=/root", "HOSTNAME=hello", "GREETING=hi"}));
}

TEST(RunPlan, SearchesPathSkippingRelativeEntries) {
  RunPlan p = plan_from_definition(hello(), {1000, 1000});
  EXPECT_EQ(p.exec_candidates, (std::vector<std::string>{"/bin/sh", "/usr/bin/sh"}));
  Definition d = hello();
  d.command = {"/opt/app/run"};
  EXPECT_EQ(plan_from_definition(d, {1, 1}).exec_candidates,
            (std::vector<std::string>{"/opt/app/run"}));
}

TEST(RunPlan, ProcAndMinimalDev) {
  RunPlan p = plan_from_definition(hello(), {1000, 1000});
  auto has = [&](MountStep::Kind k, const std::string& target) {
    return std::any_of(p.mounts.begin(), p.mounts.end(),
                       [&](const MountStep& m) { return m.kind == k && m.target == target; });
  };
  using K = MountStep::Kind;
  EXPECT_EQ(p.mounts.front().kind, K::kProc);
  EXPECT_TRUE(has(K::kTmpfs, "/dev"));
  for (const char* dev : {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
                          "/dev/tty"})
    EXPECT_TRUE(has(K::kBindDev, dev)) << dev;
  EXPECT_TRUE(has(K::kDevpts, "/dev/pts"));
  EXPECT_TRUE(has(K::kSymlink, "/dev/ptmx"));
  EXPECT_TRUE(has(K::kTmpfs, "/dev/shm"));
  EXPECT_TRUE(has(K::kMqueue, "/dev/mqueue"));
  // /dev must exist (tmpfs) before anything is created in it.
  auto dev_tmpfs = std::find_if(p.mounts.begin(), p.mounts.end(),
                                [](const MountStep& m) { return m.target == "/dev"; });
  auto first_dev_child = std::find_if(p.mounts.begin(), p.mounts.end(), [](const MountStep& m) {
    return m.target.rfind("/dev/", 0) == 0;
  });
  EXPECT_LT(dev_tmpfs - p.mounts.begin(), first_dev_child - p.mounts.begin());
}

TEST(RunPlan, DefaultCapabilitiesExcludeSysAdmin) {
  RunPlan p = plan_from_definition(hello(), {1000, 1000});
  auto has = [&](int c) {
    return std::find(p.capabilities.begin(), p.capabilities.end(), c) != p.capabilities.end();
  };
  EXPECT_TRUE(has(CAP_NET_BIND_SERVICE));
  EXPECT_TRUE(has(CAP_SETUID));
  EXPECT_FALSE(has(CAP_SYS_ADMIN));
  EXPECT_FALSE(has(CAP_NET_ADMIN));
  EXPECT_FALSE(has(CAP_SYS_PTRACE));
}

TEST(RunPlan, CommandPlan) {
  RunPlan p = plan_for_command("/r", {"true"}, {5, 6});
  EXPECT_EQ(p.argv, (std::vector<std::string>{"true"}));
  EXPECT_EQ(p.exec_candidates.front(), "/usr/local/sbin/true");
  EXPECT_EQ(p.env.front(), "container=box");
}

}  // namespace
}  // namespace box
