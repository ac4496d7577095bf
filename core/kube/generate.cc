#include "core/kube/generate.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "core/kube/field_names.h"
#include "core/kube/quantity.h"
#include "core/model/capability_sets.h"
#include "core/model/names.h"
#include "core/model/value_parsers.h"

namespace box::kube {
namespace {

// The Pod being made, as plain data first (the emitter below writes it).
struct Volume {
  std::string name;
  std::string host_path;   // hostPath
  std::string claim;       // persistentVolumeClaim
  bool empty_dir = false;  // emptyDir, medium Memory (a tmpfs)
  std::string size_limit;
  std::string config_map, key;  // configMap with one item
  std::optional<unsigned> mode;
};

struct VolumeMount {
  std::string volume, path, sub_path;
  bool readonly = false;
};

struct Container {
  std::string name, image;
  std::vector<std::string> command;
  std::vector<std::pair<std::string, std::string>> env;
  std::string workdir;
  std::vector<PortMapping> ports;
  std::string memory_limit, cpu_request;
  bool add_all = false;
  std::vector<std::string> cap_add, cap_drop;
  std::uint32_t run_as_user = 0, run_as_group = 0;
  bool read_only_root = false;
  std::string seccomp;
  std::vector<VolumeMount> mounts;
};

struct Pod {
  std::string name;
  std::vector<Container> containers;
  std::vector<Volume> volumes;
  std::string hostname;
  std::string restart;
  bool host_network = false, host_pid = false, host_ipc = false;
  std::vector<std::string> dns;
  std::vector<gid_t> groups;
  std::optional<std::uint64_t> grace_seconds;
  std::vector<std::pair<std::string, std::string>> files;  // ConfigMap key -> content
  std::vector<std::string> claims;
  std::vector<std::string> notes;  // what has no equivalent
};

// One box into its container of `pod`.
struct Translation {
  const GenerateBox& box;
  const GenerateOptions& options;
  Pod& pod;
  Container& container;
  bool member;  // of a box pod: the pod has the network keys

  const Definition& def() const { return box.definition; }
  void note(const std::string& text) { pod.notes.push_back("box " + def().name + ": " + text); }
  void no_equivalent(Key key, const std::string& value, const std::string& why = "") {
    note(key_name(key) + ": " + value + ": no Kubernetes equivalent" +
         (why.empty() ? "" : " (" + why + ")"));
  }
};

std::string quoted(const std::string& s) { return "'" + s + "'"; }

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

// A DNS label made of a path inside the container: "/var/lib/etcd" ->
// "var-lib-etcd".
std::string label_of_path(const std::string& path) {
  std::string label;
  for (char c : path) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c));
    if (ok)
      label += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else if (!label.empty() && label.back() != '-')
      label += '-';
  }
  while (!label.empty() && label.back() == '-') label.pop_back();
  if (label.size() > 50) label.resize(50);
  while (!label.empty() && label.back() == '-') label.pop_back();
  return label.empty() ? "root" : label;
}

// `base`, or base-2, base-3... when a volume of `pod` has that name already.
std::string unique_volume_name(const Pod& pod, const std::string& base) {
  auto taken = [&](const std::string& n) {
    return std::any_of(pod.volumes.begin(), pod.volumes.end(),
                       [&](const Volume& v) { return v.name == n; });
  };
  std::string name = base;
  for (int i = 2; taken(name); ++i) name = base + "-" + std::to_string(i);
  return name;
}

// The volume named in `v` (a same one shared: two members binding one host
// directory mount one volume), added when new; its name.
std::string add_volume(Pod& pod, Volume v, const std::string& base) {
  for (const auto& existing : pod.volumes)
    if (!v.host_path.empty() && existing.host_path == v.host_path) return existing.name;
  v.name = unique_volume_name(pod, base);
  pod.volumes.push_back(v);
  return v.name;
}

bool at_or_below(const std::string& path, const std::string& dir) {
  return !dir.empty() && (path == dir || path.rfind(dir + "/", 0) == 0);
}

