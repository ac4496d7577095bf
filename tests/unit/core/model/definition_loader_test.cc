#include "core/model/definition_loader.h"

#include "core/model/value_parsers.h"

#include <gtest/gtest.h>

namespace box {
namespace {

Result<Definition> parse(const std::string& text, const std::string& name = "hello") {
  return parse_definition(text, "hello.yaml", name, "/home/u");
}

TEST(DefinitionLoader, ParsesAllKeys) {
  auto d = parse(
      "description: Hello box\n"
      "rootfs: ~/rootfs\n"
      "command: [/bin/sh, -c, 'echo hi']\n"
      "env: {A: '1', B: two}\n");
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->name, "hello");
  EXPECT_EQ(d->source_path, "hello.yaml");
  EXPECT_EQ(d->description, "Hello box");
  EXPECT_EQ(d->rootfs, "/home/u/rootfs");
  EXPECT_EQ(d->command, (std::vector<std::string>{"/bin/sh", "-c", "echo hi"}));
  ASSERT_EQ(d->env.size(), 2u);
  EXPECT_EQ(d->env[0], (std::pair<std::string, std::string>{"A", "1"}));
  EXPECT_EQ(d->env[1], (std::pair<std::string, std::string>{"B", "two"}));
}

TEST(DefinitionLoader, DescriptionAndEnvAreOptional) {
  auto d = parse("rootfs: /srv/r\ncommand: [x]\n");
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->description, "");
  EXPECT_TRUE(d->env.empty());
}

struct BadCase {
  const char* label;
  const char* yaml;
  const char* expected;  // exact message
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.label; }

class DefinitionErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(DefinitionErrors, PointAtTheProblem) {
  auto d = parse(GetParam().yaml);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message(), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    All, DefinitionErrors,
    ::testing::Values(
        BadCase{"UnknownKey", "rootfs: /r\ncommand: [x]\ncomand: [y]\n",
                "hello.yaml:3:1: unknown key 'comand' (did you mean 'command'?)"},
        BadCase{"CommandNotAList", "rootfs: /r\ncommand: /bin/true\n",
                "hello.yaml:2:10: 'command': expected a list of strings, found a scalar"},
        BadCase{"CommandEmpty", "rootfs: /r\ncommand: []\n",
                "hello.yaml:2:10: 'command': must not be empty"},
        BadCase{"CommandItemNotString", "rootfs: /r\ncommand: [a, [b]]\n",
                "hello.yaml:2:14: 'command[1]': expected a string, found a list"},
        BadCase{"RootfsRelative", "rootfs: relative/dir\ncommand: [x]\n",
                "hello.yaml:1:9: 'rootfs': expected an absolute path or one starting with '~/', "
                "found 'relative/dir'"},
        BadCase{"MissingRootfs", "command: [x]\n",
                "hello.yaml: missing required key 'rootfs' (or 'image')"},
        BadCase{"MissingCommand", "rootfs: /r\n",
                "hello.yaml: missing required key 'command' (only init: systemd has a default)"},
        BadCase{"DuplicateKey", "rootfs: /r\ncommand: [x]\nrootfs: /s\n",
                "hello.yaml:3:1: 'rootfs': duplicate key"},
        BadCase{"EnvNotAMap", "rootfs: /r\ncommand: [x]\nenv: [A]\n",
                "hello.yaml:3:6: 'env': expected a mapping of NAME: value, found a list"},
        BadCase{"EnvBadName", "rootfs: /r\ncommand: [x]\nenv: {'A=B': c}\n",
                "hello.yaml:3:7: 'env': invalid variable name 'A=B' (empty or contains '=')"},
        BadCase{"TopLevelNotAMap", "- a\n- b\n",
                "hello.yaml:1:1: expected a mapping of keys at the top level, found a list"},
        BadCase{"SyntaxError", "rootfs: [unclosed\n",
                "hello.yaml:2:1: end of sequence flow not found"},
        BadCase{
            "UnknownKeyFarOff", "rootfs: /r\ncommand: [x]\nzzzzzzzz: 1\n",
            "hello.yaml:3:1: unknown key 'zzzzzzzz' (known: after, app_id, autostart, capabilities, "
            "command, description, devices, dns, env, groups, hostname, image, init, "
            "keep_groups, mounts, namespaces, "
            "network, network_online, notify, overlay_driver, pod, ports, requires, resources, "
            "restart, rlimits, rootfs, rootfs_writes, seccomp, session, session_bus, stop, system_bus, umask, user, userns, "
            "workdir)"},
        BadCase{"OverlayDriverUnknown", "rootfs: /r\ncommand: [x]\noverlay_driver: fuse3\n",
                "hello.yaml:3:17: 'overlay_driver': expected one of auto, kernel, fuse, found "
                "'fuse3'"},
        BadCase{"OverlayDriverWithoutOverlay",
                "rootfs: /r\ncommand: [x]\nrootfs_writes: readonly\noverlay_driver: fuse\n",
                "hello.yaml:4:1: 'overlay_driver': only with 'rootfs_writes: overlay' or "
                "'persistent' (rootfs_writes is readonly)"},
        BadCase{"InitUnknown", "rootfs: /r\ncommand: [x]\ninit: sysv\n",
                "hello.yaml:3:7: 'init': expected one of none, tiny, systemd, found 'sysv'"},
        BadCase{
            "UserNotNumeric", "rootfs: /r\ncommand: [x]\nuser: nobody\n",
            "hello.yaml:3:7: 'user': expected \"UID:GID\" or \"UID\" (numbers), found 'nobody'"},
        BadCase{
            "PortsNeedPrivate", "rootfs: /r\ncommand: [x]\nports: ['8080:80']\n",
            "hello.yaml:3:1: 'ports': publishing ports needs 'network: private' (network is host)"},
        BadCase{"PrivilegedHostPort",
                "rootfs: /r\ncommand: [x]\nnetwork: private\nports: ['80:80']\n",
                "hello.yaml:4:9: 'ports[0]': host port 80 is privileged (below 1024) and cannot be "
                "bound without root; publish on a port of 1024 or more (the container port may "
                "stay below 1024)"},
        BadCase{"PortSyntax", "rootfs: /r\ncommand: [x]\nnetwork: private\nports: ['8080']\n",
                "hello.yaml:4:9: 'ports[0]': expected \"[IP:]HOSTPORT:CONTAINERPORT[/tcp|/udp]\", "
                "found '8080'"},
        BadCase{"PortTwice",
                "rootfs: /r\ncommand: [x]\nnetwork: private\nports: ['8080:80', '8080:81']\n",
                "hello.yaml:4:20: 'ports[1]': host port 8080/tcp is published twice"},
        BadCase{"MountMissingType", "rootfs: /r\ncommand: [x]\nmounts: [{target: /x}]\n",
                "hello.yaml:3:10: 'mounts[0]': missing 'type' (bind, tmpfs, dir, symlink or file)"},
        BadCase{
            "MountForeignKey",
            "rootfs: /r\ncommand: [x]\nmounts: [{type: tmpfs, target: /x, source: /y}]\n",
            "hello.yaml:3:36: 'mounts[0]': unknown key 'source' (known: mode, size, target, type)"},
        BadCase{"MountDotDot", "rootfs: /r\ncommand: [x]\nmounts: [{type: dir, target: /a/../b}]\n",
                "hello.yaml:3:30: 'mounts[0].target': '..' is not allowed in '/a/../b'"},
        BadCase{"BindNeedsSource", "rootfs: /r\ncommand: [x]\nmounts: [{type: bind, target: /x}]\n",
                "hello.yaml:3:10: 'mounts[0]': missing 'source' (the host path to bind)"},
        BadCase{"TmpfsBadSize",
                "rootfs: /r\ncommand: [x]\nmounts: [{type: tmpfs, target: /x, size: lots}]\n",
                "hello.yaml:3:42: 'mounts[0].size': expected a size such as 512M (K, M, G, T: "
                "powers of 1024), found 'lots'"},
        BadCase{"UnknownCapability", "rootfs: /r\ncommand: [x]\ncapabilities: {add: [CAP_FLY]}\n",
                "hello.yaml:3:22: 'capabilities.add': unknown capability 'CAP_FLY'"},
        BadCase{"CapabilityAddAndDrop",
                "rootfs: /r\ncommand: [x]\ncapabilities: {add: [chown], drop: [CAP_CHOWN]}\n",
                "hello.yaml:3:15: 'capabilities': CAP_CHOWN is both added and dropped"},
        BadCase{"StopSignalUnknown", "rootfs: /r\ncommand: [x]\nstop: {signal: SIGFOO}\n",
                "hello.yaml:3:16: 'stop.signal': unknown signal 'SIGFOO' (use a name such as "
                "SIGTERM, TERM or SIGRTMIN+3 (RTMIN+3), or a number)"},
        BadCase{"StopSignalKill", "rootfs: /r\ncommand: [x]\nstop: {signal: KILL}\n",
                "hello.yaml:3:16: 'stop.signal': SIGKILL cannot be forwarded (it would stop "
                "box-run, not the container)"},
        BadCase{"StopTimeoutBad", "rootfs: /r\ncommand: [x]\nstop: {timeout: 10 secs}\n",
                "hello.yaml:3:17: 'stop.timeout': '10 secs' is not a duration: unknown unit "
                "'secs' (use us, ms, s, min, h, d, w, M or y)"},
        BadCase{"ImageIsNoInstance", "image: web@blue\ncommand: [x]\n",
                "hello.yaml:1:8: 'image': image name 'web@blue' cannot contain '@' "
                "(NAME@INSTANCE names an instance of a container template, nothing else)"},
        BadCase{"ImageBadCharacter", "image: 'my image'\ncommand: [x]\n",
                "hello.yaml:1:8: 'image': image name 'my image' contains ' ': use letters, digits, "
                "'-', '_' and '.'"},
        BadCase{"AfterATemplate", "rootfs: /r\ncommand: [x]\nafter: [db@]\n",
                "hello.yaml:3:9: 'after': container name 'db@' names a template, not a "
                "container: give an instance, as in 'db@INSTANCE'"},
        BadCase{"HostnameWithAt", "rootfs: /r\ncommand: [x]\nhostname: web@blue\n",
                "hello.yaml:3:11: 'hostname': 'web@blue' is not a valid host name (letters, "
                "digits, '-' and '.', at most 64 characters, not starting with '-' or '.')"},
        BadCase{"TinyInitOnTheHostsPids",
                "rootfs: /r\ncommand: [x]\ninit: tiny\nnamespaces: {pid: host}\n",
                "hello.yaml:3:1: 'init': 'init: tiny' needs a private pid namespace "
                "(namespaces.pid is host)"},
        BadCase{"SystemdOnTheHostsCgroups",
                "rootfs: /r\ninit: systemd\nnamespaces: {cgroup: host}\n",
                "hello.yaml:2:1: 'init': 'init: systemd' needs a private cgroup namespace "
                "(namespaces.cgroup is host)"},
        BadCase{"SystemdWithoutSysAdmin",
                "rootfs: /r\ninit: systemd\ncapabilities: {drop: [NET_RAW, SYS_ADMIN]}\n",
                "hello.yaml:3:1: 'capabilities': 'init: systemd' needs CAP_SYS_ADMIN (systemd "
                "mounts its file systems with it and exits without it): do not drop it"},
        BadCase{"SystemdFromNoCapabilities",
                "rootfs: /r\ninit: systemd\ncapabilities: {drop: [ALL], add: [CHOWN]}\n",
                "hello.yaml:3:1: 'capabilities': 'init: systemd' needs CAP_SYS_ADMIN (systemd "
                "mounts its file systems with it and exits without it): do not drop it"},
        BadCase{"AfterSelf", "rootfs: /r\ncommand: [x]\nafter: [hello]\n",
                "hello.yaml:3:1: 'after': 'hello' cannot depend on itself"},
        BadCase{"CpuWeightRange", "rootfs: /r\ncommand: [x]\nresources: {cpu_weight: 0}\n",
                "hello.yaml:3:25: 'resources.cpu_weight': must be 1..10000"},
        BadCase{"RlimitSoftAboveHard", "rootfs: /r\ncommand: [x]\nrlimits: {nofile: '4096:1024'}\n",
                "hello.yaml:3:19: 'rlimits.nofile': the soft limit is above the hard limit in "
                "'4096:1024'"},
        BadCase{"RlimitUnknown", "rootfs: /r\ncommand: [x]\nrlimits: {files: 10}\n",
                "hello.yaml:3:11: 'rlimits': unknown resource limit 'files' (known: as, core, cpu, "
                "data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, "
                "sigpending, stack)"},
        BadCase{"NamespaceTypo", "rootfs: /r\ncommand: [x]\nnamespaces: {pdi: host}\n",
                "hello.yaml:3:14: 'namespaces': unknown key 'pdi' (did you mean 'pid'?)"},
        BadCase{
            "HostnameNeedsUts",
            "rootfs: /r\ncommand: [x]\nhostname: web\nnamespaces: {uts: host}\n",
            "hello.yaml:3:1: 'hostname': needs a private uts namespace (namespaces.uts is host)"},
        BadCase{
            "InstanceOutsideTemplate", "rootfs: /r/${instance}\ncommand: [x]\n",
            "hello.yaml:1:9: 'rootfs': '${instance}' is only available in templates (NAME@.yaml)"},
        BadCase{"EmptyFile", "",
                "hello.yaml: the definition is empty (it needs at least 'rootfs' and 'command')"},
        BadCase{"NotABool", "rootfs: /r\ncommand: [x]\nnotify: maybe\n",
                "hello.yaml:3:9: 'notify': expected true or false, found 'maybe'"},
        BadCase{"MultiLineDescription", "description: \"two\\nlines\"\nrootfs: /r\ncommand: [x]\n",
                "hello.yaml:1:14: 'description': must be a single line"}),
    [](const ::testing::TestParamInfo<BadCase>& p) { return std::string(p.param.label); });

