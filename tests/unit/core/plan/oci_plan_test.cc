// config.json -> Config -> RunPlan: what box-oci builds from the configs
// the real tools write (box-oci's own spec template, which follows runc's)
// and from the edits the tests name.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/plan/oci_config.h"
#include "core/plan/oci_plan.h"
#include "oci/spec_template.h"

namespace box::oci {
namespace {

using nlohmann::json;

PlanContext user_context() {
  PlanContext ctx;
  ctx.id = "c";
  ctx.bundle = "/b";
  ctx.uid = 1000;
  ctx.gid = 1000;
  ctx.exec_fifo = "/run/x/exec.fifo";
  return ctx;
}

Result<OciPlan> plan_of(const json& j, const PlanContext& ctx = user_context()) {
  auto c = read_config(j.dump(), "config.json");
  if (!c) return c.error();
  return make_oci_run_plan(*c, ctx);
}

json rootless_spec() { return json::parse(spec_template(true, 1000, 1000)); }

const MountStep* step_at(const RunPlan& p, const std::string& target, MountStep::Kind kind) {
  for (const auto& m : p.mounts)
    if (m.target == target && m.kind == kind) return &m;
  return nullptr;
}

TEST(OciConfig, ErrorsNameTheField) {
  json j = rootless_spec();
  j["process"]["args"] = {"sh", 5};
  EXPECT_EQ(read_config(j.dump(), "config.json").error().message(),
            "config.json: 'process.args[1]': expected a string");
  j = rootless_spec();
  j["linux"]["uidMappings"][0]["size"] = 0;
  EXPECT_EQ(read_config(j.dump(), "f").error().message(),
            "f: 'linux.uidMappings[0].size': expected a number of ids above 0");
  j = rootless_spec();
  j["process"]["user"]["uid"] = -1;
  EXPECT_NE(read_config(j.dump(), "f").error().message().find("'process.user.uid': expected a whole number from 0"),
            std::string::npos);
  j = rootless_spec();
  j["process"]["rlimits"][0]["hard"] = 5.3e34;
  EXPECT_NE(read_config(j.dump(), "f").error().message().find("'process.rlimits[0].hard'"),
            std::string::npos);
  EXPECT_NE(read_config("{", "f").error().message().find("f: invalid JSON"), std::string::npos);
  j = rootless_spec();
  j.erase("root");
  EXPECT_NE(read_config(j.dump(), "f").error().message().find("'root'"), std::string::npos);
  j = rootless_spec();
  j["mounts"][0]["destination"] = "proc";
  EXPECT_EQ(read_config(j.dump(), "f").error().message(),
            "f: 'mounts[0].destination': expected an absolute path");
}

TEST(OciPlan, TheRootlessSpecMapsTheCallerToRootAndWaitsAtTheGate) {
  auto p = plan_of(rootless_spec());
  ASSERT_TRUE(p) << p.error().message();
  const RunPlan& r = p->plan;
  EXPECT_EQ(r.uid_map, (std::vector<box::IdMapping>{{0, 1000, 1}}));
  EXPECT_FALSE(r.use_id_helpers);
  EXPECT_FALSE(r.maps_by_parent);
  EXPECT_EQ(r.namespaces & (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID),
            CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID);
  EXPECT_FALSE(r.namespaces & CLONE_NEWNET);
  EXPECT_EQ(r.exec_fifo, "/run/x/exec.fifo");
  EXPECT_EQ(r.rootfs, "/b/rootfs");
  EXPECT_TRUE(r.root_readonly_after_mounts);
  EXPECT_EQ(r.rootfs_writes, RootfsWrites::kDirect);
  EXPECT_EQ(r.init, InitMode::kNone);
  EXPECT_TRUE(r.no_new_privileges);
  ASSERT_TRUE(r.capability_sets);
  EXPECT_EQ(r.capability_sets->bounding.size(), 3u);
  EXPECT_TRUE(r.capability_sets->inheritable.empty());
  // /sys without a network namespace: the host's, bound.
  const MountStep* sys = step_at(r, "/sys", MountStep::Kind::kBind);
  ASSERT_NE(sys, nullptr);
  EXPECT_EQ(sys->source, "/sys");
  EXPECT_TRUE(sys->flags & MS_RDONLY);
}

TEST(OciPlan, RootWithoutAUserNamespaceAndWithAWideMap) {
  PlanContext root = user_context();
  root.uid = root.gid = 0;
  json j = json::parse(spec_template(false, 0, 0));
  auto p = plan_of(j, root);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_FALSE(p->plan.namespaces & CLONE_NEWUSER);
  EXPECT_TRUE(p->plan.uid_map.empty());
  EXPECT_TRUE(p->plan.loopback_up);

  // The same config is refused to a user: it needs root.
  auto refused = plan_of(j);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("a container without a user namespace needs root"),
            std::string::npos);

