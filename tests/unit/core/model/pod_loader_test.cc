#include "core/model/pod_loader.h"

#include <gtest/gtest.h>

#include "core/model/definition_loader.h"

namespace box {
namespace {

Result<PodDefinition> parse(const std::string& text, const std::string& name = "web") {
  return parse_pod_sources({{"pods/web.yaml", text}}, name);
}

TEST(PodLoader, ReadsEveryKey) {
  auto p = parse(
      "description: Web shop\n"
      "network: private\n"
      "ports: ['127.0.0.1:8080:80', '8443:443/tcp', '5353:53/udp']\n"
      "dns: [192.0.2.53]\n"
      "hostname: shop\n"
      "share: [uts]\n"
      "autostart: login\n"
      "userns: keep-id\n");
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->name, "web");
  EXPECT_EQ(p->source_path, "pods/web.yaml");
  EXPECT_EQ(p->description, "Web shop");
  EXPECT_EQ(p->network, NetworkMode::kPrivate);
  ASSERT_EQ(p->ports.size(), 3u);
  EXPECT_EQ(p->ports[0], (PortMapping{"127.0.0.1", 8080, 80, "tcp"}));
  EXPECT_EQ(p->ports[2], (PortMapping{"", 5353, 53, "udp"}));
  EXPECT_EQ(p->dns, std::vector<std::string>{"192.0.2.53"});
  EXPECT_EQ(p->hostname, "shop");
  EXPECT_FALSE(p->share_ipc);
  EXPECT_TRUE(p->share_uts);
  EXPECT_EQ(p->autostart, Autostart::kLogin);
  EXPECT_EQ(p->userns, UsernsMode::kKeepId);
  EXPECT_EQ(p->key_locations.at(PodKey::kShare), "pods/web.yaml:6:1");
}

// As Kubernetes and podman make a pod: private network, ipc and uts shared,
// the host name the pod's.
TEST(PodLoader, AnEmptyFileIsAPodWithTheDefaults) {
  auto p = parse("");
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->network, NetworkMode::kPrivate);
  EXPECT_TRUE(p->share_ipc);
  EXPECT_TRUE(p->share_uts);
  EXPECT_TRUE(p->ports.empty());
  EXPECT_EQ(p->autostart, Autostart::kNo);
  EXPECT_EQ(p->userns, UsernsMode::kAuto);
  EXPECT_EQ(pod_hostname(*p), "web");
}

TEST(PodLoader, ShareNothingSharesTheNetworkOnly) {
  auto p = parse("share: []\n");
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_FALSE(p->share_ipc);
  EXPECT_FALSE(p->share_uts);
}

TEST(PodLoader, FragmentsApplyKeyByKey) {
  auto p = parse_pod_sources({{"pods/web.yaml", "ports: ['8080:80']\nshare: [ipc]\n"},
                              {"pods/web.yaml.d/50-local.yaml", "ports: ['9090:90']\n"}},
                             "web");
  ASSERT_TRUE(p.ok()) << p.error().message();
  ASSERT_EQ(p->ports.size(), 1u);
  EXPECT_EQ(p->ports[0].host_port, 9090);
  EXPECT_TRUE(p->share_ipc);
  EXPECT_FALSE(p->share_uts);
  EXPECT_EQ(p->fragment_paths, std::vector<std::string>{"pods/web.yaml.d/50-local.yaml"});
  EXPECT_EQ(p->key_locations.at(PodKey::kPorts), "pods/web.yaml.d/50-local.yaml:1:1");
}

struct BadPod {
  const char* label;
  const char* yaml;
  const char* expected;  // the exact first message
};

void PrintTo(const BadPod& c, std::ostream* os) { *os << c.label; }

class PodErrors : public ::testing::TestWithParam<BadPod> {};