TEST(DefinitionLoader, RejectsNamesThatNeedEscaping) {
  for (const char* bad : {"", "-x", ".hidden", "a b", "a/b", "a@b@c", "a@", "@b", "x%i"}) {
    auto d = parse("rootfs: /r\ncommand: [x]\n", bad);
    EXPECT_FALSE(d.ok()) << bad;
  }
  for (const char* good : {"etcd", "my-box_1.2", "A9", "web@blue"}) {
    EXPECT_TRUE(parse("rootfs: /r\ncommand: [x]\n", good).ok()) << good;
  }
}

// What an inner systemd may be given: its set less some, or only some as
// long as SYS_ADMIN is one (the refusals are BadCases above).
TEST(DefinitionLoader, SystemdKeepsSysAdminOrIsRefused) {
  for (const char* caps : {"{drop: [NET_RAW]}", "{drop: [ALL], add: [SYS_ADMIN, CHOWN]}", "[ALL]",
                           "{add: [SYS_TIME]}"}) {
    auto d = parse(std::string("rootfs: /r\ninit: systemd\ncapabilities: ") + caps + "\n", "hello");
    EXPECT_TRUE(d.ok()) << caps << ": " << d.error().message();
  }
}

TEST(DefinitionLoader, EveryKey) {
  auto d = parse(R"(description: Full
image: etcd
init: tiny
user: "1000:100"
groups: [10, 20]
userns: keep-id
env: {A: "1"}
workdir: /srv
hostname: web-1
umask: "0077"
rlimits: {nofile: 1024, core: "0:unlimited"}
namespaces: {ipc: host, cgroup: host}
network: private
ports: ["8080:80", "127.0.0.1:5353:53/udp", "[::1]:8443:443"]
dns: [1.1.1.1, "2001:db8::1"]
rootfs_writes: persistent
overlay_driver: fuse
mounts:
  - {type: bind, source: ~/data, target: /data, readonly: true}
  - {type: tmpfs, target: /run, size: 16M, mode: "0755"}
  - {type: dir, target: /var/cache/x}
  - {type: symlink, target: /etc/mtab, link: /proc/self/mounts}
  - {type: file, target: /etc/motd, content: "hi\n"}
capabilities: {add: [net_admin, CAP_SYS_TIME], drop: [CAP_CHOWN]}
seccomp: unconfined
notify: true
restart: on-failure
stop: {signal: SIGINT, timeout: 2min}
autostart: session
after: [db]
requires: [cache]
network_online: true
resources: {memory: 512M, pids: 256, cpu_weight: 50}
command: [app]
)");
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->image, "etcd");
  EXPECT_EQ(d->rootfs, "/home/u/.local/share/box/images/etcd/rootfs");
  EXPECT_EQ(d->init, InitMode::kTiny);
  EXPECT_EQ(d->uid, 1000u);
  EXPECT_EQ(d->gid, 100u);
  EXPECT_EQ(d->groups, (std::vector<gid_t>{10, 20}));
  EXPECT_EQ(d->userns, UsernsMode::kKeepId);
  EXPECT_EQ(d->workdir, "/srv");
  EXPECT_EQ(d->hostname, "web-1");
  EXPECT_EQ(d->umask, 077u);
  ASSERT_EQ(d->rlimits.size(), 2u);
  EXPECT_EQ(d->rlimits[0].soft, 1024u);
  EXPECT_EQ(d->rlimits[1].soft, 0u);
  EXPECT_EQ(d->rlimits[1].hard, UINT64_MAX);
  // pid stays private: init: tiny needs it (definition_rules).
  EXPECT_TRUE(d->namespaces.pid);
  EXPECT_FALSE(d->namespaces.ipc);
  EXPECT_FALSE(d->namespaces.cgroup);
  EXPECT_EQ(d->network, NetworkMode::kPrivate);
  ASSERT_EQ(d->ports.size(), 3u);
  EXPECT_EQ(d->ports[0], (PortMapping{"", 8080, 80, "tcp"}));
  EXPECT_EQ(d->ports[1], (PortMapping{"127.0.0.1", 5353, 53, "udp"}));
  EXPECT_EQ(d->ports[2], (PortMapping{"::1", 8443, 443, "tcp"}));
  EXPECT_EQ(d->dns.size(), 2u);
  EXPECT_EQ(d->rootfs_writes, RootfsWrites::kPersistent);
  EXPECT_EQ(d->overlay_driver, OverlayDriver::kFuse);
  ASSERT_EQ(d->mounts.size(), 5u);
  EXPECT_EQ(d->mounts[0].source, "/home/u/data");
  EXPECT_TRUE(d->mounts[0].readonly);
  EXPECT_EQ(d->mounts[1].size, std::optional<uint64_t>(16u << 20));
  EXPECT_EQ(d->mounts[1].mode, std::optional<unsigned>(0755));
  EXPECT_EQ(d->mounts[3].link, "/proc/self/mounts");
  EXPECT_EQ(d->mounts[4].content, "hi\n");
  EXPECT_EQ(d->capabilities.add, (std::vector<std::string>{"CAP_NET_ADMIN", "CAP_SYS_TIME"}));
  EXPECT_EQ(d->capabilities.drop, (std::vector<std::string>{"CAP_CHOWN"}));
  EXPECT_EQ(d->seccomp, SeccompMode::kUnconfined);
  EXPECT_TRUE(d->notify);
  EXPECT_EQ(d->restart, RestartPolicy::kOnFailure);
  EXPECT_EQ(d->stop.signal_name, "SIGINT");
  EXPECT_EQ(d->stop.timeout_usec, 120'000'000u);
  EXPECT_EQ(d->autostart, Autostart::kSession);
  EXPECT_EQ(d->after, (std::vector<std::string>{"db"}));
  EXPECT_EQ(d->requires_, (std::vector<std::string>{"cache"}));
  EXPECT_TRUE(d->network_online);
  EXPECT_EQ(d->resources.memory, std::optional<uint64_t>(512u << 20));
  EXPECT_EQ(d->resources.pids, std::optional<uint64_t>(256));
  EXPECT_EQ(d->resources.cpu_weight, std::optional<uint32_t>(50));
}

