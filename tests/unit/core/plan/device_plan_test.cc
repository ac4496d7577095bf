#include "core/plan/device_plan.h"

#include <gtest/gtest.h>
#include <sys/mount.h>

#include <algorithm>

#include "core/plan/plan_text.h"

namespace box {
namespace {

Definition player() {
  Definition d;
  d.name = "player";
  d.rootfs = "/srv/player";
  d.command = {"player"};
  MountSpec extra;
  extra.target = extra.source = "/srv/music";
  d.mounts = {extra};
  return d;
}

HostIdentity host(bool with_range = true) {
  HostIdentity h;
  h.uid = 1000;
  h.gid = 1000;
  if (with_range) {
    h.subuids = {{100000, 65536}};
    h.subgids = {{100000, 65536}};
  }
  return h;
}

RuntimeFacts facts() {
  RuntimeFacts f;
  f.runtime_dir = "/run/user/1000";
  f.path = "/usr/bin";
  return f;
}

std::size_t index_of(const RunPlan& p, MountStep::Kind kind, const std::string& target) {
  auto it = std::find_if(p.mounts.begin(), p.mounts.end(),
                         [&](const MountStep& m) { return m.kind == kind && m.target == target; });
  return static_cast<std::size_t>(it - p.mounts.begin());
}

TEST(DevicePlan, NoDeviceWithoutTheKey) {
  auto p = make_run_plan(player(), host(), facts());
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_TRUE(p->devices.empty());
  for (const auto& m : p->mounts) {
    if (m.kind == MountStep::Kind::kBind) {
      EXPECT_NE(m.source.rfind("/dev/", 0), 0u) << m.source;
    }
  }
  EXPECT_FALSE(p->keep_groups);
}

// Each device bound at its own path, recursively (a directory of nodes),
// nosuid and noexec but never nodev (a node on a nodev mount does not
// open), after the box's own /dev and before the definition's mounts.
TEST(DevicePlan, EachDeviceIsBoundAtItsOwnPathWithoutNodev) {
  Definition d = player();
  d.devices = {{"dri", "/dev/dri"}, {"/dev/bus/usb/001/004", "/dev/bus/usb/001/004"}};
  auto p = make_run_plan(d, host(), facts());
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->devices, d.devices);
  const std::size_t dev = index_of(*p, MountStep::Kind::kTmpfs, "/dev");
  const std::size_t dri = index_of(*p, MountStep::Kind::kBind, "/dev/dri");
  const std::size_t usb = index_of(*p, MountStep::Kind::kBind, "/dev/bus/usb/001/004");
  const std::size_t music = index_of(*p, MountStep::Kind::kBind, "/srv/music");
  ASSERT_LT(music, p->mounts.size());
  EXPECT_LT(dev, dri);
  EXPECT_LT(dri, usb);
  EXPECT_LT(usb, music);
  for (std::size_t i : {dri, usb}) {
    const MountStep& m = p->mounts[i];
    EXPECT_EQ(m.source, m.target);
    EXPECT_TRUE(m.recursive);
    EXPECT_FALSE(m.optional);  // a missing device is refused, never skipped
    EXPECT_EQ(m.flags, static_cast<unsigned long>(MS_NOSUID | MS_NOEXEC));
    EXPECT_EQ(m.flags & MS_NODEV, 0u);
  }
  // --dry-run shows them as any bind.
  const std::string text = format_run_plan(*p, facts());
  EXPECT_NE(text.find("/dev/dri"), std::string::npos) << text;
}

// keep_groups: the plan skips setgroups with any id mapping and any user;
// the identity is otherwise what it would be.
TEST(DevicePlan, KeepGroupsLeavesTheIdentityAsItWas) {
  for (UsernsMode mode : {UsernsMode::kAuto, UsernsMode::kSingle, UsernsMode::kKeepId}) {
    Definition d = player();
    d.userns = mode;
    if (mode == UsernsMode::kAuto) d.uid = d.gid = 1000;
    auto without = make_run_plan(d, host(), facts());
    d.keep_groups = true;
    auto with = make_run_plan(d, host(), facts());
    ASSERT_TRUE(with.ok() && without.ok()) << to_string(mode);
    EXPECT_TRUE(with->keep_groups) << to_string(mode);
    EXPECT_FALSE(without->keep_groups);
    EXPECT_EQ(with->uid, without->uid);
    EXPECT_EQ(with->gid, without->gid);
    EXPECT_EQ(with->uid_map, without->uid_map);
    EXPECT_EQ(with->gid_map, without->gid_map);
    EXPECT_EQ(with->use_id_helpers, without->use_id_helpers);
    EXPECT_TRUE(with->groups.empty());
    // No privilege comes with it: the same capabilities, filter and
    // no_new_privs.
    EXPECT_EQ(with->capabilities, without->capabilities);
    EXPECT_EQ(with->seccomp.has_value(), without->seccomp.has_value());
    EXPECT_TRUE(with->no_new_privileges);
    const std::string text = format_run_plan(*with, facts());
    EXPECT_NE(text.find("kept (keep_groups: no setgroups)"), std::string::npos) << text;
  }
  // A definition built elsewhere (not loaded) meets the loader's rule here.
  Definition both = player();
  both.keep_groups = true;
  both.groups = {10};
  auto refused = make_run_plan(both, host(), facts());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("'groups' cannot set others"), std::string::npos)
      << refused.error().message();
}

}  // namespace
}  // namespace box
