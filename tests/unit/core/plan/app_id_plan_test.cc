// app_id in the run plan (run_plan.cc): the metadata file, read-only, at
// /.flatpak-info in the box, and its text for the bus proxy's root.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <algorithm>

#include "core/model/app_id.h"
#include "core/plan/plan_text.h"
#include "core/plan/run_plan.h"

namespace box {
namespace {

Definition player() {
  Definition d;
  d.name = "player";
  d.rootfs = "/srv/player";
  d.command = {"player"};
  return d;
}

HostIdentity host() {
  HostIdentity h;
  h.uid = 1000;
  h.gid = 1000;
  return h;
}

RuntimeFacts facts() {
  RuntimeFacts f;
  f.runtime_dir = "/run/user/1000";
  f.path = "/usr/bin";
  f.bus_proxy = "/usr/bin/xdg-dbus-proxy";
  f.session_bus_address = "unix:path=/run/user/1000/bus";
  return f;
}

std::vector<MountStep> info_steps(const RunPlan& p) {
  std::vector<MountStep> out;
  std::copy_if(p.mounts.begin(), p.mounts.end(), std::back_inserter(out),
               [](const MountStep& m) { return m.target == kAppInfoPath; });
  return out;
}

TEST(AppIdPlan, NoMetadataWithoutTheKey) {
  auto p = make_run_plan(player(), host(), facts());
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_TRUE(info_steps(*p).empty());
  EXPECT_EQ(p->app_id, "");
  EXPECT_EQ(p->app_info, "");
  EXPECT_EQ(format_run_plan(*p, facts()).find("app id"), std::string::npos);
}

TEST(AppIdPlan, TheMetadataFileIsReadOnlyAtTheRootAfterEveryMount) {
  Definition d = player();
  d.app_id = "org.example.Player";
  d.session_bus = BusRules{};
  auto p = make_run_plan(d, host(), facts());
  ASSERT_TRUE(p.ok()) << p.error().message();
  auto steps = info_steps(*p);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].kind, MountStep::Kind::kFile);
  EXPECT_EQ(steps[0].source, app_info_text(d));
  EXPECT_EQ(steps[0].mode, 0444u);
  EXPECT_TRUE(steps[0].flags & MS_RDONLY);
  EXPECT_FALSE(steps[0].optional_target);  // made on a read-only rootfs too
  EXPECT_EQ(p->mounts.back().target, kAppInfoPath);
  EXPECT_EQ(p->app_id, "org.example.Player");
  EXPECT_EQ(p->app_info, app_info_text(d));
  const std::string text = format_run_plan(*p, facts());
  EXPECT_NE(text.find("app id"), std::string::npos) << text;
  EXPECT_NE(text.find("org.example.Player (/.flatpak-info in the box and in the bus proxy's root)"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace box
