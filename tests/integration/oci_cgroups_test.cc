// box-oci's cgroups as the unprivileged test user: the container goes into
// a child of the cgroup box-oci runs in when that one is delegated (a
// `systemd-run --user -p Delegate=yes` service of the test user's real
// manager), and pause, resume, ps, events, update, kill --all and delete
// work on it; without a writable cgroup it runs with a warning. What the
// tests check is read from /sys/fs/cgroup. Bundles are `runc spec
// --rootless`'s.
#include <unistd.h>

#include <string>
#include <vector>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {

std::string box_oci() { return prefix() + "/bin/box-oci"; }

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::size_t count_lines(const std::string& text) {
  std::size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

// Where cgroup2 is mounted: /sys/fs/cgroup/unified on a hybrid host.
std::string cgroup2_mount() {
  return fs::exists("/sys/fs/cgroup/unified/cgroup.procs") ? "/sys/fs/cgroup/unified"
                                                            : "/sys/fs/cgroup";
}

// The cgroup2 directory of `pid`.
std::string cgroup2_dir(pid_t pid) {
  const std::string text = slurp("/proc/" + std::to_string(pid) + "/cgroup");
  const auto at = text.find("0::");
  if (at == std::string::npos) return "";
  return cgroup2_mount() + trim(text.substr(at + 3, text.find('\n', at) - at - 3));
}

class OciCgroups : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(getuid(), 0u) << "runs as the unprivileged test user";
    name_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = home() + "/oci-cg-" + name_;
    fs::remove_all(dir_);
    bundle_ = dir_ + "/bundle";
    state_ = dir_ + "/state";
    unit_ = "boxoci-" + std::to_string(getpid()) + ".service";
    make_spec_bundle(bundle_, "runc spec --rootless");
  }
  void TearDown() override {
    oci({"delete", "--force", "c1"});
    stop_and_reset(unit_);
    fs::remove_all(dir_);
  }
  void edit(const std::string& python) {
    edit_json(bundle_ + "/config.json", "c['process']['terminal']=False\n" + python);
  }
  // box-oci ARGS, its output through a file (a created container keeps
  // its creator's stdout); `scope`: inside a delegated transient scope of
  // the user's manager.
  CommandResult oci(std::vector<std::string> args, bool scope = false,
                    const std::string& stdin_text = "") {
    const std::string out = dir_ + "/out." + std::to_string(++calls_);
    std::string script = "\"$@\" >'" + out + "' 2>&1";
    if (!stdin_text.empty()) script = "printf '%s' '" + stdin_text + "' | " + script;
    args.insert(args.begin(), {"sh", "-c", script, "sh", box_oci(), "--root", state_});
    // A oneshot that stays active once box-oci has returned, so its
    // cgroup (and the container in it) stays: what a Delegate=yes service
    // of the user's gives. (A --scope would move the test's own process,
    // whose cgroup is not the user's.)
    if (scope)
      args.insert(args.begin(), {"systemd-run", "--user", "--quiet", "-p", "Delegate=yes", "-p",
                                 "Type=oneshot", "-p", "RemainAfterExit=yes", "--unit=" + unit_, "--"});
    CommandResult r = run(args);
    r.output = slurp(out) + r.output;  // and what systemd-run said
    return r;
  }
  pid_t pid_of(const std::string& id) {
    const std::string s = oci({"state", id}).output;
    const auto at = s.find("\"pid\": ");
    return at == std::string::npos ? -1 : std::stoi(s.substr(at + 7));
  }
  std::string name_, dir_, bundle_, state_, unit_;
  int calls_ = 0;
};

