#include "core/image/oci_runtime.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace box::image {
namespace {

bool has_warning(const RuntimeTranslation& t, const std::string& text) {
  return std::any_of(t.warnings.begin(), t.warnings.end(),
                     [&](const std::string& w) { return w.find(text) != std::string::npos; });
}

// What `runc spec --rootless` writes, trimmed, with a few changes.
constexpr const char* kConfig = R"({
  "ociVersion": "1.0.2",
  "process": {
    "terminal": true,
    "user": {"uid": 1000, "gid": 100, "additionalGids": [10], "umask": 63},
    "args": ["/usr/bin/etcd", "--data-dir", "/var/lib/etcd"],
    "env": ["PATH=/usr/bin:/bin", "ETCD_NAME=default"],
    "cwd": "/var/lib",
    "capabilities": {
      "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_ADMIN"],
      "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"], "ambient": ["CAP_KILL"]
    },
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 4096, "soft": 1024},
                {"type": "RLIMIT_CORE", "hard": 0, "soft": 0}],
    "noNewPrivileges": false
  },
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "etcd",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755", "size=65536k"]},
    {"destination": "/var/lib/etcd", "type": "bind", "source": "/home/u/data", "options": ["rbind", "rw"]},
    {"destination": "/etc/conf", "source": "conf", "options": ["bind", "ro"]},
    {"destination": "/run", "type": "tmpfs", "options": ["size=16m", "mode=0755"]},
    {"destination": "/mnt/nfs", "type": "nfs", "source": "server:/x"}
  ],
  "linux": {
    "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
    "gidMappings": [{"containerID": 0, "hostID": 100, "size": 1}],
    "namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"},
                   {"type": "user"}, {"type": "network", "path": "/proc/1/ns/net"}],
    "maskedPaths": ["/proc/kcore", "/sys/firmware"],
    "readonlyPaths": ["/proc/sys"],
    "resources": {"memory": {"limit": 536870912}, "pids": {"limit": 256}, "cpu": {"shares": 1024}},
    "seccomp": {"defaultAction": "SCMP_ACT_ALLOW"}
  },
  "annotations": {"org.opencontainers.image.description": "etcd server"},
  "hooks": {"prestart": [{"path": "/bin/true"}]}
})";

TEST(OciRuntime, TranslatesWhatADefinitionCanSay) {
  auto t = translate_runtime_config(kConfig, "config.json", "/bundle");
  ASSERT_TRUE(t.ok()) << t.error().message();
  const auto& d = t->draft;
  EXPECT_EQ(d.command, (std::vector<std::string>{"/usr/bin/etcd", "--data-dir", "/var/lib/etcd"}));
  ASSERT_EQ(d.env.size(), 2u);
  EXPECT_EQ(d.env[1], (std::pair<std::string, std::string>{"ETCD_NAME", "default"}));
  EXPECT_EQ(d.workdir, "/var/lib");
  EXPECT_EQ(d.user, "1000:100");
  EXPECT_EQ(d.groups, std::vector<std::string>{"10"});
  EXPECT_EQ(d.umask, "0077");
  EXPECT_EQ(d.hostname, "etcd");
  EXPECT_EQ(d.rootfs_writes, RootfsWrites::kReadonly);
  EXPECT_EQ(d.userns, UsernsMode::kSingle);
  EXPECT_EQ(d.network, NetworkMode::kNone);  // a network namespace of its own
  EXPECT_EQ(d.namespaces.at("cgroup"), "host");
  EXPECT_EQ(d.namespaces.count("pid"), 0u);
  EXPECT_EQ(d.cap_add, (std::vector<std::string>{"AUDIT_WRITE", "NET_ADMIN"}));
  EXPECT_NE(std::find(d.cap_drop.begin(), d.cap_drop.end(), "CHOWN"), d.cap_drop.end());
  EXPECT_EQ(d.rlimits[0], (std::pair<std::string, std::string>{"nofile", "1024:4096"}));
  EXPECT_EQ(d.rlimits[1], (std::pair<std::string, std::string>{"core", "0"}));
  EXPECT_EQ(d.resources.at("memory"), "536870912");
  EXPECT_EQ(d.resources.at("pids"), "256");
  EXPECT_EQ(d.resources.at("cpu_weight"), "39");
  EXPECT_EQ(d.description, "etcd server");
  ASSERT_EQ(d.mounts.size(), 3u);  // /proc and /dev are box's own; nfs is refused
  EXPECT_EQ(d.mounts[0],
            (DraftMount{MountType::kBind, "/home/u/data", "/var/lib/etcd", false, "", ""}));
  EXPECT_EQ(d.mounts[1], (DraftMount{MountType::kBind, "/bundle/conf", "/etc/conf", true, "", ""}));
  EXPECT_EQ(d.mounts[2], (DraftMount{MountType::kTmpfs, "", "/run", false, "16M", "0755"}));
}

