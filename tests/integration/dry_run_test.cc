// `box-run run --dry-run` and `box-run start --dry-run NAME` print the plan
// that runs: the environment the container's PID 1 gets and the mounts it
// has, in order, are the ones printed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;

// The container's PID 1 (a shell: init none) shows its environment as it
// was exec'd, then its mounts.
const char kShow[] = "cat /proc/1/environ; echo; echo ===; cat /proc/self/mountinfo";

// The items under "  NAME:" in the printed plan ("    item" lines).
std::vector<std::string> items(const std::string& plan, const std::string& name) {
  std::vector<std::string> out;
  const std::string heading = "\n  " + name + ":\n";
  auto at = plan.find(heading);
  if (at == std::string::npos) return out;
  std::istringstream in(plan.substr(at + heading.size()));
  std::string line;
  while (std::getline(in, line) && line.rfind("    ", 0) == 0) out.push_back(line.substr(4));
  return out;
}

struct Seen {
  std::vector<std::string> env;
  // Each mount after the root: {mount point, root of the mount in its filesystem}.
  std::vector<std::pair<std::string, std::string>> mounts;
};

Seen parse_container_output(const std::string& output) {
  Seen seen;
  const auto start = output.find("container=box");
  const auto marker = output.find("\n===\n");
  if (start == std::string::npos || marker == std::string::npos) return seen;
  std::string environ = output.substr(start, marker - start);
  std::size_t from = 0;
  for (std::size_t nul; (nul = environ.find('\0', from)) != std::string::npos; from = nul + 1)
    seen.env.push_back(environ.substr(from, nul - from));
  std::istringstream mountinfo(output.substr(marker + 5));
  std::string line;
  while (std::getline(mountinfo, line)) {
    std::istringstream fields(line);
    std::string id, parent, device, root, point;
    if (!(fields >> id >> parent >> device >> root >> point)) continue;
    if (point == "/") continue;
    seen.mounts.emplace_back(point, root);
  }
  return seen;
}

// Checks the container's mounts against the printed mount steps, in order:
// every step that mounts something is there, at its place, except those the
// plan marks as skipped when absent (masks, read-only remounts of paths the
// kernel may not have, optional binds and files); directories and symlinks
// mount nothing. Returns the steps matched to each mount. (The boxes here
// have their own network, so /sys is a fresh sysfs, not the host's bound
// with its submounts.)
std::vector<std::string> match_mounts(const std::vector<std::string>& steps, const Seen& seen) {
  std::vector<std::string> matched;
  std::size_t next = 0;
  for (const auto& step : steps) {
    std::istringstream words(step);
    std::string kind, target;
    words >> kind >> target;
    if (kind == "dir" || kind == "symlink") continue;
    const bool may_skip = kind == "mask-file" || kind == "mask-dir" || kind == "readonly" ||
                          contains(step, " optional");
    if (next < seen.mounts.size() && seen.mounts[next].first == target) {
      matched.push_back(step);
      ++next;
      continue;
    }
    EXPECT_TRUE(may_skip) << "the plan's step '" << step << "' is not mounted where printed";
  }
  EXPECT_EQ(next, seen.mounts.size()) << "mounted but not in the plan: "
                                      << (next < seen.mounts.size() ? seen.mounts[next].first : "");
  return matched;
}

class DryRun : public BoxTest {
 protected:
  DryRun() : BoxTest("dry-run") {}
  void SetUp() override {
    BoxTest::SetUp();
    scratch_ = home() + "/dry-run-scratch";
    fs::remove_all(scratch_);
    fs::create_directories(scratch_);
  }
  void TearDown() override {
    BoxTest::TearDown();
    fs::remove_all(scratch_);
  }
  std::string scratch_;
};

TEST_F(DryRun, RunPrintsThePlanThatRuns) {
  const std::vector<std::string> options = {
      "--writable",     "--network",      "none",    "--bind", scratch_ + ":/s",
      "--ro-bind",      scratch_ + ":/r", "--tmpfs", "/t",     "--env",
      "GREETING=hello", "--hostname",     "dry"};
  std::vector<std::string> dry = {box_run(), "run", "--dry-run"};
  std::vector<std::string> real = {box_run(), "run"};
  for (auto* argv : {&dry, &real}) {
    argv->insert(argv->end(), options.begin(), options.end());
    argv->insert(argv->end(), {rootfs_, "--", "sh", "-c", kShow});
  }
  auto printed = run(dry);
  ASSERT_EQ(printed.exit_code, 0) << printed.output;
  auto ran = run(real);
  ASSERT_EQ(ran.exit_code, 0) << ran.output;

  // Nothing ran for the dry run.
  EXPECT_FALSE(contains(printed.output, "\n===\n")) << printed.output;
  const Seen seen = parse_container_output(ran.output);
  ASSERT_FALSE(seen.env.empty()) << ran.output;
  EXPECT_EQ(items(printed.output, "env"), seen.env) << printed.output << ran.output;
  const auto steps = items(printed.output, "mounts");
  ASSERT_FALSE(steps.empty()) << printed.output;
  const auto matched = match_mounts(steps, seen);
  // The binds and the tmpfs asked for, as printed.
  EXPECT_NE(std::find(matched.begin(), matched.end(), "bind /s <- " + scratch_), matched.end());
  EXPECT_NE(std::find(matched.begin(), matched.end(), "bind /r <- " + scratch_ + " ro"),
            matched.end());
  EXPECT_NE(std::find(matched.begin(), matched.end(), "tmpfs /t mode=755 nosuid,nodev"),
            matched.end());
  EXPECT_TRUE(contains(printed.output, "\n  rootfs writes: overlay\n")) << printed.output;
  EXPECT_TRUE(contains(printed.output, "\n  hostname: dry\n")) << printed.output;
}

