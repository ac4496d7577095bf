// OCI runtime bundles as the real tools write them, installed with `boxctl
// install` and run as the unprivileged test user (issue 16, inputs 5 and
// 6): a bundle of `runc spec --rootless` turned into the pre-1.0 layout
// (ociVersion 0.3.0: the bounding set in linux.capabilities, the rlimits in
// linux.rlimits) with an empty "hooks": {}. Its capabilities and limits
// reach the box and what enters it; runc's rootless /sys bind is box's own
// /sys, not a bind of the host's that the install refuses; the empty hooks
// say nothing. (The systemd bundle is in systemd_container_test.cc.)
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;

class OciBundles : public BoxTest {
 protected:
  OciBundles() : BoxTest("bundles") {}
  void cleanup() override {
    for (const auto& name : installed_) boxctl({"uninstall", name});
    fs::remove_all(home() + "/bundle-old");
  }
  std::vector<std::string> installed_;
};

TEST_F(OciBundles, APreOneZeroRuncBundleRunsWithItsCapabilitiesAndLimits) {
  const std::string bundle = home() + "/bundle-old";
  make_busybox_rootfs(bundle + "/rootfs");
  write_file(bundle + "/edit.py",
             "import json\n"
             "c = json.load(open('config.json'))\n"
             "c['ociVersion'] = '0.3.0'\n"
             "c['linux']['capabilities'] = c['process'].pop('capabilities')['bounding']\n"
             "c['process'].pop('rlimits')\n"
             "c['linux']['rlimits'] = [{'type': 'RLIMIT_NOFILE', 'soft': 512, 'hard': 1024}]\n"
             "c['process']['args'] = ['sh', '-c',\n"
             "    'trap \"exit 0\" TERM; while :; do sleep 1 & wait $!; done']\n"
             "c['hooks'] = {}\n"
             "json.dump(c, open('config.json', 'w'), indent=2)\n");
  auto spec = run(sh("cd '" + bundle + "' && runc spec --rootless && python3 edit.py"));
  ASSERT_EQ(spec.exit_code, 0) << spec.output;

  auto install = boxctl({"install", bundle, "oldspec"});
  installed_.push_back("oldspec");
  names_.push_back("oldspec");
  ASSERT_EQ(install.exit_code, 0) << install.output;
  EXPECT_FALSE(contains(install.output, "hooks")) << install.output;
  EXPECT_FALSE(contains(install.output, "linux.capabilities")) << install.output;
  const std::string def = slurp(defs_ + "/oldspec.yaml");
  EXPECT_TRUE(contains(def, "nofile: \"512:1024\"")) << def;
  EXPECT_TRUE(contains(def, "add: [AUDIT_WRITE]")) << def;
  EXPECT_FALSE(contains(def, "\"/sys\"")) << def;

  auto start = boxctl({"start", "oldspec"});
  ASSERT_EQ(start.exit_code, 0) << start.output << journal("box@oldspec.service");
  // PID 1's limits and bounding set (AUDIT_WRITE 29, KILL 5,
  // NET_BIND_SERVICE 10), and the same for a command entered.
  auto pid1 = boxctl({"enter", "oldspec", "--", "sh", "-c",
                      "grep -E '^Max open files|^CapBnd' /proc/1/limits /proc/1/status"});
  EXPECT_TRUE(contains(pid1.output, "Max open files            512                  1024"))
      << pid1.output;
  EXPECT_TRUE(contains(pid1.output, "CapBnd:\t0000000020000420")) << pid1.output;
  auto entered = boxctl({"enter", "oldspec", "--", "sh", "-c",
                         "ulimit -Sn; ulimit -Hn; grep CapBnd /proc/self/status"});
  EXPECT_EQ(entered.output, "512\n1024\nCapBnd:\t0000000020000420\n");
  // The box's own /sys: sysfs, read-only, not the host's bound.
  auto sys = boxctl({"enter", "oldspec", "--", "sh", "-c", "grep ' /sys ' /proc/self/mounts"});
  EXPECT_TRUE(contains(sys.output, "sysfs /sys sysfs ro")) << sys.output;
  EXPECT_EQ(boxctl({"stop", "oldspec"}).exit_code, 0);
}

}  // namespace
}  // namespace box::testing
