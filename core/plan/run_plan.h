// The run plan: everything the supervisor and the executor do to start one
// container, as plain data. Built by one pure function from a Definition (or
// from `box-run run` arguments) and the host's RuntimeFacts, so it can be
// unit-tested without privileges and printed (`box-run --dry-run`,
// plan_text.h); the supervisor and the executor carry it out without
// changing it, and validate nothing they could have been told here.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/model/definition.h"
#include "core/plan/runtime_facts.h"
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
    kMount,     // a filesystem of type `fstype` from `source` (OCI mounts)
    kDevice,    // a device node: mknod `rdev`/`mode`, owned by uid/gid; where
                // the kernel refuses (a user namespace), a bind of `source`
    kWrite,     // write `source` into the existing file `target` (a sysctl
                // under the container's /proc/sys, before it is made read-only)
    kAddEntry,  // a read-only copy of the root's own `target` (an /etc/passwd or
                // /etc/group) with the line `source` added unless it has that
                // name or id (user_entries.h), bound over it; skipped when the
                // root has no such file
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
  unsigned mode = 0;  // kDir/kFile permission bits (0: default); kDevice: type and bits
  // kBind: recursive (rbind) unless false; nosuid/nodev/noexec/rdonly/atime
  // flags in `flags` are set on the bind afterwards.
  bool recursive = true;
  std::string fstype{};          // kMount
  unsigned long propagation = 0;  // MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE (| MS_REC)
  unsigned long long rdev = 0;   // kDevice
  uid_t uid = 0;                 // kDevice owner, as seen inside
  gid_t gid = 0;

  bool operator==(const MountStep&) const = default;
};

using IdMapping = IdMapLine;  // a line of the container's uid_map or gid_map

// Facts about the caller the pure translation needs (the host's programs,
// sockets and files are in RuntimeFacts).
struct HostIdentity {
  uid_t uid = 0;
  gid_t gid = 0;
  // Every subordinate range of the user (libsubid: /etc/subuid or the
  // nsswitch `subid:` source), in order; empty: none.
  SubidRanges subuids;
  SubidRanges subgids;
  // For `userns: keep-id`: the user's passwd entry on the host (name, full
  // name, home) and primary group's name, given to the user inside.
  std::string user_name;
  std::string user_gecos;
  std::string home;
  std::string group_name;
  std::string data_home;    // ~/.local/share (persistent rootfs writes)
  std::string instance_id;  // 32 hex digits, random per start (container_uuid)
};

struct Rlimit {
  int resource = 0;
  uint64_t soft = 0, hard = 0;
  bool operator==(const Rlimit&) const = default;
};

// The capability sets one by one, as an OCI config gives them (a
// definition's plan has one list for all: RunPlan::capabilities).
struct CapabilitySets {
  std::vector<int> bounding, effective, permitted, inheritable, ambient;
  bool operator==(const CapabilitySets&) const = default;
};

// An existing namespace the container joins instead of creating one.
struct JoinNamespace {
  int type = 0;      // CLONE_NEW*
  std::string path;  // /proc/PID/ns/net, a bind-mounted namespace file
  bool operator==(const JoinNamespace&) const = default;
};

// A program an OCI config runs at a point of the container's life (a
// hook): `path` is executed with `args` (args[0] its name; empty: the path)
// and exactly `env`, the container's state JSON on its stdin, killed after
// `timeout_seconds` (0: no limit).
struct ProgramHook {
  std::string path;
  std::vector<std::string> args, env;
  int timeout_seconds = 0;
  bool operator==(const ProgramHook&) const = default;
};

// A socket of the desktop session the container reaches (session_plan.h):
// `path` is the same on the host and inside.
struct SessionSocket {
  std::string name;  // the definition's key: "wayland", "pulseaudio", "pipewire"
  std::string path;
  bool operator==(const SessionSocket&) const = default;
};

// session: {x11: true}: the display's cookie, which box-run copies from the
// user's Xauthority into a file of the box's own before the container
// starts (core/runtime/x11_auth.h), bound read-only at `inside`, and
// removes with its directory when the box stops (x11_plan.h).
struct X11Cookie {
  std::string display;  // as xauth names it on the host: ":N"
  std::string source;   // the user's Xauthority ($XAUTHORITY, else ~/.Xauthority)
  std::string dir;      // the box's own directory, removed at stop
  std::string file;     // dir + "/Xauthority"
  std::string inside;   // where the container finds it ($XAUTHORITY)
  std::string xauth;    // the xauth program; empty: not installed
  bool operator==(const X11Cookie&) const = default;
};