  j["linux"]["namespaces"].push_back({{"type", "user"}});
  j["linux"]["uidMappings"] = json::array({{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}});
  j["linux"]["gidMappings"] = j["linux"]["uidMappings"];
  auto wide = plan_of(j, root);
  ASSERT_TRUE(wide) << wide.error().message();
  EXPECT_TRUE(wide->plan.maps_by_parent);
  EXPECT_EQ(wide->plan.uid_map, (std::vector<box::IdMapping>{{0, 100000, 65536}}));
  // A user may not ask for it.
  auto for_user = plan_of(j);
  ASSERT_FALSE(for_user);
  EXPECT_NE(for_user.error().message().find("without privileges box maps only the caller's own ids"),
            std::string::npos);
}

TEST(OciPlan, NoMapsMeansTheCallersOwnIdsAsCrunDoes) {
  json j = rootless_spec();
  j["linux"].erase("uidMappings");
  j["linux"].erase("gidMappings");
  auto p = plan_of(j);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->plan.uid_map, (std::vector<box::IdMapping>{{0, 1000, 1}}));
  j["linux"]["uidMappings"] = json::array({{{"containerID", 0}, {"hostID", 1000}, {"size", 1}}});
  EXPECT_FALSE(plan_of(j)) << "one map without the other";
}

TEST(OciPlan, NamespacesWithPathsAreJoinedAndAMountNamespaceIsRequired) {
  json j = rootless_spec();
  j["linux"]["namespaces"].push_back({{"type", "network"}, {"path", "/run/netns/x"}});
  auto p = plan_of(j);
  ASSERT_TRUE(p) << p.error().message();
  ASSERT_EQ(p->plan.join.size(), 1u);
  EXPECT_EQ(p->plan.join[0].type, CLONE_NEWNET);
  EXPECT_EQ(p->plan.join[0].path, "/run/netns/x");
  EXPECT_FALSE(p->plan.namespaces & CLONE_NEWNET);

  j["linux"]["namespaces"].push_back({{"type", "time"}});
  EXPECT_NE(plan_of(j).error().message().find("namespace type 'time' is not supported"),
            std::string::npos);
  j = rootless_spec();
  auto& ns = j["linux"]["namespaces"];
  ns.erase(std::remove_if(ns.begin(), ns.end(), [](const json& n) { return n["type"] == "mount"; }),
           ns.end());
  EXPECT_NE(plan_of(j).error().message().find("add {\"type\": \"mount\"}"), std::string::npos);
}

TEST(OciPlan, MountOptionsBecomeFlagsPropagationAndData) {
  auto o = parse_mount_options({"nosuid", "strictatime", "mode=755", "size=65536k", "rw", "rslave"});
  EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_NOSUID | MS_STRICTATIME));
  EXPECT_EQ(o.propagation, static_cast<unsigned long>(MS_SLAVE | MS_REC));
  EXPECT_EQ(o.data, "mode=755,size=65536k");
  EXPECT_EQ(parse_mount_options({"ro", "rw"}).flags, 0ul) << "the last one wins";
  EXPECT_EQ(parse_mount_options({"rbind"}).flags, static_cast<unsigned long>(MS_BIND | MS_REC));

  json j = rootless_spec();
  j["mounts"].push_back({{"destination", "/data"}, {"type", "bind"}, {"source", "data"},
                         {"options", {"bind", "ro", "nodev"}}});
  auto p = plan_of(j);
  ASSERT_TRUE(p);
  const MountStep* bind = step_at(p->plan, "/data", MountStep::Kind::kBind);
  ASSERT_NE(bind, nullptr);
  EXPECT_EQ(bind->source, "/b/data") << "relative to the bundle";
  EXPECT_FALSE(bind->recursive) << "bind, not rbind";
  EXPECT_EQ(bind->flags, static_cast<unsigned long>(MS_RDONLY | MS_NODEV));
  const MountStep* dev = step_at(p->plan, "/dev", MountStep::Kind::kMount);
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ(dev->fstype, "tmpfs");
  EXPECT_EQ(dev->options, "mode=755,size=65536k");
}

