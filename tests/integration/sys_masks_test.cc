// /sys in a container: read-only everywhere, with the host's network (the
// host's /sys bound, recursively read-only) and with its own (a fresh sysfs
// mounted read-only), cgroup2 included; and the paths runtimes hide masked
// by an empty read-only tmpfs: what the host shows there, the container
// does not. Runs as the test user with `box-run run`.
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/vfs.h>

#include <filesystem>
#include <sstream>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;

// The directories box masks under /sys (run_plan.cc, add_sys).
const std::vector<std::string> kMaskedDirs = {"/sys/firmware", "/sys/devices/virtual/powercap"};

// Inside: "DIR fstype entries" or "DIR absent" for each masked dir; what
// mkdir says in /sys, in cgroup2 and in a mask; then /proc/self/mountinfo.
std::string probe_script() {
  std::string script;
  for (const auto& d : kMaskedDirs)
    script += "if [ -e " + d + " ]; then echo \"" + d + " $(stat -f -c %T " + d + ") $(ls -A " + d +
              " | wc -l)\"; else echo " + d + " absent; fi; ";
  for (const char* d : {"/sys/box-probe", "/sys/fs/cgroup/box-probe", "/sys/firmware/box-probe"})
    script += std::string("mkdir ") + d + " 2>&1 | grep -q 'Read-only file system' && echo " + d +
              " read-only; ";
  return script + "echo mountinfo:; cat /proc/self/mountinfo";
}

// The mount points at or under /sys in mountinfo text, with their
// per-mount options ("ro,nosuid,...").
std::vector<std::pair<std::string, std::string>> sys_mounts(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(text.substr(text.find("mountinfo:\n") + 11));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, point, options;
    if (!(fields >> id >> parent >> devno >> root >> point >> options)) continue;
    if (point == "/sys" || point.rfind("/sys/", 0) == 0) out.emplace_back(point, options);
  }
  return out;
}

bool has_option(const std::string& options, const std::string& option) {
  return contains("," + options + ",", "," + option + ",");
}

class SysMasks : public BoxTest {
 protected:
  SysMasks() : BoxTest("sys") {}
};

TEST_F(SysMasks, SysIsReadOnlyAndMaskedWithEitherNetwork) {
  int masked = 0;
  for (const std::string network : {"host", "none"}) {
    auto r =
        run({box_run(), "run", "--network", network, rootfs_, "--", "sh", "-c", probe_script()});
    ASSERT_EQ(r.exit_code, 0) << network << ": " << r.output;
    for (const auto& d : kMaskedDirs) {
      struct statfs host {};
      if (statfs(d.c_str(), &host) != 0) {
        EXPECT_TRUE(contains(r.output, d + " absent\n")) << network << ": " << r.output;
        continue;
      }
      // Outside, sysfs with something in it; inside, an empty tmpfs.
      ASSERT_EQ(host.f_type, static_cast<decltype(host.f_type)>(SYSFS_MAGIC)) << d;
      ASSERT_FALSE(fs::is_empty(d)) << d << " is empty on the host: the check would prove nothing";
      ++masked;
      EXPECT_TRUE(contains(r.output, d + " tmpfs 0\n")) << network << ": " << r.output;
    }
    for (const char* d : {"/sys/box-probe", "/sys/fs/cgroup/box-probe", "/sys/firmware/box-probe"})
      EXPECT_TRUE(contains(r.output, std::string(d) + " read-only\n"))
          << network << ": " << r.output;
    // Every mount at or under /sys, the host's submounts bound with it
    // included, is read-only.
    const auto mounts = sys_mounts(r.output);
    ASSERT_FALSE(mounts.empty()) << r.output;
    bool saw_sys = false, saw_cgroup = false;
    for (const auto& [point, options] : mounts) {
      EXPECT_TRUE(has_option(options, "ro")) << network << ": " << point << " is " << options;
      saw_sys = saw_sys || point == "/sys";
      saw_cgroup = saw_cgroup || point == "/sys/fs/cgroup";
    }
    EXPECT_TRUE(saw_sys && saw_cgroup) << r.output;
    // With the host's network the host's /sys and what is mounted under it
    // come along: the recursion is part of what is checked.
    if (network == "host") {
      EXPECT_GT(mounts.size(), 3u) << r.output;
    }
  }
  // This machine has /sys/firmware: a mask was checked, not only absences.
  EXPECT_GE(masked, 2);
}

}  // namespace
}  // namespace box::testing
