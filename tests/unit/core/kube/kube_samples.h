// Boxes for the kube tests: definitions as users write them, loaded by the
// real loader, and what `boxctl generate kube` makes of them.
#pragma once

#include <string>

#include "core/kube/generate.h"
#include "core/model/definition_loader.h"

namespace box::kube::testing {

inline constexpr const char* kHome = "/home/u";

inline Definition load(const std::string& name, const std::string& yaml) {
  auto def = parse_definition(yaml, name + ".yaml", name, kHome);
  if (!def) throw std::runtime_error(def.error().message());
  return *def;
}

inline GenerateBox box(const std::string& name, const std::string& yaml,
                       const std::string& image = "docker.io/library/busybox:latest") {
  GenerateBox b;
  b.definition = load(name, yaml);
  b.image = image;
  b.data_dirs = {std::string(kHome) + "/.local/share/box/state/" + name,
                 std::string(kHome) + "/.local/share/box/containers/" + name};
  return b;
}

// A web server with most of what a definition can say.
inline constexpr const char* kWeb = R"(description: a web server
image: busybox
command: [httpd, -f, -p, "8080", -h, /www]
user: "1000:1000"
groups: [27]
env: {GREETING: "hello world", PORT: "8080"}
workdir: /www
network: private
ports: ["127.0.0.1:18080:8080", "18081:8081/udp"]
dns: [192.0.2.53]
rootfs_writes: readonly
mounts:
  - {type: bind, source: /home/u/site, target: /www, readonly: true}
  - {type: bind, source: /home/u/.local/share/box/state/web, target: /var/lib/web}
  - {type: tmpfs, target: /tmp, size: 16M}
  - {type: file, target: /etc/web.conf, content: "port = 8080\n", mode: "0640"}
capabilities: {add: [NET_ADMIN], drop: [CHOWN]}
seccomp: unconfined
restart: on-failure
stop: {timeout: 30s}
resources: {memory: 64M, cpu_weight: 100, pids: 64}
umask: "0077"
)";

}  // namespace box::kube::testing