// The keys of a definition, each with where it goes.
void on_description(Translation& t) {
  if (!t.def().description.empty())
    t.note("description " + quoted(t.def().description) + ": no Kubernetes field (kept here)");
}

void on_image(Translation&) {}  // the caller's reference, in `image:`

void on_command(Translation& t) { t.container.command = t.def().command; }

void on_init(Translation& t) {
  switch (t.def().init) {
    case InitMode::kNone:
      return;
    case InitMode::kTiny:
      return t.no_equivalent(Key::kInit, "tiny",
                             "the command is PID 1 of the container; podman's --init is close");
    case InitMode::kSystemd:
      return t.no_equivalent(Key::kInit, "systemd",
                             "the command boots systemd, without what box prepares for it");
  }
}

void on_user(Translation& t) {
  // Always written: without it the image's USER would apply, and box runs
  // the definition's ids whatever the image says.
  t.container.run_as_user = t.def().uid;
  t.container.run_as_group = t.def().gid;
}

void on_groups(Translation& t) {
  for (gid_t g : t.def().groups)
    if (std::find(t.pod.groups.begin(), t.pod.groups.end(), g) == t.pod.groups.end())
      t.pod.groups.push_back(g);
}

void on_keep_groups(Translation& t) {
  if (t.def().keep_groups) t.no_equivalent(Key::kKeepGroups, "true");
}

void on_userns(Translation& t) {
  if (!t.member && t.def().userns != UsernsMode::kAuto)
    t.no_equivalent(Key::kUserns, to_string(t.def().userns));
}

void on_pod(Translation& t) {
  // A member's pod is the Pod it is a container of; a member alone has
  // lost its pod's network, which boxctl does not let happen.
  if (!t.member && !t.def().pod.empty())
    t.note("pod: " + t.def().pod + ": written alone, without its pod's network keys");
}

void on_env(Translation& t) {
  // box's PATH when the definition sets none: a runtime need not give one
  // (podman's kube play does not), and the command may be a bare name.
  const auto& env = t.def().env;
  if (std::none_of(env.begin(), env.end(), [](const auto& e) { return e.first == "PATH"; }))
    t.container.env.emplace_back("PATH", kDefaultPath);
  t.container.env.insert(t.container.env.end(), env.begin(), env.end());
}

void on_workdir(Translation& t) {
  if (t.def().workdir != "/") t.container.workdir = t.def().workdir;
}

void on_hostname(Translation& t) {
  if (t.member) return;
  const std::string& h = t.def().hostname;
  if (h.empty())  // box's default, the box's name, is the Pod's too
    t.pod.hostname = kube_name(t.def().name);
  else if (kube_name(h) == h)
    t.pod.hostname = h;
  else
    t.note("hostname " + quoted(h) + ": not a DNS label, which Kubernetes needs (left out)");
}

void on_umask(Translation& t) {
  if (t.def().umask != 022) {
    char text[8];
    snprintf(text, sizeof text, "%04o", t.def().umask);
    t.no_equivalent(Key::kUmask, text);
  }
}

void on_rlimits(Translation& t) {
  for (const auto& r : t.def().rlimits)
    t.no_equivalent(Key::kRlimits, r.name, "the runtime's limits apply");
}

void on_namespaces(Translation& t) {
  const auto& ns = t.def().namespaces;
  if (!ns.pid) t.pod.host_pid = true;
  if (!ns.ipc) t.pod.host_ipc = true;
  if (!ns.uts) t.no_equivalent(Key::kNamespaces, "uts: host", "only with hostNetwork");
  if (!ns.cgroup) t.no_equivalent(Key::kNamespaces, "cgroup: host");
}

void on_network(Translation& t) {
  if (t.member) return;
  switch (t.def().network) {
    case NetworkMode::kHost:
      t.pod.host_network = true;
      return;
    case NetworkMode::kNone:
      return t.no_equivalent(Key::kNetwork, "none", "a Pod always has a network");
    case NetworkMode::kPrivate:
      return;
  }
}

