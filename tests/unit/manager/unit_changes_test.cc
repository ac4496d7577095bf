#include "manager/unit_changes.h"

#include <gtest/gtest.h>
#include <signal.h>

namespace box::manager {
namespace {

TEST(ContainerState, IsSystemdsUnlessTheDefinitionIsUnusable) {
  EXPECT_EQ(container_state(true, "active"), "active");
  EXPECT_EQ(container_state(true, "failed"), "failed");
  EXPECT_EQ(container_state(true, ""), "unknown");
  EXPECT_EQ(container_state(false, "inactive"), "invalid");
  EXPECT_EQ(container_state(false, "failed"), "invalid");
  EXPECT_EQ(container_state(false, ""), "invalid");
  // Started before the file broke: it still runs, and says so.
  EXPECT_EQ(container_state(false, "active"), "active");
}

TEST(Autostart, ComesFromTheTargetsThatWantTheUnit) {
  EXPECT_EQ(autostart_from_wanted_by({}), "no");
  EXPECT_EQ(autostart_from_wanted_by({"default.target"}), "login");
  EXPECT_EQ(autostart_from_wanted_by({"graphical-session.target"}), "session");
  EXPECT_EQ(autostart_from_wanted_by({"multi-user.target"}), "no");
}

TEST(TranslateUnitChanges, MapsUnitProperties) {
  std::map<std::string, sdbus::Variant> changed = {
      {"ActiveState", sdbus::Variant(std::string("active"))},
      {"SubState", sdbus::Variant(std::string("running"))},
      {"StateChangeTimestamp", sdbus::Variant(uint64_t{42})},
      {"Description", sdbus::Variant(std::string("ignored"))}};
  auto out = translate_unit_changes("org.freedesktop.systemd1.Unit", changed, {}, true);
  ASSERT_EQ(out.changed.size(), 3u);
  EXPECT_EQ(out.changed.at("State").get<std::string>(), "active");
  EXPECT_EQ(out.changed.at("SubState").get<std::string>(), "running");
  EXPECT_EQ(out.changed.at("Since").get<uint64_t>(), 42u);
  EXPECT_TRUE(out.invalidated.empty());
}

TEST(TranslateUnitChanges, MapsServicePropertiesAndInvalidations) {
  std::map<std::string, sdbus::Variant> changed = {{"MainPID", sdbus::Variant(uint32_t{77})}};
  auto out = translate_unit_changes("org.freedesktop.systemd1.Service", changed,
                                    {"ExecMainStatus", "Other"}, true);
  EXPECT_EQ(out.changed.at("MainPID").get<uint32_t>(), 77u);
  // A new supervisor (or none) changes what NextStart speaks of.
  EXPECT_EQ(out.invalidated, (std::vector<std::string>{"ExitStatus", "NextStart"}));
}

TEST(ShellExitStatus, ASignalIs128PlusItsNumber) {
  EXPECT_EQ(shell_exit_status(CLD_EXITED, 7), 7);
  EXPECT_EQ(shell_exit_status(CLD_KILLED, 15), 143);
  EXPECT_EQ(shell_exit_status(CLD_DUMPED, 6), 134);
  EXPECT_EQ(shell_exit_status(0, 0), 0);  // never ran
}

TEST(TranslateUnitChanges, ExitStatusFromCodeAndStatusTogether) {
  std::map<std::string, sdbus::Variant> changed = {
      {"ExecMainCode", sdbus::Variant(int32_t{CLD_KILLED})},
      {"ExecMainStatus", sdbus::Variant(int32_t{15})}};
  auto out = translate_unit_changes("org.freedesktop.systemd1.Service", changed, {}, true);
  EXPECT_EQ(out.changed.at("ExitStatus").get<int32_t>(), 143);
  // One without the other cannot be told apart: clients read it again.
  changed.erase("ExecMainCode");
  out = translate_unit_changes("org.freedesktop.systemd1.Service", changed, {}, true);
  EXPECT_EQ(out.changed.count("ExitStatus"), 0u);
  EXPECT_EQ(out.invalidated, std::vector<std::string>{"ExitStatus"});
}

TEST(TranslateUnitChanges, InvalidDefinitionStaysInvalidWhileStopped) {
  std::map<std::string, sdbus::Variant> changed = {
      {"ActiveState", sdbus::Variant(std::string("failed"))}};
  auto out = translate_unit_changes("org.freedesktop.systemd1.Unit", changed, {}, false);
  EXPECT_EQ(out.changed.at("State").get<std::string>(), "invalid");
}

TEST(TranslateUnitChanges, OtherInterfacesGiveNothing) {
  std::map<std::string, sdbus::Variant> changed = {{"MainPID", sdbus::Variant(uint32_t{1})}};
  EXPECT_TRUE(translate_unit_changes("org.freedesktop.systemd1.Unit", changed, {}, true).empty());
  EXPECT_TRUE(translate_unit_changes("org.freedesktop.systemd1.Scope", changed, {}, true).empty());
}

}  // namespace
}  // namespace box::manager
