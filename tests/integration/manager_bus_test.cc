// box-manager on the real session bus and user manager: what a second
// program watching and calling dev.boxctl.box1 sees. Runs as the test user.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;

// The index of the first block after `from` that is a PropertiesChanged on
// `path` setting State to `state`, or -1.
int find_state_change(const std::vector<std::string>& blocks, const std::string& path,
                      const std::string& state, int from = 0) {
  for (int i = from; i < static_cast<int>(blocks.size()); ++i) {
    const auto& b = blocks[i];
    if (!contains(b, "path=" + path + ";") || !contains(b, "member=PropertiesChanged")) continue;
    auto at = b.find("string \"State\"");
    if (at != std::string::npos && b.find("string \"" + state + "\"", at) != std::string::npos)
      return i;
  }
  return -1;
}

class ManagerBus : public BoxTest {
 protected:
  ManagerBus() : BoxTest("manager") {}
  void TearDown() override {
    // What Enable and the drop-in tests leave beyond a definition.
    for (const auto& name : names_) {
      systemctl({"disable", "box@" + name + ".service"});
      fs::remove_all(defs_ + "/" + name + ".yaml.d");
    }
    BoxTest::TearDown();
    systemctl({"unset-environment", "BOX_MANAGER_IDLE_TIMEOUT"});
    stop_and_reset("box-manager.service");
    systemctl({"daemon-reload"});
  }

  std::string waiting_yaml(const std::string& on_term) {
    return "description: waits\n"
           "rootfs: ~/rootfs-manager\n"
           // The trap first: PID 1 of a pid namespace ignores signals it has
           // no handler for.
           "command: [sh, -c, 'trap \"" +
           on_term + "\" TERM; echo up; while :; do sleep 1 & wait $!; done']\n";
  }

  std::unique_ptr<Background> watch(const std::string& file) { return watch_box_signals(file); }
};

// Whether a dbus-monitor block sets `property` to `value`, as dbus-monitor
// prints it on the line after the name ("variant   uint32 1234").
bool sets(const std::string& block, const std::string& property, const std::string& value) {
  auto at = block.find("string \"" + property + "\"\n");
  if (at == std::string::npos) return false;
  std::istringstream next(block.substr(block.find('\n', at) + 1));
  std::string variant, type, rest;
  next >> variant >> type;
  std::getline(next, rest);
  return variant == "variant" && type + rest == value;
}

// The container's command ends on SIGTERM with status 7 (so the unit ends
// "failed"): a watcher sees State go active, then failed, the start announce
// the supervisor's PID and the stop the status, each with its value.
TEST_F(ManagerBus, WatcherSeesPropertiesChangedForStartAndStop) {
  define("watched", waiting_yaml("exit 7"));
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  auto watcher = watch(home() + "/monitor-watched.txt");

  auto start = boxctl({"start", "watched"});
  ASSERT_EQ(start.exit_code, 0) << start.output;
  const std::string main_pid = show("box@watched.service", "MainPID");
  ASSERT_NE(main_pid, "0");
  auto stop = boxctl({"stop", "watched"});
  ASSERT_EQ(stop.exit_code, 0) << stop.output;
  ASSERT_EQ(show("box@watched.service", "ExecMainStatus"), "7");

  const std::string path = "/dev/boxctl/box1/container/watched";
  int active = -1, failed = -1;
  EXPECT_TRUE(eventually([&] {
    auto blocks = signal_blocks(watcher->output());
    active = find_state_change(blocks, path, "active");
    failed = active < 0 ? -1 : find_state_change(blocks, path, "failed", active + 1);
    return failed > active && active >= 0;
  })) << watcher->output();
  auto blocks = signal_blocks(watcher->output());
  bool saw_pid = false, saw_status = false;
  for (int i = 0; i < static_cast<int>(blocks.size()); ++i) {
    if (!contains(blocks[i], "path=" + path + ";")) continue;
    if (i < failed) saw_pid |= sets(blocks[i], "MainPID", "uint32 " + main_pid);
    if (i > active) saw_status |= sets(blocks[i], "ExitStatus", "int32 7");
  }
  EXPECT_TRUE(saw_pid) << "no MainPID " << main_pid << " up to the start\n" << watcher->output();
  EXPECT_TRUE(saw_status) << "no ExitStatus 7 with the stop\n" << watcher->output();
}

