#include "core/plan/run_plan.h"

#include <linux/capability.h>
#include <sched.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/un.h>

#include <algorithm>

#include "core/model/app_id.h"
#include "core/model/capability_sets.h"
#include "core/model/definition_rules.h"
#include "core/plan/bus_proxy_plan.h"
#include "core/plan/device_plan.h"
#include "core/plan/network_plan.h"
#include "core/plan/overlay_plan.h"
#include "core/plan/pod_plan.h"
#include "core/plan/session_plan.h"
#include "core/plan/user_entries.h"
#include "core/plan/x11_plan.h"
#include "core/sys/text_fields.h"

namespace box {
namespace {

constexpr unsigned long kNoSuidDevExec = MS_NOSUID | MS_NODEV | MS_NOEXEC;

void add_proc(std::vector<MountStep>& m, bool private_pid) {
  using K = MountStep::Kind;
  // procfs can only be mounted by the owner of the pid namespace; with the
  // host's pids, bind the host's /proc instead (masked the same way).
  if (private_pid) {
    m.push_back({K::kProc, "/proc", "", "", kNoSuidDevExec});
  } else {
    m.push_back({K::kBind, "/proc", "/proc", "", 0});
  }
  // What runtimes hide from /proc: kernel memory, other keyrings, timer and
  // scheduler internals that leak host activity...
  for (const char* f : {"/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                        "/proc/timer_stats", "/proc/sched_debug"})
    m.push_back({K::kMaskFile, f, "", "", 0});
  for (const char* d : {"/proc/acpi", "/proc/scsi"}) m.push_back({K::kMaskDir, d, "", "", 0});
  // ...and what stays readable but must not be written: kernel tunables
  // (the namespaced ones are still readable), the magic SysRq trigger.
  for (const char* r :
       {"/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"})
    m.push_back({K::kReadonly, r, "", "", 0});
}

void add_sys(std::vector<MountStep>& m, bool private_net) {
  using K = MountStep::Kind;
  // sysfs can only be mounted by the owner of the network namespace; with
  // the host's network, bind the host's /sys instead. Read-only either way.
  if (private_net) {
    m.push_back({K::kSysfs, "/sys", "", "", kNoSuidDevExec | MS_RDONLY});
  } else {
    m.push_back({K::kBindSys, "/sys", "/sys", "", MS_RDONLY});
  }
  for (const char* d : {"/sys/firmware", "/sys/devices/virtual/powercap"})
    m.push_back({K::kMaskDir, d, "", "", 0});
}

void add_dev(std::vector<MountStep>& m, bool private_ipc) {
  using K = MountStep::Kind;
  m.push_back({K::kTmpfs, "/dev", "", "mode=755,size=64k", MS_NOSUID | MS_NOEXEC});
  for (const char* dev : {"null", "zero", "full", "random", "urandom", "tty"}) {
    std::string path = std::string("/dev/") + dev;
    m.push_back({K::kBindDev, path, path, "", 0});
  }
  m.push_back({K::kDir, "/dev/pts", "", "", 0});
  // gid= is left out: the host's tty group is not mapped in the namespace.
  m.push_back(
      {K::kDevpts, "/dev/pts", "", "newinstance,ptmxmode=0666,mode=620", MS_NOSUID | MS_NOEXEC});
  m.push_back({K::kSymlink, "/dev/ptmx", "pts/ptmx", "", 0});
  m.push_back({K::kDir, "/dev/shm", "", "", 0});
  m.push_back({K::kTmpfs, "/dev/shm", "", "mode=1777", MS_NOSUID | MS_NODEV});
  if (private_ipc) {
    m.push_back({K::kDir, "/dev/mqueue", "", "", 0});
    m.push_back({K::kMqueue, "/dev/mqueue", "", "", kNoSuidDevExec});
  }
  m.push_back({K::kSymlink, "/dev/fd", "/proc/self/fd", "", 0});
  m.push_back({K::kSymlink, "/dev/stdin", "/proc/self/fd/0", "", 0});
  m.push_back({K::kSymlink, "/dev/stdout", "/proc/self/fd/1", "", 0});
  m.push_back({K::kSymlink, "/dev/stderr", "/proc/self/fd/2", "", 0});
}

// Whether the container has a namespace of `type` apart from the host's:
// its own, or one it joins (a pod's).
bool has_namespace(const RunPlan& p, int type) {
  return (p.namespaces & type) != 0 ||
         std::any_of(p.join.begin(), p.join.end(),
                     [&](const JoinNamespace& j) { return j.type == type; });
}

std::string tmpfs_options(const MountSpec& spec) {
  std::string o = "mode=" + [&] {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%o", spec.mode.value_or(0755));
    return std::string(buf);
  }();
  if (spec.size) o += ",size=" + std::to_string(*spec.size);
  return o;
}

void add_user_mounts(std::vector<MountStep>& m, const std::vector<MountSpec>& specs) {
  using K = MountStep::Kind;
  for (const auto& s : specs) {
    switch (s.type) {
      case MountSpec::Type::kBind: {
        MountStep step{K::kBind, s.target, s.source, "",
                       static_cast<unsigned long>(s.readonly ? MS_RDONLY : 0)};
        step.optional = s.optional;
        m.push_back(step);
        break;
      }
      case MountSpec::Type::kTmpfs:
        m.push_back({K::kTmpfs, s.target, "", tmpfs_options(s), MS_NOSUID | MS_NODEV});
        break;
      case MountSpec::Type::kDir: {
        MountStep step{K::kDir, s.target, "", "", 0};
        step.mode = s.mode.value_or(0755);
        m.push_back(step);
        break;
      }
      case MountSpec::Type::kSymlink:
        m.push_back({K::kSymlink, s.target, s.link, "", 0});
        break;
      case MountSpec::Type::kFile: {
        MountStep step{K::kFile, s.target, s.content, "", MS_RDONLY};
        step.mode = s.mode.value_or(0644);
        m.push_back(step);
        break;
      }
    }
  }
}

void plan_environment(const Definition& def, const HostIdentity& host,
                      const std::vector<std::pair<std::string, std::string>>& session_vars,
                      RunPlan& p) {
  // The environment starts empty: nothing of the host's leaks in unless the
  // definition says so. `container` follows systemd's container interface.
  std::string path = kDefaultPath;
  bool have_home = false;
  for (const auto& [k, v] : def.env) {
    if (k == "PATH") path = v;
    if (k == "HOME") have_home = true;
  }
  p.env = {"container=box", "PATH=" + path};
  if (def.init == InitMode::kSystemd && !host.instance_id.empty())
    p.env.push_back("container_uuid=" + host.instance_id);
  // keep-id: you inside, with your own home (as toolbox and podman give
  // it; its passwd entry says the same, plan_filesystem).
  if (!have_home && def.userns == UsernsMode::kKeepId && !host.home.empty())
    p.env.push_back("HOME=" + host.home);
  else if (!have_home)
    p.env.push_back(p.uid == 0 ? "HOME=/root" : "HOME=/");
  if (!p.hostname.empty()) p.env.push_back("HOSTNAME=" + p.hostname);
  // What the session's clients need, unless the definition says otherwise.
  for (const auto& [k, v] : session_vars)
    if (std::none_of(def.env.begin(), def.env.end(), [&](const auto& e) { return e.first == k; }))
      p.env.push_back(k + "=" + v);
  for (const auto& [k, v] : def.env) {
    if (k == "PATH" || k == "container") continue;
    p.env.push_back(k + "=" + v);
  }
  p.exec_candidates = exec_candidates(p.argv.front(), path);
}

// The session's sockets (session_plan.h) come before the definition's own
// mounts, so those may still bind more into the runtime dir.
Result<void> plan_filesystem(const Definition& def, const HostIdentity& host,
                             const RuntimeFacts& facts,
                             std::vector<std::pair<std::string, std::string>>& session_vars,
                             RunPlan& p) {
  p.rootfs = def.rootfs;
  p.rootfs_writes = def.rootfs_writes;
  p.overlay_driver = def.overlay_driver;
  if (def.rootfs_writes == RootfsWrites::kPersistent) {
    if (host.data_home.empty())
      return Error("rootfs_writes: persistent needs a data directory ($XDG_DATA_HOME or $HOME)");
    const std::string base = persistent_dir(host.data_home, def.name);
    p.upper_dir = base + "/upper";
    p.work_dir = base + "/work";
  }
  using K = MountStep::Kind;
  const bool systemd = def.init == InitMode::kSystemd;
  add_proc(p.mounts, has_namespace(p, CLONE_NEWPID));
  // A pod's network namespace is its user namespace's, which the member
  // joins too: it may mount that network's sysfs.
  add_sys(p.mounts, has_namespace(p, CLONE_NEWNET));
  if (p.namespaces & CLONE_NEWCGROUP) {
    // The container sees its own cgroup as the root of a plain cgroup2 tree
    // (also on hybrid hosts); only an inner systemd may write it.
    p.mounts.push_back({K::kCgroup2, "/sys/fs/cgroup", "", "",
                        kNoSuidDevExec | (systemd ? 0UL : static_cast<unsigned long>(MS_RDONLY))});
  }
  add_dev(p.mounts, has_namespace(p, CLONE_NEWIPC));
  if (systemd || def.notify) {
    // The notify socket lives in /run/host, as in systemd's container
    // interface; /run is a fresh tmpfs for it (and for an inner systemd).
    p.mounts.push_back({K::kTmpfs, "/run", "", "mode=755", MS_NOSUID | MS_NODEV});
    p.mounts.push_back({K::kDir, "/run/host", "", "", 0});
    p.notify_socket = "/run/host/notify";
  }
  if (systemd) {
    p.mounts.push_back({K::kTmpfs, "/tmp", "", "mode=1777", MS_NOSUID | MS_NODEV});
    MountStep manager{K::kFile, "/run/host/container-manager", "box\n", "", MS_RDONLY};
    manager.mode = 0444;
    p.mounts.push_back(manager);
    p.console = true;
    p.cgroup_required = true;
  }
  if (def.terminal) {
    p.console = true;
    p.console_terminal = true;
  }
  // Before the definition's mounts, so its own /etc files win.
  add_network_files(def.network, def.dns, p.hostname, p.mounts);
  auto session = plan_session(def.session, facts, p);
  if (!session) return session.error();
  session_vars = std::move(*session);
  plan_devices(def.devices, p);
  if (def.userns == UsernsMode::kKeepId) {
    // You inside have a name (whoami, ls -l, a shell's prompt): your
    // passwd and group entries over the image's files, which stay as they
    // are (user_entries.h).
    auto entry = [&](const char* file, std::string line) {
      if (line.empty()) return;
      MountStep step{K::kAddEntry, file, std::move(line), "", MS_RDONLY};
      step.mode = 0644;
      p.mounts.push_back(step);
    };
    entry("/etc/passwd", passwd_entry(host.user_name, host.uid, host.gid, host.user_gecos,
                                      host.home));
    entry("/etc/group", group_entry(host.group_name, host.gid, host.user_name));
  }
  add_user_mounts(p.mounts, def.mounts);
  // After the definition's mounts: a tmpfs of its own on /tmp would hide
  // the display's socket.
  if (def.session.x11) {
    auto x11 = plan_x11(def.name, facts, p);
    if (!x11) return x11.error();
    session_vars.insert(session_vars.end(), x11->begin(), x11->end());
  }
  return {};
}

// The overlay's driver: the definition's, unless a persistent upper dir
// says otherwise; fuse-overlayfs where it may serve.
Result<void> plan_overlay_driver(const RuntimeFacts& facts, RunPlan& p) {
  if (p.rootfs_writes != RootfsWrites::kOverlay && p.rootfs_writes != RootfsWrites::kPersistent)
    return {};
  std::optional<std::string> marker;
  std::string base;
  if (p.rootfs_writes == RootfsWrites::kPersistent) {
    base = p.upper_dir.substr(0, p.upper_dir.rfind('/'));
    marker = facts.overlay_marker;
  }
  const OverlayDriver requested = p.overlay_driver;
  auto driver = resolve_overlay_driver(requested, marker, base);
  if (!driver) return driver.error();
  p.overlay_driver = *driver;
  if (*driver == OverlayDriver::kKernel) return {};
  p.fuse_overlayfs = facts.fuse_overlayfs;
  if (p.fuse_overlayfs.empty() && *driver == OverlayDriver::kFuse) {
    if (requested == OverlayDriver::kFuse)
      return Error("overlay_driver: fuse: " + fuse_overlayfs_missing(facts.path));
    return Error("fuse-overlayfs has written the persistent upper dir in '" + base +
                 "' and must serve it: " + fuse_overlayfs_missing(facts.path));
  }
  return {};
}

// Where box-run keeps its sockets: its runtime dir, or /tmp outside a
// session.
std::string socket_dir(const RuntimeFacts& facts) {
  return facts.runtime_dir.empty() ? "/tmp" : facts.runtime_dir + "/box";
}

Result<std::string> socket_path(const std::string& path, const std::string& what) {
  if (path.size() >= sizeof(sockaddr_un{}.sun_path))
    return Error(what + " path too long: '" + path + "'");
  return path;
}

}  // namespace

Result<void> plan_network_helper(const RuntimeFacts& facts, RunPlan& p) {
  // A network namespace joined (a pod's) has its helper already.
  if (p.network != NetworkMode::kPrivate || !(p.namespaces & CLONE_NEWNET)) return {};
  if (!facts.network_helper)
    return Error(network_helper_missing(facts.network_helper_preference, facts.path));
  p.network_helper = facts.network_helper;
  if (p.network_helper->kind == NetworkHelperKind::kSlirp4netns && !p.ports.empty()) {
    auto api =
        socket_path(socket_dir(facts) + "/net-" + std::to_string(facts.box_run_pid) + ".sock",
                    "slirp4netns API socket");
    if (!api) return api.error();
    p.network_api_socket = *api;
  }
  return {};
}

namespace {

// What box-run does around the container for a service manager: the
// readiness it reports, the notify socket and the console it binds in, the
// cgroup it makes. Last: the notify socket and console binds come after
// every other mount, NOTIFY_SOCKET after the rest of the environment.
Result<void> plan_service(const RuntimeFacts& facts, RunPlan& p) {
  p.service_notify_socket = facts.service_notify_socket;
  p.own_cgroup = facts.service;
  if (p.cgroup_required && !p.own_cgroup)
    return Error("init: systemd needs a delegated cgroup: start it as box@" + p.name + ".service");
  if (!p.notify_socket.empty()) {
    auto host_path = socket_path(
        socket_dir(facts) + "/notify-" + p.name + "-" + std::to_string(facts.box_run_pid),
        "notify socket");
    if (!host_path) return host_path.error();
    p.notify_socket_host = *host_path;
    p.mounts.push_back({MountStep::Kind::kBind, p.notify_socket, p.notify_socket_host, "", 0});
    p.env.push_back("NOTIFY_SOCKET=" + p.notify_socket);
  }
  if (p.console) {
    if (facts.console_pty.empty()) return Error("no pty was opened for /dev/console");
    p.mounts.push_back({MountStep::Kind::kBindDev, "/dev/console", facts.console_pty, "", 0});
  }
  return {};
}

}  // namespace

std::vector<std::string> exec_candidates(const std::string& program, const std::string& path) {
  if (program.find('/') != std::string::npos) return {program};
  std::vector<std::string> out;
  // An empty or relative entry means the working directory, a classic
  // hijack: skip it.
  for (auto dir : split_nonempty(path, ":"))
    if (dir.front() == '/') out.push_back(std::string(dir) + "/" + program);
  return out;
}

Result<std::vector<int>> resolve_capabilities(const CapabilitySpec& spec) {
  std::vector<int> caps;
  auto add = [&](int c) {
    if (std::find(caps.begin(), caps.end(), c) == caps.end()) caps.push_back(c);
  };
  auto number = [](const std::string& name) -> Result<int> {
    std::string lower = name;
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    cap_value_t v;
    if (cap_from_name(lower.c_str(), &v) != 0) return Error("unknown capability '" + name + "'");
    return static_cast<int>(v);
  };
  const bool drop_all = std::find(spec.drop.begin(), spec.drop.end(), "ALL") != spec.drop.end();
  if (spec.add_all) {
    for (int c = 0; c <= CAP_LAST_CAP; ++c) add(c);
  } else if (!drop_all) {
    for (const char* name : default_capabilities()) add(number(name).value());
  }
  for (const auto& name : spec.add) {
    auto c = number(name);
    if (!c) return c.error();
    add(*c);
  }
  for (const auto& name : spec.drop) {
    if (name == "ALL") continue;
    auto c = number(name);
    if (!c) return c.error();
    caps.erase(std::remove(caps.begin(), caps.end(), *c), caps.end());
  }
  std::sort(caps.begin(), caps.end());
  return caps;
}

Result<void> plan_identity(const Definition& def, const HostIdentity& host, RunPlan& p) {
  p.uid = def.uid;
  p.gid = def.gid;
  p.groups = def.groups;
  p.keep_groups = def.keep_groups;
  const bool have_range = !host.subuids.empty() && !host.subgids.empty();
  // Every range of the user, one after the other: ids 1..N of `auto` (or
  // those around the user's own of keep-id) go as far as all of them reach.
  const std::uint64_t uids = subid_total(host.subuids), gids = subid_total(host.subgids);
  auto fits = [](unsigned id, std::uint64_t count) { return id == 0 || id <= count; };

  switch (def.userns) {
    case UsernsMode::kSingle:
      // The one id the kernel lets us map ourselves: the user inside is us.
      if (!def.groups.empty())
        return Error("'groups' needs 'userns: auto' (supplementary groups need mapped ids)");
      p.uid_map = {{def.uid, static_cast<unsigned>(host.uid), 1}};
      p.gid_map = {{def.gid, static_cast<unsigned>(host.gid), 1}};
      return {};

    case UsernsMode::kAuto: {
      if (!have_range) {
        if (def.uid == 0 && def.gid == 0 && def.groups.empty()) {
          // Nothing needs more than one id: behave as `single`.
          p.uid_map = {{0, static_cast<unsigned>(host.uid), 1}};
          p.gid_map = {{0, static_cast<unsigned>(host.gid), 1}};
          return {};
        }
        return Error("user " + std::to_string(def.uid) + ":" + std::to_string(def.gid) +
                     (def.groups.empty() ? "" : " with supplementary groups") +
                     " needs subordinate ids, and there is no range for uid " +
                     std::to_string(host.uid) +
                     " in /etc/subuid and /etc/subgid (add one, e.g. 'usermod --add-subuids "
                     "100000-165535 --add-subgids 100000-165535 USER', or use 'userns: single' "
                     "with one id)");
      }
      // As podman maps it: root inside is the user, ids 1..N the ranges.
      if (!fits(def.uid, uids) || !fits(def.gid, gids))
        return Error("user " + std::to_string(def.uid) + ":" + std::to_string(def.gid) +
                     " is outside the mapped range (uid 0.." + std::to_string(uids) +
                     ", gid 0.." + std::to_string(gids) + ")");
      for (gid_t g : def.groups)
        if (!fits(g, gids))
          return Error("group " + std::to_string(g) + " is outside the mapped range (0.." +
                       std::to_string(gids) + ")");
      p.uid_map = {{0, static_cast<unsigned>(host.uid), 1}};
      p.gid_map = {{0, static_cast<unsigned>(host.gid), 1}};
      for (const auto& l : map_from_ranges(1, host.subuids)) p.uid_map.push_back(l);
      for (const auto& l : map_from_ranges(1, host.subgids)) p.gid_map.push_back(l);
      p.use_id_helpers = true;
      return {};
    }

    case UsernsMode::kKeepId: {
      // Your own ids inside, so files you own look like yours.
      p.uid = host.uid;
      p.gid = host.gid;
      if (!have_range) {
        if (!def.groups.empty())
          return Error("'groups' with 'userns: keep-id' needs subordinate ids in /etc/subgid");
        p.uid_map = {{static_cast<unsigned>(host.uid), static_cast<unsigned>(host.uid), 1}};
        p.gid_map = {{static_cast<unsigned>(host.gid), static_cast<unsigned>(host.gid), 1}};
        return {};
      }
      // 0..own-1 and own+1.. come from the ranges, `own` is ourselves.
      auto around = [](unsigned own, const SubidRanges& ranges) {
        std::vector<IdMapping> m = map_from_ranges(0, ranges, own);
        m.push_back({own, own, 1});
        std::sort(m.begin(), m.end(),
                  [](const IdMapping& a, const IdMapping& b) { return a.inside < b.inside; });
        return m;
      };
      p.uid_map = around(static_cast<unsigned>(host.uid), host.subuids);
      p.gid_map = around(static_cast<unsigned>(host.gid), host.subgids);
      p.use_id_helpers = true;
      return {};
    }
  }
  return Error("unknown userns mode");
}

Result<RunPlan> make_run_plan(const Definition& written, const HostIdentity& host,
                              const RuntimeFacts& facts) {
  // The loader has refused these with file:line; a definition built
  // elsewhere (box-run run, the install's checks) meets them here.
  if (auto broken = check_definition(written)) return Error(broken->message);
  // A pod's member runs with the pod's network, dns, userns and host name.
  std::optional<Definition> member;
  if (!written.pod.empty()) {
    if (!facts.pod)
      return Error("box '" + written.name + "' is in the pod '" + written.pod +
                   "', which was not looked up");
    auto m = member_definition(written, facts.pod->pod);
    if (!m) return m.error();
    member = std::move(*m);
  }
  const Definition& def = member ? *member : written;
  RunPlan p;
  p.name = def.name;
  p.init = def.init;
  p.argv = def.command;
  p.workdir = def.workdir;
  p.umask = def.umask;
  if (def.seccomp == SeccompMode::kDefault)
    p.seccomp = SeccompOptions{
        .allow_user_namespaces = def.init == InitMode::kSystemd,
        // The host's pid namespace: the host's processes are in reach.
        .deny_ptrace = !def.namespaces.pid,
    };
  p.stop_signal = def.stop.signal;

  p.namespaces = CLONE_NEWUSER | CLONE_NEWNS;
  if (def.namespaces.pid) p.namespaces |= CLONE_NEWPID;
  if (def.namespaces.ipc) p.namespaces |= CLONE_NEWIPC;
  if (def.namespaces.uts) p.namespaces |= CLONE_NEWUTS;
  if (def.namespaces.cgroup) p.namespaces |= CLONE_NEWCGROUP;
  if (def.network != NetworkMode::kHost) {
    p.namespaces |= CLONE_NEWNET;
    p.loopback_up = true;
  }
  p.network = def.network;
  p.ports = def.ports;
  // The name itself is no host name for an instance ("web@blue").
  if (def.namespaces.uts)
    p.hostname = def.hostname.empty() ? default_hostname(def.name) : def.hostname;

  auto id = plan_identity(def, host, p);
  if (!id) return id.error();
  if (p.use_id_helpers) {
    p.newuidmap = facts.newuidmap;
    p.newgidmap = facts.newgidmap;
  }
  // Before the filesystem, whose mounts depend on the namespaces there are.
  if (member) join_pod(*facts.pod, p);
  std::vector<std::pair<std::string, std::string>> session_vars;
  auto fs = plan_filesystem(def, host, facts, session_vars, p);
  if (!fs) return fs.error();

  for (const auto& r : def.rlimits) p.rlimits.push_back({r.resource, r.soft, r.hard});
  // An inner systemd manages the whole container: it starts from every
  // capability (of the user namespace) but the three that cannot work in
  // one (raw I/O, modules, the clock): it reads them as "may do" and starts
  // units (debugfs mounts, modprobe@, timesyncd) that would only fail. The
  // definition's add/drop apply to that set, so that dropping one
  // capability does not take SYS_ADMIN along (definition_rules.h refuses
  // a drop of SYS_ADMIN itself).
  CapabilitySpec cap_spec = def.capabilities;
  if (def.init == InitMode::kSystemd && !cap_spec.add_all) {
    const bool drop_all =
        std::find(cap_spec.drop.begin(), cap_spec.drop.end(), "ALL") != cap_spec.drop.end();
    if (!drop_all) {
      cap_spec.add_all = true;
      for (const char* cap : capabilities_not_for_systemd())
        if (std::find(cap_spec.add.begin(), cap_spec.add.end(), cap) == cap_spec.add.end())
          cap_spec.drop.push_back(cap);
    }
  }
  auto caps = resolve_capabilities(cap_spec);
  if (!caps) return caps.error();
  p.capabilities = std::move(*caps);
  plan_environment(def, host, session_vars, p);
  // What the host has for it.
  auto helper = plan_network_helper(facts, p);
  if (!helper) return helper.error();
  // After the environment and every mount of the definition's.
  auto buses = plan_bus_proxy(def, facts, p);
  if (!buses) return buses.error();
  if (!def.app_id.empty()) {
    // Read-only, after every mount of the definition's: the box cannot
    // change what it says it is.
    p.app_id = def.app_id;
    p.app_info = app_info_text(def);
    MountStep info{MountStep::Kind::kFile, kAppInfoPath, p.app_info, "", MS_RDONLY};
    info.mode = 0444;
    p.mounts.push_back(info);
  }
  auto driver = plan_overlay_driver(facts, p);
  if (!driver) return driver.error();
  auto service = plan_service(facts, p);
  if (!service) return service.error();
  return p;
}

}  // namespace box
