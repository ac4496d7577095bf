// box-oci run by root, where root is the point: a container without a user
// namespace (a plain `runc spec` bundle, as the conformance suite and
// containerd use), device nodes made with mknod, and a user namespace whose
// wide map root writes itself. The bundles are `runc spec`'s.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {

namespace fs = std::filesystem;

class OciAsRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(getuid(), 0u) << "these tests are about root; ctest runs them as root";
    setenv("BOX_PREFIX", BOX_TEST_ROOT "/prefix", 1);
    dir_ = std::string(BOX_TEST_ROOT) + "/oci-as-root-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    bundle_ = dir_ + "/bundle";
    make_spec_bundle(bundle_, "runc spec");
  }
  void TearDown() override {
    run({box_oci(), "--root", dir_ + "/state", "delete", "--force", "r1"});
    fs::remove_all(dir_);
  }
  static std::string box_oci() { return prefix() + "/bin/box-oci"; }
  void edit(const std::string& python) { edit_json(bundle_ + "/config.json", python); }
  CommandResult oci_run() {
    return run({box_oci(), "--root", dir_ + "/state", "run", "--bundle", bundle_, "r1"});
  }
  std::string dir_, bundle_;
};

TEST_F(OciAsRoot, WithoutAUserNamespaceTheContainerIsTheHostsRootWithTheConfigsCapabilities) {
  edit("c['process']['args']=['sh','-c','echo map: $(cat /proc/self/uid_map); "
       "grep CapBnd /proc/self/status; echo pid $$']\nc['process']['terminal']=False");
  auto r = oci_run();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "map: 0 0 4294967295")) << r.output;
  // runc's spec: AUDIT_WRITE, KILL, NET_BIND_SERVICE and nothing else.
  EXPECT_TRUE(contains(r.output, "CapBnd:\t0000000020000420")) << r.output;
  EXPECT_TRUE(contains(r.output, "pid 1\n")) << r.output;
}

TEST_F(OciAsRoot, DeviceNodesAreMadeNotBound) {
  edit("c['process']['args']=['sh','-c','stat -c \"%F %t:%T\" /dev/null /dev/zero; "
       "grep -c \" /dev/null \" /proc/self/mountinfo']\nc['process']['terminal']=False\n"
       "c['linux']['devices']=[{'path':'/dev/fuse','type':'c','major':10,'minor':229,"
       "'fileMode':438,'uid':0,'gid':0}]\n"
       "c['process']['args'][2]+='; stat -c \"%F %t:%T %a\" /dev/fuse'");
  auto r = oci_run();
  EXPECT_TRUE(contains(r.output, "character special file 1:3\ncharacter special file 1:5\n0\n"))
      << r.output;
  EXPECT_TRUE(contains(r.output, "character special file a:e5 666")) << r.output;
}

TEST_F(OciAsRoot, AWideUserNamespaceMapIsWrittenByRoot) {
  edit("c['process']['args']=['sh','-c','echo map: $(cat /proc/self/uid_map); id -u']\n"
       "c['process']['terminal']=False\n"
       "c['linux']['namespaces'].append({'type':'user'})\n"
       "c['linux']['uidMappings']=[{'containerID':0,'hostID':200000,'size':65536}]\n"
       "c['linux']['gidMappings']=[{'containerID':0,'hostID':200000,'size':65536}]\n"
       "c['mounts']=[m for m in c['mounts'] if m['type'] not in ('sysfs','cgroup')]");
  auto r = oci_run();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "map: 0 200000 65536\n0\n")) << r.output;
}

TEST_F(OciAsRoot, CheckpointAsRootGoesAsFarAsCriuCheckAndChangesNothing) {
  edit("c['process']['args']=['sleep','1000']\nc['process']['terminal']=False");
  auto started = run({"sh", "-c", "'" + box_oci() + "' --root '" + dir_ + "/state' run -d --bundle '" +
                                      bundle_ + "' r1 >/dev/null 2>&1 </dev/null"});
  ASSERT_EQ(started.exit_code, 0) << started.output;
  auto c = run({box_oci(), "--root", dir_ + "/state", "checkpoint", "r1"});
  EXPECT_EQ(c.exit_code, 1);
  // Which of the two depends on the kernel: CRIU 3.17 fails its own check
  // on this machine's (vDSO); a host where it passes gets the second.
  EXPECT_TRUE(contains(c.output, "checkpoint: CRIU cannot work on this host ('criu check': Error") ||
              contains(c.output, "checkpoint: CRIU passes its check here, but box-oci does not drive it yet"))
      << c.output;
  auto state = run({box_oci(), "--root", dir_ + "/state", "state", "r1"});
  EXPECT_TRUE(contains(state.output, "\"status\": \"running\"")) << state.output;
}

}  // namespace
}  // namespace box::testing
