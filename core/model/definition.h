// The container definition: what a user writes in NAME.yaml, validated.
// docs/definitions.md is the reference for every field.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/model/names.h"

namespace box {

enum class InitMode { kNone, kTiny, kSystemd };
enum class UsernsMode { kAuto, kSingle, kKeepId };
enum class NetworkMode { kHost, kNone, kPrivate };
enum class RootfsWrites { kOverlay, kPersistent, kReadonly, kDirect };
// Who mounts the overlay of rootfs_writes overlay/persistent: the kernel, with
// fuse-overlayfs where the kernel refuses (auto); or only one of them.
enum class OverlayDriver { kAuto, kKernel, kFuse };
enum class SeccompMode { kDefault, kUnconfined };
enum class Autostart { kNo, kLogin, kSession };
enum class RestartPolicy { kNo, kOnFailure, kOnAbnormal, kOnAbort, kAlways };

struct PortMapping {
  std::string host_ip;  // empty: all addresses
  uint16_t host_port = 0;
  uint16_t container_port = 0;
  std::string protocol = "tcp";  // tcp | udp
  bool operator==(const PortMapping&) const = default;
};

struct MountSpec {
  enum class Type { kBind, kTmpfs, kDir, kSymlink, kFile };
  Type type = Type::kBind;
  std::string target;  // absolute, inside the container
  std::string source;  // kBind: absolute host path
  bool readonly = false;
  bool optional = false;         // kBind: skip when the source is missing
  std::optional<uint64_t> size;  // kTmpfs, bytes
  std::optional<unsigned> mode;  // kTmpfs, kDir, kFile
  std::string link;              // kSymlink: what the link points to
  std::string content;           // kFile
  bool operator==(const MountSpec&) const = default;
};

struct RlimitSpec {
  std::string name;             // "nofile"
  int resource = 0;             // RLIMIT_NOFILE
  uint64_t soft = 0, hard = 0;  // RLIM_INFINITY for unlimited
  bool operator==(const RlimitSpec&) const = default;
};

struct CapabilitySpec {
  bool add_all = false;
  std::vector<std::string> add;   // canonical "CAP_NET_ADMIN" names
  std::vector<std::string> drop;  // may contain "ALL"
  bool operator==(const CapabilitySpec&) const = default;
};

struct StopSpec {
  int signal = 15;  // SIGTERM
  std::string signal_name = "SIGTERM";
  uint64_t timeout_usec = 10'000'000;
  bool signal_set = false;  // written in the definition (init: systemd's default is not forced)
};

struct Resources {
  std::optional<uint64_t> memory;  // bytes
  std::optional<uint64_t> pids;
  std::optional<uint32_t> cpu_weight;  // 1..10000
};

struct NamespaceChoice {
  bool pid = true, ipc = true, uts = true, cgroup = true;  // true: private
};

struct Definition {
  std::string name;                         // from the file name: etcd.yaml -> "etcd"
  std::string source_path;                  // the YAML file it was read from
  std::vector<std::string> fragment_paths;  // drop-ins merged over it, in order
  std::string description;                  // may be empty
  std::string rootfs;                       // absolute host path ('~' expanded); set from image too
  std::string image;                        // installed image name, when the rootfs comes from one
  std::vector<std::string> command;         // argv (non-empty once loaded)
  InitMode init = InitMode::kNone;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  UsernsMode userns = UsernsMode::kAuto;
  std::vector<std::pair<std::string, std::string>> env;  // in file order
  std::string workdir = "/";
  std::string hostname;  // empty: default_hostname(name)
  unsigned umask = 022;
  std::vector<RlimitSpec> rlimits;
  NamespaceChoice namespaces;
  NetworkMode network = NetworkMode::kHost;
  std::vector<PortMapping> ports;
  std::vector<std::string> dns;
  RootfsWrites rootfs_writes = RootfsWrites::kOverlay;
  OverlayDriver overlay_driver = OverlayDriver::kAuto;
  std::vector<MountSpec> mounts;
  CapabilitySpec capabilities;
  SeccompMode seccomp = SeccompMode::kDefault;
  bool notify = false;
  RestartPolicy restart = RestartPolicy::kNo;
  StopSpec stop;
  Autostart autostart = Autostart::kNo;
  std::vector<std::string> after;
  std::vector<std::string> requires_;  // `requires` is a C++20 keyword
  bool network_online = false;
  Resources resources;
};

// Names for messages and unit files.
const char* to_string(InitMode m);
const char* to_string(UsernsMode m);
const char* to_string(NetworkMode m);
const char* to_string(RootfsWrites m);
const char* to_string(OverlayDriver m);
const char* to_string(SeccompMode m);
const char* to_string(Autostart m);
const char* to_string(RestartPolicy m);

}  // namespace box
