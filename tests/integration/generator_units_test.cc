// The generator on the real user manager: definitions in, units systemd
// runs out. Each test writes definitions, runs `systemctl --user
// daemon-reload` (which runs box-user-generator from the prefix under test)
// and checks what systemd then does with the units.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;

std::string status_file() {
  const char* rt = std::getenv("XDG_RUNTIME_DIR");
  return std::string(rt ? rt : "/nonexistent") + "/box/generator-status.json";
}

// A shell as PID 1 that says `word`, then waits for SIGTERM and exits 0.
std::string serving(const std::string& word) {
  return "[sh, -c, 'echo \"" + word +
         "\"; trap \"exit 0\" TERM; while :; do sleep 1 & wait $!; done']";
}

class GeneratorUnits : public BoxTest {
 protected:
  GeneratorUnits() : BoxTest("gen") {}
  void cleanup() override {
    for (const auto& unit : units_) stop_and_reset(unit);
    for (const auto& p : created_) fs::remove_all(p);
    systemctl({"daemon-reload"});
  }

  // `rel` under the definitions dir; removed after the test.
  void write_definition(const std::string& rel, const std::string& yaml,
                        const std::string& dir = "") {
    const std::string path = (dir.empty() ? defs_ : dir) + "/" + rel;
    fs::create_directories(fs::path(path).parent_path());
    write_file(path, yaml);
    created_.push_back(path);
  }
  void uses(const std::string& unit) { units_.push_back(unit); }
  void created(const std::string& path) { created_.push_back(path); }

  std::vector<std::string> units_, created_;
};

TEST_F(GeneratorUnits, AfterOrdersTwoBoxesAndRequiresStopsTogether) {
  write_definition("gen-first.yaml",
                   "rootfs: ~/rootfs-gen\ncommand: " + serving("first up") + "\n");
  write_definition("gen-second.yaml", "rootfs: ~/rootfs-gen\ncommand: " + serving("second up") +
                                          "\nafter: [gen-first]\n");
  write_definition("gen-third.yaml", "rootfs: ~/rootfs-gen\ncommand: " + serving("third up") +
                                         "\nrequires: [gen-second]\n");
  for (const char* u : {"box@gen-first.service", "box@gen-second.service", "box@gen-third.service"})
    uses(u);
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);

  auto deps = show("box@gen-second.service", "After");
  EXPECT_TRUE(contains(deps, "box@gen-first.service")) << deps;
  EXPECT_FALSE(contains(deps, "network-online.target")) << deps;  // only when asked

  // Starting the second pulls in the first, and waits for it to be ready.
  auto start = systemctl({"start", "box@gen-second.service"});
  ASSERT_EQ(start.exit_code, 0) << start.output << journal("box@gen-second.service");
  EXPECT_EQ(show("box@gen-first.service", "ActiveState"), "active");
  EXPECT_EQ(show("box@gen-second.service", "ActiveState"), "active");
  const auto first_ready = std::stoull(show("box@gen-first.service", "ActiveEnterTimestampMonotonic"));
  const auto second_exec = std::stoull(show("box@gen-second.service", "ExecMainStartTimestampMonotonic"));
  EXPECT_GT(first_ready, 0u);
  EXPECT_LE(first_ready, second_exec) << "the second box started before the first was ready";

  // requires: stopping the second stops the third with it.
  ASSERT_EQ(systemctl({"start", "box@gen-third.service"}).exit_code, 0);
  ASSERT_EQ(systemctl({"stop", "box@gen-second.service"}).exit_code, 0);
  EXPECT_EQ(show("box@gen-third.service", "ActiveState"), "inactive");
  EXPECT_EQ(show("box@gen-first.service", "ActiveState"), "active");  // after: only orders
}