void on_ports(Translation& t) {
  if (!t.member) t.container.ports = t.def().ports;
}

void on_dns(Translation& t) {
  if (!t.member) t.pod.dns = t.def().dns;
}

void on_rootfs_writes(Translation& t) {
  switch (t.def().rootfs_writes) {
    case RootfsWrites::kOverlay:
      return;
    case RootfsWrites::kReadonly:
      t.container.read_only_root = true;
      return;
    case RootfsWrites::kPersistent:
      return t.no_equivalent(Key::kRootfsWrites, "persistent",
                             "writes to the root file system are lost when the container "
                             "restarts: put what must stay on a volume");
    case RootfsWrites::kDirect:
      return t.no_equivalent(Key::kRootfsWrites, "direct",
                             "the image is not written: writes are lost when the container "
                             "restarts");
  }
}

void on_overlay_driver(Translation& t) {
  if (t.def().overlay_driver != OverlayDriver::kAuto)
    t.no_equivalent(Key::kOverlayDriver, to_string(t.def().overlay_driver));
}

void on_mounts(Translation& t) {
  const std::string box = kube_name(t.def().name);
  for (const auto& m : t.def().mounts) {
    VolumeMount vm;
    vm.path = m.target;
    vm.readonly = m.readonly;
    switch (m.type) {
      case MountType::kBind: {
        Volume v;
        const bool data = t.options.claims &&
                          std::any_of(t.box.data_dirs.begin(), t.box.data_dirs.end(),
                                      [&](const std::string& d) { return at_or_below(m.source, d); });
        if (data) {
          v.claim = box + "-" + label_of_path(m.target);
          if (std::find(t.pod.claims.begin(), t.pod.claims.end(), v.claim) == t.pod.claims.end())
            t.pod.claims.push_back(v.claim);
          vm.volume = add_volume(t.pod, v, v.claim);
        } else {
          v.host_path = m.source;
          vm.volume = add_volume(t.pod, v, label_of_path(m.target));
        }
        if (m.optional)
          t.note("mounts " + m.target + ": optional: no Kubernetes equivalent (the host path must be there)");
        break;
      }
      case MountType::kTmpfs: {
        Volume v;
        v.empty_dir = true;
        if (m.size) v.size_limit = format_bytes(*m.size);
        vm.volume = add_volume(t.pod, v, label_of_path(m.target));
        if (m.mode) {
          char text[8];
          snprintf(text, sizeof text, "%04o", *m.mode);
          t.note("mounts " + m.target + ": tmpfs mode " + text +
                 ": no Kubernetes equivalent (an emptyDir is 0777)");
        }
        break;
      }
      case MountType::kFile: {
        // A ConfigMap of the Pod's, one key per file, mounted alone (subPath).
        std::string key = m.target.substr(m.target.rfind('/') + 1);
        std::string base = key;
        for (int i = 2; std::any_of(t.pod.files.begin(), t.pod.files.end(),
                                    [&](const auto& f) { return f.first == key; });
             ++i)
          key = base + "-" + std::to_string(i);
        t.pod.files.emplace_back(key, m.content);
        Volume v;
        v.config_map = kube_name(t.pod.name) + "-files";
        v.key = key;
        v.mode = m.mode;
        vm.volume = add_volume(t.pod, v, "file-" + label_of_path(m.target));
        vm.sub_path = key;
        vm.readonly = true;
        break;
      }
      case MountType::kDir:
        t.no_equivalent(Key::kMounts, "dir " + m.target, "the image must have it");
        continue;
      case MountType::kSymlink:
        t.no_equivalent(Key::kMounts, "symlink " + m.target + " -> " + m.link,
                        "the image must have it");
        continue;
    }
    t.container.mounts.push_back(vm);
  }
}

void on_devices(Translation& t) {
  for (const auto& d : t.def().devices)
    t.no_equivalent(Key::kDevices, d.path, "a device plugin of the cluster's");
}