TEST_P(PodErrors, PointAtTheProblem) {
  auto p = parse(GetParam().yaml);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message(), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    All, PodErrors,
    ::testing::Values(
        BadPod{"UnknownKey", "sahre: [ipc]\n",
               "pods/web.yaml:1:1: unknown key 'sahre' in a pod (did you mean 'share'?)"},
        BadPod{"ABoxsKey", "network: private\ncommand: [sh]\n",
               "pods/web.yaml:2:1: unknown key 'command' in a pod: a box's key, which goes in its "
               "definition (known: autostart, description, dns, hostname, network, ports, "
               "share, userns)"},
        BadPod{"NetworkNone", "network: none\n",
               "pods/web.yaml:1:10: 'network': a pod's network is private or host: 'none' would "
               "leave its members a loopback only (give each box 'network: none' instead)"},
        BadPod{"NetworkUnknown", "network: lan\n",
               "pods/web.yaml:1:10: 'network': expected one of private, host, found 'lan'"},
        BadPod{"PortsOnTheHostsNetwork", "network: host\nports: ['8080:80']\n",
               "pods/web.yaml:2:1: 'ports': publishing ports needs 'network: private' (network "
               "is host)"},
        BadPod{"DnsOnTheHostsNetwork", "network: host\ndns: [192.0.2.1]\n",
               "pods/web.yaml:2:1: 'dns': only with 'network: private' (network is host)"},
        BadPod{"PrivilegedHostPort", "ports: ['80:80']\n",
               "pods/web.yaml:1:9: 'ports[0]': host port 80 is privileged (below 1024) and "
               "cannot be bound without root; publish on a port of 1024 or more (the container "
               "port may stay below 1024)"},
        BadPod{"PortTwice", "ports: ['8080:80', '8080:81']\n",
               "pods/web.yaml:1:20: 'ports[1]': host port 8080/tcp is published twice"},
        BadPod{"DnsNotAnAddress", "dns: [resolver]\n",
               "pods/web.yaml:1:7: 'dns': 'resolver' is not an IP address"},
        BadPod{"BadHostname", "hostname: -shop\n",
               "pods/web.yaml:1:11: 'hostname': '-shop' is not a valid host name (letters, "
               "digits, '-' and '.', at most 64 characters, not starting with '-' or '.')"},
        BadPod{"HostnameWithoutUts", "hostname: shop\nshare: [ipc]\n",
               "pods/web.yaml:1:1: 'hostname': the pod's host name needs uts in 'share' "
               "(without it each member has its own)"},
        BadPod{"ShareNet", "share: [net]\n",
               "pods/web.yaml:1:9: 'share': the network namespace is always shared: list only "
               "ipc or uts"},
        BadPod{"ShareUnknown", "share: [pid]\n",
               "pods/web.yaml:1:9: 'share': expected one of ipc, uts, found 'pid'"},
        BadPod{"ShareTwice", "share: [ipc, ipc]\n",
               "pods/web.yaml:1:14: 'share': 'ipc' is listed twice"},
        BadPod{"ShareNotAList", "share: ipc\n",
               "pods/web.yaml:1:8: 'share': expected a list of strings, found a scalar"},
        BadPod{"BadAutostart", "autostart: boot\n",
               "pods/web.yaml:1:12: 'autostart': expected one of no, login, session, found "
               "'boot'"},
        BadPod{"DuplicateKey", "share: []\nshare: [ipc]\n",
               "pods/web.yaml:2:1: 'share': duplicate key"},
        BadPod{"NotAMapping", "- a\n",
               "pods/web.yaml:1:1: expected a mapping of keys at the top level, found a list"},
        BadPod{"BadYaml", "share: [ipc\n",
               "pods/web.yaml:2:1: end of sequence flow not found"}));

TEST(PodLoader, EveryErrorOfAFileInOneRound) {
  auto check = check_pod_sources({{"pods/web.yaml", "network: lan\nshare: [pid]\nbogus: 1\n"}},
                                 "web");
  EXPECT_FALSE(check.pod);
  ASSERT_EQ(check.errors.size(), 3u);
  auto p = parse("network: lan\nshare: [pid]\nbogus: 1\n");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message().find("(and 2 more errors: 'boxctl validate' lists them)"),
            std::string::npos)
      << p.error().message();
}