TEST_F(GeneratorUnits, BrokenDefinitionAmongGoodOnesIsReportedWhereUsersLook) {
  write_definition("gen-good1.yaml", "description: good one\nrootfs: ~/rootfs-gen\ncommand: " +
                                         serving("good1 up") + "\n");
  write_definition("gen-good2.yaml", "rootfs: ~/rootfs-gen\ncommand: " + serving("good2 up") +
                                         "\nrestart: on-failure\n");
  write_definition(
      "gen-broken.yaml",
      "rootfs: ~/rootfs-gen\ncommand: [sh]\nstop: {signal: SIGTERM, timeout: 10 parsecs}\n");
  write_definition("gen-badyaml.yaml", "rootfs: ~/rootfs-gen\ncommand: [sh\n");
  for (const char* u : {"box@gen-good1.service", "box@gen-good2.service", "box@gen-broken.service",
                        "box@gen-badyaml.service"})
    uses(u);
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  const std::string why =
      defs_ +
      "/gen-broken.yaml:3:34: 'stop.timeout': '10 parsecs' is not a duration: unknown "
      "unit 'parsecs' (use us, ms, s, min, h, d, w, M or y)";

  // The verdicts, for boxctl and the manager.
  const std::string status = slurp(status_file());
  EXPECT_TRUE(contains(status, "\"name\": \"gen-broken\",\n      \"kind\": \"container\",\n"
                               "      \"ok\": false")) << status;
  EXPECT_TRUE(contains(status, why)) << status;
  EXPECT_TRUE(contains(status, "\"name\": \"gen-good1\",\n      \"kind\": \"container\",\n"
                               "      \"ok\": true")) << status;

  // Before anyone starts it, its status already says why (the generator
  // logs to the journal with USER_UNIT=box@gen-broken.service)...
  EXPECT_TRUE(eventually([&] {
    return contains(systemctl({"status", "box@gen-broken.service"}).output, why);
  })) << systemctl({"status", "box@gen-broken.service"}).output;
  auto tagged = run({"journalctl", "--user", "--no-pager", "-o", "cat", "-t", "box-user-generator"});
  EXPECT_TRUE(contains(tagged.output, "skipping box@gen-broken.service: " + why)) << tagged.output;
  EXPECT_TRUE(contains(tagged.output, "skipping box@gen-badyaml.service: " + defs_ +
                                          "/gen-badyaml.yaml:3:1: end of sequence flow not found"))
      << tagged.output;

  // ...the good ones are untouched and start...
  ASSERT_EQ(systemctl({"start", "box@gen-good1.service", "box@gen-good2.service"}).exit_code, 0);
  EXPECT_EQ(show("box@gen-good1.service", "ActiveState"), "active");
  EXPECT_EQ(show("box@gen-good2.service", "ActiveState"), "active");
  EXPECT_EQ(show("box@gen-good1.service", "Description"), "good one");
  EXPECT_EQ(show("box@gen-good2.service", "Restart"), "on-failure");

  // ...and starting the broken one fails with the same message.
  EXPECT_NE(systemctl({"start", "box@gen-broken.service"}).exit_code, 0);
  EXPECT_EQ(show("box@gen-broken.service", "ExecMainStatus"), "125");
  EXPECT_TRUE(contains(journal("box@gen-broken.service"), why)) << journal("box@gen-broken.service");

  // box-run validate says the same without starting anything.
  auto validate = run({box_run(), "validate", defs_ + "/gen-broken.yaml", "gen-good1"});
  EXPECT_EQ(validate.exit_code, 1) << validate.output;
  EXPECT_TRUE(contains(validate.output, why)) << validate.output;
  EXPECT_TRUE(contains(validate.output, "gen-good1: ok (" + defs_ + "/gen-good1.yaml)"))
      << validate.output;
}

