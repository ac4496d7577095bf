// The names that differ between a box definition and a Kubernetes Pod, in
// one place for both directions (generate and play): restart policies,
// port protocols, seccomp profiles and capability names. Pure.
#pragma once

#include <optional>
#include <string>

#include "core/model/schema.h"

namespace box::kube {

// restart: no -> Never, always -> Always, on-failure (and on-abnormal,
// on-abort, which Kubernetes cannot tell apart) -> OnFailure.
const char* restart_policy(RestartPolicy restart);
// Never -> no, OnFailure -> on-failure, Always -> always; nullopt for
// anything else.
std::optional<RestartPolicy> restart_of_policy(const std::string& policy);
// "Always, OnFailure, Never".
const char* restart_policies();

// tcp <-> TCP, udp <-> UDP (SCTP has no box equivalent: nullopt).
std::string port_protocol(const std::string& box_protocol);
std::optional<std::string> box_protocol(const std::string& kube_protocol);

// default <-> RuntimeDefault, unconfined <-> Unconfined (Localhost: nullopt).
const char* seccomp_profile(SeccompMode mode);
std::optional<SeccompMode> seccomp_of_profile(const std::string& type);

// "CAP_NET_ADMIN" -> "NET_ADMIN", as Kubernetes writes capabilities.
std::string kube_capability(const std::string& box_capability);

}  // namespace box::kube
