// The container definition: what a user writes in NAME.yaml, validated.
// docs/definitions.md is the reference for every field; the keys and the
// names of their values are in schema.h.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/model/bus_rules.h"
#include "core/model/devices.h"
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

// The sockets of the desktop session a box reaches (docs/desktop.md): each
// bound read-only at its own path (under the runtime dir, or X11's in
// /tmp/.X11-unix), nothing else of it.
struct SessionSockets {
  bool wayland = false;     // $WAYLAND_DISPLAY (default wayland-0)
  bool pulseaudio = false;  // pulse/native
  bool pipewire = false;    // pipewire-0
  bool x11 = false;         // $DISPLAY's socket, with its cookie only
  bool any() const { return wayland || pulseaudio || pipewire || x11; }
  bool operator==(const SessionSockets&) const = default;
};

// The keys of `session:`, each with its field, in the order box lists them
// (the loader, `boxctl status`, the Container's Session property).
inline constexpr std::pair<const char*, bool SessionSockets::*> kSessionSocketKeys[] = {
    {"wayland", &SessionSockets::wayland},
    {"x11", &SessionSockets::x11},
    {"pulseaudio", &SessionSockets::pulseaudio},
    {"pipewire", &SessionSockets::pipewire},
};

// The keys `sockets` gives, in that order.
inline std::vector<std::string> session_socket_names(const SessionSockets& sockets) {
  std::vector<std::string> names;
  for (const auto& [name, field] : kSessionSocketKeys)
    if (sockets.*field) names.emplace_back(name);
  return names;
}

// A box's PATH when its definition's env sets none (the command's name is
// looked up in it, and `boxctl generate kube` writes it out).
inline constexpr const char* kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct NamespaceChoice {
  bool pid = true, ipc = true, uts = true, cgroup = true;  // true: private
};

struct Definition {
  std::string name;                         // from the file name: etcd.yaml -> "etcd"
  std::string source_path;                  // the YAML file it was read from
  std::vector<std::string> fragment_paths;  // drop-ins merged over it, in order
  // Where a loaded definition wrote what the host must have ("file:line:
  // column"), for checks made after loading (core/runtime/start_checks.h):
  // each key where it was last set, and each of `mounts` and `devices`
  // (parallel to them). Empty for a definition not read from a file.
  std::map<Key, std::string> key_locations;
  std::vector<std::string> mount_locations;
  std::vector<std::string> device_locations;
  std::string description;                  // may be empty
  std::string rootfs;                       // absolute host path ('~' expanded); set from image too
  std::string image;                        // installed image name, when the rootfs comes from one
  std::vector<std::string> command;         // argv (non-empty once loaded)
  InitMode init = InitMode::kNone;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  // The container's processes keep the caller's supplementary groups (no
  // setgroups): host groups that own a device (render, audio, kvm) still
  // open it inside, shown there as the overflow gid (nogroup).
  bool keep_groups = false;
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
  // The pod the box belongs to (pods/NAME.yaml, pod.h): it joins the
  // namespaces the pod's holder keeps, and the pod's network, ports, dns,
  // hostname and userns are its own. Empty: none.
  std::string pod;
  RootfsWrites rootfs_writes = RootfsWrites::kOverlay;
  OverlayDriver overlay_driver = OverlayDriver::kAuto;
  std::vector<MountSpec> mounts;
  // Host devices bound at their own paths (devices.h), in file order.
  std::vector<DeviceSpec> devices;
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
  SessionSockets session;
  // `run -t`, never a key of a file: the command's stdin, stdout, stderr
  // and controlling terminal are a pty (bound at /dev/console) that the
  // supervisor relays to its own.
  bool terminal = false;
  // The session and the system bus, each only through a filtering
  // xdg-dbus-proxy of the box's own with these rules; nullopt: no socket of
  // that bus in the box at all.
  std::optional<BusRules> session_bus, system_bus;
  // The application id desktop tools and xdg-desktop-portal know the box
  // by (app_id.h); empty: none.
  std::string app_id;
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