void on_capabilities(Translation& t) {
  const auto& spec = t.def().capabilities;
  auto& c = t.container;
  // The exact set, whatever the runtime's default is (containerd's and
  // CRI-O's grant more than box's, which is podman's).
  if (spec.add_all) {
    c.add_all = true;
    for (const auto& d : spec.drop) c.cap_drop.push_back(kube_capability(d));
    return;
  }
  const bool drop_all = std::find(spec.drop.begin(), spec.drop.end(), "ALL") != spec.drop.end();
  std::vector<std::string> set;
  if (t.def().init == InitMode::kSystemd && !drop_all) {
    // Every capability but a few: said as such, not as a list.
    c.add_all = true;
    for (const char* cap : capabilities_not_for_systemd())
      if (std::find(spec.add.begin(), spec.add.end(), cap) == spec.add.end())
        c.cap_drop.push_back(kube_capability(cap));
    for (const auto& d : spec.drop) c.cap_drop.push_back(kube_capability(d));
    return;
  }
  if (!drop_all)
    for (const char* cap : default_capabilities()) set.emplace_back(cap);
  for (const auto& a : spec.add)
    if (std::find(set.begin(), set.end(), a) == set.end()) set.push_back(a);
  for (const auto& d : spec.drop) set.erase(std::remove(set.begin(), set.end(), d), set.end());
  std::sort(set.begin(), set.end());
  c.cap_drop = {"ALL"};
  for (const auto& cap : set) c.cap_add.push_back(kube_capability(cap));
}

void on_seccomp(Translation& t) { t.container.seccomp = seccomp_profile(t.def().seccomp); }

void on_notify(Translation& t) {
  if (t.def().notify)
    t.no_equivalent(Key::kNotify, "true", "write a readinessProbe that fits the service");
}

void on_restart(Translation& t) {
  const char* policy = restart_policy(t.def().restart);
  if (t.def().restart == RestartPolicy::kOnAbnormal || t.def().restart == RestartPolicy::kOnAbort)
    t.note("restart: " + std::string(to_string(t.def().restart)) +
           ": written as OnFailure (restarted after any failure)");
  if (t.pod.restart.empty())
    t.pod.restart = policy;
  else if (t.pod.restart != policy)
    t.note("restart: " + std::string(to_string(t.def().restart)) + ": the Pod restarts as " +
           t.pod.restart + " (one policy for all its containers)");
}

