#include "core/plan/oci_cgroups.h"

#include <gtest/gtest.h>

namespace box {
namespace {

// This machine's kind of host: v1 controllers, name=systemd and cgroup2 at
// /sys/fs/cgroup/unified (what /proc/self/mountinfo and /proc/self/cgroup
// said on it, trimmed).
const char* kHybridMountinfo =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
    "50 23 0:40 / /proc rw - proc proc rw\n";
const char* kHybridSelf =
    "9:name=systemd:/user.slice\n"
    "4:memory:/work/job\n"
    "3:cpuset:/\n"
    "1:cpu:/\n"
    "0::/user.slice/user-1000.slice/user@1000.service/app.slice/run-r1.scope\n";

const char* kPureMountinfo = "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n";
const char* kPureSelf = "0::/user.slice/user-1000.slice/user@1000.service/app.slice/run-r1.scope\n";

TEST(OciCgroups, ParsesHierarchiesOfAHybridHost) {
  auto h = parse_cgroup_hierarchies(kHybridMountinfo, kHybridSelf);
  ASSERT_EQ(h.size(), 5u);
  EXPECT_EQ(h[0].controllers, "name=systemd");
  EXPECT_EQ(h[0].mount, "/sys/fs/cgroup/systemd");
  EXPECT_EQ(h[1].controllers, "memory");
  EXPECT_EQ(h[1].own_path, "/work/job");
  EXPECT_EQ(h[4].controllers, "");
  EXPECT_EQ(h[4].mount, "/sys/fs/cgroup/unified");
}

TEST(OciCgroups, RootAbsoluteAndRelativePathsAsRunc) {
  auto h = parse_cgroup_hierarchies(kHybridMountinfo, kHybridSelf);
  CgroupPlacementInput in;
  in.id = "c1";
  in.cgroups_path = "/cgrouptest";
  auto abs = place_oci_cgroup(h, in);
  ASSERT_TRUE(abs.ok()) << abs.error().message();
  EXPECT_EQ(abs->at("memory"), "/sys/fs/cgroup/memory/cgrouptest");
  EXPECT_EQ(abs->at(""), "/sys/fs/cgroup/unified/cgrouptest");
  EXPECT_EQ(abs->at("name=systemd"), "/sys/fs/cgroup/systemd/cgrouptest");
  // Relative: below the caller's own cgroup of each hierarchy.
  in.cgroups_path = "testdir/cgrouptest/container";
  auto rel = place_oci_cgroup(h, in);
  ASSERT_TRUE(rel.ok());
  EXPECT_EQ(rel->at("memory"), "/sys/fs/cgroup/memory/work/job/testdir/cgrouptest/container");
  EXPECT_EQ(rel->at("cpu"), "/sys/fs/cgroup/cpu/testdir/cgrouptest/container");
  // None: the id, relative. ".." never climbs out.
  in.cgroups_path = "";
  EXPECT_EQ(place_oci_cgroup(h, in)->at("cpu"), "/sys/fs/cgroup/cpu/c1");
  in.cgroups_path = "../../../etc";
  EXPECT_EQ(place_oci_cgroup(h, in)->at("memory"), "/sys/fs/cgroup/memory/work/job/etc");
  in.cgroups_path = "/";
  EXPECT_FALSE(place_oci_cgroup(h, in).ok());
}

TEST(OciCgroups, PureCgroup2RootGoesBesideItsOwnCgroup) {
  auto h = parse_cgroup_hierarchies(kPureMountinfo, kPureSelf);
  ASSERT_EQ(h.size(), 1u);
  CgroupPlacementInput in;
  in.id = "c1";
  auto dirs = place_oci_cgroup(h, in);
  ASSERT_TRUE(dirs.ok());
  EXPECT_EQ(dirs->at(""),
            "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/c1");
}

TEST(OciCgroups, RootlessOnlyBelowItsOwnCgroup2) {
  auto h = parse_cgroup_hierarchies(kHybridMountinfo, kHybridSelf);
  CgroupPlacementInput in;
  in.id = "c1";
  in.rootless = true;
  in.uid = 1000;
  auto dirs = place_oci_cgroup(h, in);
  ASSERT_TRUE(dirs.ok());
  ASSERT_EQ(dirs->size(), 1u);  // no v1 hierarchy: those are root's
  EXPECT_EQ(dirs->at(""),
            "/sys/fs/cgroup/unified/user.slice/user-1000.slice/user@1000.service/app.slice/"
            "run-r1.scope/c1");
}

TEST(OciCgroups, SystemdPaths) {
  EXPECT_EQ(*expand_systemd_slice("system.slice"), "/system.slice");
  EXPECT_EQ(*expand_systemd_slice("a-b-c.slice"), "/a.slice/a-b.slice/a-b-c.slice");
  EXPECT_EQ(*expand_systemd_slice("-.slice"), "/");
  EXPECT_FALSE(expand_systemd_slice("a--b.slice").ok());
  EXPECT_FALSE(expand_systemd_slice("foo").ok());

  auto h = parse_cgroup_hierarchies(kHybridMountinfo, kHybridSelf);
  CgroupPlacementInput in;
  in.id = "c1";
  in.systemd = true;
  in.cgroups_path = "machine-web.slice:libpod:abc";
  auto dirs = place_oci_cgroup(h, in);
  ASSERT_TRUE(dirs.ok()) << dirs.error().message();
  EXPECT_EQ(dirs->at("memory"),
            "/sys/fs/cgroup/memory/machine.slice/machine-web.slice/libpod-abc.scope");
  in.cgroups_path = "";
  EXPECT_EQ(place_oci_cgroup(h, in)->at("cpu"), "/sys/fs/cgroup/cpu/system.slice/box-oci-c1.scope");
  in.cgroups_path = "/not/systemd";
  EXPECT_FALSE(place_oci_cgroup(h, in).ok());
  // Rootless: from the user manager's cgroup.
  in.rootless = true;
  in.uid = 1000;
  in.cgroups_path = "user.slice:box:x";
  EXPECT_EQ(place_oci_cgroup(h, in)->at(""),
            "/sys/fs/cgroup/unified/user.slice/user-1000.slice/user@1000.service/user.slice/"
            "box-x.scope");
  in.uid = 1001;
  EXPECT_FALSE(place_oci_cgroup(h, in).ok());
}

const CgroupControllers kV1 = {{"cpu", "cpuset", "memory", "pids", "devices", "blkio", "freezer"},
                               {"hugetlb"}};
const CgroupControllers kV2 = {{}, {"cpu", "cpuset", "memory", "pids", "io", "hugetlb"}};

TEST(OciCgroups, MemoryOnV1AndV2) {
  const char* json =
      R"({"memory":{"limit":1048576,"reservation":524288,"swap":2097152,"kernel":1,)"
      R"("swappiness":10,"disableOOMKiller":true}})";
  auto v1 = plan_oci_resources(json, kV1);
  ASSERT_TRUE(v1.ok()) << v1.error().message();
  EXPECT_EQ(v1->writes, (std::vector<CgroupWrite>{
                            {"memory", false, "memory.limit_in_bytes", "1048576"},
                            {"memory", false, "memory.soft_limit_in_bytes", "524288"},
                            {"memory", false, "memory.memsw.limit_in_bytes", "2097152"},
                            {"memory", false, "memory.kmem.limit_in_bytes", "1"},
                            {"memory", false, "memory.swappiness", "10"},
                            {"memory", false, "memory.oom_control", "1"}}));
  EXPECT_TRUE(v1->warnings.empty());
  auto v2 = plan_oci_resources(json, kV2);
  ASSERT_TRUE(v2.ok());
  // Swap is memory+swap in the spec, swap alone in cgroup v2.
  EXPECT_EQ(v2->writes, (std::vector<CgroupWrite>{{"memory", true, "memory.max", "1048576"},
                                                  {"memory", true, "memory.low", "524288"},
                                                  {"memory", true, "memory.swap.max", "1048576"}}));
  ASSERT_EQ(v2->warnings.size(), 3u);
  EXPECT_EQ(v2->warnings[0],
            "linux.resources.memory.kernel: not applied: cgroup v1 only, and this host has no v1 "
            "'memory' controller");
}

TEST(OciCgroups, CpuOnV1AndV2) {
  const char* json =
      R"({"cpu":{"shares":1024,"quota":50000,"period":100000,"cpus":"0-1","mems":"0",)"
      R"("realtimeRuntime":950000}})";
  auto v1 = plan_oci_resources(json, kV1);
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->writes, (std::vector<CgroupWrite>{{"cpu", false, "cpu.shares", "1024"},
                                                  {"cpu", false, "cpu.cfs_period_us", "100000"},
                                                  {"cpu", false, "cpu.cfs_quota_us", "50000"},
                                                  {"cpu", false, "cpu.rt_runtime_us", "950000"},
                                                  {"cpuset", false, "cpuset.cpus", "0-1"},
                                                  {"cpuset", false, "cpuset.mems", "0"}}));
  auto v2 = plan_oci_resources(json, kV2);
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->writes, (std::vector<CgroupWrite>{{"cpu", true, "cpu.weight", "39"},
                                                  {"cpu", true, "cpu.max", "50000 100000"},
                                                  {"cpuset", true, "cpuset.cpus", "0-1"},
                                                  {"cpuset", true, "cpuset.mems", "0"}}));
  EXPECT_EQ(v2->warnings.size(), 1u);  // realtime: v1 only
  EXPECT_EQ(cpu_shares_to_weight(2), 1u);
  EXPECT_EQ(cpu_shares_to_weight(262144), 10000u);
}

