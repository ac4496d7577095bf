// The container definition: what a user writes in NAME.yaml, validated.
// docs/definitions.md is the reference for every field; the keys and the
// names of their values are in schema.h.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/model/names.h"
#include "core/model/schema.h"

namespace box {

struct PortMapping {
  std::string host_ip;  // empty: all addresses
  uint16_t host_port = 0;
  uint16_t container_port = 0;
  std::string protocol = "tcp";  // tcp | udp
  bool operator==(const PortMapping&) const = default;
};

struct MountSpec {
  using Type = MountType;
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

// The keys whose value is one name of a table (schema.h), and the field of
// Definition each sets: the loader reads each into its field, `box-run
// run`'s options find the field by the key, and definition_keys() gives
// each key the names of its field's table.
inline constexpr auto kNamedFields = std::make_tuple(
    std::pair{Key::kInit, &Definition::init}, std::pair{Key::kUserns, &Definition::userns},
    std::pair{Key::kNetwork, &Definition::network},
    std::pair{Key::kRootfsWrites, &Definition::rootfs_writes},
    std::pair{Key::kOverlayDriver, &Definition::overlay_driver},
    std::pair{Key::kSeccomp, &Definition::seccomp}, std::pair{Key::kRestart, &Definition::restart},
    std::pair{Key::kAutostart, &Definition::autostart});

// f(key, field) for each of them.
template <typename F>
constexpr void for_each_named_field(F&& f) {
  std::apply([&](const auto&... entry) { (f(entry.first, entry.second), ...); }, kNamedFields);
}

// The field that the key K sets; K must take a name.
template <Key K, std::size_t I = 0>
constexpr auto named_field() {
  static_assert(I < std::tuple_size_v<decltype(kNamedFields)>, "K is not a key that takes a name");
  if constexpr (std::get<I>(kNamedFields).first == K)
    return std::get<I>(kNamedFields).second;
  else
    return named_field<K, I + 1>();
}
template <Key K>
using NamedFieldType = std::remove_cvref_t<decltype(std::declval<Definition&>().*named_field<K>())>;

}  // namespace box