void on_stop(Translation& t) {
  const auto& stop = t.def().stop;
  if (stop.signal_set && stop.signal != 15)
    t.no_equivalent(Key::kStop, "signal " + stop.signal_name, "Kubernetes sends SIGTERM");
  if (stop.timeout_usec == kInfiniteDuration) {
    t.no_equivalent(Key::kStop, "timeout infinity");
    return;
  }
  const std::uint64_t seconds = (stop.timeout_usec + 999'999) / 1'000'000;
  if (!t.pod.grace_seconds || *t.pod.grace_seconds < seconds) t.pod.grace_seconds = seconds;
}

void on_autostart(Translation& t) {
  if (t.def().autostart != Autostart::kNo)
    t.no_equivalent(Key::kAutostart, to_string(t.def().autostart),
                    "a Pod runs once it is created; podman: a .kube unit of quadlet's");
}

void on_after(Translation& t) {
  if (!t.def().after.empty()) t.no_equivalent(Key::kAfter, join(t.def().after));
}

void on_requires(Translation& t) {
  if (!t.def().requires_.empty()) t.no_equivalent(Key::kRequires, join(t.def().requires_));
}

void on_network_online(Translation& t) {
  if (t.def().network_online) t.no_equivalent(Key::kNetworkOnline, "true");
}

void on_resources(Translation& t) {
  const auto& r = t.def().resources;
  if (r.memory) t.container.memory_limit = format_bytes(*r.memory);
  if (r.cpu_weight)
    t.container.cpu_request = format_millicores(millicores_of_cpu_weight(*r.cpu_weight));
  if (r.pids)
    t.no_equivalent(Key::kResources, "pids " + std::to_string(*r.pids),
                    "the kubelet's --pod-max-pids is the node's");
}

void on_session(Translation& t) {
  const auto names = session_socket_names(t.def().session);
  if (!names.empty()) t.no_equivalent(Key::kSession, join(names), "a desktop session's sockets");
}

void on_session_bus(Translation& t) {
  if (t.def().session_bus) t.no_equivalent(Key::kSessionBus, "(filtered session bus)");
}

void on_system_bus(Translation& t) {
  if (t.def().system_bus) t.no_equivalent(Key::kSystemBus, "(filtered system bus)");
}

void on_app_id(Translation& t) {
  if (!t.def().app_id.empty()) t.no_equivalent(Key::kAppId, t.def().app_id);
}

struct Rule {
  Key key;
  const char* kubernetes;
  void (*translate)(Translation&);
};

// Every key of a definition, in the order of definition_keys().
constexpr Rule kRules[] = {
    {Key::kDescription, "", on_description},
    {Key::kRootfs, "image (docs/kube.md, image references)", on_image},
    {Key::kImage, "image (docs/kube.md, image references)", on_image},
    {Key::kCommand, "command", on_command},
    {Key::kInit, "", on_init},
    {Key::kUser, "securityContext.runAsUser, runAsGroup", on_user},
    {Key::kGroups, "securityContext.supplementalGroups (the Pod's)", on_groups},
    {Key::kKeepGroups, "", on_keep_groups},
    {Key::kUserns, "", on_userns},
    {Key::kEnv, "env (and box's PATH when it sets none)", on_env},
    {Key::kWorkdir, "workingDir", on_workdir},
    {Key::kHostname, "hostname (the Pod's)", on_hostname},
    {Key::kUmask, "", on_umask},
    {Key::kRlimits, "", on_rlimits},
    {Key::kNamespaces, "hostPID, hostIPC (pid: host, ipc: host)", on_namespaces},
    {Key::kNetwork, "hostNetwork (network: host)", on_network},
    {Key::kPorts, "ports: containerPort, hostPort, hostIP, protocol", on_ports},
    {Key::kDns, "dnsPolicy: None, dnsConfig.nameservers", on_dns},
    {Key::kPod, "the Pod: a box pod's members are its containers", on_pod},
    {Key::kRootfsWrites, "securityContext.readOnlyRootFilesystem (readonly)", on_rootfs_writes},
    {Key::kOverlayDriver, "", on_overlay_driver},
    {Key::kMounts, "volumes and volumeMounts: hostPath or persistentVolumeClaim (bind), "
                   "emptyDir (tmpfs), configMap (file)",
     on_mounts},
    {Key::kDevices, "", on_devices},
    {Key::kCapabilities, "securityContext.capabilities (drop ALL, add the set)", on_capabilities},
    {Key::kSeccomp, "securityContext.seccompProfile", on_seccomp},
    {Key::kNotify, "", on_notify},
    {Key::kRestart, "restartPolicy (the Pod's)", on_restart},
    {Key::kStop, "terminationGracePeriodSeconds (timeout)", on_stop},
    {Key::kAutostart, "", on_autostart},
    {Key::kAfter, "", on_after},
    {Key::kRequires, "", on_requires},
    {Key::kNetworkOnline, "", on_network_online},
    {Key::kResources, "resources.limits.memory, resources.requests.cpu (cpu_weight)",
     on_resources},
    {Key::kSession, "", on_session},
    {Key::kSessionBus, "", on_session_bus},
    {Key::kSystemBus, "", on_system_bus},
    {Key::kAppId, "", on_app_id},
};

// A string the YAML reader would take for something else (a number, a
// bool, null) is quoted; yaml-cpp quotes what has special characters.
bool needs_quotes(const std::string& s) {
  if (s.empty()) return true;
  const char c = s[0];
  if (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.') return true;
  std::string lower = s;
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (const char* word : {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"})
    if (lower == word) return true;
  return false;
}

YAML::Emitter& text(YAML::Emitter& out, const std::string& s) {
  if (needs_quotes(s)) out << YAML::DoubleQuoted;
  return out << s;
}

void key_text(YAML::Emitter& out, const char* key, const std::string& value) {
  out << YAML::Key << key << YAML::Value;
  text(out, value);
}

void text_list(YAML::Emitter& out, const char* key, const std::vector<std::string>& items) {
  out << YAML::Key << key << YAML::Value << YAML::BeginSeq;
  for (const auto& i : items) text(out, i);
  out << YAML::EndSeq;
}

void emit_container(YAML::Emitter& out, const Container& c) {
  out << YAML::BeginMap;
  key_text(out, "name", c.name);
  key_text(out, "image", c.image);
  if (!c.command.empty()) text_list(out, "command", c.command);
  if (!c.env.empty()) {
    out << YAML::Key << "env" << YAML::Value << YAML::BeginSeq;
    for (const auto& [name, value] : c.env) {
      out << YAML::BeginMap;
      key_text(out, "name", name);
      key_text(out, "value", value);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  if (!c.workdir.empty()) key_text(out, "workingDir", c.workdir);
  if (!c.ports.empty()) {
    out << YAML::Key << "ports" << YAML::Value << YAML::BeginSeq;
    for (const auto& p : c.ports) {
      out << YAML::BeginMap;
      out << YAML::Key << "containerPort" << YAML::Value << p.container_port;
      out << YAML::Key << "hostPort" << YAML::Value << p.host_port;
      if (!p.host_ip.empty()) key_text(out, "hostIP", p.host_ip);
      out << YAML::Key << "protocol" << YAML::Value << port_protocol(p.protocol);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  if (!c.memory_limit.empty() || !c.cpu_request.empty()) {
    out << YAML::Key << "resources" << YAML::Value << YAML::BeginMap;
    if (!c.memory_limit.empty())
      out << YAML::Key << "limits" << YAML::Value << YAML::BeginMap << YAML::Key << "memory"
          << YAML::Value << c.memory_limit << YAML::EndMap;
    if (!c.cpu_request.empty()) {
      out << YAML::Key << "requests" << YAML::Value << YAML::BeginMap;
      key_text(out, "cpu", c.cpu_request);
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::Key << "securityContext" << YAML::Value << YAML::BeginMap;
  // box always runs with no_new_privs.
  out << YAML::Key << "allowPrivilegeEscalation" << YAML::Value << false;
  out << YAML::Key << "capabilities" << YAML::Value << YAML::BeginMap;
  if (c.add_all)
    text_list(out, "add", {"ALL"});
  else if (!c.cap_add.empty())
    text_list(out, "add", c.cap_add);
  if (!c.cap_drop.empty()) text_list(out, "drop", c.cap_drop);
  out << YAML::EndMap;
  if (c.read_only_root) out << YAML::Key << "readOnlyRootFilesystem" << YAML::Value << true;
  out << YAML::Key << "runAsGroup" << YAML::Value << c.run_as_group;
  out << YAML::Key << "runAsUser" << YAML::Value << c.run_as_user;
  out << YAML::Key << "seccompProfile" << YAML::Value << YAML::BeginMap << YAML::Key << "type"
      << YAML::Value << c.seccomp << YAML::EndMap;
  out << YAML::EndMap;
  if (!c.mounts.empty()) {
    out << YAML::Key << "volumeMounts" << YAML::Value << YAML::BeginSeq;
    for (const auto& m : c.mounts) {
      out << YAML::BeginMap;
      key_text(out, "mountPath", m.path);
      key_text(out, "name", m.volume);
      if (m.readonly) out << YAML::Key << "readOnly" << YAML::Value << true;
      if (!m.sub_path.empty()) key_text(out, "subPath", m.sub_path);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
}

void emit_volume(YAML::Emitter& out, const Volume& v) {
  out << YAML::BeginMap;
  key_text(out, "name", v.name);
  if (!v.host_path.empty()) {
    out << YAML::Key << "hostPath" << YAML::Value << YAML::BeginMap;
    key_text(out, "path", v.host_path);
    out << YAML::EndMap;
  } else if (!v.claim.empty()) {
    out << YAML::Key << "persistentVolumeClaim" << YAML::Value << YAML::BeginMap;
    key_text(out, "claimName", v.claim);
    out << YAML::EndMap;
  } else if (v.empty_dir) {
    out << YAML::Key << "emptyDir" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "medium" << YAML::Value << "Memory";
    if (!v.size_limit.empty()) key_text(out, "sizeLimit", v.size_limit);
    out << YAML::EndMap;
  } else {
    out << YAML::Key << "configMap" << YAML::Value << YAML::BeginMap;
    key_text(out, "name", v.config_map);
    out << YAML::Key << "items" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
    key_text(out, "key", v.key);
    if (v.mode) out << YAML::Key << "mode" << YAML::Value << *v.mode;
    key_text(out, "path", v.key);
    out << YAML::EndMap << YAML::EndSeq;
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

std::string emit_pod(const Pod& pod) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "v1";
  out << YAML::Key << "kind" << YAML::Value << "Pod";
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
  key_text(out, "name", pod.name);
  out << YAML::EndMap;
  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "containers" << YAML::Value << YAML::BeginSeq;
  for (const auto& c : pod.containers) emit_container(out, c);
  out << YAML::EndSeq;
  if (!pod.dns.empty()) {
    out << YAML::Key << "dnsConfig" << YAML::Value << YAML::BeginMap;
    text_list(out, "nameservers", pod.dns);
    out << YAML::EndMap;
    out << YAML::Key << "dnsPolicy" << YAML::Value << "None";
  }
  if (pod.host_ipc) out << YAML::Key << "hostIPC" << YAML::Value << true;
  if (pod.host_network) out << YAML::Key << "hostNetwork" << YAML::Value << true;
  if (pod.host_pid) out << YAML::Key << "hostPID" << YAML::Value << true;
  if (!pod.hostname.empty()) key_text(out, "hostname", pod.hostname);
  out << YAML::Key << "restartPolicy" << YAML::Value << pod.restart;
  if (!pod.groups.empty()) {
    out << YAML::Key << "securityContext" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "supplementalGroups" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (gid_t g : pod.groups) out << g;
    out << YAML::EndSeq << YAML::EndMap;
  }
  if (pod.grace_seconds)
    out << YAML::Key << "terminationGracePeriodSeconds" << YAML::Value << *pod.grace_seconds;
  if (!pod.volumes.empty()) {
    out << YAML::Key << "volumes" << YAML::Value << YAML::BeginSeq;
    for (const auto& v : pod.volumes) emit_volume(out, v);
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string emit_config_map(const Pod& pod) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "v1";
  out << YAML::Key << "kind" << YAML::Value << "ConfigMap";
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
  key_text(out, "name", kube_name(pod.name) + "-files");
  out << YAML::EndMap;
  out << YAML::Key << "data" << YAML::Value << YAML::BeginMap;
  for (const auto& [key, content] : pod.files) {
    out << YAML::Key << key << YAML::Value;
    if (content.find('\n') != std::string::npos) out << YAML::Literal;
    text(out, content);
  }
  out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string emit_claim(const std::string& claim) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "v1";
  out << YAML::Key << "kind" << YAML::Value << "PersistentVolumeClaim";
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
  key_text(out, "name", claim);
  out << YAML::EndMap;
  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "accessModes" << YAML::Value << YAML::BeginSeq << "ReadWriteOnce"
      << YAML::EndSeq;
  out << YAML::Key << "resources" << YAML::Value << YAML::BeginMap << YAML::Key << "requests"
      << YAML::Value << YAML::BeginMap << YAML::Key << "storage" << YAML::Value << "1Gi"
      << YAML::EndMap << YAML::EndMap;
  out << YAML::EndMap;
  out << YAML::EndMap;
  return "# The size is a guess: box's data directories have none.\n" + std::string(out.c_str()) +
         "\n";
}

void translate_box(const GenerateBox& box, const GenerateOptions& options, Pod& pod, bool member) {
  Container c;
  c.name = kube_name(box.definition.name);
  c.image = box.image;
  pod.containers.push_back(c);
  Translation t{box, options, pod, pod.containers.back(), member};
  if (c.name != box.definition.name)
    t.note("named " + quoted(c.name) + " (Kubernetes names are DNS labels)");
  for (const auto& n : box.image_notes) t.note(n);
  for (const auto& rule : kRules) rule.translate(t);
}

// The pod's own keys (pods/NAME.yaml) on a Pod of its members.
void translate_pod(const PodDefinition& p, Pod& pod) {
  auto note = [&](const std::string& text) { pod.notes.push_back("pod " + p.name + ": " + text); };
  if (!p.description.empty())
    note("description " + quoted(p.description) + ": no Kubernetes field (kept here)");
  const std::string hostname = pod_hostname(p);
  if (kube_name(hostname) == hostname)
    pod.hostname = hostname;
  else
    note("hostname " + quoted(hostname) + ": not a DNS label, which Kubernetes needs (left out)");
  if (p.network == NetworkMode::kHost) pod.host_network = true;
  // A Pod publishes ports through its containers: the pod's go on the first.
  if (!p.ports.empty() && !pod.containers.empty()) pod.containers.front().ports = p.ports;
  pod.dns = p.dns;
  if (!p.share_ipc) note("share: without ipc: no Kubernetes equivalent (a Pod shares it)");
  if (!p.share_uts) note("share: without uts: no Kubernetes equivalent (a Pod shares it)");
  if (p.autostart != Autostart::kNo)
    note(std::string("autostart: ") + to_string(p.autostart) + ": no Kubernetes equivalent");
  if (p.userns != UsernsMode::kAuto)
    note(std::string("userns: ") + to_string(p.userns) + ": no Kubernetes equivalent");
}

std::string document(const Pod& pod, const GenerateOptions& options,
                     const std::vector<std::string>& sources) {
  std::string text = "# Made by '" + options.generator + "' from " + join(sources) + ".\n";
  if (!pod.notes.empty()) {
    text += "# Notes:\n";
    for (const auto& n : pod.notes) text += "#   " + n + "\n";
  }
  text += emit_pod(pod);
  if (!pod.files.empty()) text += "---\n" + emit_config_map(pod);
  for (const auto& c : pod.claims) text += "---\n" + emit_claim(c);
  return text;
}

}  // namespace

std::string kube_name(const std::string& name) {
  std::string out = default_hostname(name);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const std::vector<GenerateRule>& generate_rules() {
  static const std::vector<GenerateRule> rules = [] {
    std::vector<GenerateRule> out;
    for (const auto& r : kRules) out.push_back({r.key, r.kubernetes});
    return out;
  }();
  return rules;
}

std::string generate_kube(const std::vector<GenerateBox>& boxes, const PodDefinition* pod,
                          const GenerateOptions& options) {
  if (pod) {
    Pod p;
    p.name = kube_name(pod->name);
    std::vector<std::string> sources;
    for (const auto& b : boxes) {
      translate_box(b, options, p, true);
      sources.push_back("box " + b.definition.name);
    }
    translate_pod(*pod, p);
    if (p.name != pod->name)
      p.notes.push_back("pod " + pod->name + ": named " + quoted(p.name) +
                        " (Kubernetes names are DNS labels)");
    return document(p, options, {"pod " + pod->name + " (" + join(sources) + ")"});
  }
  std::string text;
  for (const auto& b : boxes) {
    Pod p;
    p.name = kube_name(b.definition.name);
    translate_box(b, options, p, false);
    if (!text.empty()) text += "---\n";
    text += document(p, options, {"box " + b.definition.name});
  }
  return text;
}

}  // namespace box::kube
