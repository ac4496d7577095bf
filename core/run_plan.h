// The run plan: everything the executor needs to start one container, as
// plain data. Built by pure functions from a Definition (or from `box-run run`
// arguments) so it can be unit-tested without privileges; the executor only
// carries it out.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "definition.h"

namespace box {

// One step of building the container's filesystem, applied in order after the
// rootfs is bind-mounted. Targets are absolute paths inside the container.
struct MountStep {
  enum class Kind {
    kProc,     // procfs of the container's pid namespace
    kTmpfs,    // options: mount data ("mode=755,size=64k")
    kBindDev,  // bind the host device node `source` onto an empty file
    kDevpts,   // a private devpts instance
    kMqueue,   // POSIX message queues of the container's ipc namespace
    kDir,      // mkdir (in a tmpfs we own)
    kSymlink,  // target -> source
  };
  Kind kind;
  std::string target;
  std::string source;   // kBindDev: host path; kSymlink: link text
  std::string options;  // mount data
  unsigned long flags = 0;

  bool operator==(const MountStep&) const = default;
};

struct IdMapping {
  unsigned inside = 0;
  unsigned outside = 0;
  unsigned count = 1;
  bool operator==(const IdMapping&) const = default;
};

// The caller's identity on the host; the one fact about the environment the
// pure translation needs.
struct HostIdentity {
  uid_t uid = 0;
  gid_t gid = 0;
};

struct RunPlan {
  std::string name;  // for messages ("box 'etcd'")
  std::string rootfs;
  bool rootfs_readonly = true;
  std::string hostname;
  int namespaces = 0;  // CLONE_NEW* flags
  IdMapping uid_map;
  IdMapping gid_map;
  std::vector<MountStep> mounts;
  std::vector<std::string> argv;
  // Where argv[0] may be: itself when it has a '/', else each $PATH entry
  // joined with it, tried in order (resolved in the container's view).
  std::vector<std::string> exec_candidates;
  std::vector<std::string> env;  // "NAME=value"
  std::string workdir = "/";
  // Capabilities kept in the bounding set (libcap names' values).
  std::vector<int> capabilities;
};

inline constexpr const char* kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

RunPlan plan_from_definition(const Definition& def, const HostIdentity& host);

// `box-run run ROOTFS -- CMD...`: same isolation, no definition file.
RunPlan plan_for_command(const std::string& rootfs, const std::vector<std::string>& argv,
                         const HostIdentity& host);

}  // namespace box