TEST(OciRuntime, ReportsWhatCannotBeHonoured) {
  auto t = translate_runtime_config(kConfig, "config.json", "/bundle");
  ASSERT_TRUE(t.ok());
  for (const char* w :
       {"process.terminal", "process.capabilities.ambient", "process.noNewPrivileges",
        "mounts[/mnt/nfs]", "linux.namespaces[network]", "linux.uidMappings",
        "linux.maskedPaths: 2 paths", "linux.readonlyPaths", "linux.seccomp", "hooks"})
    EXPECT_TRUE(has_warning(*t, w)) << w;
}

TEST(OciRuntime, HostNamespacesAndErrors) {
  auto t = translate_runtime_config(
      R"({"process":{"args":["sh"]},"root":{"path":"rootfs"},"hostname":"x",
          "linux":{"namespaces":[{"type":"mount"}]}})",
      "c", "/b");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->draft.namespaces.size(), 4u);
  EXPECT_EQ(t->draft.network, std::nullopt);  // the host's
  EXPECT_EQ(t->draft.hostname, "");  // no uts namespace: cannot be set
  EXPECT_TRUE(has_warning(*t, "hostname"));
  EXPECT_TRUE(has_warning(*t, "root.readonly"));

  auto no_args = translate_runtime_config(R"({"process":{"args":[]}})", "config.json", "/b");
  ASSERT_FALSE(no_args.ok());
  EXPECT_NE(no_args.error().message().find("process.args"), std::string::npos);
  EXPECT_FALSE(translate_runtime_config("[", "config.json", "/b").ok());
}

// Numbers that do not fit the field they go to are refused by name, not
// converted: found by tests/fuzz/oci_runtime_fuzz ("limit": 5.3e34 was cast
// to int64_t, undefined behaviour; a uid of -1 became 18446744073709551615).
TEST(OciRuntime, RefusesNumbersOutOfTheirFieldsRange) {
  const std::pair<const char*, const char*> cases[] = {
      {R"("linux":{"resources":{"memory":{"limit":53000000000000000000000000006870912}}})",
       "linux.resources.memory.limit"},
      {R"("linux":{"resources":{"pids":{"limit":1.5}}})", "linux.resources.pids.limit"},
      {R"("linux":{"resources":{"pids":{"limit":18446744073709551615}}})",
       "linux.resources.pids.limit"},
      {R"("linux":{"resources":{"cpu":{"shares":-2}}})", "linux.resources.cpu.shares"},
      {R"("linux":{"uidMappings":[{"containerID":0,"hostID":1,"size":1e300}]})",
       "linux.uidMappings[].size"},
      {R"("hostname":"x")", nullptr},
  };
  for (const auto& [linux_part, field] : cases) {
    const std::string config =
        std::string(R"({"process":{"args":["sh"]},)") + linux_part + "}";
    auto t = translate_runtime_config(config, "config.json", "/b");
    if (!field) {
      EXPECT_TRUE(t.ok()) << config;
      continue;
    }
    ASSERT_FALSE(t.ok()) << config;
    EXPECT_NE(t.error().message().find(std::string("'") + field + "'"), std::string::npos)
        << t.error().message();
  }
  const char* const users[] = {R"({"uid":-1})", R"({"uid":1e30})", R"({"gid":4294967295})",
                               R"({"additionalGids":[4294967296]})", R"({"umask":-18})"};
  for (const char* user : users) {
    auto t = translate_runtime_config(
        std::string(R"({"process":{"args":["sh"],"user":)") + user + "}}", "config.json", "/b");
    ASSERT_FALSE(t.ok()) << user;
    EXPECT_NE(t.error().message().find("'process.user."), std::string::npos)
        << t.error().message();
  }
  auto ok = translate_runtime_config(
      R"({"process":{"args":["sh"],"user":{"uid":4294967294,"gid":7,"umask":18},
          "rlimits":[{"type":"RLIMIT_NOFILE","soft":18446744073709551615,"hard":18446744073709551615}]},
          "linux":{"resources":{"memory":{"limit":-1}}}})",
      "config.json", "/b");
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_EQ(ok->draft.user, "4294967294:7");
  EXPECT_EQ(ok->draft.resources.at("memory"), "-1");
}

}  // namespace
}  // namespace box::image
