#include "core/plan/pod_plan.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <algorithm>

#include "core/plan/plan_text.h"

namespace box {
namespace {

PodDefinition web() {
  PodDefinition p;
  p.name = "web";
  p.source_path = "/home/u/.config/box/pods/web.yaml";
  p.ports = {{"127.0.0.1", 8080, 80, "tcp"}};
  return p;
}

HostIdentity host(bool with_range) {
  HostIdentity h;
  h.uid = 1000;
  h.gid = 1001;
  if (with_range) {
    h.subuids = {{100000, 65536}};
    h.subgids = {{200000, 65536}};
  }
  return h;
}

RuntimeFacts facts() {
  RuntimeFacts f;
  f.service = true;
  f.service_notify_socket = "/run/user/1000/systemd/notify";
  f.runtime_dir = "/run/user/1000";
  f.box_run_pid = 4242;
  f.path = "/usr/bin";
  f.network_helper = NetworkHelperSpec{NetworkHelperKind::kPasta, "/usr/bin/pasta"};
  return f;
}

TEST(PodPlan, HolderKeepsTheNamespacesThePodShares) {
  auto plan = make_pod_plan(web(), host(true), facts());
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  EXPECT_EQ(plan->namespaces, CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS);
  EXPECT_EQ(pod_namespace_names(plan->namespaces),
            (std::vector<std::string>{"user", "net", "ipc", "uts"}));
  // Mapped as a box of the same userns: root inside is the user.
  EXPECT_EQ(plan->uid_map, (std::vector<IdMapping>{{0, 1000, 1}, {1, 100000, 65536}}));
  EXPECT_TRUE(plan->use_id_helpers);
  EXPECT_EQ(plan->newuidmap, "/usr/bin/newuidmap");
  EXPECT_EQ(plan->hostname, "web");
  EXPECT_TRUE(plan->loopback_up);
  ASSERT_TRUE(plan->network_helper);
  EXPECT_EQ(plan->network_helper->kind, NetworkHelperKind::kPasta);
  EXPECT_EQ(plan->ports, web().ports);
  EXPECT_EQ(plan->service_notify_socket, "/run/user/1000/systemd/notify");
  EXPECT_EQ(plan->record_dir, "/run/user/1000/box/pods");
}

TEST(PodPlan, ShareNothingAndTheHostsNetwork) {
  PodDefinition p = web();
  p.ports.clear();
  p.network = NetworkMode::kHost;
  p.share_ipc = p.share_uts = false;
  RuntimeFacts f = facts();
  f.network_helper.reset();  // not looked for: not needed
  auto plan = make_pod_plan(p, host(false), f);
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  EXPECT_EQ(plan->namespaces, CLONE_NEWUSER);
  EXPECT_EQ(plan->uid_map, (std::vector<IdMapping>{{0, 1000, 1}}));
  EXPECT_FALSE(plan->use_id_helpers);
  EXPECT_EQ(plan->hostname, "");
  EXPECT_FALSE(plan->loopback_up);
  EXPECT_FALSE(plan->network_helper);
}

TEST(PodPlan, WithoutAHelperSaysWhatToInstall) {
  RuntimeFacts f = facts();
  f.network_helper.reset();
  auto plan = make_pod_plan(web(), host(false), f);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().message().rfind("the network of pod 'web': private networking needs "
                                         "pasta or slirp4netns",
                                         0),
            0u)
      << plan.error().message();
}

TEST(PodPlan, NeedsTheRuntimeDirItsMembersLookIn) {
  RuntimeFacts f = facts();
  f.runtime_dir.clear();
  auto plan = make_pod_plan(web(), host(false), f);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.error().message().find("$XDG_RUNTIME_DIR"), std::string::npos);
}

// A member of the pod `web`, as box-run start plans it.
Definition shop() {
  Definition d;
  d.name = "shop";
  d.source_path = "/home/u/.config/box/containers/shop.yaml";
  d.rootfs = "/srv/shop";
  d.command = {"httpd"};
  d.pod = "web";
  return d;
}

PodFacts running(const PodDefinition& pod) {
  PodFacts f;
  f.pod = pod;
  f.running = true;
  f.holder = 777;
  f.user_ns = "/proc/self/fd/5";
  f.net_ns = "/proc/self/fd/6";
  if (pod.share_ipc) f.ipc_ns = "/proc/self/fd/7";
  if (pod.share_uts) f.uts_ns = "/proc/self/fd/8";
  return f;
}

bool has_step(const RunPlan& p, MountStep::Kind k, const std::string& target) {
  return std::any_of(p.mounts.begin(), p.mounts.end(),
                     [&](const MountStep& m) { return m.kind == k && m.target == target; });
}

const MountStep* step(const RunPlan& p, const std::string& target) {
  for (const auto& m : p.mounts)
    if (m.target == target) return &m;
  return nullptr;
}

