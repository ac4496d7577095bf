// An OCI runtime bundle's config.json (runtime-spec 1.x), read whole into
// plain data. Pure: reading checks each field's JSON type and range and
// names the field of the first that is wrong ("'process.args[1]': expected
// a string"); what the fields mean is oci_plan.h's business.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/sys/result.h"

namespace box::oci {

struct Mount {
  std::string destination, type, source;
  std::vector<std::string> options;
};

struct IdMapping {
  std::uint32_t container_id = 0, host_id = 0, size = 0;
};

struct Device {
  std::string path, type;  // type: c, b, u, p
  std::int64_t major = 0, minor = 0;
  std::optional<std::uint32_t> file_mode, uid, gid;
};

struct Hook {
  std::string path;
  std::vector<std::string> args, env;
  std::optional<int> timeout;  // seconds
};

struct Hooks {
  std::vector<Hook> prestart, create_runtime, create_container, start_container, poststart,
      poststop;
};

struct Namespace {
  std::string type;  // pid, network, mount, ipc, uts, user, cgroup, time
  std::string path;  // empty: a new one
};

struct Rlimit {
  std::string type;  // RLIMIT_NOFILE
  std::uint64_t hard = 0, soft = 0;
};

struct Capabilities {
  std::vector<std::string> bounding, effective, permitted, inheritable, ambient;
};

struct Process {
  bool terminal = false;
  std::uint32_t console_height = 0, console_width = 0;  // consoleSize; 0: not given
  std::uint32_t uid = 0, gid = 0;
  std::optional<std::uint32_t> umask;
  std::vector<std::uint32_t> additional_gids;
  std::vector<std::string> args, env;
  std::string cwd = "/";
  std::optional<Capabilities> capabilities;
  std::vector<Rlimit> rlimits;
  bool no_new_privileges = false;
  std::optional<int> oom_score_adj;
  std::string apparmor_profile, selinux_label;
};

struct Config {
  std::string oci_version;
  Process process;
  std::string root_path;
  bool root_readonly = false;
  std::string hostname, domainname;
  std::vector<Mount> mounts;
  Hooks hooks;
  std::map<std::string, std::string> annotations;
  // linux
  std::vector<Namespace> namespaces;
  std::vector<IdMapping> uid_mappings, gid_mappings;
  std::vector<Device> devices;
  std::map<std::string, std::string> sysctl;
  std::vector<std::string> masked_paths, readonly_paths;
  std::string rootfs_propagation, cgroups_path, mount_label;
  std::string seccomp_json;    // linux.seccomp as given ("" when absent): oci_seccomp.h
  std::string resources_json;  // linux.resources as given ("" when absent)
};

// `what` names the file in errors ("bundle/config.json").
Result<Config> read_config(std::string_view json, const std::string& what);

// A process object alone (`exec --process FILE`).
Result<Process> read_process(std::string_view json, const std::string& what);

}  // namespace box::oci
