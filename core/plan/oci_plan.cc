#include "core/plan/oci_plan.h"

#include <sched.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cctype>

namespace box::oci {
namespace {

struct NamespaceName {
  const char* name;
  int flag;
};
constexpr NamespaceName kNamespaces[] = {
    {"pid", CLONE_NEWPID},   {"network", CLONE_NEWNET}, {"mount", CLONE_NEWNS},
    {"ipc", CLONE_NEWIPC},   {"uts", CLONE_NEWUTS},     {"user", CLONE_NEWUSER},
    {"cgroup", CLONE_NEWCGROUP},
};

struct RlimitName {
  const char* name;
  int resource;
};
constexpr RlimitName kRlimits[] = {
    {"RLIMIT_AS", RLIMIT_AS},           {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},         {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},     {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING}, {"RLIMIT_STACK", RLIMIT_STACK},
};

// Mount options that are flags: the flag, and whether the option clears it.
struct MountFlagName {
  const char* name;
  unsigned long flag;
  bool clear;
};
constexpr MountFlagName kMountFlags[] = {
    {"ro", MS_RDONLY, false},         {"rw", MS_RDONLY, true},
    {"nosuid", MS_NOSUID, false},     {"suid", MS_NOSUID, true},
    {"nodev", MS_NODEV, false},       {"dev", MS_NODEV, true},
    {"noexec", MS_NOEXEC, false},     {"exec", MS_NOEXEC, true},
    {"sync", MS_SYNCHRONOUS, false},  {"async", MS_SYNCHRONOUS, true},
    {"dirsync", MS_DIRSYNC, false},   {"remount", MS_REMOUNT, false},
    {"mand", MS_MANDLOCK, false},     {"nomand", MS_MANDLOCK, true},
    {"atime", MS_NOATIME, true},      {"noatime", MS_NOATIME, false},
    {"diratime", MS_NODIRATIME, true}, {"nodiratime", MS_NODIRATIME, false},
    {"relatime", MS_RELATIME, false}, {"norelatime", MS_RELATIME, true},
    {"strictatime", MS_STRICTATIME, false}, {"nostrictatime", MS_STRICTATIME, true},
    {"bind", MS_BIND, false},         {"rbind", MS_BIND | MS_REC, false},
};
constexpr MountFlagName kPropagation[] = {
    {"private", MS_PRIVATE, false},       {"rprivate", MS_PRIVATE | MS_REC, false},
    {"shared", MS_SHARED, false},         {"rshared", MS_SHARED | MS_REC, false},
    {"slave", MS_SLAVE, false},           {"rslave", MS_SLAVE | MS_REC, false},
    {"unbindable", MS_UNBINDABLE, false}, {"runbindable", MS_UNBINDABLE | MS_REC, false},
};

template <typename Table>
auto find_name(const Table& table, const std::string& name) -> decltype(&table[0]) {
  for (const auto& entry : table)
    if (name == entry.name) return &entry;
  return nullptr;
}

Result<int> capability_number(const std::string& name, const std::string& field) {
  std::string lower = name;
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  cap_value_t v;
  if (lower.rfind("cap_", 0) != 0 || cap_from_name(lower.c_str(), &v) != 0)
    return Error("'" + field + "': unknown capability '" + name + "'");
  return static_cast<int>(v);
}

// Names this host does not know are left out with a warning, as runc does:
// a config written for a newer kernel still runs, without what it cannot get.
Result<std::vector<int>> capability_set(const std::vector<std::string>& names,
                                        const std::string& field,
                                        std::vector<std::string>& warnings) {
  std::vector<int> out;
  for (const auto& n : names) {
    auto c = capability_number(n, field);
    if (!c) {
      warnings.push_back(c.error().message() + " (left out)");
      continue;
    }
    if (std::find(out.begin(), out.end(), *c) == out.end()) out.push_back(*c);
  }
  return out;
}

std::string under_bundle(const std::string& bundle, const std::string& path) {
  return !path.empty() && path[0] == '/' ? path : bundle + "/" + path;
}

std::string env_value(const std::vector<std::string>& env, const std::string& name) {
  for (const auto& e : env)
    if (e.rfind(name + "=", 0) == 0) return e.substr(name.size() + 1);
  return "";
}

Result<void> plan_namespaces(const Config& c, const PlanContext& ctx, RunPlan& plan) {
  for (const auto& ns : c.namespaces) {
    const auto* known = find_name(kNamespaces, ns.type);
    if (!known)
      return Error("'linux.namespaces': namespace type '" + ns.type +
                   "' is not supported (pid, network, mount, ipc, uts, user, cgroup)");
    if (!ns.path.empty()) {
      if (ns.path[0] != '/')
        return Error("'linux.namespaces': the path of the " + ns.type +
                     " namespace must be absolute, not '" + ns.path + "'");
      plan.join.push_back({known->flag, ns.path});
    } else {
      plan.namespaces |= known->flag;
    }
  }
  if (!(plan.namespaces & CLONE_NEWNS))
    return Error(
        "'linux.namespaces': box builds the container's filesystem in a new mount namespace: "
        "add {\"type\": \"mount\"}");
  const bool new_user = plan.namespaces & CLONE_NEWUSER;
  const bool joins_user = std::any_of(plan.join.begin(), plan.join.end(),
                                      [](const JoinNamespace& j) { return j.type == CLONE_NEWUSER; });
  if (!new_user) {
    if (!c.uid_mappings.empty() || !c.gid_mappings.empty())
      if (!joins_user)
        return Error("'linux.uidMappings': id mappings need a new user namespace ({\"type\": \"user\"})");
    if (ctx.uid != 0 && !joins_user)
      return Error(
          "a container without a user namespace needs root: add {\"type\": \"user\"} to "
          "'linux.namespaces' with id mappings ('runc spec --rootless' writes them)");
    return {};
  }
  if (c.uid_mappings.empty() != c.gid_mappings.empty())
    return Error("'linux.uidMappings'/'linux.gidMappings': give both maps, or neither");
  if (c.uid_mappings.empty()) {
    // No maps (crun's rootless spec): the caller's own ids become root, as
    // crun does.
    plan.uid_map.push_back({0, ctx.uid, 1});
    plan.gid_map.push_back({0, ctx.gid, 1});
    return {};
  }
  for (const auto& m : c.uid_mappings) plan.uid_map.push_back({m.container_id, m.host_id, m.size});
  for (const auto& m : c.gid_mappings) plan.gid_map.push_back({m.container_id, m.host_id, m.size});
  if (ctx.uid == 0) {
    plan.maps_by_parent = true;
  } else if (c.uid_mappings.size() != 1 || c.uid_mappings[0].host_id != ctx.uid ||
             c.uid_mappings[0].size != 1 || c.gid_mappings.size() != 1 ||
             c.gid_mappings[0].host_id != ctx.gid || c.gid_mappings[0].size != 1) {
    return Error(
        "'linux.uidMappings': without privileges box maps only the caller's own ids (uid " +
        std::to_string(ctx.uid) + ", gid " + std::to_string(ctx.gid) +
        ", size 1); a wider map needs a privileged caller (root, or a user namespace where "
        "the caller is root, as rootless podman runs its runtime)");
  }
  return {};
}

// The config's mounts, then the default devices and links, then its devices.
Result<void> plan_mounts(const Config& c, const PlanContext& ctx, RunPlan& plan) {
  using K = MountStep::Kind;
  for (std::size_t i = 0; i < c.mounts.size(); ++i) {
    const Mount& m = c.mounts[i];
    const std::string field = "mounts[" + std::to_string(i) + "]";
    MountOptions o = parse_mount_options(m.options);
    MountStep step{K::kMount, m.destination, m.source, o.data, o.flags & ~(MS_BIND | MS_REC)};
    step.propagation = o.propagation;
    if (m.type == "bind" || (o.flags & MS_BIND)) {
      if (m.source.empty()) return Error("'" + field + ".source': a bind mount needs a source");
      step.kind = K::kBind;
      step.source = under_bundle(ctx.bundle, m.source);
      step.recursive = (o.flags & MS_REC) != 0;
      step.options.clear();
    } else if (m.type == "sysfs" && (plan.namespaces & CLONE_NEWUSER) &&
               !(plan.namespaces & CLONE_NEWNET)) {
      // The kernel mounts sysfs only for the owner of the network
      // namespace: a user namespace sharing the host's gets the host's /sys
      // bound instead (as crun does, and runc's rootless spec writes).
      step.kind = K::kBind;
      step.source = "/sys";
      step.recursive = true;
      step.options.clear();
    } else if (m.type.empty()) {
      return Error("'" + field + ".type': expected a filesystem type (or options bind/rbind)");
    } else if (m.type == "cgroup" && !ctx.cgroup2_unified) {
      // cgroup v1 has no single filesystem to mount: the host's hierarchy
      // is bound (read-only when the config says ro).
      step.kind = K::kBind;
      step.source = "/sys/fs/cgroup";
      step.recursive = true;
      step.options.clear();
      // Said in docs/oci-runtime.md; not a warning on every start.
    } else {
      step.fstype = m.type == "cgroup" ? "cgroup2" : m.type;
      if (step.source.empty()) step.source = m.type;
    }
    plan.mounts.push_back(std::move(step));
  }

  // Sysctls through the container's /proc (its namespaces' values), before
  // the config's readonly paths close /proc/sys.
  for (const auto& [key, value] : c.sysctl) {
    if (key.empty() || key.find("..") != std::string::npos || key.find('/') != std::string::npos)
      return Error("'linux.sysctl': '" + key + "' is not a sysctl name");
    std::string path = "/proc/sys/" + key;
    std::replace(path.begin() + 10, path.end(), '.', '/');
    plan.mounts.push_back({K::kWrite, path, value, "", 0});
  }

  auto has_device = [&](const std::string& path) {
    return std::any_of(c.devices.begin(), c.devices.end(),
                       [&](const Device& d) { return d.path == path; });
  };
  auto device_step = [&](const Device& d, const std::string& field) -> Result<MountStep> {
    unsigned type = 0;
    if (d.type == "c" || d.type == "u") type = S_IFCHR;
    else if (d.type == "b") type = S_IFBLK;
    else if (d.type == "p") type = S_IFIFO;
    else return Error("'" + field + ".type': expected c, b, u or p, not '" + d.type + "'");
    if (d.path.empty() || d.path[0] != '/') return Error("'" + field + ".path': expected an absolute path");
    if (d.major < 0 || d.major > 0xfff || d.minor < 0 || d.minor > 0xfffff)
      return Error("'" + field + "': device numbers out of range");
    MountStep step{K::kDevice, d.path, "", "", 0};
    step.mode = type | (d.file_mode.value_or(0666) & 07777);
    step.rdev = type == S_IFIFO ? 0 : makedev(d.major, d.minor);
    step.uid = d.uid.value_or(0);
    step.gid = d.gid.value_or(0);
    // Where no device can be made (a user namespace): the host's node of
    // the same name, bound if its type and numbers are the same.
    if (type != S_IFIFO) step.source = d.path;
    return step;
  };
  for (const auto& d : default_devices()) {
    if (has_device(d.path)) continue;
    auto step = device_step(d, "default device");
    if (!step) return step.error();
    plan.mounts.push_back(*step);
  }
  for (std::size_t i = 0; i < c.devices.size(); ++i) {
    auto step = device_step(c.devices[i], "linux.devices[" + std::to_string(i) + "]");
    if (!step) return step.error();
    plan.mounts.push_back(*step);
  }
  const std::pair<const char*, const char*> links[] = {
      {"/dev/fd", "/proc/self/fd"},        {"/dev/stdin", "/proc/self/fd/0"},
      {"/dev/stdout", "/proc/self/fd/1"},  {"/dev/stderr", "/proc/self/fd/2"},
      {"/dev/ptmx", "pts/ptmx"},
  };
  for (const auto& [target, text] : links) plan.mounts.push_back({K::kSymlink, target, text, "", 0});

  for (const auto& path : c.masked_paths) {
    plan.mounts.push_back({K::kMaskFile, path, "", "", 0});
    plan.mounts.push_back({K::kMaskDir, path, "", "", 0});
  }
  for (const auto& path : c.readonly_paths) plan.mounts.push_back({K::kReadonly, path, "", "", 0});
  return {};
}

Result<void> plan_process(const Config& c, RunPlan& plan, std::vector<std::string>& warnings) {
  const Process& p = c.process;
  plan.argv = p.args;
  plan.env = p.env;
  std::string path = env_value(p.env, "PATH");
  plan.exec_candidates = exec_candidates(p.args.front(), path.empty() ? kDefaultPath : path);
  plan.workdir = p.cwd;
  plan.umask = p.umask.value_or(022);
  plan.uid = p.uid;
  plan.gid = p.gid;
  plan.groups.assign(p.additional_gids.begin(), p.additional_gids.end());
  for (std::size_t i = 0; i < p.rlimits.size(); ++i) {
    const auto* known = find_name(kRlimits, p.rlimits[i].type);
    if (!known)
      return Error("'process.rlimits[" + std::to_string(i) + "].type': unknown limit '" +
                   p.rlimits[i].type + "'");
    if (p.rlimits[i].soft > p.rlimits[i].hard)
      return Error("'process.rlimits[" + std::to_string(i) + "]': soft limit above the hard one");
    plan.rlimits.push_back({known->resource, p.rlimits[i].soft, p.rlimits[i].hard});
  }
  CapabilitySets sets;
  if (p.capabilities) {
    const Capabilities& caps = *p.capabilities;
    std::pair<std::vector<int>*, std::pair<const std::vector<std::string>*, const char*>> all[] = {
        {&sets.bounding, {&caps.bounding, "process.capabilities.bounding"}},
        {&sets.effective, {&caps.effective, "process.capabilities.effective"}},
        {&sets.permitted, {&caps.permitted, "process.capabilities.permitted"}},
        {&sets.inheritable, {&caps.inheritable, "process.capabilities.inheritable"}},
        {&sets.ambient, {&caps.ambient, "process.capabilities.ambient"}},
    };
    for (auto& [out, in] : all) {
      auto set = capability_set(*in.first, in.second, warnings);
      if (!set) return set.error();
      *out = std::move(*set);
    }
  }
  plan.capability_sets = std::move(sets);
  plan.no_new_privileges = p.no_new_privileges;
  plan.oom_score_adj = p.oom_score_adj;
  plan.terminal = p.terminal;
  if (p.terminal && p.console_height > 0 && p.console_width > 0) {
    plan.console_rows = static_cast<unsigned short>(p.console_height);
    plan.console_cols = static_cast<unsigned short>(p.console_width);
  }
  if (p.oom_score_adj && (*p.oom_score_adj < -1000 || *p.oom_score_adj > 1000))
    return Error("'process.oomScoreAdj': expected -1000 to 1000");
  if (!p.apparmor_profile.empty())
    return Error("'process.apparmorProfile': box does not apply AppArmor profiles");
  if (!p.selinux_label.empty())
    return Error("'process.selinuxLabel': box does not apply SELinux labels");
  return {};
}

}  // namespace

MountOptions parse_mount_options(const std::vector<std::string>& options) {
  MountOptions o;
  for (const auto& opt : options) {
    if (const auto* f = find_name(kMountFlags, opt)) {
      if (f->clear) o.flags &= ~f->flag;
      else o.flags |= f->flag;
    } else if (const auto* p = find_name(kPropagation, opt)) {
      o.propagation = p->flag;
    } else {
      o.data += (o.data.empty() ? "" : ",") + opt;
    }
  }
  return o;
}

const std::vector<Device>& default_devices() {
  static const std::vector<Device> kDevices = {
      {"/dev/null", "c", 1, 3, 0666, 0, 0},    {"/dev/zero", "c", 1, 5, 0666, 0, 0},
      {"/dev/full", "c", 1, 7, 0666, 0, 0},    {"/dev/random", "c", 1, 8, 0666, 0, 0},
      {"/dev/urandom", "c", 1, 9, 0666, 0, 0}, {"/dev/tty", "c", 5, 0, 0666, 0, 0},
  };
  return kDevices;
}

std::vector<ProgramHook> program_hooks(const std::vector<Hook>& hooks) {
  std::vector<ProgramHook> out;
  for (const auto& h : hooks) out.push_back({h.path, h.args, h.env, h.timeout.value_or(0)});
  return out;
}

Result<OciPlan> make_oci_run_plan(const Config& c, const PlanContext& ctx) {
  OciPlan out;
  RunPlan& plan = out.plan;
  plan.name = ctx.id;
  plan.exec_fifo = ctx.exec_fifo;
  plan.init = InitMode::kNone;
  plan.rootfs = under_bundle(ctx.bundle, c.root_path);
  plan.rootfs_writes = RootfsWrites::kDirect;
  plan.root_readonly_after_mounts = c.root_readonly;
  plan.hostname = c.hostname;
  plan.domainname = c.domainname;
  if (auto r = plan_namespaces(c, ctx, plan); !r) return r.error();
  if (!c.hostname.empty() && !(plan.namespaces & CLONE_NEWUTS) &&
      std::none_of(plan.join.begin(), plan.join.end(),
                   [](const JoinNamespace& j) { return j.type == CLONE_NEWUTS; }))
    return Error("'hostname': setting a hostname needs a uts namespace");
  plan.loopback_up = plan.namespaces & CLONE_NEWNET;
  if (plan.loopback_up) plan.network = NetworkMode::kNone;
  if (auto r = plan_process(c, plan, out.warnings); !r) return r.error();
  if (auto r = plan_mounts(c, ctx, plan); !r) return r.error();
  if (!c.rootfs_propagation.empty()) {
    const auto* p = find_name(kPropagation, c.rootfs_propagation);
    if (!p)
      return Error("'linux.rootfsPropagation': expected one of private, rprivate, shared, "
                   "rshared, slave, rslave, unbindable, runbindable");
    plan.root_propagation = p->flag;
  }
  if (!c.mount_label.empty()) return Error("'linux.mountLabel': box does not apply SELinux labels");
  plan.create_container_hooks = program_hooks(c.hooks.create_container);
  plan.start_container_hooks = program_hooks(c.hooks.start_container);
  return out;
}

}  // namespace box::oci