TEST_F(OciCgroups, ADelegatedServiceHoldsTheContainerThroughPauseResumeUpdateAndDelete) {
  edit("c['process']['args']=['sh','-c','sleep 1000 & exec sleep 1001']");
  auto created = oci({"create", "--bundle", bundle_, "c1"}, true);
  ASSERT_EQ(created.exit_code, 0) << created.output;
  EXPECT_FALSE(contains(created.output, "no cgroup")) << created.output;
  const pid_t pid = pid_of("c1");
  ASSERT_GT(pid, 0);
  // A child of the service box-oci ran in, joined before the command runs.
  const std::string cg = cgroup2_dir(pid);
  EXPECT_TRUE(contains(cg, "/" + unit_ + "/c1")) << cg;
  ASSERT_TRUE(fs::exists(cg + "/cgroup.procs")) << cg;
  EXPECT_EQ(trim(slurp(cg + "/cgroup.procs")), std::to_string(pid));

  ASSERT_EQ(oci({"start", "c1"}).exit_code, 0);
  ASSERT_TRUE(eventually([&] { return count_lines(slurp(cg + "/cgroup.procs")) == 2; }));

  auto paused = oci({"pause", "c1"});
  ASSERT_EQ(paused.exit_code, 0) << paused.output;
  EXPECT_EQ(trim(slurp(cg + "/cgroup.freeze")), "1");
  EXPECT_TRUE(contains(slurp(cg + "/cgroup.events"), "frozen 1"));
  EXPECT_TRUE(contains(oci({"state", "c1"}).output, "\"status\": \"paused\""));
  // A paused container does not pause again; ps works on it.
  EXPECT_NE(oci({"pause", "c1"}).exit_code, 0);
  auto ps_json = oci({"ps", "--format", "json", "c1"});
  ASSERT_EQ(ps_json.exit_code, 0) << ps_json.output;
  const auto procs = slurp(cg + "/cgroup.procs");
  const std::string first = procs.substr(0, procs.find('\n'));
  const std::string second = trim(procs.substr(procs.find('\n') + 1));
  EXPECT_TRUE(trim(ps_json.output) == "[" + first + "," + second + "]" ||
              trim(ps_json.output) == "[" + second + "," + first + "]")
      << ps_json.output << " vs " << procs;
  auto ps_table = oci({"ps", "c1"});
  ASSERT_EQ(ps_table.exit_code, 0) << ps_table.output;
  EXPECT_TRUE(contains(ps_table.output, "PID")) << ps_table.output;
  EXPECT_TRUE(contains(ps_table.output, "sleep 1001")) << ps_table.output;
  EXPECT_EQ(count_lines(ps_table.output), 3u) << ps_table.output;

  auto resumed = oci({"resume", "c1"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(trim(slurp(cg + "/cgroup.freeze")), "0");
  EXPECT_TRUE(contains(slurp(cg + "/cgroup.events"), "frozen 0"));
  EXPECT_TRUE(contains(oci({"state", "c1"}).output, "\"status\": \"running\""));

  auto stats = oci({"events", "--stats", "c1"});
  ASSERT_EQ(stats.exit_code, 0) << stats.output;
  EXPECT_TRUE(contains(stats.output, "{\"type\":\"stats\",\"id\":\"c1\",\"data\":{")) << stats.output;
  EXPECT_TRUE(contains(stats.output, "\"current\":2")) << stats.output;
  // A stream: one object per interval.
  Background stream({box_oci(), "--root", state_, "events", "--interval", "0.2", "c1"},
                    dir_ + "/events");
  EXPECT_TRUE(eventually([&] { return count_lines(stream.output()) >= 3; })) << stream.output();
  stream.stop();

  // update: a core cgroup2 file through --resources on stdin, which needs
  // no controller; and a pids limit, applied where this host's cgroup2
  // offers the pids controller, else named as not applied.
  auto updated = oci({"update", "--resources", "-", "c1"}, false,
                     R"({"unified":{"cgroup.max.descendants":"3"}})");
  ASSERT_EQ(updated.exit_code, 0) << updated.output;
  EXPECT_EQ(trim(slurp(cg + "/cgroup.max.descendants")), "3");
  auto pids = oci({"update", "--pids-limit", "5", "c1"});
  ASSERT_EQ(pids.exit_code, 0) << pids.output;
  if (fs::exists(cg + "/pids.max"))
    EXPECT_EQ(trim(slurp(cg + "/pids.max")), "5");
  else
    EXPECT_TRUE(contains(pids.output, "linux.resources.pids.limit: not applied")) << pids.output;

  // kill --all reaches the container's second process through cgroup.procs.
  auto killed = oci({"kill", "--all", "c1", "KILL"});
  ASSERT_EQ(killed.exit_code, 0) << killed.output;
  EXPECT_TRUE(eventually([&] { return trim(slurp(cg + "/cgroup.procs")).empty(); }))
      << slurp(cg + "/cgroup.procs");
  auto deleted = oci({"delete", "c1"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.output;
  EXPECT_FALSE(fs::exists(cg));
}

TEST_F(OciCgroups, DeleteForceOfAPausedContainerRemovesItsCgroup) {
  edit("c['process']['args']=['sleep','1000']");
  ASSERT_EQ(oci({"run", "--detach", "--bundle", bundle_, "c1"}, true).exit_code, 0);
  const std::string cg = cgroup2_dir(pid_of("c1"));
  ASSERT_TRUE(contains(cg, "/c1")) << cg;
  ASSERT_EQ(oci({"pause", "c1"}).exit_code, 0);
  auto refused = oci({"delete", "c1"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_TRUE(contains(refused.output, "is paused")) << refused.output;
  auto deleted = oci({"delete", "--force", "c1"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.output;
  EXPECT_FALSE(fs::exists(cg));
}

TEST_F(OciCgroups, WithoutAWritableCgroupTheContainerRunsAndSaysSo) {
  // The root of the hierarchy is root's: the user cannot make it there.
  edit("c['process']['args']=['sh','-c','echo ran']\n"
       "c['linux']['cgroupsPath']='/box-oci-not-yours'\n"
       "c['linux']['resources']={'pids':{'limit':10}}");
  auto r = oci({"run", "--bundle", bundle_, "c1"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "ran\n")) << r.output;
  EXPECT_TRUE(contains(r.output, "container 'c1' gets no cgroup of its own")) << r.output;
  EXPECT_TRUE(contains(r.output, "linux.resources not applied")) << r.output;

  edit("c['process']['args']=['sleep','1000']");
  ASSERT_EQ(oci({"create", "--bundle", bundle_, "c1"}).exit_code, 0);
  auto pause = oci({"pause", "c1"});
  EXPECT_NE(pause.exit_code, 0);
  EXPECT_TRUE(contains(pause.output, "cannot pause container 'c1': it has no cgroup")) << pause.output;
}

}  // namespace
}  // namespace box::testing