// One message bus a box reaches through its xdg-dbus-proxy
// (bus_proxy_plan.h): the proxy listens on `socket` (a host path) and
// forwards, filtered by `policy`, to the real bus at `address`; the
// socket is bound at `inside` in the container.
struct ProxiedBus {
  std::string bus;      // "session" or "system"
  std::string address;  // D-Bus address of the real bus
  std::string socket;   // host path of the proxy's socket
  std::string inside;   // where the container finds it
  std::vector<std::string> policy;  // --filter and the rules (bus_policy_args)
  bool operator==(const ProxiedBus&) const = default;
};

struct RunPlan {
  std::string name;  // for messages ("box 'etcd'")

  // Identity. More than one mapping (or ids other than our own) needs the
  // setuid helpers newuidmap/newgidmap, run by the supervisor (their paths
  // set only then).
  std::vector<IdMapping> uid_map;
  std::vector<IdMapping> gid_map;
  bool use_id_helpers = false;
  std::string newuidmap, newgidmap;
  uid_t uid = 0;  // inside
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary, inside (needs the helpers)
  // No setgroups: the caller's supplementary groups stay (`keep_groups`).
  // Also so, whatever this says, where the container maps our single id
  // itself: that user namespace denies setgroups.
  bool keep_groups = false;

  // Without CLONE_NEWUSER in `namespaces` there are no maps: the caller is
  // root and the container shares its user namespace (OCI configs run by
  // root). `maps_by_parent`: the caller is privileged over the new user
  // namespace and writes any map itself (root; no helpers).
  bool maps_by_parent = false;
  int namespaces = 0;  // CLONE_NEW* flags
  std::vector<JoinNamespace> join;  // entered before the new ones are made, user first
  bool loopback_up = false;
  // kPrivate: the supervisor attaches `network_helper` (pasta or
  // slirp4netns) to the new network namespace and publishes `ports`
  // through it; slirp4netns takes them on `network_api_socket` (empty
  // without ports, and for pasta, which takes them on its command line).
  NetworkMode network = NetworkMode::kHost;
  std::optional<NetworkHelperSpec> network_helper;
  std::string network_api_socket;
  std::vector<PortMapping> ports;
  std::string hostname;
  std::string domainname;  // empty: unchanged
  // session_bus/system_bus: one xdg-dbus-proxy (`bus_proxy`, the program),
  // started by box-run before the container and stopped after it, serving
  // each of `buses` on a socket in `bus_proxy_dir` (removed at stop). No
  // buses: no proxy, and no bus socket in the container.
  std::string bus_proxy;
  std::string bus_proxy_dir;
  std::vector<ProxiedBus> buses;
  // app_id: the application id, and the metadata file's text
  // (core/model/app_id.h), which a mount step puts at /.flatpak-info in
  // the container and box-run at the root of the bus proxy's own mount
  // namespace (core/runtime/proxy_root.h), where xdg-desktop-portal looks.
  std::string app_id;
  std::string app_info;

  // Filesystem.
  std::string rootfs;
  RootfsWrites rootfs_writes = RootfsWrites::kReadonly;
  std::string upper_dir;  // persistent writes: where the overlay keeps them
  std::string work_dir;
  // overlay/persistent: kernel overlayfs, with fuse-overlayfs where the
  // kernel refuses (auto), or only one of them; `fuse` where a persistent
  // upper dir was written by fuse-overlayfs (overlay_plan.h).
  OverlayDriver overlay_driver = OverlayDriver::kAuto;
  // The fuse-overlayfs program, as found in $PATH (empty: not installed,
  // or not needed).
  std::string fuse_overlayfs;
  std::vector<MountStep> mounts;
  // The root mount (not those below it) made read-only once the mounts are
  // in place, so their mount points could still be made (OCI root.readonly).
  bool root_readonly_after_mounts = false;
  // Mount points a read-only rootfs lacks (mount_points.h): the root is
  // then an overlay on a private tmpfs, read-only after the mounts, and
  // these are made there, never in the rootfs.
  std::vector<std::string> private_mount_points;

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
  // Set: each set as given, and `capabilities` is ignored (OCI configs).
  std::optional<CapabilitySets> capability_sets;
  // PR_SET_NO_NEW_PRIVS before exec. Every box definition's plan has it; an
  // OCI config may turn it off (process.noNewPrivileges false, the default
  // of podman and docker: setuid programs inside work).
  bool no_new_privileges = true;
  std::optional<int> oom_score_adj;
  // Propagation of the container's root once it is built (0: private).
  unsigned long root_propagation = 0;
  // Which variant of the default filter the command gets (none: unconfined).
  std::optional<SeccompOptions> seccomp;

