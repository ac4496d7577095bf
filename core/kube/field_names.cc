#include "core/kube/field_names.h"

namespace box::kube {
namespace {

struct RestartName {
  RestartPolicy box;
  const char* kube;
};
// The first row of a Kubernetes name is the one it plays back as.
constexpr RestartName kRestart[] = {
    {RestartPolicy::kNo, "Never"},
    {RestartPolicy::kAlways, "Always"},
    {RestartPolicy::kOnFailure, "OnFailure"},
    {RestartPolicy::kOnAbnormal, "OnFailure"},
    {RestartPolicy::kOnAbort, "OnFailure"},
};

constexpr std::pair<const char*, const char*> kProtocols[] = {{"tcp", "TCP"}, {"udp", "UDP"}};

constexpr std::pair<SeccompMode, const char*> kSeccomp[] = {
    {SeccompMode::kDefault, "RuntimeDefault"}, {SeccompMode::kUnconfined, "Unconfined"}};

}  // namespace

const char* restart_policy(RestartPolicy restart) {
  for (const auto& r : kRestart)
    if (r.box == restart) return r.kube;
  return "Never";
}

std::optional<RestartPolicy> restart_of_policy(const std::string& policy) {
  for (const auto& r : kRestart)
    if (policy == r.kube) return r.box;
  return std::nullopt;
}

const char* restart_policies() { return "Always, OnFailure, Never"; }

std::string port_protocol(const std::string& box_protocol) {
  for (const auto& [box, kube] : kProtocols)
    if (box_protocol == box) return kube;
  return box_protocol;
}

std::optional<std::string> box_protocol(const std::string& kube_protocol) {
  for (const auto& [box, kube] : kProtocols)
    if (kube_protocol == kube) return std::string(box);
  return std::nullopt;
}

const char* seccomp_profile(SeccompMode mode) {
  for (const auto& [box, kube] : kSeccomp)
    if (box == mode) return kube;
  return "RuntimeDefault";
}

std::optional<SeccompMode> seccomp_of_profile(const std::string& type) {
  for (const auto& [box, kube] : kSeccomp)
    if (type == kube) return box;
  return std::nullopt;
}

std::string kube_capability(const std::string& box_capability) {
  return box_capability.rfind("CAP_", 0) == 0 ? box_capability.substr(4) : box_capability;
}

}  // namespace box::kube