TEST(OciPlan, DefaultDevicesTheConfigsAndSymlinks) {
  json j = rootless_spec();
  j["linux"]["devices"] = json::array({{{"path", "/dev/fuse"}, {"type", "c"}, {"major", 10},
                                        {"minor", 229}, {"fileMode", 0600}, {"uid", 0}, {"gid", 0}},
                                       {{"path", "/dev/null"}, {"type", "c"}, {"major", 1},
                                        {"minor", 3}, {"fileMode", 0640}}});
  auto p = plan_of(j);
  ASSERT_TRUE(p) << p.error().message();
  const MountStep* fuse = step_at(p->plan, "/dev/fuse", MountStep::Kind::kDevice);
  ASSERT_NE(fuse, nullptr);
  EXPECT_EQ(fuse->mode, static_cast<unsigned>(S_IFCHR | 0600));
  EXPECT_EQ(fuse->rdev, makedev(10, 229));
  EXPECT_EQ(fuse->source, "/dev/fuse") << "the host's node of that name, if it is the same device";
  // The config's /dev/null replaces the default one: one step, its mode.
  EXPECT_EQ(std::count_if(p->plan.mounts.begin(), p->plan.mounts.end(),
                          [](const MountStep& m) { return m.target == "/dev/null"; }),
            1);
  EXPECT_EQ(step_at(p->plan, "/dev/null", MountStep::Kind::kDevice)->mode,
            static_cast<unsigned>(S_IFCHR | 0640));
  for (const char* d : {"/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"})
    EXPECT_NE(step_at(p->plan, d, MountStep::Kind::kDevice), nullptr) << d;
  const MountStep* ptmx = step_at(p->plan, "/dev/ptmx", MountStep::Kind::kSymlink);
  ASSERT_NE(ptmx, nullptr);
  EXPECT_EQ(ptmx->source, "pts/ptmx");

  j["linux"]["devices"][0]["type"] = "x";
  EXPECT_NE(plan_of(j).error().message().find("'linux.devices[0].type': expected c, b, u or p"),
            std::string::npos);
}

TEST(OciPlan, SysctlsAreWrittenBeforeTheReadonlyPaths) {
  json j = rootless_spec();
  j["linux"]["sysctl"] = {{"net.ipv4.ping_group_range", "0 0"}};
  auto p = plan_of(j);
  ASSERT_TRUE(p);
  const auto& m = p->plan.mounts;
  auto write = std::find_if(m.begin(), m.end(), [](const MountStep& s) {
    return s.kind == MountStep::Kind::kWrite && s.target == "/proc/sys/net/ipv4/ping_group_range";
  });
  auto readonly = std::find_if(m.begin(), m.end(), [](const MountStep& s) {
    return s.kind == MountStep::Kind::kReadonly && s.target == "/proc/sys";
  });
  ASSERT_NE(write, m.end());
  ASSERT_NE(readonly, m.end());
  EXPECT_LT(write, readonly);
  EXPECT_EQ(write->source, "0 0");
  j["linux"]["sysctl"] = {{"../../etc/x", "1"}};
  EXPECT_FALSE(plan_of(j));
}

TEST(OciPlan, CapabilitiesRlimitsAndWhatBoxRefuses) {
  json j = rootless_spec();
  j["process"]["capabilities"]["bounding"].push_back("CAP_NOT_A_CAPABILITY");
  j["process"]["rlimits"].push_back({{"type", "RLIMIT_NPROC"}, {"hard", 50}, {"soft", 40}});
  j["process"]["noNewPrivileges"] = false;
  j["process"]["oomScoreAdj"] = 500;
  auto p = plan_of(j);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->plan.capability_sets->bounding.size(), 3u);
  ASSERT_EQ(p->warnings.size(), 1u);
  EXPECT_NE(p->warnings[0].find("unknown capability 'CAP_NOT_A_CAPABILITY' (left out)"),
            std::string::npos);
  EXPECT_FALSE(p->plan.no_new_privileges);
  EXPECT_EQ(p->plan.oom_score_adj, 500);
  EXPECT_EQ(p->plan.rlimits.size(), 2u);

  j["process"]["rlimits"].push_back({{"type", "RLIMIT_NOPE"}, {"hard", 1}, {"soft", 1}});
  EXPECT_NE(plan_of(j).error().message().find("unknown limit 'RLIMIT_NOPE'"), std::string::npos);
  j = rootless_spec();
  j["process"]["apparmorProfile"] = "x";
  EXPECT_NE(plan_of(j).error().message().find("AppArmor"), std::string::npos);
  j = rootless_spec();
  j["process"]["rlimits"][0]["soft"] = 2048;
  EXPECT_NE(plan_of(j).error().message().find("soft limit above the hard one"), std::string::npos);
}

TEST(OciPlan, TheSpecTemplatesReadAndPlan) {
  for (bool rootless : {true, false}) {
    auto c = read_config(spec_template(rootless, 1000, 1000), "spec");
    ASSERT_TRUE(c) << c.error().message();
    PlanContext ctx = user_context();
    if (!rootless) ctx.uid = ctx.gid = 0;
    auto p = make_oci_run_plan(*c, ctx);
    EXPECT_TRUE(p) << (p ? "" : p.error().message());
  }
}

}  // namespace
}  // namespace box::oci
