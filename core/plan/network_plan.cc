#include "core/plan/network_plan.h"

#include <sys/mount.h>

namespace box {

std::string network_helper_missing(const std::string& preference, const std::string& path) {
  if (!preference.empty())
    return "BOX_NETWORK_HELPER=" + preference + ", and there is no '" + preference + "' in PATH (" +
           path + "): install Debian's " + (preference == "pasta" ? "passt" : "slirp4netns") +
           " package";
  return "private networking needs pasta or slirp4netns, and neither is in PATH (" + path +
         "): install Debian's passt package (pasta, preferred) or its slirp4netns package";
}

std::string pasta_port_spec(const PortMapping& port) {
  std::string spec;
  // pasta separates the bind address from the ports with '/', so IPv6
  // addresses need no brackets.
  if (!port.host_ip.empty()) spec = port.host_ip + "/";
  spec += std::to_string(port.host_port) + ":" + std::to_string(port.container_port);
  return spec;
}

std::vector<std::string> pasta_argv(const std::string& program, pid_t pid,
                                    const std::vector<PortMapping>& ports) {
  std::vector<std::string> argv = {
      program,
      // Addresses, routes and the tap interface set up in the namespace,
      // copied from the host's, so the box needs no DHCP client.
      "--config-net",
      // Stay our child: in the background pasta would detach into a PID
      // namespace of its own, out of reach of our kill and parent-death
      // signal.
      "--foreground", "--quiet",
      // Written once the namespace is configured: our readiness signal.
      "--pid", "/proc/self/fd/" + std::to_string(kHelperReadyFd)};
  std::vector<std::string> tcp, udp;
  for (const auto& p : ports) (p.protocol == "udp" ? udp : tcp).push_back(pasta_port_spec(p));
  // Each list given explicitly: an absent -u would forward UDP for every
  // TCP port, an absent -t every port the container binds.
  for (const auto& [option, specs] : {std::pair{"-t", &tcp}, std::pair{"-u", &udp}}) {
    if (specs->empty()) {
      argv.insert(argv.end(), {option, "none"});
      continue;
    }
    for (const auto& s : *specs) argv.insert(argv.end(), {option, s});
  }
  // Nothing from the container to the host's loopback: no port forwarding
  // from the namespace back to the host (-T/-U), and the gateway address
  // is not remapped to the host (as slirp4netns --disable-host-loopback).
  argv.insert(argv.end(), {"-T", "none", "-U", "none", "--no-map-gw"});
  argv.insert(argv.end(), {"--dns-forward", kPrivateDnsAddress});
  // A PID: pasta joins that process's user namespace, then its network
  // namespace (which only the user namespace's owner may configure).
  argv.push_back(std::to_string(pid));
  return argv;
}

std::vector<std::string> slirp4netns_argv(const std::string& program, pid_t pid,
                                          const std::string& api_socket) {
  std::vector<std::string> argv = {
      program, "--configure",
      // The largest MTU a tap allows: fewer, larger packets through the
      // user-mode stack (what podman uses too).
      "--mtu=65520",
      // The container must not reach services on the host's 127.0.0.1
      // through the gateway address 10.0.2.2.
      "--disable-host-loopback", "--ready-fd=" + std::to_string(kHelperReadyFd),
      // EOF on this descriptor (our end closed: we exited, however) ends it.
      "--exit-fd=" + std::to_string(kHelperExitFd)};
  if (!api_socket.empty()) argv.push_back("--api-socket=" + api_socket);
  argv.push_back(std::to_string(pid));
  argv.push_back("tap0");
  return argv;
}

Result<std::string> slirp4netns_hostfwd_request(const PortMapping& port) {
  if (port.host_ip.find(':') != std::string::npos)
    return Error("slirp4netns cannot publish port " + std::to_string(port.host_port) +
                 " on the IPv6 address '" + port.host_ip +
                 "' (install Debian's passt package: box then uses pasta)");
  // Addresses and protocols are validated by the definition loader: plain
  // tokens that need no JSON escaping.
  const std::string addr = port.host_ip.empty() ? "0.0.0.0" : port.host_ip;
  return "{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"" + port.protocol +
         "\", \"host_addr\": \"" + addr + "\", \"host_port\": " + std::to_string(port.host_port) +
         ", \"guest_port\": " + std::to_string(port.container_port) + "}}";
}

Result<void> check_slirp4netns_reply(const std::string& reply) {
  if (reply.find("\"return\"") != std::string::npos && reply.find("\"error\"") == std::string::npos)
    return {};
  std::string text = reply;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  // {"error":{"desc":"..."}}: the description is what a person can act on.
  const std::string key = "\"desc\":";
  auto at = text.find(key);
  if (at != std::string::npos) {
    auto open = text.find('"', at + key.size());
    auto close = open == std::string::npos ? open : text.find('"', open + 1);
    if (close != std::string::npos) return Error(text.substr(open + 1, close - open - 1));
  }
  return Error(text.empty() ? "no answer" : "unexpected answer '" + text + "'");
}

std::string resolv_conf_text(NetworkMode mode, const std::vector<std::string>& dns) {
  std::string text = "# Generated by box for this container (network: ";
  text += to_string(mode);
  text += ")\n";
  if (mode == NetworkMode::kNone) return text + "# No network: no name servers.\n";
  if (dns.empty()) return text + "nameserver " + kPrivateDnsAddress + "\n";
  for (const auto& server : dns) text += "nameserver " + server + "\n";
  return text;
}

std::string hosts_text(const std::string& hostname) {
  std::string text =
      "# Generated by box for this container\n"
      "127.0.0.1\tlocalhost\n"
      "::1\tlocalhost ip6-localhost ip6-loopback\n";
  // Debian's convention for a hostname without a fixed address: loopback,
  // so it resolves in every network mode.
  if (!hostname.empty()) text += "127.0.1.1\t" + hostname + "\n";
  return text;
}

void add_network_files(NetworkMode mode, const std::vector<std::string>& dns,
                       const std::string& hostname, std::vector<MountStep>& mounts) {
  using K = MountStep::Kind;
  auto file = [&](const std::string& target, std::string content) {
    MountStep step{K::kFile, target, std::move(content), "", MS_RDONLY};
    step.mode = 0644;
    step.optional_target = true;
    mounts.push_back(step);
  };
  auto host_file = [&](const std::string& path) {
    MountStep step{K::kBind, path, path, "", MS_RDONLY};
    step.optional = true;  // a host without it: the image's stays
    step.optional_target = true;
    mounts.push_back(step);
  };
  if (mode == NetworkMode::kHost) {
    // The host's resolver configuration, as the host uses it. A bind keeps
    // the file the symlink pointed to at start: a resolver that later
    // replaces it (rename) is seen after the box restarts.
    host_file("/etc/resolv.conf");
    if (hostname.empty()) {
      host_file("/etc/hosts");
    } else {
      file("/etc/hosts", hosts_text(hostname));
    }
    return;
  }
  file("/etc/resolv.conf", resolv_conf_text(mode, dns));
  file("/etc/hosts", hosts_text(hostname));
}

}  // namespace box
