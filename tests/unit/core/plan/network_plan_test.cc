#include "core/plan/network_plan.h"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/plan/run_plan.h"

namespace box {
namespace {

PortMapping port(std::string ip, uint16_t host, uint16_t container, std::string proto = "tcp") {
  PortMapping p;
  p.host_ip = std::move(ip);
  p.host_port = host;
  p.container_port = container;
  p.protocol = std::move(proto);
  return p;
}

// The value following `option` each time it appears.
std::vector<std::string> values_of(const std::vector<std::string>& argv,
                                   const std::string& option) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i + 1 < argv.size(); ++i)
    if (argv[i] == option) out.push_back(argv[i + 1]);
  return out;
}

bool has(const std::vector<std::string>& argv, const std::string& arg) {
  return std::find(argv.begin(), argv.end(), arg) != argv.end();
}

TEST(NetworkPlan, PastaPortSpecsCarryTheBindAddress) {
  EXPECT_EQ(pasta_port_spec(port("", 8080, 80)), "8080:80");
  EXPECT_EQ(pasta_port_spec(port("127.0.0.1", 18080, 8080)), "127.0.0.1/18080:8080");
  // No brackets: pasta splits the address off at '/'.
  EXPECT_EQ(pasta_port_spec(port("::1", 2379, 2379)), "::1/2379:2379");
}

TEST(NetworkPlan, PastaStaysInTheForegroundAndReportsReadiness) {
  auto argv = pasta_argv("/usr/bin/pasta", 4242, {});
  ASSERT_FALSE(argv.empty());
  EXPECT_EQ(argv.front(), "/usr/bin/pasta");
  EXPECT_EQ(argv.back(), "4242");  // the PID: pasta joins its user and network namespaces
  EXPECT_TRUE(has(argv, "--config-net"));
  EXPECT_TRUE(has(argv, "--foreground"));
  EXPECT_EQ(values_of(argv, "--pid"), std::vector<std::string>{"/proc/self/fd/3"});
  EXPECT_EQ(values_of(argv, "--dns-forward"), std::vector<std::string>{kPrivateDnsAddress});
}

TEST(NetworkPlan, PastaPublishesOnlyTheGivenPorts) {
  // Without ports every default that forwards something is turned off.
  auto none = pasta_argv("pasta", 1, {});
  EXPECT_EQ(values_of(none, "-t"), std::vector<std::string>{"none"});
  EXPECT_EQ(values_of(none, "-u"), std::vector<std::string>{"none"});
  EXPECT_EQ(values_of(none, "-T"), std::vector<std::string>{"none"});
  EXPECT_EQ(values_of(none, "-U"), std::vector<std::string>{"none"});
  EXPECT_TRUE(has(none, "--no-map-gw"));

  auto argv = pasta_argv(
      "pasta", 1,
      {port("127.0.0.1", 18080, 8080), port("", 5353, 53, "udp"), port("::1", 9000, 90)});
  EXPECT_EQ(values_of(argv, "-t"),
            (std::vector<std::string>{"127.0.0.1/18080:8080", "::1/9000:90"}));
  // Given explicitly, so pasta does not add UDP twins of the TCP ports.
  EXPECT_EQ(values_of(argv, "-u"), std::vector<std::string>{"5353:53"});
  EXPECT_EQ(values_of(argv, "-T"), std::vector<std::string>{"none"});
  EXPECT_EQ(values_of(argv, "-U"), std::vector<std::string>{"none"});
}

TEST(NetworkPlan, Slirp4netnsCommandLine) {
  auto argv = slirp4netns_argv("/usr/bin/slirp4netns", 77, "/run/user/1000/box/net-5.sock");
  EXPECT_EQ(argv,
            (std::vector<std::string>{"/usr/bin/slirp4netns", "--configure", "--mtu=65520",
                                      "--disable-host-loopback", "--ready-fd=3", "--exit-fd=4",
                                      "--api-socket=/run/user/1000/box/net-5.sock", "77", "tap0"}));
  auto no_ports = slirp4netns_argv("slirp4netns", 77, "");
  EXPECT_FALSE(std::any_of(no_ports.begin(), no_ports.end(),
                           [](const std::string& a) { return a.rfind("--api-socket", 0) == 0; }));
}

TEST(NetworkPlan, Slirp4netnsHostfwdRequests) {
  auto all = slirp4netns_hostfwd_request(port("", 8080, 80));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all,
            "{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"tcp\", \"host_addr\": "
            "\"0.0.0.0\", \"host_port\": 8080, \"guest_port\": 80}}");
  auto udp = slirp4netns_hostfwd_request(port("127.0.0.1", 5353, 53, "udp"));
  ASSERT_TRUE(udp.ok());
  EXPECT_NE(udp->find("\"proto\": \"udp\""), std::string::npos);
  EXPECT_NE(udp->find("\"host_addr\": \"127.0.0.1\""), std::string::npos);
  auto v6 = slirp4netns_hostfwd_request(port("::1", 8080, 80));
  ASSERT_FALSE(v6.ok());
  EXPECT_NE(v6.error().message().find("passt"), std::string::npos) << v6.error().message();
}