// stop.timeout reads systemd's time spans (TimeoutStopSec= gets it back).
TEST(DefinitionLoader, StopTimeoutIsASystemdTimeSpan) {
  auto d = parse("rootfs: /r\ncommand: [x]\nstop: {timeout: 1min 30s}\n");
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->stop.timeout_usec, 90'000'000u);
  d = parse("rootfs: /r\ncommand: [x]\nstop: {timeout: 1.5s}\n");
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->stop.timeout_usec, 1'500'000u);
  d = parse("rootfs: /r\ncommand: [x]\nstop: {timeout: infinity}\n");
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->stop.timeout_usec, kInfiniteDuration);
  d = parse("rootfs: /r\ncommand: [x]\nstop: {timeout: 0ms}\n");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message(), "hello.yaml:3:17: 'stop.timeout': must be more than 0");
}

TEST(DefinitionLoader, Defaults) {
  auto d = parse("rootfs: /r\ncommand: [x]\n");
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->init, InitMode::kNone);
  EXPECT_EQ(d->userns, UsernsMode::kAuto);
  EXPECT_EQ(d->network, NetworkMode::kHost);
  EXPECT_EQ(d->rootfs_writes, RootfsWrites::kOverlay);
  EXPECT_EQ(d->overlay_driver, OverlayDriver::kAuto);
  EXPECT_EQ(d->seccomp, SeccompMode::kDefault);
  EXPECT_EQ(d->stop.signal_name, "SIGTERM");
  EXPECT_EQ(d->stop.timeout_usec, 10'000'000u);
  EXPECT_EQ(d->autostart, Autostart::kNo);
  EXPECT_EQ(d->umask, 022u);
  EXPECT_EQ(d->workdir, "/");
}

