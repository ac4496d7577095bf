#include "core/plan/oci_exec_plan.h"

#include <gtest/gtest.h>

namespace box::oci {
namespace {

// A rootless container's PID 1 as /proc shows it: the caller mapped to
// root, one id, setgroups denied.
EnterFacts rootless_facts() {
  EnterFacts f;
  f.pid = 4242;
  f.uid_map = "0 1000 1\n";
  f.gid_map = "0 1000 1\n";
  f.setgroups = "deny\n";
  f.cap_last_cap = "40\n";
  f.foreign_namespaces = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID;
  return f;
}

Process sh(std::vector<std::string> args) {
  Process p;
  p.args = std::move(args);
  p.env = {"PATH=/usr/bin:/bin"};
  return p;
}

TEST(OciExecPlan, JoinsTheContainersNamespacesWithTheSpecsProcess) {
  Process p = sh({"sh", "-c", "true"});
  p.cwd = "/tmp";
  p.no_new_privileges = true;
  p.capabilities = Capabilities{};
  p.capabilities->bounding = {"CAP_KILL", "CAP_NOT_ON_THIS_KERNEL"};
  auto plan = plan_exec(p, rootless_facts());
  ASSERT_TRUE(plan) << plan.error().message();
  ASSERT_EQ(plan->namespaces.size(), 3u);
  EXPECT_STREQ(plan->namespaces.front().name, "user") << "user first: it grants the rest";
  EXPECT_STREQ(plan->namespaces.back().name, "mnt");
  EXPECT_FALSE(plan->set_groups) << "the container's namespace denies setgroups";
  EXPECT_EQ(plan->cap_bounding, std::uint64_t{1} << 5) << "CAP_KILL only; unknown names left out";
  EXPECT_TRUE(plan->no_new_privs);
  EXPECT_EQ(plan->workdir, "/tmp");
  EXPECT_EQ(plan->exec_candidates, (std::vector<std::string>{"/usr/bin/sh", "/bin/sh"}));
  EXPECT_FALSE(plan->tty);
}

TEST(OciExecPlan, ATerminalIsAsked) {
  Process p = sh({"sh"});
  p.terminal = true;
  auto plan = plan_exec(p, rootless_facts());
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_TRUE(plan->tty);
}

TEST(OciExecPlan, IdsOutsideTheContainersMapsAreNamed) {
  Process p = sh({"id"});
  p.uid = 5;
  auto uid = plan_exec(p, rootless_facts());
  ASSERT_FALSE(uid);
  EXPECT_EQ(uid.error().message(), "'process.user.uid': 5 is not mapped in the container's user namespace");
  p.uid = 0;
  p.additional_gids = {0};
  auto groups = plan_exec(p, rootless_facts());
  ASSERT_FALSE(groups);
  EXPECT_EQ(groups.error().message(),
            "'process.user.additionalGids': the container's user namespace denies setgroups");
  EnterFacts bad = rootless_facts();
  bad.uid_map = "zero 1000 1\n";
  auto unreadable = plan_exec(sh({"id"}), bad);
  ASSERT_FALSE(unreadable);
  EXPECT_NE(unreadable.error().message().find("the container's uid_map"), std::string::npos)
      << unreadable.error().message();
}

}  // namespace
}  // namespace box::oci
