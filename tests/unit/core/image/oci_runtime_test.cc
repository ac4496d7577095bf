#include "core/image/oci_runtime.h"

#include <gtest/gtest.h>
#include <sys/capability.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/unit/temp_dir.h"

namespace box::image {
namespace {

bool has_warning(const RuntimeTranslation& t, const std::string& text) {
  return std::any_of(t.warnings.begin(), t.warnings.end(),
                     [&](const std::string& w) { return w.find(text) != std::string::npos; });
}

// The config.json that `COMMAND` (`runc spec --rootless`, `crun spec
// --rootless`) writes in an empty directory: the real tools' output, read
// as they write it today. A tool that is missing fails the test
// (build-aux/install-deps installs both).
nlohmann::json spec_of(const std::string& command) {
  box::testing::TempDir dir;
  const std::string run = "cd '" + dir.path() + "' && " + command + " >/dev/null";
  if (std::system(run.c_str()) != 0) throw std::runtime_error("'" + command + "' failed");
  std::ifstream in(dir / "config.json");
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

Result<RuntimeTranslation> translate(const nlohmann::json& config,
                                     const ResolveInRootfs& resolve = {}) {
  return translate_runtime_config(config.dump(), "config.json", "/bundle", resolve);
}

bool mounts_at(const RuntimeTranslation& t, const std::string& target) {
  return std::any_of(t.draft.mounts.begin(), t.draft.mounts.end(),
                     [&](const DraftMount& m) { return m.target == target; });
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

// runc's rootless /sys (type "none", rbind from /sys: it cannot mount
// sysfs outside a network namespace of its own) is the standard /sys, as
// crun's sysfs mount is: box's own is kept, not the host's bound over it.
TEST(OciRuntime, RootlessSpecsOfRuncAndCrunKeepBoxsOwnSys) {
  for (const char* tool : {"runc spec --rootless", "crun spec --rootless", "runc spec"}) {
    auto t = translate(spec_of(tool));
    ASSERT_TRUE(t.ok()) << tool << ": " << t.error().message();
    EXPECT_TRUE(t->draft.mounts.empty()) << tool << ": " << t->draft.mounts.front().target;
    EXPECT_FALSE(has_warning(*t, "mounts[")) << tool;
    EXPECT_EQ(t->draft.init, std::nullopt) << tool;  // sh
  }
  auto config = spec_of("runc spec --rootless");
  config["mounts"].push_back(
      {{"destination", "/srv"}, {"type", "none"}, {"source", "/sys"}, {"options", {"rbind"}}});
  auto t = translate(config);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(mounts_at(*t, "/srv"));  // the host's /sys elsewhere is a bind as asked
}

// A config of runtime-spec before 1.0 (ociVersion 0.3.0) keeps the bounding
// set in linux.capabilities (a plain list) and the rlimits in linux.rlimits.
TEST(OciRuntime, ThePreOneZeroLayoutIsTranslated) {
  auto config = spec_of("runc spec --rootless");
  config["ociVersion"] = "0.3.0";
  config["linux"]["capabilities"] = config["process"]["capabilities"]["bounding"];
  config["linux"]["rlimits"] = config["process"]["rlimits"];
  config["linux"]["rlimits"][0]["soft"] = 512;
  config["process"].erase("capabilities");
  config["process"].erase("rlimits");
  auto t = translate(config);
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(t->draft.cap_add, std::vector<std::string>{"AUDIT_WRITE"});
  EXPECT_NE(std::find(t->draft.cap_drop.begin(), t->draft.cap_drop.end(), "CHOWN"),
            t->draft.cap_drop.end());
  EXPECT_EQ(t->draft.rlimits,
            (std::vector<std::pair<std::string, std::string>>{{"nofile", "512:1024"}}));
  EXPECT_FALSE(has_warning(*t, "linux.capabilities"));

  // Both places: the 1.x one wins, the other is named.
  config["process"]["rlimits"] = spec_of("runc spec --rootless")["process"]["rlimits"];
  t = translate(config);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->draft.rlimits,
            (std::vector<std::pair<std::string, std::string>>{{"nofile", "1024"}}));
  EXPECT_TRUE(has_warning(*t, "linux.rlimits: the pre-1.0 place"));
  // Any other key under linux is named, not dropped in silence.
  config["linux"]["someday"] = true;
  t = translate(config);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(has_warning(*t, "linux.someday: not supported"));
}

TEST(OciRuntime, EmptyHooksAskForNothing) {
  auto config = spec_of("runc spec --rootless");
  config["hooks"] = nlohmann::json::object();
  auto t = translate(config);
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(has_warning(*t, "hooks")) << t->warnings.front();
  config["hooks"]["poststart"] = nlohmann::json::array();
  config["hooks"]["prestart"] = {{{"path", "/bin/true"}}};
  t = translate(config);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(has_warning(*t, "hooks.prestart: runtime hooks are not supported"));
  EXPECT_FALSE(has_warning(*t, "hooks.poststart"));
}

// Every capability libcap knows: a bounding set as full as the kernel's.
std::vector<std::string> every_capability() {
  std::vector<std::string> out;
  for (int c = 0; c <= CAP_LAST_CAP; ++c) {
    char* name = cap_to_name(static_cast<cap_value_t>(c));
    std::string upper = name;
    cap_free(name);
    for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    out.push_back(upper);
  }
  return out;
}

// A command of systemd makes a systemd container (issue 16): init:
// systemd, its own pid and cgroup namespaces, and box's capabilities for
// an inner systemd, whatever the bundle's bounding set.
TEST(OciRuntime, ACommandOfSystemdMakesASystemdContainer) {
  for (const char* program : {"/usr/lib/systemd/systemd", "/lib/systemd/systemd"}) {
    auto config = spec_of("runc spec --rootless");
    config["process"]["args"] = {program};
    auto t = translate(config);
    ASSERT_TRUE(t.ok()) << t.error().message();
    EXPECT_EQ(t->draft.init, InitMode::kSystemd) << program;
    // runc's rootless spec has no cgroup namespace: not `cgroup: host`.
    EXPECT_EQ(t->draft.namespaces.count("cgroup"), 0u);
    EXPECT_TRUE(has_warning(*t, "no cgroup namespace: init: systemd gets one of its own"));
    // Its three capabilities are not what systemd needs: box's set instead.
    EXPECT_TRUE(t->draft.cap_add.empty());
    EXPECT_TRUE(t->draft.cap_drop.empty());
    EXPECT_TRUE(has_warning(*t, "the bundle's set has no SYS_ADMIN"));
    // Its one mapped id would leave systemd's User= services without users.
    EXPECT_EQ(t->draft.userns, UsernsMode::kAuto);
    // Its read-only root would fail the units that write /etc and /var.
    EXPECT_EQ(t->draft.rootfs_writes, std::nullopt);
    EXPECT_TRUE(has_warning(*t, "root.readonly: true: init: systemd writes"));
    EXPECT_TRUE(has_warning(*t, "one id: init: systemd gets 'userns: auto'"));
    const std::string yaml = to_yaml(t->draft, {});
    EXPECT_NE(yaml.find("init: \"systemd\""), std::string::npos) << yaml;
  }
  // A full bounding set: the three that end a boot degraded stay out.
  auto config = spec_of("runc spec --rootless");
  config["process"]["args"] = {"/lib/systemd/systemd"};
  config["process"]["capabilities"]["bounding"] = every_capability();
  auto t = translate(config);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->draft.cap_add.empty());
  EXPECT_TRUE(has_warning(*t, "left out: SYS_RAWIO, SYS_MODULE, SYS_TIME"));
  EXPECT_FALSE(has_warning(*t, "has no SYS_ADMIN"));
  // The same set for another program is what it asks for.
  config["process"]["args"] = {"/usr/bin/sleep", "1"};
  t = translate(config);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->draft.init, std::nullopt);
  EXPECT_NE(std::find(t->draft.cap_add.begin(), t->draft.cap_add.end(), "SYS_RAWIO"),
            t->draft.cap_add.end());
  EXPECT_EQ(t->draft.namespaces.at("cgroup"), "host");
  EXPECT_EQ(t->draft.userns, UsernsMode::kSingle);
  EXPECT_EQ(t->draft.rootfs_writes, RootfsWrites::kReadonly);
}

// /sbin/init may be systemd or any other init: the rootfs tells.
TEST(OciRuntime, SbinInitIsSystemdWhereTheRootfsSaysSo) {
  auto config = spec_of("crun spec --rootless");
  config["process"]["args"] = {"/sbin/init"};
  std::vector<std::pair<std::string, std::string>> asked;
  auto leads_to = [&](std::string target) {
    return [&asked, target](const std::string& root, const std::string& path) {
      asked.emplace_back(root, path);
      return target;
    };
  };
  auto t = translate(config, leads_to("/home/u/b/rootfs/usr/lib/systemd/systemd"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->draft.init, InitMode::kSystemd);
  EXPECT_EQ(asked, (std::vector<std::pair<std::string, std::string>>{{"rootfs", "/sbin/init"}}));

  t = translate(config, leads_to("/home/u/b/rootfs/bin/busybox"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->draft.init, std::nullopt);
  EXPECT_TRUE(has_warning(*t, "'/sbin/init' is not systemd (it leads to 'busybox')"));
  t = translate(config, leads_to(""));
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(has_warning(*t, "'/sbin/init' is not in the rootfs"));
  t = translate(config);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->draft.init, std::nullopt);
  EXPECT_TRUE(has_warning(*t, "may be any init"));
}

}  // namespace
}  // namespace box::image