TEST(DefinitionLoader, NamesByUse) {
  // Dependencies may be instances; the container's own name must be valid.
  auto d = parse("rootfs: /r\ncommand: [x]\nafter: ['db@blue']\nrequires: [cache]\n", "web@blue");
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->after, (std::vector<std::string>{"db@blue"}));
  auto bad = parse("rootfs: /r\ncommand: [x]\n", "web@");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(),
            "hello.yaml: container name 'web@' names a template, not a container: give an "
            "instance, as in 'web@INSTANCE'");
}

TEST(DefinitionLoader, SystemdInitDefaults) {
  auto d = parse("rootfs: /r\ninit: systemd\n");
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->command, (std::vector<std::string>{"/sbin/init"}));
  EXPECT_EQ(d->stop.signal_name, "SIGRTMIN+3");
  auto explicit_stop = parse("rootfs: /r\ninit: systemd\nstop: {signal: SIGINT}\n");
  ASSERT_TRUE(explicit_stop.ok());
  EXPECT_EQ(explicit_stop->stop.signal_name, "SIGINT");
}

TEST(DefinitionLoader, FragmentsApplyInOrder) {
  LoadContext ctx{"/home/u", "/home/u/.local/share", ""};
  auto d = parse_definition_sources(
      {{"web.yaml",
        "rootfs: /r\ncommand: [a]\nenv: {A: '1', B: '2'}\nmounts: [{type: dir, target: /x}]\n"},
       {"web.yaml.d/10-env.yaml", "env: {B: three, C: '4'}\n"},
       {"web.yaml.d/20-more.yaml", "command: [b]\nmounts: []\n"},
       {"web.yaml.d/30-empty.yaml", ""}},
      "web", ctx);
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->command, (std::vector<std::string>{"b"}));
  EXPECT_EQ(d->env, (std::vector<std::pair<std::string, std::string>>{
                        {"A", "1"}, {"B", "three"}, {"C", "4"}}));
  EXPECT_TRUE(d->mounts.empty());
  EXPECT_EQ(d->fragment_paths.size(), 3u);
}