TEST_F(GeneratorUnits, DropInChangesAShippedDefinition) {
  // The shipped dirs (/etc, /usr/share) are root's; the test user stands in
  // a dir of its own for them, placed after its own dir in the search path
  // through $BOX_CONTAINERS_PATH (environment.d reaches the generator and
  // the units).
  const std::string shipped = home() + "/gen-shipped";
  const std::string env_d = home() + "/.config/environment.d/60-box-gen-test.conf";
  write_definition(env_d.substr(env_d.rfind('/') + 1),
                   "BOX_CONTAINERS_PATH=" + defs_ + ":" + shipped + "\n",
                   fs::path(env_d).parent_path());
  created(shipped);
  write_definition(
      "gen-greeter.yaml",
      "description: shipped greeter\nrootfs: ~/rootfs-gen\nenv: {GREETING: shipped}\ncommand: " +
          serving("greeting=$GREETING") + "\n",
      shipped);
  uses("box@gen-greeter.service");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  EXPECT_EQ(show("box@gen-greeter.service", "Description"), "shipped greeter");
  EXPECT_EQ(show("box@gen-greeter.service", "SourcePath"), shipped + "/gen-greeter.yaml");

  // The user tweaks it without copying it.
  write_definition(
      "gen-greeter.yaml.d/50-local.yaml",
      "description: locally tuned greeter\nenv: {GREETING: tuned}\nrestart: on-failure\n"
      "stop: {timeout: 7s}\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  EXPECT_EQ(show("box@gen-greeter.service", "Description"), "locally tuned greeter");
  EXPECT_EQ(show("box@gen-greeter.service", "Restart"), "on-failure");
  EXPECT_EQ(show("box@gen-greeter.service", "TimeoutStopUSec"), "7s");
  auto cat = systemctl({"cat", "box@gen-greeter.service"});
  EXPECT_TRUE(contains(cat.output, "#   with the drop-in " + defs_ + "/gen-greeter.yaml.d/50-local.yaml"))
      << cat.output;

  // box-run loads the same: the container sees the drop-in's environment.
  ASSERT_EQ(systemctl({"start", "box@gen-greeter.service"}).exit_code, 0)
      << journal("box@gen-greeter.service");
  EXPECT_TRUE(eventually([] { return contains(journal("box@gen-greeter.service"), "greeting=tuned"); }))
      << journal("box@gen-greeter.service");
  EXPECT_FALSE(contains(journal("box@gen-greeter.service"), "greeting=shipped"));
}

TEST_F(GeneratorUnits, TemplateServesTwoInstancesAtOnce) {
  write_definition(
      "gen-web@.yaml",
      "description: web site ${instance}\nrootfs: ~/rootfs-gen\nhostname: web-${instance}\n"
      "command: " +
          serving("serving $(hostname)") + "\n");
  // Declared two ways: a drop-in dir for one, a symlink for the other.
  fs::create_directories(defs_ + "/gen-web@blue.yaml.d");
  created(defs_ + "/gen-web@blue.yaml.d");
  fs::create_symlink("gen-web@.yaml", defs_ + "/gen-web@green.yaml");
  created(defs_ + "/gen-web@green.yaml");
  uses("box@gen-web@blue.service");
  uses("box@gen-web@green.service");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);

  auto start = systemctl({"start", "box@gen-web@blue.service", "box@gen-web@green.service"});
  ASSERT_EQ(start.exit_code, 0) << start.output << journal("box@gen-web@blue.service");
  EXPECT_EQ(show("box@gen-web@blue.service", "ActiveState"), "active");
  EXPECT_EQ(show("box@gen-web@green.service", "ActiveState"), "active");
  EXPECT_EQ(show("box@gen-web@blue.service", "Description"), "web site blue");
  EXPECT_EQ(show("box@gen-web@green.service", "Description"), "web site green");
  EXPECT_NE(show("box@gen-web@blue.service", "MainPID"), show("box@gen-web@green.service", "MainPID"));
  EXPECT_TRUE(eventually([] {
    return contains(journal("box@gen-web@blue.service"), "serving web-blue") &&
           contains(journal("box@gen-web@green.service"), "serving web-green");
  })) << journal("box@gen-web@blue.service") << journal("box@gen-web@green.service");

  const std::string status = slurp(status_file());
  EXPECT_TRUE(contains(status, "\"name\": \"gen-web@blue\"")) << status;
  EXPECT_TRUE(contains(status, "\"name\": \"gen-web@green\"")) << status;

  ASSERT_EQ(systemctl({"stop", "box@gen-web@blue.service", "box@gen-web@green.service"}).exit_code, 0);
  EXPECT_EQ(show("box@gen-web@blue.service", "Result"), "success");
  EXPECT_EQ(show("box@gen-web@green.service", "Result"), "success");
}

}  // namespace
}  // namespace box::testing