TEST(NetworkPlan, Slirp4netnsReplies) {
  EXPECT_TRUE(check_slirp4netns_reply("{\"return\":{\"id\":1}}").ok());
  auto bad = check_slirp4netns_reply(
      "{\"error\":{\"desc\":\"bad request: add_hostfwd: slirp_add_hostfwd failed\"}}\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "bad request: add_hostfwd: slirp_add_hostfwd failed");
  EXPECT_FALSE(check_slirp4netns_reply("").ok());
}

TEST(NetworkPlan, ResolvConfPerMode) {
  EXPECT_NE(resolv_conf_text(NetworkMode::kPrivate, {}).find("nameserver 10.0.2.3\n"),
            std::string::npos);
  auto own = resolv_conf_text(NetworkMode::kPrivate, {"192.0.2.53", "2001:db8::53"});
  EXPECT_NE(own.find("nameserver 192.0.2.53\nnameserver 2001:db8::53\n"), std::string::npos);
  EXPECT_EQ(own.find("10.0.2.3"), std::string::npos);
  EXPECT_EQ(resolv_conf_text(NetworkMode::kNone, {}).find("nameserver"), std::string::npos);
}

TEST(NetworkPlan, HostsResolveTheHostname) {
  auto text = hosts_text("web-1");
  EXPECT_NE(text.find("127.0.0.1\tlocalhost\n"), std::string::npos);
  EXPECT_NE(text.find("::1\tlocalhost"), std::string::npos);
  EXPECT_NE(text.find("127.0.1.1\tweb-1\n"), std::string::npos);
  EXPECT_EQ(hosts_text("").find("127.0.1.1"), std::string::npos);
}

Definition boxed(NetworkMode mode) {
  Definition d;
  d.name = "web";
  d.rootfs = "/srv/web";
  d.command = {"httpd"};
  d.network = mode;
  return d;
}

HostIdentity me() {
  HostIdentity h;
  h.uid = 1000;
  h.gid = 1000;
  return h;
}

// A host with pasta installed.
RuntimeFacts with_pasta() {
  RuntimeFacts f;
  f.path = "/usr/local/bin:/usr/bin:/bin";
  f.runtime_dir = "/run/user/1000";
  f.box_run_pid = 4242;
  f.network_helper = NetworkHelperSpec{NetworkHelperKind::kPasta, "/usr/bin/pasta"};
  return f;
}

Result<RunPlan> plan_of(const Definition& d, const RuntimeFacts& facts = with_pasta()) {
  return make_run_plan(d, me(), facts);
}

const MountStep* step_at(const RunPlan& p, const std::string& target) {
  for (const auto& m : p.mounts)
    if (m.target == target) return &m;
  return nullptr;
}

TEST(NetworkPlan, PrivatePlanGetsGeneratedFilesAndPorts) {
  Definition d = boxed(NetworkMode::kPrivate);
  d.ports = {port("127.0.0.1", 18080, 8080)};
  auto p = plan_of(d);
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->network, NetworkMode::kPrivate);
  EXPECT_EQ(p->ports, d.ports);
  const MountStep* resolv = step_at(*p, "/etc/resolv.conf");
  ASSERT_NE(resolv, nullptr);
  EXPECT_EQ(resolv->kind, MountStep::Kind::kFile);
  EXPECT_TRUE(resolv->optional_target);
  EXPECT_TRUE(resolv->flags & MS_RDONLY);
  EXPECT_NE(resolv->source.find("nameserver 10.0.2.3"), std::string::npos);
  const MountStep* hosts = step_at(*p, "/etc/hosts");
  ASSERT_NE(hosts, nullptr);
  EXPECT_EQ(hosts->kind, MountStep::Kind::kFile);
  EXPECT_NE(hosts->source.find("127.0.1.1\tweb\n"), std::string::npos);
}

TEST(NetworkPlan, HostPlanBindsTheHostsResolvConf) {
  auto p = plan_of(boxed(NetworkMode::kHost));
  ASSERT_TRUE(p.ok()) << p.error().message();
  const MountStep* resolv = step_at(*p, "/etc/resolv.conf");
  ASSERT_NE(resolv, nullptr);
  EXPECT_EQ(resolv->kind, MountStep::Kind::kBind);
  EXPECT_EQ(resolv->source, "/etc/resolv.conf");
  EXPECT_TRUE(resolv->optional);
  EXPECT_TRUE(resolv->optional_target);
  EXPECT_TRUE(resolv->flags & MS_RDONLY);
  // Its own hostname: a hosts file that resolves it.
  const MountStep* hosts = step_at(*p, "/etc/hosts");
  ASSERT_NE(hosts, nullptr);
  EXPECT_EQ(hosts->kind, MountStep::Kind::kFile);
  // The host's hostname (uts: host): the host's hosts file.
  Definition shared = boxed(NetworkMode::kHost);
  shared.namespaces.uts = false;
  auto q = plan_of(shared);
  ASSERT_TRUE(q.ok()) << q.error().message();
  ASSERT_NE(step_at(*q, "/etc/hosts"), nullptr);
  EXPECT_EQ(step_at(*q, "/etc/hosts")->kind, MountStep::Kind::kBind);
}

