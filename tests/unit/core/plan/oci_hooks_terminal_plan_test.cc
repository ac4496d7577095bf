// config.json's hooks and terminal -> the run plan: what the executor runs
// itself (createContainer, startContainer) and the terminal it makes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/plan/oci_config.h"
#include "core/plan/oci_plan.h"

namespace box::oci {
namespace {

using nlohmann::json;

Result<OciPlan> plan_of(const json& j) {
  auto c = read_config(j.dump(), "config.json");
  if (!c) return c.error();
  PlanContext ctx;
  ctx.id = "c";
  ctx.bundle = "/b";
  ctx.uid = 1000;
  ctx.gid = 1000;
  ctx.exec_fifo = "/run/x/exec.fifo";
  return make_oci_run_plan(*c, ctx);
}

// A rootless config as small as the plan takes.
json spec() {
  return json::parse(R"({
    "ociVersion": "1.0.2",
    "process": {"args": ["sh"], "cwd": "/"},
    "root": {"path": "rootfs"},
    "linux": {
      "namespaces": [{"type": "user"}, {"type": "mount"}, {"type": "pid"}],
      "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
      "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]
    }
  })");
}

TEST(OciHooksPlan, TheContainersOwnHooksGoToThePlanAndTheRuntimesDoNot) {
  json j = spec();
  j["hooks"] = {
      {"prestart", {{{"path", "/usr/bin/p"}}}},
      {"createContainer", {{{"path", "/bin/c"}, {"args", {"c", "-x"}}, {"env", {"A=1"}}, {"timeout", 5}}}},
      {"startContainer", {{{"path", "/bin/s1"}}, {{"path", "/bin/s2"}}}},
      {"poststop", {{{"path", "/usr/bin/q"}}}},
  };
  auto p = plan_of(j);
  ASSERT_TRUE(p) << p.error().message();
  ASSERT_EQ(p->plan.create_container_hooks.size(), 1u);
  EXPECT_EQ(p->plan.create_container_hooks[0],
            (ProgramHook{"/bin/c", {"c", "-x"}, {"A=1"}, 5}));
  ASSERT_EQ(p->plan.start_container_hooks.size(), 2u);
  EXPECT_EQ(p->plan.start_container_hooks[1], (ProgramHook{"/bin/s2", {}, {}, 0}));
}

TEST(OciHooksPlan, AHookNeedsAnAbsolutePathAndATimeoutAboveZero) {
  json j = spec();
  j["hooks"] = {{"poststart", {{{"path", "relative"}}}}};
  auto p = plan_of(j);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message().find("hooks.poststart[0].path"), std::string::npos) << p.error().message();
  j["hooks"] = {{"prestart", {{{"path", "/bin/true"}, {"timeout", 0}}}}};
  p = plan_of(j);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message().find("hooks.prestart[0].timeout"), std::string::npos) << p.error().message();
}

TEST(OciTerminalPlan, TerminalAndItsSizeGoToThePlan) {
  json j = spec();
  j["process"]["terminal"] = true;
  j["process"]["consoleSize"] = {{"height", 40}, {"width", 132}};
  auto p = plan_of(j);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_TRUE(p->plan.terminal);
  EXPECT_EQ(p->plan.console_rows, 40);
  EXPECT_EQ(p->plan.console_cols, 132);
  // A size without a terminal sizes nothing.
  j["process"]["terminal"] = false;
  p = plan_of(j);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->plan.terminal);
  EXPECT_EQ(p->plan.console_rows, 0);
}

TEST(OciTerminalPlan, AConsoleSizeBeyondATerminalsIsRefusedByName) {
  json j = spec();
  j["process"]["terminal"] = true;
  j["process"]["consoleSize"] = {{"height", 70000}, {"width", 80}};
  auto p = plan_of(j);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message().find("process.consoleSize.height"), std::string::npos)
      << p.error().message();
}

}  // namespace
}  // namespace box::oci
