// The plan for `boxctl enter`, from what /proc says about the process
// joined: table-driven from fixed /proc texts, as the kernel writes them.
#include "core/plan/enter_plan.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include "core/plan/run_plan.h"

namespace box {
namespace {

// A box mapped through the subordinate ids (0 = the user 1000, 1.. =
// 100000..), its PID 1 root inside, filtered, with no_new_privs, in its own
// namespaces but the cgroup one.
EnterFacts subid_box() {
  EnterFacts f;
  f.pid = 4242;
  f.status =
      "Name:\tsh\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\n"
      "Groups:\t1000 100004 5 \nCapBnd:\t00000000a80425fb\nNoNewPrivs:\t1\nSeccomp:\t2\n";
  f.uid_map = "         0       1000          1\n         1     100000      65536\n";
  f.gid_map = f.uid_map;
  f.setgroups = "allow\n";
  f.environ = std::string("PATH=/opt/bin:/bin\0container=box\0HOME=/root\0", 44);
  f.cap_last_cap = "40\n";
  f.foreign_namespaces = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS |
                         CLONE_NEWIPC | CLONE_NEWNET;
  f.caller_term = "xterm-256color";
  // As the kernel writes them: the box's rlimits {nofile: '100:200'}, and
  // a caller whose own hard limits are lower for some.
  f.limits =
      "Limit                     Soft Limit           Hard Limit           Units     \n"
      "Max cpu time              unlimited            unlimited            seconds   \n"
      "Max core file size        0                    unlimited            bytes     \n"
      "Max processes             96367                96367                processes \n"
      "Max open files            100                  200                  files     \n"
      "Max nice priority         0                    0                    \n"
      "Max realtime timeout      unlimited            unlimited            us        \n";
  f.own_limits =
      "Limit                     Soft Limit           Hard Limit           Units     \n"
      "Max cpu time              unlimited            unlimited            seconds   \n"
      "Max core file size        0                    4096                 bytes     \n"
      "Max processes             96367                96367                processes \n"
      "Max open files            1024                 524288               files     \n"
      "Max nice priority         0                    0                    \n"
      "Max realtime timeout      unlimited            unlimited            us        \n";
  return f;
}

EnterRequest command(std::vector<std::string> argv) {
  EnterRequest r;
  r.supervisor = 4000;
  r.argv = std::move(argv);
  return r;
}

std::vector<std::string> names(const EnterPlan& plan) {
  std::vector<std::string> out;
  for (const auto& ns : plan.namespaces) out.push_back(ns.name);
  return out;
}

TEST(EnterPlan, JoinsTheBoxsOwnNamespacesUserFirstMountLast) {
  auto plan = plan_enter(command({"sh"}), subid_box());
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  // Not the cgroup namespace: the box shares ours.
  EXPECT_EQ(names(*plan), (std::vector<std::string>{"user", "ipc", "uts", "net", "pid", "mnt"}));
  EXPECT_EQ(plan->namespaces.front().type, CLONE_NEWUSER);
  EXPECT_EQ(plan->namespaces.back().type, CLONE_NEWNS);
  EnterFacts ours = subid_box();
  ours.foreign_namespaces = 0;
  EXPECT_TRUE(plan_enter(command({"sh"}), ours)->namespaces.empty());
}

TEST(EnterPlan, TheIdentityInsideAndTheGroupsMappedThere) {
  auto plan = plan_enter(command({"id"}), subid_box());
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  EXPECT_EQ(plan->uid, 0u);
  EXPECT_EQ(plan->gid, 0u);
  // 5 is not mapped into the box: a host group PID 1 kept (keep_groups),
  // so the command keeps the caller's groups rather than lose them to a
  // setgroups of the mapped ones.
  EXPECT_EQ(plan->groups, (std::vector<gid_t>{0, 5}));
  EXPECT_FALSE(plan->set_groups);
  EnterFacts dropped = subid_box();
  dropped.status = "Name:\tsh\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\n"
                   "Groups:\t1000 100004 \nCapBnd:\t00000000a80425fb\nNoNewPrivs:\t1\nSeccomp:\t2\n";
  plan = plan_enter(command({"id"}), dropped);
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  EXPECT_EQ(plan->groups, (std::vector<gid_t>{0, 5}));
  EXPECT_TRUE(plan->set_groups);
  EnterFacts single = dropped;
  single.setgroups = "deny\n";
  EXPECT_FALSE(plan_enter(command({"id"}), single)->set_groups);
  // Where /proc/PID/setgroups cannot be read, setgroups is tried.
  single.setgroups.reset();
  EXPECT_TRUE(plan_enter(command({"id"}), single)->set_groups);
}

TEST(EnterPlan, TheBoxsBoundingSetNoNewPrivsAndFilter) {
  auto plan = plan_enter(command({"sh"}), subid_box());
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->cap_bounding, 0xa80425fbu);
  EXPECT_EQ(plan->cap_last, 40);
  EXPECT_TRUE(plan->no_new_privs);
  // Its own pid namespace: ptrace allowed, as at its start; nested user
  // namespaces never, whatever the box may do.
  ASSERT_TRUE(plan->seccomp.has_value());
  EXPECT_EQ(*plan->seccomp, (SeccompOptions{.allow_user_namespaces = false, .deny_ptrace = false}));

