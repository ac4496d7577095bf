// The run plan: everything the executor needs to start one container, as
// plain data. Built by pure functions from a Definition (or from `box-run run`
// arguments) so it can be unit-tested without privileges; the executor only
// carries it out, and validates nothing it could have been told here.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/model/definition.h"
#include "core/plan/seccomp_filter.h"
#include "core/sys/id_map.h"
#include "core/sys/result.h"
#include "core/sys/subid.h"

namespace box {

// One step of building the container's filesystem, applied in order once the
// root is in place. Targets are absolute paths inside the container and are
// resolved without leaving the root (symlinks in the image cannot redirect
// them to host paths).
struct MountStep {
  enum class Kind {
    kProc,      // procfs of the container's pid namespace
    kSysfs,     // a fresh sysfs (needs a private network namespace)
    kBindSys,   // the host's /sys, recursively (shared network namespace)
    kTmpfs,     // options: mount data ("mode=755,size=64k")
    kBind,      // bind the host path `source` (file or directory)
    kBindDev,   // bind the host device node `source` onto an empty file
    kDevpts,    // a private devpts instance
    kMqueue,    // POSIX message queues of the container's ipc namespace
    kDir,       // mkdir -p
    kSymlink,   // target -> source
    kFile,      // a read-only file whose content is `source`
    kMaskFile,  // hide a file: /dev/null over it (skipped when absent)
    kMaskDir,   // hide a directory: an empty read-only tmpfs (skipped when absent)
    kReadonly,  // make an existing path read-only (skipped when absent)
    kCgroup2,   // the container's cgroup namespace root, as cgroup2
  };
  Kind kind;
  std::string target;
  std::string source;       // kBind/kBindDev: host path; kSymlink: link text; kFile: content
  std::string options;      // mount data
  unsigned long flags = 0;  // MS_* flags; MS_RDONLY makes a bind read-only
  bool optional = false;    // kBind: skip when the source does not exist
  // kFile/kBind of a file: skip when the rootfs cannot take the target (its
  // directory is missing, or the file is absent from a read-only rootfs).
  bool optional_target = false;
  unsigned mode = 0;  // kDir/kFile permission bits (0: default)

  bool operator==(const MountStep&) const = default;
};

using IdMapping = IdMapLine;  // a line of the container's uid_map or gid_map

// Facts about the caller the pure translation needs.
struct HostIdentity {
  uid_t uid = 0;
  gid_t gid = 0;
  std::optional<SubidRange> subuid;  // from /etc/subuid, if any
  std::optional<SubidRange> subgid;
  std::string data_home;  // ~/.local/share (persistent rootfs writes)
  std::string newuidmap = "/usr/bin/newuidmap";
  std::string newgidmap = "/usr/bin/newgidmap";
  std::string instance_id;  // 32 hex digits, random per start (container_uuid)
};

struct Rlimit {
  int resource = 0;
  uint64_t soft = 0, hard = 0;
  bool operator==(const Rlimit&) const = default;
};

struct RunPlan {
  std::string name;  // for messages ("box 'etcd'")

  // Identity. More than one mapping (or ids other than our own) needs the
  // setuid helpers newuidmap/newgidmap, run by the supervisor.
  std::vector<IdMapping> uid_map;
  std::vector<IdMapping> gid_map;
  bool use_id_helpers = false;
  std::string newuidmap, newgidmap;
  uid_t uid = 0;  // inside
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary, inside (needs the helpers)

  int namespaces = 0;  // CLONE_NEW* flags
  bool loopback_up = false;
  // kPrivate: the supervisor attaches a network helper (pasta or
  // slirp4netns) to the new network namespace and publishes `ports`
  // through it.
  NetworkMode network = NetworkMode::kHost;
  std::vector<PortMapping> ports;
  std::string hostname;

  // Filesystem.
  std::string rootfs;
  RootfsWrites rootfs_writes = RootfsWrites::kReadonly;
  std::string upper_dir;  // persistent writes: where the overlay keeps them
  std::string work_dir;
  // overlay/persistent: kernel overlayfs, with fuse-overlayfs where the
  // kernel refuses (auto), or only one of them.
  OverlayDriver overlay_driver = OverlayDriver::kAuto;
  // The fuse-overlayfs program, found by the supervisor in $PATH before the
  // container is created (empty: not installed, or not needed).
  std::string fuse_overlayfs;
  std::vector<MountStep> mounts;

  // Process.
  InitMode init = InitMode::kNone;
  std::vector<std::string> argv;
  // Where argv[0] may be: itself when it has a '/', else each $PATH entry
  // joined with it, tried in order (resolved in the container's view).
  std::vector<std::string> exec_candidates;
  std::vector<std::string> env;  // "NAME=value"
  std::string workdir = "/";
  unsigned umask = 022;
  std::vector<Rlimit> rlimits;
  // Capabilities the command keeps (bounding set; effective, permitted and
  // inheritable too, and ambient when the user inside is not root).
  std::vector<int> capabilities;
  // Which variant of the default filter the command gets (none: unconfined).
  std::optional<SeccompOptions> seccomp;

  // Service manager integration. Readiness comes from the container itself
  // (its READY=1 on notify_socket) when notify_socket is set, else box-run
  // says READY=1 once the command runs.
  std::string notify_socket;     // path inside, e.g. "/run/host/notify"; empty: none
  bool console = false;          // /dev/console: a pty whose output box-run relays
  bool cgroup_required = false;  // the container's own writable cgroup (init: systemd)
  // What SIGTERM to box-run (systemd's stop) becomes for PID 1: the
  // definition's stop signal, SIGRTMIN+3 for an inner systemd.
  int stop_signal = 15;
};

inline constexpr const char* kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Where execve should look for `program` given the container's PATH: the
// program itself when it has a '/', else each absolute PATH entry joined
// with it, in order. Empty and relative entries (the working directory, a
// classic hijack) are skipped. Shared with `boxctl enter`.
std::vector<std::string> exec_candidates(const std::string& program, const std::string& path);

Result<RunPlan> plan_from_definition(const Definition& def, const HostIdentity& host);

// The capability numbers a definition asks for (default set, add, drop, ALL).
Result<std::vector<int>> resolve_capabilities(const CapabilitySpec& spec);

// The id maps for a userns mode (exposed for tests).
Result<void> plan_identity(const Definition& def, const HostIdentity& host, RunPlan& plan);

}  // namespace box
