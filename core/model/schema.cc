#include "core/model/schema.h"

#include "core/model/definition.h"

namespace box {
namespace {

constexpr Choice<bool NamespaceChoice::*> kNamespaceKinds[] = {
    {"pid", &NamespaceChoice::pid},
    {"ipc", &NamespaceChoice::ipc},
    {"uts", &NamespaceChoice::uts},
    {"cgroup", &NamespaceChoice::cgroup}};
constexpr Choice<bool> kNamespaceStates[] = {{"private", true}, {"host", false}};

}  // namespace

Choices<bool NamespaceChoice::*> namespace_kinds() { return kNamespaceKinds; }
Choices<bool> namespace_states() { return kNamespaceStates; }

const std::vector<KeySpec>& definition_keys() {
  static const std::vector<KeySpec> keys = [] {
    std::vector<KeySpec> table = {
        {Key::kDescription, "description", "string (one line)", {}},
        {Key::kRootfs, "rootfs", "path", {}},
        {Key::kImage, "image", "name", {}},
        {Key::kCommand, "command", "list of strings", {}},
        {Key::kInit, "init", "", {}},
        {Key::kUser, "user", "\"UID:GID\" or \"UID\"", {}},
        {Key::kGroups, "groups", "list of gids", {}},
        {Key::kKeepGroups, "keep_groups", "bool", {}},
        {Key::kUserns, "userns", "", {}},
        {Key::kEnv, "env", "mapping NAME: value", {}},
        {Key::kWorkdir, "workdir", "absolute path inside", {}},
        {Key::kHostname, "hostname", "string: letters, digits, -, ., at most 64 characters", {}},
        {Key::kUmask, "umask", "octal string", {}},
        {Key::kRlimits, "rlimits", "mapping NAME: N or \"SOFT:HARD\"", {}},
        {Key::kNamespaces, "namespaces", "mapping", {}},
        {Key::kNetwork, "network", "", {}},
        {Key::kPorts, "ports", "list of \"[IP:]HOSTPORT:CONTAINERPORT[/tcp|/udp]\"", {}},
        {Key::kDns, "dns", "list of IP addresses", {}},
        {Key::kPod, "pod", "pod name", {}},
        {Key::kRootfsWrites, "rootfs_writes", "", {}},
        {Key::kOverlayDriver, "overlay_driver", "", {}},
        {Key::kMounts, "mounts", "list of mounts (below)", {}},
        {Key::kDevices, "devices", "list of device names or paths under /dev", {}},
        {Key::kCapabilities, "capabilities", "{add: [...], drop: [...]} or [ALL]", {}},
        {Key::kSeccomp, "seccomp", "", {}},
        {Key::kNotify, "notify", "bool", {}},
        {Key::kRestart, "restart", "", {}},
        {Key::kStop, "stop", "{signal: SIGNAME, timeout: DURATION}", {}},
        {Key::kAutostart, "autostart", "", {}},
        {Key::kAfter, "after", "list of container names", {}},
        {Key::kRequires, "requires", "list of container names", {}},
        {Key::kNetworkOnline, "network_online", "bool", {}},
        {Key::kResources, "resources", "{memory: SIZE, pids: N, cpu_weight: 1..10000}", {}},
        {Key::kSession, "session", "{wayland: bool, pulseaudio: bool, pipewire: bool, x11: bool}", {}},
        {Key::kSessionBus, "session_bus", "{talk: [...], own: [...], see: [...], call: {NAME: [RULE...]}, broadcast: {NAME: [RULE...]}}", {}},
        {Key::kSystemBus, "system_bus", "as session_bus", {}},
        {Key::kAppId, "app_id", "application id: org.example.App", {}},
    };
    // A key that takes a name holds the names of its field's table.
    for_each_named_field([&](Key key, auto field) {
      using E = std::remove_cvref_t<decltype(std::declval<Definition&>().*field)>;
      KeySpec& spec = table.at(static_cast<std::size_t>(key));
      spec.holds = choice_names<E>();
      for (const auto& c : choices<E>()) spec.names.emplace_back(c.name);
    });
    return table;
  }();
  return keys;
}

// The table is in the order of Key (schema_test.cc checks that every Key
// stands at its own index).
const KeySpec& key_spec(Key key) { return definition_keys().at(static_cast<std::size_t>(key)); }

const std::string& key_name(Key key) { return key_spec(key).name; }

std::optional<Key> find_key(std::string_view name) {
  for (const auto& spec : definition_keys())
    if (spec.name == name) return spec.key;
  return std::nullopt;
}

}  // namespace box