TEST(DefinitionLoader, FragmentErrorsNameTheFragment) {
  LoadContext ctx{"/home/u", "/home/u/.local/share", ""};
  auto d = parse_definition_sources(
      {{"web.yaml", "rootfs: /r\ncommand: [a]\n"}, {"web.yaml.d/10.yaml", "\nnetwork: lan\n"}},
      "web", ctx);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message(),
            "web.yaml.d/10.yaml:2:10: 'network': expected one of host, none, private, found 'lan'");
  // A cross-key error points at the file that set the key.
  auto p = parse_definition_sources(
      {{"web.yaml", "rootfs: /r\ncommand: [a]\n"}, {"web.yaml.d/10.yaml", "ports: ['8080:80']\n"}},
      "web", ctx);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message(),
            "web.yaml.d/10.yaml:1:1: 'ports': publishing ports needs 'network: private' (network "
            "is host)");
}

TEST(DefinitionLoader, TemplateInstance) {
  LoadContext ctx{"/home/u", "/home/u/.local/share", "blue"};
  auto d = parse_definition_sources(
      {{"web@.yaml", "rootfs: ~/r\ncommand: [serve, '${instance}']\nhostname: web-${instance}\n"}},
      "web-blue", ctx);
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->command, (std::vector<std::string>{"serve", "blue"}));
  EXPECT_EQ(d->hostname, "web-blue");
}