  // OCI create/start: the container stops right before exec until someone
  // opens this FIFO (a host path) for reading, and it outlives the process
  // that created it (no parent-death signal once it waits there).
  std::string exec_fifo;
  // Descriptors 3 .. 3+preserve_fds-1 of the caller stay open in the
  // container (OCI --preserve-fds); every other one is closed.
  int preserve_fds = 0;
  // OCI hooks the container's first process runs itself: createContainer
  // once its filesystem is built, before pivot_root (paths resolve on the
  // host), startContainer after `start` opened the exec gate, right before
  // exec (paths resolve in the container). Their stdin is what the caller's
  // before_pivot callback returned (executor.h).
  std::vector<ProgramHook> create_container_hooks, start_container_hooks;
  // OCI process.terminal: a new pty from the container's own devpts
  // (/dev/pts/ptmx, once the mounts are made) becomes its controlling
  // terminal, stdio and /dev/console; the master goes to the caller
  // (StartedContainer::terminal). consoleSize when both are above 0.
  bool terminal = false;
  unsigned short console_rows = 0, console_cols = 0;

  // Service manager integration. box-run tells the service manager on
  // `service_notify_socket` (empty: nobody is told). Readiness comes from
  // the container itself (its READY=1 on notify_socket, which box-run
  // listens on at notify_socket_host, bound there by a mount step) when
  // notify_socket is set, else box-run says READY=1 once the command runs.
  std::string service_notify_socket;
  std::string notify_socket;       // path inside, e.g. "/run/host/notify"; empty: none
  std::string notify_socket_host;  // where box-run creates it
  bool console = false;  // /dev/console: a pty (bound by a mount step) whose output box-run relays
  // run -t: /dev/console (the host pty above) is also the command's stdio
  // and controlling terminal, and the supervisor relays its own stdin to
  // it. (Not `terminal`, box-oci's pty from the container's own devpts,
  // whose master goes to the caller.)
  bool console_terminal = false;
  // The container in a cgroup of its own below box-run's (which systemd
  // delegated to box@NAME.service); required (an error when it cannot be
  // made) for the container's own writable cgroup (init: systemd).
  bool own_cgroup = false;
  bool cgroup_required = false;
  // What SIGTERM to box-run (systemd's stop) becomes for PID 1: the
  // definition's stop signal, SIGRTMIN+3 for an inner systemd.
  int stop_signal = 15;

  // The session's sockets bound in (by mount steps); box-run checks that
  // each is there before it starts anything.
  std::vector<SessionSocket> session_sockets;
  // session: {x11: true}: the cookie box-run writes before the start.
  std::optional<X11Cookie> x11;
  // The host devices bound in (by mount steps, device_plan.h).
  std::vector<DeviceSpec> devices;
};

// Where execve should look for `program` given the container's PATH: the
// program itself when it has a '/', else each absolute PATH entry joined
// with it, in order. Empty and relative entries (the working directory, a
// classic hijack) are skipped. Shared with `boxctl enter`.
std::vector<std::string> exec_candidates(const std::string& program, const std::string& path);

// The whole plan for `def` on a host that says `facts`: every mount (the
// notify socket and the console included), the environment, the overlay
// driver and fuse-overlayfs, the network helper, what box-run tells the
// service manager. An error when the facts rule the definition out (no
// network helper installed, an overlay driver the upper dir refuses, ...).
Result<RunPlan> make_run_plan(const Definition& def, const HostIdentity& host,
                              const RuntimeFacts& facts);

// The capability numbers a definition asks for (default set, add, drop, ALL).
Result<std::vector<int>> resolve_capabilities(const CapabilitySpec& spec);

// The id maps for a userns mode (exposed for tests, and for a pod's user
// namespace, pod_plan.h).
Result<void> plan_identity(const Definition& def, const HostIdentity& host, RunPlan& plan);

// network: private with a network namespace of its own: the helper the
// facts found (an error naming what to install when none), and
// slirp4netns's API socket when it publishes ports. Nothing for a network
// namespace joined. (Exposed for a pod's, pod_plan.h.)
Result<void> plan_network_helper(const RuntimeFacts& facts, RunPlan& plan);

}  // namespace box
