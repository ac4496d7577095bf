#include "core/image/config_from_definition.h"

#include <algorithm>

namespace box::image {

ConfigFromDefinition config_from_definition(const Definition& def,
                                            const std::map<std::string, std::string>& labels,
                                            const std::vector<std::string>& exposed_ports,
                                            const std::string& default_path) {
  ConfigFromDefinition out;
  ImageConfig& c = out.config;
  c.os = "linux";
  c.architecture = host_architecture();
  c.cmd = def.command;
  if (std::none_of(def.env.begin(), def.env.end(), [](const auto& e) { return e.first == "PATH"; }))
    c.env.push_back("PATH=" + default_path);
  for (const auto& [k, v] : def.env) c.env.push_back(k + "=" + v);
  c.working_dir = def.workdir;
  c.user = std::to_string(def.uid) + ":" + std::to_string(def.gid);
  c.stop_signal = def.stop.signal_name;
  c.labels = labels;
  c.exposed_ports = exposed_ports;
  for (const auto& p : def.ports) {
    const std::string port = std::to_string(p.container_port) + "/" + p.protocol;
    if (std::find(c.exposed_ports.begin(), c.exposed_ports.end(), port) == c.exposed_ports.end())
      c.exposed_ports.push_back(port);
  }

  // What the box has beyond its image: the runner's to give.
  auto note = [&](bool set, const std::string& text) {
    if (set) out.notes.push_back(text);
  };
  const Definition defaults;
  note(!def.mounts.empty(), "mounts: " + std::to_string(def.mounts.size()) +
                                " (an image holds no mounts: podman run -v, --tmpfs)");
  note(!def.devices.empty(), "devices: " + std::to_string(def.devices.size()) +
                                 " (the runner's: podman run --device)");
  note(!def.ports.empty(),
       "ports: exposed only; publishing is the runner's (podman run -p HOST:CONTAINER)");
  note(def.network == NetworkMode::kNone, "network: none (podman run --network none)");
  note(def.init == InitMode::kTiny, "init: tiny (podman run --init)");
  note(!def.capabilities.add.empty() || !def.capabilities.drop.empty(),
       "capabilities (podman run --cap-add, --cap-drop)");
  note(def.resources.memory || def.resources.pids || def.resources.cpu_weight,
       "resources (podman run --memory, --pids-limit, --cpu-shares)");
  note(!def.rlimits.empty(), "rlimits (podman run --ulimit)");
  note(!def.groups.empty(), "groups (podman run --group-add)");
  note(def.umask != defaults.umask, "umask (podman run --umask)");
  note(def.userns == UsernsMode::kKeepId, "userns: keep-id (podman run --userns keep-id)");
  note(def.seccomp == SeccompMode::kUnconfined,
       "seccomp: unconfined (podman run --security-opt seccomp=unconfined)");
  note(!def.hostname.empty(), "hostname (podman run --hostname)");
  note(!def.namespaces.pid || !def.namespaces.ipc || !def.namespaces.uts || !def.namespaces.cgroup,
       "namespaces shared with the host (podman run --pid host, --ipc host, ...)");
  note(def.session.any() || def.session_bus || def.system_bus,
       "the desktop session's sockets and buses");
  return out;
}

}  // namespace box::image