TEST(DefinitionLoader, MissingFileNamesIt) {
  auto d = load_definition_file("/nonexistent/x.yaml", "x", "/home/u");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message(), "open '/nonexistent/x.yaml': No such file or directory");
}

}  // namespace
}  // namespace box

namespace box {
namespace {

// The loader expands every string through expansion.h, with the context
// paths.h makes (the generator's and box-run's alike).
TEST(DefinitionLoader, ExpandsSpecifiersInSourcesAndValues) {
  LoadContext ctx{"/home/u", "/home/u/.local/share", "", "/run/user/1000", 1000};
  auto d = parse_definition_sources(
      {{"gui.yaml",
        "rootfs: '%h/rootfs'\ncommand: [client, --socket, '%t/app.sock', '%%done']\n"
        "env: {SOCK: '${XDG_RUNTIME_DIR}/app.sock', ID: 'u%U', CONF: '${HOME}/.config'}\n"
        "mounts:\n  - {type: bind, source: '%t/app.sock', target: '/run/user/%U/app.sock'}\n"}},
      "gui", ctx);
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->rootfs, "/home/u/rootfs");
  EXPECT_EQ(d->command,
            (std::vector<std::string>{"client", "--socket", "/run/user/1000/app.sock", "%done"}));
  EXPECT_EQ(d->env[0].second, "/run/user/1000/app.sock");
  EXPECT_EQ(d->env[1].second, "u1000");
  EXPECT_EQ(d->env[2].second, "/home/u/.config");
  ASSERT_EQ(d->mounts.size(), 1u);
  EXPECT_EQ(d->mounts[0].source, "/run/user/1000/app.sock");
  EXPECT_EQ(d->mounts[0].target, "/run/user/1000/app.sock");
}

TEST(DefinitionLoader, BadSpecifiersNameTheirPlace) {
  LoadContext session{"/home/u", "/home/u/.local/share", "", "/run/user/1000", 1000};
  auto unknown = parse_definition_sources(
      {{"gui.yaml", "rootfs: /r\ncommand: [date, '+%s']\n"}}, "gui", session);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message(),
            "gui.yaml:2:17: 'command[1]': unknown specifier '%s' (known: %h, %t, %U (and %% for "
            "a literal %))");
  auto malformed = parse_definition_sources(
      {{"gui.yaml", "rootfs: /r\ncommand: [x]\nenv: {A: '${HOME'}\n"}}, "gui", session);
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().message(),
            "gui.yaml:3:10: 'env.A': '${' without a closing '}' (write $${ for a literal ${)");
  LoadContext no_session{"/home/u", "/home/u/.local/share", "", "", 1000};
  auto outside = parse_definition_sources(
      {{"gui.yaml", "rootfs: /r\ncommand: [x]\nmounts:\n  - {type: bind, source: '%t/x', "
                    "target: /x}\n"}},
      "gui", no_session);
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().message(),
            "gui.yaml:4:26: 'mounts[0].source': '%t': $XDG_RUNTIME_DIR is not set (there is no "
            "user session runtime dir)");
}

TEST(DefinitionLoader, SessionSockets) {
  auto d = parse("rootfs: /r\ncommand: [x]\nsession: {wayland: true, pulseaudio: yes}\n");
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_TRUE(d->session.wayland);
  EXPECT_TRUE(d->session.pulseaudio);
  EXPECT_FALSE(d->session.pipewire);
  // A drop-in changes one socket and keeps the others.
  LoadContext ctx{"/home/u", "/home/u/.local/share", ""};
  auto merged = parse_definition_sources(
      {{"gui.yaml", "rootfs: /r\ncommand: [x]\nsession: {wayland: true, pulseaudio: true}\n"},
       {"gui.yaml.d/10.yaml", "session: {pulseaudio: false, pipewire: true}\n"}},
      "gui", ctx);
  ASSERT_TRUE(merged.ok()) << merged.error().message();
  EXPECT_EQ(merged->session, (SessionSockets{true, false, true}));
  auto x11 = parse("rootfs: /r\ncommand: [x]\nsession: {x11: true}\n");
  ASSERT_TRUE(x11.ok()) << x11.error().message();
  EXPECT_EQ(x11->session, (SessionSockets{.x11 = true}));
  EXPECT_TRUE(x11->session.any());

  auto typo = parse("rootfs: /r\ncommand: [x]\nsession: {waylnd: true}\n");
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.error().message(),
            "hello.yaml:3:11: 'session': unknown key 'waylnd' (did you mean 'wayland'?)");
  auto list = parse("rootfs: /r\ncommand: [x]\nsession: [wayland]\n");
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error().message(),
            "hello.yaml:3:10: 'session': expected a mapping such as {wayland: true, pulseaudio: "
            "true}, found a list");
}

