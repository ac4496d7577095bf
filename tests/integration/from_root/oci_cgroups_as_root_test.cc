// box-oci's cgroups as root, on whatever layout the host has (this
// project's machines: hybrid, v1 controllers beside cgroup2 at
// /sys/fs/cgroup/unified): placement by absolute, relative and
// --systemd-cgroup paths in every hierarchy, limits read back from the
// kernel's files, update, pause, kill --all and delete. Bundles are
// `runc spec`'s.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {

namespace fs = std::filesystem;

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::string line;
  for (char c : text) {
    if (c != '\n') {
      line += c;
      continue;
    }
    if (!line.empty()) out.push_back(line);
    line.clear();
  }
  if (!line.empty()) out.push_back(line);
  return out;
}

// A v1 controller's mount point, or "" (a pure cgroup2 host).
std::string v1(const std::string& controller) {
  const std::string dir = "/sys/fs/cgroup/" + controller;
  return fs::exists(dir + "/cgroup.procs") && !fs::exists(dir + "/cgroup.controllers") ? dir : "";
}

// The caller's own cgroup in the v1 hierarchy of `controller`.
std::string own_v1(const std::string& controller) {
  for (const auto& line : lines(slurp("/proc/self/cgroup"))) {
    auto a = line.find(':'), b = line.find(':', a + 1);
    for (std::string list = line.substr(a + 1, b - a - 1) + ",", item; !list.empty();) {
      item = list.substr(0, list.find(','));
      list.erase(0, list.find(',') + 1);
      if (item == controller) return line.substr(b + 1) == "/" ? "" : line.substr(b + 1);
    }
  }
  return "";
}

class OciCgroupsAsRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(getuid(), 0u) << "these tests are about root; ctest runs them as root";
    ASSERT_NE(v1("memory"), "") << "these tests are about cgroup v1 (a hybrid host)";
    setenv("BOX_PREFIX", BOX_TEST_ROOT "/prefix", 1);
    name_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = std::string(BOX_TEST_ROOT) + "/oci-cgroups-" + name_;
    fs::remove_all(dir_);
    bundle_ = dir_ + "/bundle";
    make_spec_bundle(bundle_, "runc spec");
  }
  void TearDown() override {
    oci({"delete", "--force", "r1"});
    fs::remove_all(dir_);
    // The parents box-oci made and, like runc, leaves (it removes the
    // container's own cgroup only), in every hierarchy, deepest first.
    for (const auto& leftover : leftovers_)
      run({"sh", "-c", "for d in /sys/fs/cgroup/*" + leftover + " /sys/fs/cgroup/*/*/*" + leftover +
                           "; do [ -d \"$d\" ] && rmdir \"$d\"; done"});
  }
  static std::string box_oci() { return prefix() + "/bin/box-oci"; }
  void edit(const std::string& python) {
    edit_json(bundle_ + "/config.json", "c['process']['terminal']=False\n" + python);
  }
  // A created container keeps its creator's stdout: output through a file.
  CommandResult oci(std::vector<std::string> args, const std::string& stdin_text = "") {
    const std::string out = dir_ + "/out." + std::to_string(++calls_);
    std::string script = "\"$@\" >'" + out + "' 2>&1";
    if (!stdin_text.empty()) script = "printf '%s' '" + stdin_text + "' | " + script;
    args.insert(args.begin(), {"sh", "-c", script, "sh", box_oci(), "--root", dir_ + "/state"});
    CommandResult r = run(args);
    r.output = slurp(out);
    return r;
  }
  pid_t pid_of(const std::string& id) {
    const std::string s = oci({"state", id}).output;
    const auto at = s.find("\"pid\": ");
    return at == std::string::npos ? -1 : std::stoi(s.substr(at + 7));
  }
  std::string dir_, bundle_, name_;
  std::vector<std::string> leftovers_;  // below each hierarchy's root (or the caller's cgroup)
  int calls_ = 0;
};