TEST(PodLoader, APodNameIsAPlainName) {
  auto p = parse_pod_sources({{"pods/web@blue.yaml", ""}}, "web@blue");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message().rfind("pods/web@blue.yaml: pod name 'web@blue'", 0), 0u)
      << p.error().message();
}

// docs/pods.md's table says what each key holds as the schema does.
TEST(PodKeys, TableIsInTheOrderOfTheEnum) {
  const auto& keys = pod_keys();
  for (std::size_t i = 0; i < keys.size(); ++i)
    EXPECT_EQ(static_cast<std::size_t>(keys[i].key), i) << keys[i].name;
  EXPECT_EQ(find_pod_key("share"), PodKey::kShare);
  EXPECT_EQ(find_pod_key("command"), std::nullopt);
  EXPECT_EQ(pod_key_name(PodKey::kUserns), "userns");
}

// A box's definition: `pod:`, and the keys that are its pod's refused.
Result<Definition> member(const std::string& text) {
  return parse_definition(text, "shop.yaml", "shop", "/home/u");
}

TEST(PodMember, PodKeyNamesThePod) {
  auto d = member("rootfs: /r\ncommand: [x]\npod: web\n");
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->pod, "web");
  EXPECT_EQ(d->key_locations.at(Key::kPod), "shop.yaml:3:1");
}

TEST(PodMember, PodNameIsAPlainName) {
  auto d = member("rootfs: /r\ncommand: [x]\npod: 'web@blue'\n");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message().rfind("shop.yaml:3:6: 'pod': pod name 'web@blue'", 0), 0u)
      << d.error().message();
}

class PodOwnedKeys : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

// Each at its own line: "shop.yaml:4:1: 'ports': set by the pod 'web' ..."
TEST_P(PodOwnedKeys, AreRefusedInAMemberNamingThePod) {
  const auto& [key, value] = GetParam();
  auto d = member(std::string("rootfs: /r\ncommand: [x]\npod: web\n") + key + ": " + value + "\n");
  ASSERT_FALSE(d.ok()) << key;
  EXPECT_EQ(d.error().message(),
            std::string("shop.yaml:4:1: '") + key +
                "': set by the pod 'web' for all its members (pods/web.yaml): remove it here, "
                "or set it in the pod");
}

INSTANTIATE_TEST_SUITE_P(All, PodOwnedKeys,
                         ::testing::Values(std::pair{"network", "private"},
                                           std::pair{"network", "host"},
                                           std::pair{"ports", "['8080:80']"},
                                           std::pair{"dns", "[192.0.2.1]"},
                                           std::pair{"hostname", "shop"},
                                           std::pair{"userns", "keep-id"}));

TEST(PodMember, AllOfThemInOneRound) {
  DefinitionCheck check = check_definition_sources(
      {{"shop.yaml", "rootfs: /r\ncommand: [x]\nports: ['8080:80']\nuserns: single\npod: web\n"}},
      "shop", LoadContext{"/home/u", "/home/u/.local/share", ""});
  ASSERT_EQ(check.errors.size(), 2u);
  // The pod's key, not also "needs network: private".
  EXPECT_EQ(check.errors[0].rfind("shop.yaml:3:1: 'ports': set by the pod 'web'", 0), 0u)
      << check.errors[0];
  EXPECT_EQ(check.errors[1].rfind("shop.yaml:4:1: 'userns': set by the pod 'web'", 0), 0u)
      << check.errors[1];
}

TEST(PodMember, ABoxWithoutAPodKeepsItsKeys) {
  auto d = member("rootfs: /r\ncommand: [x]\nnetwork: private\nports: ['8080:80']\n");
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->pod, "");
}

}  // namespace
}  // namespace box
