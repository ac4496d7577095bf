// Bundles as `runc spec --rootless` and `crun spec --rootless` write them
// (a read-only root), with a bind to a path the rootfs lacks (/srv/data):
// runc and crun make the mount point in the rootfs; box makes it in a
// private layer at start (issue 16, input 2). Installed and started as the
// unprivileged test user; the container sees its bind on a read-only root,
// the installed rootfs gains nothing.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;

class MountPoints : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    name_ = std::string("mp-") + GetParam();
    bundle_ = home() + "/" + name_ + "-bundle";
    data_ = home() + "/" + name_ + "-data";
    fs::remove_all(bundle_);
    fs::remove_all(data_);
  }
  void TearDown() override {
    stop_and_reset("box@" + name_ + ".service");
    boxctl({"uninstall", name_});
    fs::remove_all(bundle_);
    fs::remove_all(data_);
  }
  std::string name_, bundle_, data_;
};

TEST_P(MountPoints, ABindToAPathTheReadOnlyRootLacksIsMadePrivately) {
  make_busybox_rootfs(bundle_ + "/rootfs");
  write_file(data_ + "/hello", "hi\n");
  write_file(bundle_ + "/edit.py",
             "import json, sys\n"
             "c = json.load(open('config.json'))\n"
             "assert c['root']['readonly'] is True\n"
             "c['process']['terminal'] = False\n"
             "c['process']['args'] = ['sh', '-c', 'cat /srv/data/hello >/srv/data/seen; "
             "touch /x 2>>/srv/data/seen; touch /srv/y 2>>/srv/data/seen; "
             "trap \"exit 0\" TERM; while :; do sleep 1 & wait $!; done']\n"
             "c['mounts'].append({'destination': '/srv/data', 'type': 'bind',\n"
             "                    'source': sys.argv[1], 'options': ['rbind', 'rw']})\n"
             "json.dump(c, open('config.json', 'w'), indent=2)\n");
  auto spec = run(sh("cd '" + bundle_ + "' && " + GetParam() + " spec --rootless && python3 edit.py '" +
                     data_ + "'"));
  ASSERT_EQ(spec.exit_code, 0) << spec.output;
  ASSERT_FALSE(fs::exists(bundle_ + "/rootfs/srv"));

  auto install = boxctl({"install", "--allow-bind", data_, bundle_, name_});
  ASSERT_EQ(install.exit_code, 0) << install.output;
  auto start = boxctl({"start", name_});
  ASSERT_EQ(start.exit_code, 0) << start.output << journal("box@" + name_ + ".service");
  ASSERT_TRUE(eventually([&] { return contains(slurp(data_ + "/seen"), "/srv/y"); },
                         std::chrono::seconds(20)))
      << slurp(data_ + "/seen") << journal("box@" + name_ + ".service");
  EXPECT_EQ(slurp(data_ + "/seen"),
            "hi\ntouch: /x: Read-only file system\ntouch: /srv/y: Read-only file system\n");
  EXPECT_EQ(boxctl({"stop", name_}).exit_code, 0);
  const std::string rootfs = home() + "/.local/share/box/images/" + name_ + "/rootfs";
  ASSERT_TRUE(fs::exists(rootfs + "/bin"));
  EXPECT_FALSE(fs::exists(rootfs + "/srv")) << "made in the installed rootfs";
  EXPECT_FALSE(fs::exists(bundle_ + "/rootfs/srv")) << "made in the bundle";
}

INSTANTIATE_TEST_SUITE_P(Spec, MountPoints, ::testing::Values("runc", "crun"),
                         [](const auto& p) { return std::string(p.param); });

}  // namespace
}  // namespace box::testing
