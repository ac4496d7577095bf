// A definition as an installer writes it: the keys of docs/definitions.md as
// plain data (the names of core/model/schema.h for the keys that take one),
// and their YAML text. Installs produce a draft (from an image
// config, an OCI runtime config or Atomic exports), write it with to_yaml(),
// and check the text with the real loader before anything is put in place.
// Empty fields are left out, so the loader's defaults apply.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/model/schema.h"

namespace box::image {

struct DraftMount {
  MountType type = MountType::kBind;  // bind or tmpfs
  std::string source;
  std::string target;
  bool readonly = false;
  std::string size;  // tmpfs
  std::string mode;  // tmpfs, octal
  bool operator==(const DraftMount&) const = default;
};

struct DefinitionDraft {
  std::string description;
  std::string image;   // `image: NAME`
  std::string rootfs;  // or `rootfs: PATH`
  std::vector<std::string> command;
  std::optional<InitMode> init;
  std::vector<std::pair<std::string, std::string>> env;
  std::string workdir;
  std::string user;  // "UID:GID"
  std::vector<std::string> groups;
  std::string umask;
  std::optional<UsernsMode> userns;
  std::string hostname;
  std::optional<NetworkMode> network;
  std::vector<std::string> ports;
  std::vector<std::string> dns;
  std::string pod;  // `pod: NAME`
  std::map<std::string, std::string> namespaces;  // pid|ipc|uts|cgroup: host
  std::optional<RootfsWrites> rootfs_writes;
  std::vector<DraftMount> mounts;
  std::vector<std::string> cap_add, cap_drop;
  std::vector<std::pair<std::string, std::string>> rlimits;
  std::optional<SeccompMode> seccomp;
  std::optional<RestartPolicy> restart;
  std::string stop_signal, stop_timeout;
  std::optional<Autostart> autostart;
  std::map<std::string, std::string> resources;  // memory|pids|cpu_weight

  // Sets or replaces one variable, keeping the order of first appearance.
  void set_env(const std::string& name, const std::string& value);
};

// `header` lines become "# " comments at the top (where it came from).
std::string to_yaml(const DefinitionDraft& draft, const std::vector<std::string>& header);

}  // namespace box::image