  EnterFacts host_pids = subid_box();
  host_pids.foreign_namespaces &= ~CLONE_NEWPID;
  EXPECT_EQ(*plan_enter(command({"sh"}), host_pids)->seccomp,
            (SeccompOptions{.allow_user_namespaces = false, .deny_ptrace = true}));

  EnterFacts open = subid_box();
  open.status =
      "Uid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\nCapBnd:\t000001ffffffffff\n"
      "NoNewPrivs:\t0\nSeccomp:\t0\n";
  open.cap_last_cap = "37\n";
  auto unfiltered = plan_enter(command({"sh"}), open);
  ASSERT_TRUE(unfiltered.ok());
  EXPECT_FALSE(unfiltered->seccomp.has_value());
  EXPECT_FALSE(unfiltered->no_new_privs);
  EXPECT_EQ(unfiltered->cap_last, 37);
  open.cap_last_cap.reset();
  EXPECT_EQ(plan_enter(command({"sh"}), open)->cap_last, 40);
}

TEST(EnterPlan, TheBoxsEnvironmentUnderTheCallersAndItsPath) {
  EnterRequest r = command({"ls", "-l"});
  r.extra_env = {"HOME=/tmp", "EXTRA=1"};
  auto plan = plan_enter(r, subid_box());
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->env, (std::vector<std::string>{"PATH=/opt/bin:/bin", "container=box",
                                                 "HOME=/tmp", "EXTRA=1"}));
  EXPECT_EQ(plan->argv, (std::vector<std::string>{"ls", "-l"}));
  // The box's PATH, never the working directory.
  EXPECT_EQ(plan->exec_candidates, (std::vector<std::string>{"/opt/bin/ls", "/bin/ls"}));
  // The caller's PATH wins over the box's.
  r.extra_env = {"PATH=/usr/bin"};
  EXPECT_EQ(plan_enter(r, subid_box())->exec_candidates, std::vector<std::string>{"/usr/bin/ls"});

  // An environment that cannot be read: box's mark and the default PATH.
  EnterFacts hidden = subid_box();
  hidden.environ.reset();
  auto fallback = plan_enter(command({"ls"}), hidden);
  EXPECT_EQ(fallback->env, std::vector<std::string>{"container=box"});
  EXPECT_EQ(fallback->exec_candidates, exec_candidates("ls", kDefaultPath));
  EXPECT_EQ(plan_enter(command({"/bin/ls"}), hidden)->exec_candidates,
            std::vector<std::string>{"/bin/ls"});
}

