// What `box-oci spec` writes and `box-oci features` prints. Pure.
#pragma once

#include <sys/types.h>

#include <string>

namespace box::oci {

inline constexpr const char* kOciVersion = "1.0.2";

// A config.json for a rootfs at bundle/rootfs running `sh`: as root, or
// (rootless) in a user namespace mapping the caller's own ids to root, with
// no network namespace and the host's /sys bound read-only.
std::string spec_template(bool rootless, uid_t uid, gid_t gid);

// The runtime-spec "features" document: what this runtime honours.
std::string features_json();

}  // namespace box::oci