std::vector<std::string> every_error(const std::string& text) {
  return check_definition_sources({{"hello.yaml", text}}, "hello",
                                  LoadContext{"/home/u", "/home/u/.local/share", ""})
      .errors;
}

// One round fixes a file: each key's error, each mount's, and the rules
// between keys, in file order.
TEST(DefinitionLoader, EveryErrorOfAFileIsReported) {
  auto errors = every_error(
      "rootfs: /r\n"
      "comand: [x]\n"
      "init: sysv\n"
      "mounts:\n"
      "  - {type: bind, target: /a}\n"
      "  - {type: tmpfs, target: /b}\n"
      "  - {type: dir, target: b}\n"
      "ports: ['8080:80']\n"
      "user: nobody\n"
      "user: 0\n");
  EXPECT_EQ(errors, (std::vector<std::string>{
                        "hello.yaml:2:1: unknown key 'comand' (did you mean 'command'?)",
                        "hello.yaml:3:7: 'init': expected one of none, tiny, systemd, found 'sysv'",
                        "hello.yaml:5:5: 'mounts[0]': missing 'source' (the host path to bind)",
                        "hello.yaml:7:25: 'mounts[2].target': expected an absolute path inside the "
                        "container, found 'b'",
                        "hello.yaml:9:7: 'user': expected \"UID:GID\" or \"UID\" (numbers), found "
                        "'nobody'",
                        "hello.yaml:10:1: 'user': duplicate key",
                        // Not "missing 'command'": init, which could give one, was unreadable.
                        "hello.yaml:8:1: 'ports': publishing ports needs 'network: private' "
                        "(network is host)",
                    }));
}

// A key that cannot be read keeps its default: nothing that depends on it
// is blamed on that default.
TEST(DefinitionLoader, AnUnreadableKeyIsNotBlamedTwice) {
  EXPECT_EQ(every_error("rootfs: /r\ncommand: [x]\nnetwork: privat\nports: ['8080:80']\n"),
            (std::vector<std::string>{"hello.yaml:3:10: 'network': expected one of host, none, "
                                      "private, found 'privat'"}));
  EXPECT_EQ(every_error("rootfs: 5\ncommand: x\n").size(), 2u);  // no "missing" for either
  EXPECT_EQ(every_error("rootfs: /r\ninit: [systemd]\n").size(), 1u);  // no "missing command"
  EXPECT_EQ(every_error("rootfs: /r\ncommand: [x]\nrootfs_writes: 3\noverlay_driver: fuse\n")
                .size(),
            1u);
}

// One line where one line is shown (a unit's status, the generator's
// verdict): the first error, and how many more validate lists.
TEST(DefinitionLoader, TheFirstErrorSaysHowManyMore) {
  auto d = parse("rootfs: /r\ncommand: [x]\ninit: sysv\nnetwork: privat\nseccomp: none\n");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message(),
            "hello.yaml:3:7: 'init': expected one of none, tiny, systemd, found 'sysv' (and 2 more "
            "errors: 'boxctl validate' lists them)");
}

// Where the host paths were written, for the checks made at start.
TEST(DefinitionLoader, KeepsWhereHostPathsAreWritten) {
  auto d = parse(
      "command: [x]\nrootfs: /r\nmounts:\n  - {type: tmpfs, target: /t}\n"
      "  - {type: bind, target: /a, source: /s}\n");
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->key_locations.at(Key::kRootfs), "hello.yaml:2:1");
  EXPECT_EQ(d->mount_locations,
            (std::vector<std::string>{"hello.yaml:4:5", "hello.yaml:5:38"}));
}

}  // namespace
}  // namespace box