TEST(OciCgroups, PidsBlkioHugetlbNetworkUnified) {
  auto p = plan_oci_resources(
      R"({"pids":{"limit":-1},"blockIO":{"weight":500,"throttleReadBpsDevice":[{"major":8,"minor":0,"rate":1024}]},)"
      R"("hugepageLimits":[{"pageSize":"2MB","limit":4194304}],"network":{"classID":17},)"
      R"("unified":{"memory.high":"1000000","cgroup.max.depth":"3"}})",
      kV1);
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->writes, (std::vector<CgroupWrite>{
                           {"pids", false, "pids.max", "max"},
                           {"blkio", false, "blkio.weight", "500"},
                           {"blkio", false, "blkio.throttle.read_bps_device", "8:0 1024"},
                           // hugetlb is on the cgroup2 side of this hybrid host
                           {"hugetlb", true, "hugetlb.2MB.max", "4194304"},
                           {"", true, "cgroup.max.depth", "3"}}));
  ASSERT_EQ(p->warnings.size(), 2u);
  EXPECT_EQ(p->warnings[0],
            "linux.resources.network.classID: not applied: cgroup v1 only, and this host has no "
            "v1 'net_cls' controller");
  auto v2 = plan_oci_resources(
      R"({"blockIO":{"weight":1000,"throttleWriteIOPSDevice":[{"major":8,"minor":16,"rate":20}]}})", kV2);
  EXPECT_EQ(v2->writes, (std::vector<CgroupWrite>{{"io", true, "io.weight", "default 10000"},
                                                  {"io", true, "io.max", "8:16 wiops=20"}}));
  EXPECT_FALSE(plan_oci_resources(R"({"unified":{"../x":"1"}})", kV2).ok());
}