TEST(PodMemberPlan, JoinsThePodsNamespacesUserFirst) {
  RuntimeFacts f = facts();
  f.pod = running(web());
  auto p = make_run_plan(shop(), host(true), f);
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->namespaces, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWCGROUP);
  EXPECT_EQ(p->join, (std::vector<JoinNamespace>{{CLONE_NEWUSER, "/proc/self/fd/5"},
                                                 {CLONE_NEWNET, "/proc/self/fd/6"},
                                                 {CLONE_NEWIPC, "/proc/self/fd/7"},
                                                 {CLONE_NEWUTS, "/proc/self/fd/8"}}));
  // The pod's box-run wrote the maps and runs the network helper.
  EXPECT_TRUE(p->uid_map.empty());
  EXPECT_FALSE(p->use_id_helpers);
  EXPECT_FALSE(p->network_helper);
  EXPECT_FALSE(p->loopback_up);
  EXPECT_TRUE(p->ports.empty());
  EXPECT_EQ(p->network, NetworkMode::kPrivate);
  // The pod's host name, not set again (its uts namespace is the pod's).
  EXPECT_EQ(p->hostname, "web");
  EXPECT_NE(std::find(p->env.begin(), p->env.end(), "HOSTNAME=web"), p->env.end());
  // The pod's network's sysfs, ipc's mqueue; a private box's /etc files.
  EXPECT_TRUE(has_step(*p, MountStep::Kind::kSysfs, "/sys"));
  EXPECT_TRUE(has_step(*p, MountStep::Kind::kMqueue, "/dev/mqueue"));
  ASSERT_NE(step(*p, "/etc/resolv.conf"), nullptr);
  EXPECT_NE(step(*p, "/etc/resolv.conf")->source.find("nameserver 10.0.2.3"), std::string::npos);
  ASSERT_NE(step(*p, "/etc/hosts"), nullptr);
  EXPECT_NE(step(*p, "/etc/hosts")->source.find("127.0.1.1\tweb\n"), std::string::npos);
  // The dry run says what it joins.
  const std::string text = format_run_plan(*p, f);
  EXPECT_NE(text.find("  pod: web (/home/u/.config/box/pods/web.yaml), holder pid 777\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  joins:\n    user /proc/self/fd/5\n    net /proc/self/fd/6\n"),
            std::string::npos)
      << text;
}

TEST(PodMemberPlan, ShareNothingKeepsIpcAndUtsAndTheirOwnName) {
  PodDefinition pod = web();
  pod.share_ipc = pod.share_uts = false;
  RuntimeFacts f = facts();
  f.pod = running(pod);
  auto p = make_run_plan(shop(), host(true), f);
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->namespaces,
            CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWIPC | CLONE_NEWUTS);
  EXPECT_EQ(p->join.size(), 2u);
  EXPECT_EQ(p->hostname, "shop");
}

TEST(PodMemberPlan, ThePodsSettingsAreTheMembers) {
  PodDefinition pod = web();
  pod.dns = {"192.0.2.53"};
  pod.hostname = "front";
  pod.userns = UsernsMode::kKeepId;
  RuntimeFacts f = facts();
  f.pod = running(pod);
  auto p = make_run_plan(shop(), host(true), f);
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->hostname, "front");
  EXPECT_EQ(p->uid, 1000u);  // keep-id: the user's own id inside
  EXPECT_NE(step(*p, "/etc/resolv.conf")->source.find("nameserver 192.0.2.53"), std::string::npos);
}

TEST(PodMemberPlan, AUserNamespaceThatDeniesSetgroupsKeepsTheGroups) {
  RuntimeFacts f = facts();
  f.pod = running(web());
  f.pod->setgroups_allowed = false;
  auto p = make_run_plan(shop(), host(false), f);
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_TRUE(p->keep_groups);
}

TEST(PodMemberPlan, TheHostsNetworkIsJoinedAsIs) {
  PodDefinition pod = web();
  pod.network = NetworkMode::kHost;
  pod.ports.clear();
  RuntimeFacts f = facts();
  f.pod = running(pod);
  f.pod->net_ns.clear();
  auto p = make_run_plan(shop(), host(true), f);
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->network, NetworkMode::kHost);
  EXPECT_EQ(p->join.size(), 3u);  // user, ipc, uts
  EXPECT_TRUE(has_step(*p, MountStep::Kind::kBindSys, "/sys"));
}

TEST(PodMemberPlan, AHostNamespaceThePodSharesIsRefused) {
  Definition d = shop();
  d.namespaces.ipc = false;
  d.key_locations[Key::kNamespaces] = "shop.yaml:5:1";
  RuntimeFacts f = facts();
  f.pod = running(web());
  auto p = make_run_plan(d, host(true), f);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message(),
            "shop.yaml:5:1: 'namespaces': ipc is host here, and the pod 'web' shares its own ipc "
            "namespace among its members (/home/u/.config/box/pods/web.yaml): remove 'ipc: "
            "host', or leave ipc out of the pod's 'share'");
}

TEST(PodMemberPlan, WithoutThePodsFactsThereIsNoPlan) {
  auto p = make_run_plan(shop(), host(true), facts());
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message().find("the pod 'web'"), std::string::npos);
}

}  // namespace
}  // namespace box