TEST_F(OciCgroupsAsRoot, AnAbsolutePathIsTakenFromEveryHierarchysRootWithTheLimits) {
  const std::string path = "/box-oci-test-" + name_;
  edit("c['process']['args']=['sleep','1000']\n"
       "c['linux']['cgroupsPath']='" + path + "'\n"
       "c['linux']['resources']={'memory':{'limit':67108864,'reservation':33554432,"
       "'swappiness':20,'disableOOMKiller':True},"
       "'cpu':{'shares':512,'quota':20000,'period':100000,'cpus':'0','mems':'0'},"
       "'pids':{'limit':42},"
       "'devices':[{'allow':False,'access':'rwm'},{'allow':True,'type':'c','major':10,"
       "'minor':229,'access':'rw'}]}");
  auto created = oci({"create", "--bundle", bundle_, "r1"});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  const pid_t pid = pid_of("r1");
  ASSERT_GT(pid, 0);
  const std::string mem = v1("memory") + path, cpu = v1("cpu") + path;
  // The container's first process is in it before its command runs.
  EXPECT_TRUE(contains(slurp("/proc/" + std::to_string(pid) + "/cgroup"), ":memory:" + path + "\n"));
  EXPECT_TRUE(contains(slurp(mem + "/cgroup.procs"), std::to_string(pid) + "\n"));
  EXPECT_EQ(trim(slurp(mem + "/memory.limit_in_bytes")), "67108864");
  EXPECT_EQ(trim(slurp(mem + "/memory.soft_limit_in_bytes")), "33554432");
  EXPECT_EQ(trim(slurp(mem + "/memory.swappiness")), "20");
  EXPECT_TRUE(contains(slurp(mem + "/memory.oom_control"), "oom_kill_disable 1"));
  EXPECT_EQ(trim(slurp(cpu + "/cpu.shares")), "512");
  EXPECT_EQ(trim(slurp(cpu + "/cpu.cfs_quota_us")), "20000");
  EXPECT_EQ(trim(slurp(v1("cpuset") + path + "/cpuset.cpus")), "0");
  EXPECT_EQ(trim(slurp(v1("pids") + path + "/pids.max")), "42");
  // Deny all, the config's rule, then the container's own /dev nodes.
  const std::string devices = slurp(v1("devices") + path + "/devices.list");
  EXPECT_TRUE(contains(devices, "c 10:229 rw\nc 1:3 rwm\n")) << devices;
  EXPECT_FALSE(contains(devices, "a *:* rwm")) << devices;
  // The cgroup2 side of a hybrid host holds it too.
  if (fs::exists("/sys/fs/cgroup/unified/cgroup.procs")) {
    EXPECT_TRUE(contains(slurp("/sys/fs/cgroup/unified" + path + "/cgroup.procs"), std::to_string(pid)));
  }

  // update: runc's single flags and a resources file on stdin.
  auto updated = oci({"update", "--memory", "96m", "--cpu-quota", "30000", "--pids-limit", "7", "r1"});
  ASSERT_EQ(updated.exit_code, 0) << updated.output;
  EXPECT_EQ(trim(slurp(mem + "/memory.limit_in_bytes")), "100663296");
  EXPECT_EQ(trim(slurp(cpu + "/cpu.cfs_quota_us")), "30000");
  EXPECT_EQ(trim(slurp(v1("pids") + path + "/pids.max")), "7");
  auto from_stdin = oci({"update", "--resources", "-", "r1"}, R"({"memory":{"limit":134217728}})");
  ASSERT_EQ(from_stdin.exit_code, 0) << from_stdin.output;
  EXPECT_EQ(trim(slurp(mem + "/memory.limit_in_bytes")), "134217728");

  ASSERT_EQ(oci({"start", "r1"}).exit_code, 0);
  auto stats = oci({"events", "--stats", "r1"});
  ASSERT_EQ(stats.exit_code, 0) << stats.output;
  EXPECT_TRUE(contains(stats.output, "\"type\":\"stats\",\"id\":\"r1\"")) << stats.output;
  EXPECT_TRUE(contains(stats.output, "\"limit\":134217728")) << stats.output;
  EXPECT_TRUE(contains(stats.output, "\"pids\":{\"current\":1,\"limit\":7}")) << stats.output;

  auto deleted = oci({"delete", "--force", "r1"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.output;
  for (const char* c : {"memory", "cpu", "cpuset", "pids", "devices", "systemd"})
    EXPECT_FALSE(fs::exists(v1(c) + path)) << c;
  EXPECT_FALSE(fs::exists("/sys/fs/cgroup/unified" + path));
}

TEST_F(OciCgroupsAsRoot, ARelativePathIsBelowTheCallersOwnCgroup) {
  edit("c['process']['args']=['sleep','1000']\n"
       "c['linux']['cgroupsPath']='box-oci-rel/" + name_ + "'\n"
       "c['linux']['resources']={'memory':{'limit':50593792}}");
  ASSERT_EQ(oci({"create", "--bundle", bundle_, "r1"}).exit_code, 0);
  const std::string mem = v1("memory") + own_v1("memory") + "/box-oci-rel/" + name_;
  leftovers_.push_back("/box-oci-rel");
  EXPECT_EQ(trim(slurp(mem + "/memory.limit_in_bytes")), "50593792");
  EXPECT_TRUE(contains(slurp(mem + "/cgroup.procs"), std::to_string(pid_of("r1"))));
  ASSERT_EQ(oci({"delete", "--force", "r1"}).exit_code, 0);
  EXPECT_FALSE(fs::exists(mem));
}

TEST_F(OciCgroupsAsRoot, SystemdSlicePrefixNameIsMappedWithoutDBus) {
  edit("c['process']['args']=['sleep','1000']\n"
       "c['linux']['cgroupsPath']='boxoci-test.slice:unit:" + name_ + "'");
  auto created = oci({"--systemd-cgroup", "create", "--bundle", bundle_, "r1"});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  const std::string scope = "/boxoci.slice/boxoci-test.slice/unit-" + name_ + ".scope";
  leftovers_ = {"/boxoci.slice/boxoci-test.slice", "/boxoci.slice"};
  for (const char* c : {"memory", "pids"}) {
    EXPECT_TRUE(contains(slurp(v1(c) + scope + "/cgroup.procs"), std::to_string(pid_of("r1")))) << c;
  }
  ASSERT_EQ(oci({"--systemd-cgroup", "delete", "--force", "r1"}).exit_code, 0);
  EXPECT_FALSE(fs::exists(v1("memory") + scope));
  edit("c['linux']['cgroupsPath']='/not/slice/form'");
  auto bad = oci({"--systemd-cgroup", "create", "--bundle", bundle_, "r2"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_TRUE(contains(bad.output, "is not \"slice:prefix:name\"")) << bad.output;
}

TEST_F(OciCgroupsAsRoot, PauseKillAllAndAWrongHugepageSize) {
  const std::string path = "/box-oci-test-" + name_;
  edit("c['process']['args']=['sh','-c','sleep 1000 & exec sleep 1001']\n"
       "c['linux']['cgroupsPath']='" + path + "'");
  ASSERT_EQ(oci({"run", "--detach", "--bundle", bundle_, "r1"}).exit_code, 0);
  std::vector<std::string> pids;
  for (int i = 0; i < 100 && pids.size() < 2; ++i) {
    pids = lines(slurp(v1("pids") + path + "/cgroup.procs"));
    usleep(20000);
  }
  ASSERT_EQ(pids.size(), 2u);
  ASSERT_EQ(oci({"pause", "r1"}).exit_code, 0);
  EXPECT_TRUE(contains(oci({"state", "r1"}).output, "\"status\": \"paused\""));
  auto ps = oci({"ps", "--format", "json", "r1"});
  EXPECT_EQ(trim(ps.output), "[" + pids[0] + "," + pids[1] + "]");
  ASSERT_EQ(oci({"resume", "r1"}).exit_code, 0);
  EXPECT_TRUE(contains(oci({"state", "r1"}).output, "\"status\": \"running\""));
  ASSERT_EQ(oci({"kill", "--all", "r1", "KILL"}).exit_code, 0);
  for (int i = 0; i < 100 && !trim(slurp(v1("pids") + path + "/cgroup.procs")).empty(); ++i)
    usleep(20000);
  EXPECT_EQ(trim(slurp(v1("pids") + path + "/cgroup.procs")), "");
  ASSERT_EQ(oci({"delete", "r1"}).exit_code, 0);
  EXPECT_FALSE(fs::exists(v1("pids") + path));

  // As runc: a page size the kernel does not have fails the create, and
  // leaves no cgroup behind.
  edit("c['linux']['resources']={'hugepageLimits':[{'pageSize':'3MB','limit':1048576}]}");
  auto bad = oci({"create", "--bundle", bundle_, "r1"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_TRUE(contains(bad.output, "hugetlb.3MB")) << bad.output;
  EXPECT_FALSE(fs::exists(v1("pids") + path));
}

}  // namespace
}  // namespace box::testing