TEST_F(ManagerBus, NamedErrors) {
  define("broken", "rootfs: ~/rootfs-manager\ncommand: [sh]\nno_such_key: 1\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  auto call = [](const std::string& method, const std::string& name) {
    return run({"dbus-send", "--session", "--print-reply", "--dest=dev.boxctl.box1",
                "/dev/boxctl/box1", "dev.boxctl.box1.Manager." + method, "string:" + name});
  };
  auto missing = call("Start", "no-such-box");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_TRUE(contains(missing.output,
                       "Error dev.boxctl.box1.Error.NoSuchContainer: no container "
                       "named 'no-such-box'"))
      << missing.output;

  auto invalid = call("Start", "broken");
  EXPECT_TRUE(contains(invalid.output, "Error dev.boxctl.box1.Error.InvalidDefinition: "))
      << invalid.output;
  EXPECT_TRUE(contains(invalid.output, "broken.yaml:3:1: unknown key 'no_such_key'"))
      << invalid.output;

  auto object = call("GetContainer", "no-such-box");
  EXPECT_TRUE(contains(object.output, "dev.boxctl.box1.Error.NoSuchContainer")) << object.output;

  define("idle", waiting_yaml("exit 0"));
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  auto kill = run({"dbus-send", "--session", "--print-reply", "--dest=dev.boxctl.box1",
                   "/dev/boxctl/box1", "dev.boxctl.box1.Manager.Kill", "string:idle", "int32:15"});
  EXPECT_TRUE(contains(kill.output, "dev.boxctl.box1.Error.NotRunning")) << kill.output;
  auto bad_signal =
      run({"dbus-send", "--session", "--print-reply", "--dest=dev.boxctl.box1", "/dev/boxctl/box1",
           "dev.boxctl.box1.Manager.Kill", "string:idle", "int32:0"});
  EXPECT_TRUE(contains(bad_signal.output,
                       "dev.boxctl.box1.Error.InvalidArgument: signal 0 is not a valid signal"))
      << bad_signal.output;
  ASSERT_EQ(boxctl({"start", "idle"}).exit_code, 0);
  auto again = call("Start", "idle");
  EXPECT_TRUE(contains(again.output, "dev.boxctl.box1.Error.AlreadyRunning")) << again.output;
  auto via_boxctl = boxctl({"start", "idle"});
  EXPECT_EQ(via_boxctl.exit_code, 0) << via_boxctl.output;  // the wish is fulfilled
  EXPECT_TRUE(contains(via_boxctl.output, "already running")) << via_boxctl.output;
}

TEST_F(ManagerBus, KilledMidCallThenCalledAgainWorks) {
  // Ignores SIGTERM: its stop job lasts until systemd's stop timeout.
  define("stubborn", waiting_yaml(""));
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  ASSERT_EQ(boxctl({"start", "stubborn"}).exit_code, 0);

  Background stop({prefix() + "/bin/boxctl", "stop", "stubborn"}, home() + "/stop-stubborn.txt");
  ASSERT_TRUE(eventually([] {
    return show("box@stubborn.service", "ActiveState") == "deactivating";
  })) << show("box@stubborn.service", "ActiveState");
  const std::string pid = show("box-manager.service", "MainPID");
  ASSERT_NE(pid, "0");
  ASSERT_EQ(::kill(std::stoi(pid), SIGKILL), 0);

  // The waiting client is told, precisely.
  EXPECT_NE(stop.wait(), 0);
  EXPECT_TRUE(contains(stop.output(), "box-manager did not answer")) << stop.output();

  // The next call starts a new manager, which knows everything again:
  // systemd is the state.
  auto list = boxctl({"list"});
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_TRUE(contains(list.output, "stubborn")) << list.output;
  EXPECT_NE(show("box-manager.service", "MainPID"), pid);
  auto again = boxctl({"stop", "stubborn"});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  // Stopped (by SIGKILL at systemd's stop timeout, hence "failed").
  EXPECT_EQ(show("box@stubborn.service", "MainPID"), "0");
  EXPECT_NE(show("box@stubborn.service", "ActiveState"), "active");
}

