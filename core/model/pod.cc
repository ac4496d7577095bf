#include "core/model/pod.h"

namespace box {
namespace {

constexpr Choice<bool PodDefinition::*> kShareKinds[] = {{"ipc", &PodDefinition::share_ipc},
                                                         {"uts", &PodDefinition::share_uts}};
constexpr Choice<NetworkMode> kPodNetworks[] = {{"private", NetworkMode::kPrivate},
                                                {"host", NetworkMode::kHost}};

}  // namespace

Choices<bool PodDefinition::*> pod_share_kinds() { return kShareKinds; }
Choices<NetworkMode> pod_network_modes() { return kPodNetworks; }

const std::vector<PodKeySpec>& pod_keys() {
  // What a key holds is spelled as the definition's same key says it.
  static const std::vector<PodKeySpec> keys = {
      {PodKey::kDescription, "description", key_spec(Key::kDescription).holds},
      {PodKey::kNetwork, "network", choice_names(pod_network_modes())},
      {PodKey::kPorts, "ports", key_spec(Key::kPorts).holds},
      {PodKey::kDns, "dns", key_spec(Key::kDns).holds},
      {PodKey::kHostname, "hostname", key_spec(Key::kHostname).holds},
      {PodKey::kShare, "share", "list of " + choice_names(pod_share_kinds())},
      {PodKey::kAutostart, "autostart", key_spec(Key::kAutostart).holds},
      {PodKey::kUserns, "userns", key_spec(Key::kUserns).holds},
  };
  return keys;
}

// In the order of PodKey (pod_test.cc checks it).
const std::string& pod_key_name(PodKey key) {
  return pod_keys().at(static_cast<std::size_t>(key)).name;
}

std::optional<PodKey> find_pod_key(std::string_view name) {
  for (const auto& spec : pod_keys())
    if (spec.name == name) return spec.key;
  return std::nullopt;
}

std::string pod_hostname(const PodDefinition& pod) {
  return pod.hostname.empty() ? default_hostname(pod.name) : pod.hostname;
}

}  // namespace box
