#include "oci/spec_template.h"

#include <sys/capability.h>

#include <cctype>
#include <nlohmann/json.hpp>

namespace box::oci {
namespace {
using nlohmann::json;

const json kCaps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};

// Every capability libcap knows, as the config names them.
json capability_names() {
  json names = json::array();
  for (int c = 0; c <= CAP_LAST_CAP; ++c) {
    char* n = cap_to_name(static_cast<cap_value_t>(c));
    std::string name = n ? n : "";
    cap_free(n);
    if (name.rfind("cap_", 0) != 0) continue;
    for (auto& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    names.push_back(name);
  }
  return names;
}
}  // namespace

std::string spec_template(bool rootless, uid_t uid, gid_t gid) {
  json mounts = json::array({
      {{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
      {{"destination", "/dev"},
       {"type", "tmpfs"},
       {"source", "tmpfs"},
       {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
      {{"destination", "/dev/pts"},
       {"type", "devpts"},
       {"source", "devpts"},
       {"options", rootless ? json{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}
                            : json{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
                                   "gid=5"}}},
      {{"destination", "/dev/shm"},
       {"type", "tmpfs"},
       {"source", "shm"},
       {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}},
      {{"destination", "/dev/mqueue"},
       {"type", "mqueue"},
       {"source", "mqueue"},
       {"options", {"nosuid", "noexec", "nodev"}}},
  });
  json namespaces = json::array({{{"type", "pid"}}, {{"type", "ipc"}}, {{"type", "uts"}},
                                 {{"type", "mount"}}});
  if (rootless) {
    mounts.push_back({{"destination", "/sys"},
                      {"type", "none"},
                      {"source", "/sys"},
                      {"options", {"rbind", "nosuid", "noexec", "nodev", "ro"}}});
    namespaces.push_back({{"type", "user"}});
    namespaces.push_back({{"type", "cgroup"}});
  } else {
    mounts.push_back({{"destination", "/sys"},
                      {"type", "sysfs"},
                      {"source", "sysfs"},
                      {"options", {"nosuid", "noexec", "nodev", "ro"}}});
    mounts.push_back({{"destination", "/sys/fs/cgroup"},
                      {"type", "cgroup"},
                      {"source", "cgroup"},
                      {"options", {"nosuid", "noexec", "nodev", "relatime", "ro"}}});
    namespaces.push_back({{"type", "network"}});
    namespaces.push_back({{"type", "cgroup"}});
  }
  json linux_ = {
      {"namespaces", namespaces},
      {"maskedPaths",
       {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
        "/proc/scsi"}},
      {"readonlyPaths",
       {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}},
  };
  if (rootless) {
    linux_["uidMappings"] = json::array({{{"containerID", 0}, {"hostID", uid}, {"size", 1}}});
    linux_["gidMappings"] = json::array({{{"containerID", 0}, {"hostID", gid}, {"size", 1}}});
  }
  json spec = {
      {"ociVersion", kOciVersion},
      {"process",
       {{"terminal", false},
        {"user", {{"uid", 0}, {"gid", 0}}},
        {"args", {"sh"}},
        {"env", {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"}},
        {"cwd", "/"},
        {"capabilities",
         {{"bounding", kCaps}, {"effective", kCaps}, {"permitted", kCaps}, {"ambient", kCaps}}},
        {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}}},
        {"noNewPrivileges", true}}},
      {"root", {{"path", "rootfs"}, {"readonly", true}}},
      {"hostname", "box"},
      {"mounts", mounts},
      {"linux", linux_},
  };
  return spec.dump(2) + "\n";
}

std::string features_json() {
  json f = {
      {"ociVersionMin", "1.0.0"},
      {"ociVersionMax", kOciVersion},
      {"hooks",
       {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"}},
      {"mountOptions",
       {"async", "atime", "bind", "dev", "diratime", "dirsync", "exec", "mand", "noatime",
        "nodev", "nodiratime", "noexec", "nomand", "norelatime", "nostrictatime", "nosuid",
        "private", "rbind", "relatime", "remount", "ro", "rprivate", "rshared", "rslave",
        "runbindable", "rw", "shared", "slave", "strictatime", "suid", "sync", "unbindable"}},
      {"linux",
       {{"namespaces", {"cgroup", "ipc", "mount", "network", "pid", "user", "uts"}},
        {"capabilities", capability_names()},
        // --systemd-cgroup paths are mapped to directories, not units made over D-Bus.
        {"cgroup", {{"v1", true}, {"v2", true}, {"systemd", false}, {"systemdUser", false}}},
        {"seccomp", {{"enabled", false}}},
        {"apparmor", {{"enabled", false}}},
        {"selinux", {{"enabled", false}}}}},
  };
  return f.dump(2) + "\n";
}

}  // namespace box::oci