TEST(EnterPlan, ATerminalBringsTheCallersTerm) {
  EnterRequest r = command({"sh"});
  EXPECT_EQ(plan_enter(r, subid_box())->env.size(), 3u);  // no TERM without a terminal
  r.tty = true;
  auto plan = plan_enter(r, subid_box());
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->tty);
  EXPECT_EQ(plan->env.back(), "TERM=xterm-256color");
  EnterFacts no_term = subid_box();
  no_term.caller_term.clear();
  EXPECT_EQ(plan_enter(r, no_term)->env.back(), "TERM=xterm");
}

TEST(EnterPlan, TheWorkingDirectoryAsked) {
  EXPECT_EQ(plan_enter(command({"sh"}), subid_box())->workdir, "");  // the box's own
  EnterRequest r = command({"sh"});
  r.workdir = "/srv";
  EXPECT_EQ(plan_enter(r, subid_box())->workdir, "/srv");
}

TEST(EnterPlan, WhatIsWrongWithTheFactsNamesTheFile) {
  EXPECT_EQ(plan_enter(command({}), subid_box()).error().message(), "no command to run");
  EnterFacts f = subid_box();
  f.status = "Name:\tsh\n";
  EXPECT_EQ(plan_enter(command({"sh"}), f).error().message(),
            "/proc/4242/status: no Uid, Gid or CapBnd line");
  f = subid_box();
  f.gid_map = "0 1000\n";
  EXPECT_EQ(plan_enter(command({"sh"}), f).error().message(),
            "/proc/4242/gid_map: malformed id map line '0 1000'");
  f = subid_box();
  f.uid_map = "0 2000 1\n";
  EXPECT_EQ(plan_enter(command({"sh"}), f).error().message(),
            "its user: id 1000 is not mapped into the container");
}

TEST(EnterPlan, MergeEnvReplacesOrAdds) {
  EXPECT_EQ(merge_env({"PATH=/bin", "A=1"}, {"A=2", "B=3", "bad", "=x"}),
            (std::vector<std::string>{"PATH=/bin", "A=2", "B=3"}));
  // A name is replaced whole, not a longer one it begins.
  EXPECT_EQ(merge_env({"AB=1"}, {"A=2"}), (std::vector<std::string>{"AB=1", "A=2"}));
}

// boxctl enter searches PATH as box-run does: never the working directory.
TEST(EnterPlan, ExecCandidates) {
  EXPECT_EQ(exec_candidates("/bin/sh", "/usr/bin"), std::vector<std::string>{"/bin/sh"});
  EXPECT_EQ(exec_candidates("cat", "/usr/bin:/bin"),
            (std::vector<std::string>{"/usr/bin/cat", "/bin/cat"}));
  EXPECT_EQ(exec_candidates("x", "/a::rel:/b:"), (std::vector<std::string>{"/a/x", "/b/x"}));
}

// The entered command gets the box's resource limits (issue 16: it had
// the caller's), each hard limit no higher than the caller may set.
TEST(EnterPlan, TheBoxsResourceLimitsWithinTheCallers) {
  auto plan = plan_enter(command({"sh"}), subid_box());
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  EXPECT_EQ(plan->rlimits, (std::vector<ProcLimit>{{RLIMIT_CPU, UINT64_MAX, UINT64_MAX},
                                                   {RLIMIT_CORE, 0, 4096},
                                                   {RLIMIT_NPROC, 96367, 96367},
                                                   {RLIMIT_NOFILE, 100, 200},
                                                   {RLIMIT_NICE, 0, 0},
                                                   {RLIMIT_RTTIME, UINT64_MAX, UINT64_MAX}}));
  EnterFacts bad = subid_box();
  bad.limits = "Limit  Soft Limit  Hard Limit  Units\nMax open files  many  200  files\n";
  auto refused = plan_enter(command({"sh"}), bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message(),
            "/proc/4242/limits: cannot read the limits in 'Max open files  many  200  files'");
}

}  // namespace
}  // namespace box