TEST(NetworkPlan, DefinitionMountsComeAfterTheGeneratedFiles) {
  Definition d = boxed(NetworkMode::kNone);
  MountSpec own;
  own.type = MountSpec::Type::kFile;
  own.target = "/etc/resolv.conf";
  own.content = "nameserver 192.0.2.1\n";
  d.mounts = {own};
  auto p = plan_of(d);
  ASSERT_TRUE(p.ok()) << p.error().message();
  std::vector<std::string> contents;
  for (const auto& m : p->mounts)
    if (m.target == "/etc/resolv.conf") contents.push_back(m.source);
  ASSERT_EQ(contents.size(), 2u);
  EXPECT_EQ(contents.back(), "nameserver 192.0.2.1\n");  // mounted last: it wins
}

TEST(NetworkPlan, PortsNeedAPrivateNetwork) {
  Definition d = boxed(NetworkMode::kNone);
  d.ports = {port("", 18080, 80)};
  auto p = plan_of(d);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message().find("network: private"), std::string::npos);
}

TEST(NetworkPlan, TheHelperIsTheOneTheFactsFound) {
  Definition d = boxed(NetworkMode::kPrivate);
  d.ports = {port("", 18080, 80)};
  auto pasta = plan_of(d);
  ASSERT_TRUE(pasta.ok()) << pasta.error().message();
  EXPECT_EQ(pasta->network_helper,
            (NetworkHelperSpec{NetworkHelperKind::kPasta, "/usr/bin/pasta"}));
  EXPECT_EQ(pasta->network_api_socket, "");  // pasta takes the ports on its command line
  // slirp4netns takes them on its API socket, named for this box-run.
  RuntimeFacts facts = with_pasta();
  facts.network_helper = NetworkHelperSpec{NetworkHelperKind::kSlirp4netns, "/usr/bin/slirp4netns"};
  auto slirp = plan_of(d, facts);
  ASSERT_TRUE(slirp.ok()) << slirp.error().message();
  EXPECT_EQ(slirp->network_helper, facts.network_helper);
  EXPECT_EQ(slirp->network_api_socket, "/run/user/1000/box/net-4242.sock");
  facts.runtime_dir = "";  // outside a session
  EXPECT_EQ(plan_of(d, facts)->network_api_socket, "/tmp/net-4242.sock");
  d.ports.clear();
  EXPECT_EQ(plan_of(d, facts)->network_api_socket, "");
  // Without a private network, no helper whatever the host has.
  auto host = plan_of(boxed(NetworkMode::kNone));
  ASSERT_TRUE(host.ok()) << host.error().message();
  EXPECT_FALSE(host->network_helper);
}

TEST(NetworkPlan, NoHelperInstalledNamesBothPackagesAndThePath) {
  RuntimeFacts facts = with_pasta();
  facts.network_helper.reset();
  facts.path = "/opt/bin:/usr/bin";
  auto r = plan_of(boxed(NetworkMode::kPrivate), facts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "private networking needs pasta or slirp4netns, and neither is in PATH "
            "(/opt/bin:/usr/bin): install Debian's passt package (pasta, preferred) or its "
            "slirp4netns package");
  // One asked for by name: its package.
  facts.network_helper_preference = "pasta";
  r = plan_of(boxed(NetworkMode::kPrivate), facts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "BOX_NETWORK_HELPER=pasta, and there is no 'pasta' in PATH (/opt/bin:/usr/bin): "
            "install Debian's passt package");
  // Nothing is needed without a private network.
  EXPECT_TRUE(plan_of(boxed(NetworkMode::kNone), facts).ok());
}

TEST(NetworkPlan, AnApiSocketPathTooLongIsRefusedBeforeAnythingStarts) {
  Definition d = boxed(NetworkMode::kPrivate);
  d.ports = {port("", 18080, 80)};
  RuntimeFacts facts = with_pasta();
  facts.network_helper = NetworkHelperSpec{NetworkHelperKind::kSlirp4netns, "/usr/bin/slirp4netns"};
  facts.runtime_dir = "/run/" + std::string(100, 'x');
  auto r = plan_of(d, facts);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("slirp4netns API socket path too long"), std::string::npos)
      << r.error().message();
}

}  // namespace
}  // namespace box
