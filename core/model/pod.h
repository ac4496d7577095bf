// A pod: boxes that share one network namespace (one set of published
// ports, one network helper) and, as asked, their ipc and uts namespaces,
// started and stopped together as box-pod@NAME.service. What a user writes
// in pods/NAME.yaml, validated; the keys are spelled once, in pod_keys(),
// as the definition's are in schema.h. docs/pods.md is the reference.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/model/definition.h"
#include "core/model/schema.h"

namespace box {

// Every key of a pod file.
enum class PodKey { kDescription, kNetwork, kPorts, kDns, kHostname, kShare, kAutostart, kUserns };

struct PodKeySpec {
  PodKey key;
  std::string name;   // as written: "share"
  std::string holds;  // as docs/pods.md's type column says it, without the markup
};

// Every key, in the order docs/pods.md lists them.
const std::vector<PodKeySpec>& pod_keys();
const std::string& pod_key_name(PodKey key);
std::optional<PodKey> find_pod_key(std::string_view name);

struct PodDefinition {
  std::string name;                         // from the file name: web.yaml -> "web"
  std::string source_path;                  // the YAML file it was read from
  std::vector<std::string> fragment_paths;  // drop-ins applied over it, in order
  std::map<PodKey, std::string> key_locations;  // "file:line:column" of each key set
  std::string description;
  // private: a network namespace of the pod's own, reached through its one
  // network helper (pasta or slirp4netns), which publishes `ports`; host:
  // the host's network (no namespace, no ports).
  NetworkMode network = NetworkMode::kPrivate;
  std::vector<PortMapping> ports;
  std::vector<std::string> dns;
  std::string hostname;  // empty: default_hostname(name)
  // The namespaces shared besides the network's (which always is): as
  // Kubernetes and podman share them, both by default.
  bool share_ipc = true;
  bool share_uts = true;
  Autostart autostart = Autostart::kNo;
  UsernsMode userns = UsernsMode::kAuto;  // every member's
};

// `share:`'s names and the field of each ("ipc", "uts"), in that order.
Choices<bool PodDefinition::*> pod_share_kinds();

// The network modes a pod takes: private and host (a pod is there to share
// a network; `none` would share only a loopback).
Choices<NetworkMode> pod_network_modes();

// The host name the pod's members see when they share its uts namespace
// (and in /etc/hosts): `hostname`, else the pod's name as a DNS label.
std::string pod_hostname(const PodDefinition& pod);

// The keys of a box's definition that are its pod's when it has one: a
// member that sets one of them is refused (definition_rules.h).
inline constexpr Key kPodOwnedKeys[] = {Key::kNetwork, Key::kPorts, Key::kDns, Key::kHostname,
                                        Key::kUserns};

}  // namespace box