// A notify box started as box@NAME.service would: the notify socket box-run
// makes is bound where the plan says, from its runtime dir, and
// NOTIFY_SOCKET is in the environment.
TEST_F(DryRun, StartPrintsThePlanThatRuns) {
  define("dry-notify",
         "rootfs: ~/rootfs-dry-run\nnotify: true\nnetwork: none\n"
         "env: {GREETING: hello}\n"
         "mounts:\n  - {type: bind, source: ~/dry-run-scratch, target: /s}\n"
         "  - {type: tmpfs, target: /t}\n"
         "command: [sh, -c, '" +
             std::string(kShow) + "']\n");
  auto printed = run({box_run(), "start", "--dry-run", "dry-notify"});
  ASSERT_EQ(printed.exit_code, 0) << printed.output;
  auto ran = run({box_run(), "start", "dry-notify"});
  ASSERT_EQ(ran.exit_code, 0) << ran.output;

  EXPECT_FALSE(contains(printed.output, "\n===\n")) << printed.output;
  const Seen seen = parse_container_output(ran.output);
  const auto env = items(printed.output, "env");
  EXPECT_EQ(env, seen.env) << printed.output << ran.output;
  EXPECT_NE(std::find(env.begin(), env.end(), "NOTIFY_SOCKET=/run/host/notify"), env.end());
  const auto matched = match_mounts(items(printed.output, "mounts"), seen);
  ASSERT_FALSE(matched.empty());
  // The notify socket is bound last; its source is named for the box-run
  // that makes it (each start has its own).
  const std::string runtime_dir = std::getenv("XDG_RUNTIME_DIR");
  const std::string prefix = "bind /run/host/notify <- " + runtime_dir + "/box/notify-dry-notify-";
  EXPECT_EQ(matched.back().rfind(prefix, 0), 0u) << matched.back();
  ASSERT_FALSE(seen.mounts.empty());
  EXPECT_EQ(seen.mounts.back().first, "/run/host/notify");
  // mountinfo shows its source relative to its filesystem's root: the end
  // of the path the plan names, with the pid of the box-run that ran.
  const std::string source = seen.mounts.back().second;
  const auto at = source.find("/box/notify-dry-notify-");
  ASSERT_NE(at, std::string::npos) << source;
  const std::string pid = source.substr(at + std::string("/box/notify-dry-notify-").size());
  EXPECT_FALSE(pid.empty());
  EXPECT_EQ(pid.find_first_not_of("0123456789"), std::string::npos) << source;
  EXPECT_TRUE((runtime_dir + source.substr(at)).ends_with(source)) << source;
  EXPECT_TRUE(contains(printed.output, "\n  started as: service (box-run start)\n"))
      << printed.output;
}

// Nothing is made for a dry run: no lock, no notify socket, no overlay dirs.
TEST_F(DryRun, StartsNothing) {
  define("dry-persist",
         "rootfs: ~/rootfs-dry-run\nrootfs_writes: persistent\nnotify: true\n"
         "command: [sh, -c, 'touch /s/ran']\n"
         "mounts:\n  - {type: bind, source: ~/dry-run-scratch, target: /s}\n");
  const std::string runtime_dir = std::getenv("XDG_RUNTIME_DIR");
  auto printed = run({box_run(), "start", "--dry-run", "dry-persist"});
  ASSERT_EQ(printed.exit_code, 0) << printed.output;
  EXPECT_FALSE(fs::exists(scratch_ + "/ran"));
  EXPECT_FALSE(fs::exists(home() + "/.local/share/box/containers/dry-persist"));
  EXPECT_FALSE(fs::exists(runtime_dir + "/box/running/dry-persist"));
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(runtime_dir + "/box", ec))
    EXPECT_NE(entry.path().filename().string().rfind("notify-dry-persist", 0), 0u) << entry.path();
  EXPECT_TRUE(contains(printed.output, "\n  upper dir: " + home() +
                                           "/.local/share/box/containers/dry-persist/upper\n"))
      << printed.output;
}

}  // namespace
}  // namespace box::testing