TEST_F(ManagerBus, ExitsWhenIdleAndIsActivatedAgain) {
  ASSERT_EQ(systemctl({"set-environment", "BOX_MANAGER_IDLE_TIMEOUT=1"}).exit_code, 0);
  systemctl({"stop", "box-manager.service"});
  ASSERT_EQ(boxctl({"list"}).exit_code, 0);
  EXPECT_TRUE(eventually([] { return show("box-manager.service", "ActiveState") == "inactive"; },
                         std::chrono::seconds(10)))
      << show("box-manager.service", "ActiveState");
  EXPECT_EQ(show("box-manager.service", "Result"), "success");
  auto again = boxctl({"version"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_TRUE(contains(again.output, "box-manager ")) << again.output;
}

TEST_F(ManagerBus, ContainerNewAndRemovedAfterReload) {
  ASSERT_EQ(boxctl({"list"}).exit_code, 0);  // the manager runs and has scanned
  auto watcher = watch(home() + "/monitor-reload.txt");
  define("fresh", waiting_yaml("exit 0"));
  ASSERT_EQ(boxctl({"reload"}).exit_code, 0);
  EXPECT_TRUE(eventually([&] {
    return !signals_at(watcher->output(), "ContainerNew", "fresh").empty();
  })) << watcher->output();
  fs::remove(defs_ + "/fresh.yaml");
  ASSERT_EQ(boxctl({"reload"}).exit_code, 0);
  EXPECT_TRUE(eventually([&] {
    return !signals_at(watcher->output(), "ContainerRemoved", "fresh").empty();
  })) << watcher->output();
}

TEST_F(ManagerBus, EnableAndDisableThroughSystemd) {
  define("autobox", waiting_yaml("exit 0"));
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  auto enable = boxctl({"enable", "autobox"});
  ASSERT_EQ(enable.exit_code, 0) << enable.output;
  EXPECT_EQ(systemctl({"is-enabled", "box@autobox.service"}).output, "enabled\n");
  auto status = boxctl({"status", "autobox", "--json"});
  EXPECT_TRUE(contains(status.output, "\"autostart\": \"login\"")) << status.output;
  auto disable = boxctl({"disable", "autobox"});
  ASSERT_EQ(disable.exit_code, 0) << disable.output;
  EXPECT_EQ(systemctl({"is-enabled", "box@autobox.service"}).output, "disabled\n");
  status = boxctl({"status", "autobox", "--json"});
  EXPECT_TRUE(contains(status.output, "\"autostart\": \"no\"")) << status.output;
}

// The manager finds and loads definitions as box-user-generator and
// box-run do: what boxctl shows is what the unit runs, drop-ins,
// templates and masks included.
TEST_F(ManagerBus, DropinsTemplatesAndMasksAsTheUnitSeesThem) {
  define("dropped", waiting_yaml("exit 0"));  // description: waits
  define("site@", "description: site ${instance}\nrootfs: ~/rootfs-manager\ncommand: [sh]\n");
  fs::create_directories(defs_ + "/site@blue.yaml.d");  // declares site@blue
  names_.push_back("site@blue");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  auto before = boxctl({"status", "dropped", "--json"});
  ASSERT_EQ(before.exit_code, 0) << before.output;
  EXPECT_TRUE(contains(before.output, "\"description\": \"waits\"")) << before.output;
  auto description_in_list = [](const std::string& name) {
    auto list = boxctl({"list", "--json"});
    auto parsed = nlohmann::json::parse(list.output, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_array()) return "unreadable: " + list.output;
    for (const auto& c : parsed)
      if (c.at("name") == name) return c.at("description").get<std::string>();
    return "not listed: " + list.output;
  };
  EXPECT_EQ(description_in_list("dropped"), "waits");

  // The manager runs and has scanned: a drop-in written now is seen at
  // once, without a reload, by status and by ListContainers.
  write_file(defs_ + "/dropped.yaml.d/50-description.yaml", "description: from a drop-in\n");
  auto status = boxctl({"status", "dropped"});
  EXPECT_TRUE(contains(status.output, "● dropped - from a drop-in\n")) << status.output;
  EXPECT_EQ(description_in_list("dropped"), "from a drop-in");
  // Rewritten in place: inotify on the drop-in directory says so.
  write_file(defs_ + "/dropped.yaml.d/50-description.yaml", "description: changed again\n");
  EXPECT_EQ(description_in_list("dropped"), "changed again");
  write_file(defs_ + "/dropped.yaml.d/50-description.yaml", "description: and again\n");
  EXPECT_EQ(description_in_list("dropped"), "and again");
  // The unit says the same once the generator ran.
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  EXPECT_EQ(show("box@dropped.service", "Description"), "and again");

  // A declared instance of a template, with its ${instance}.
  EXPECT_EQ(description_in_list("site@blue"), "site blue");
  auto instance = boxctl({"status", "site@blue", "--json"});
  EXPECT_TRUE(contains(instance.output, "\"definition_path\": \"" + defs_ + "/site@.yaml\""))
      << instance.output;

  // A masked definition is listed as such and refuses to start, with the
  // message box-run start would give.
  fs::create_symlink("/dev/null", defs_ + "/masked.yaml");
  names_.push_back("masked");
  auto list = boxctl({"list", "--json"});
  auto parsed = nlohmann::json::parse(list.output, nullptr, false);
  ASSERT_TRUE(parsed.is_array()) << list.output;
  bool listed = false;
  for (const auto& c : parsed) {
    if (c.at("name") != "masked") continue;
    listed = true;
    EXPECT_EQ(c.at("state"), "invalid");
    EXPECT_TRUE(contains(c.at("error").get<std::string>(),
                         "container 'masked' is masked by '" + defs_ + "/masked.yaml'"))
        << c.at("error");
  }
  EXPECT_TRUE(listed) << list.output;
  auto start = boxctl({"start", "masked"});
  EXPECT_EQ(start.exit_code, 3) << start.output;
  EXPECT_TRUE(contains(start.output, "is masked by")) << start.output;
}

}  // namespace
}  // namespace box::testing
