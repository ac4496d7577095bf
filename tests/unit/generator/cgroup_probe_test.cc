#include "generator/cgroup_probe.h"

#include <gtest/gtest.h>

namespace box::generator {
namespace {

TEST(CgroupProbe, FindsTheUserManagerOnPureV2) {
  EXPECT_EQ(user_manager_cgroup("0::/user.slice/user-1000.slice/user@1000.service/init.scope\n"),
            "/user.slice/user-1000.slice/user@1000.service");
  EXPECT_EQ(user_manager_cgroup(
                "0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-foo.scope\n"),
            "/user.slice/user-1000.slice/user@1000.service");
}

TEST(CgroupProbe, FindsTheUserManagerOnHybrid) {
  EXPECT_EQ(user_manager_cgroup("12:pids:/user.slice\n"
                                "1:name=systemd:/user.slice/user-1001.slice/user@1001.service/init.scope\n"
                                "0::/user.slice/user-1001.slice/user@1001.service/init.scope\n"),
            "/user.slice/user-1001.slice/user@1001.service");
}

TEST(CgroupProbe, OutsideAUserManagerSaysSo) {
  EXPECT_EQ(user_manager_cgroup("0::/user.slice/user-1000.slice/session-2.scope\n"), std::nullopt);
  EXPECT_EQ(user_manager_cgroup("0::/\n"), std::nullopt);
  EXPECT_EQ(user_manager_cgroup(""), std::nullopt);
  EXPECT_EQ(user_manager_cgroup("0::/system.slice/user@x.serviceX/a\n"), std::nullopt);
}

TEST(CgroupProbe, ParsesControllers) {
  EXPECT_EQ(parse_controllers("cpu memory pids\n"), (std::set<std::string>{"cpu", "memory", "pids"}));
  EXPECT_TRUE(parse_controllers("\n").empty());
}

}  // namespace
}  // namespace box::generator