TEST(OciCgroups, DevicesInOrderThenTheDefaults) {
  auto p = plan_oci_resources(
      R"({"devices":[{"allow":false,"access":"rwm"},{"allow":true,"type":"c","major":10,"minor":229,"access":"rw"},)"
      R"({"allow":true,"type":"b","major":8,"access":"r"}]})",
      kV1);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->writes.size(), 3u + 9u);
  EXPECT_EQ(p->writes[0], (CgroupWrite{"devices", false, "devices.deny", "a *:* rwm"}));
  EXPECT_EQ(p->writes[1], (CgroupWrite{"devices", false, "devices.allow", "c 10:229 rw"}));
  EXPECT_EQ(p->writes[2], (CgroupWrite{"devices", false, "devices.allow", "b 8:* r"}));
  EXPECT_EQ(p->writes[3], (CgroupWrite{"devices", false, "devices.allow", "c 1:3 rwm"}));
  auto v2 = plan_oci_resources(R"({"devices":[{"allow":false,"access":"rwm"}]})", kV2);
  EXPECT_TRUE(v2->writes.empty());
  EXPECT_EQ(v2->warnings.size(), 1u);  // no BPF device filter
  auto bad = plan_oci_resources(R"({"devices":[{"allow":true,"type":"x"}]})", kV1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "linux.resources.devices[0].type: 'x' is not a, b or c");
  EXPECT_FALSE(plan_oci_resources(R"({"memory":{"limit":"lots"}})", kV1).ok());
}

TEST(OciCgroups, TheConfigsOwnDeviceNodesAreAllowedAfterTheRules) {
  // runtime-tools' default: deny everything, then the nodes of linux.devices
  // must still be made and opened (runc allows them the same way).
  auto p = plan_oci_resources(R"({"devices":[{"allow":false,"access":"rwm"}]})", kV1, true,
                              {"c 1:3 rwm", "b 7:0 rwm"});
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->writes.size(), 1u + 9u + 2u);
  EXPECT_EQ(p->writes[10], (CgroupWrite{"devices", false, "devices.allow", "c 1:3 rwm"}));
  EXPECT_EQ(p->writes[11], (CgroupWrite{"devices", false, "devices.allow", "b 7:0 rwm"}));
  // update rewrites no defaults and no node rules.
  auto update = plan_oci_resources(R"({"devices":[{"allow":false,"access":"rwm"}]})", kV1, false);
  EXPECT_EQ(update->writes.size(), 1u);
}

TEST(OciCgroups, MemorySizes) {
  EXPECT_EQ(*parse_memory_size("512m"), 512LL << 20);
  EXPECT_EQ(*parse_memory_size("1G"), 1LL << 30);
  EXPECT_EQ(*parse_memory_size("4096"), 4096);
  EXPECT_EQ(*parse_memory_size("2kb"), 2048);
  EXPECT_EQ(*parse_memory_size("-1"), -1);
  EXPECT_FALSE(parse_memory_size("m").ok());
  EXPECT_FALSE(parse_memory_size("5q").ok());
}

}  // namespace
}  // namespace box
