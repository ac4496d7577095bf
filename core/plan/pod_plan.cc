#include "core/plan/pod_plan.h"

#include <sched.h>

#include "core/model/pod_record.h"

namespace box {
namespace {

// The kinds of namespace a pod's holder may keep, in the record's order.
constexpr std::pair<int, const char*> kKinds[] = {
    {CLONE_NEWUSER, "user"}, {CLONE_NEWNET, "net"}, {CLONE_NEWIPC, "ipc"}, {CLONE_NEWUTS, "uts"}};

}  // namespace

Result<PodPlan> make_pod_plan(const PodDefinition& pod, const HostIdentity& host,
                              const RuntimeFacts& facts) {
  // Members find the pod by its record there.
  if (facts.runtime_dir.empty())
    return Error("pod '" + pod.name +
                 "' needs $XDG_RUNTIME_DIR, where its members find it: run it as " +
                 pod_unit_name(pod.name) + " in your session");
  PodPlan out;
  out.name = pod.name;
  out.namespaces = pod_namespaces(pod);
  // The user namespace is mapped as a box's with the pod's `userns`, root
  // inside: the members' identities are planned against the same maps.
  RunPlan scratch;
  scratch.name = pod.name;
  Definition as_box;
  as_box.name = pod.name;
  as_box.userns = pod.userns;
  if (auto id = plan_identity(as_box, host, scratch); !id)
    return id.error().wrap("the user namespace of pod '" + pod.name + "'");
  out.uid_map = scratch.uid_map;
  out.gid_map = scratch.gid_map;
  out.use_id_helpers = scratch.use_id_helpers;
  if (out.use_id_helpers) {
    out.newuidmap = facts.newuidmap;
    out.newgidmap = facts.newgidmap;
  }
  if (pod.network == NetworkMode::kPrivate) {
    out.loopback_up = true;
    scratch.network = NetworkMode::kPrivate;
    scratch.namespaces = CLONE_NEWNET;
    scratch.ports = pod.ports;
    if (auto helper = plan_network_helper(facts, scratch); !helper)
      return helper.error().wrap("the network of pod '" + pod.name + "'");
    out.network_helper = scratch.network_helper;
    out.network_api_socket = scratch.network_api_socket;
    out.ports = pod.ports;
  }
  if (pod.share_uts) out.hostname = pod_hostname(pod);
  out.service_notify_socket = facts.service_notify_socket;
  out.record_dir = pod_record_dir(facts.runtime_dir);
  return out;
}

int pod_namespaces(const PodDefinition& pod) {
  int flags = CLONE_NEWUSER;
  if (pod.network == NetworkMode::kPrivate) flags |= CLONE_NEWNET;
  if (pod.share_ipc) flags |= CLONE_NEWIPC;
  if (pod.share_uts) flags |= CLONE_NEWUTS;
  return flags;
}

std::vector<std::string> pod_namespace_names(int namespaces) {
  std::vector<std::string> out;
  for (const auto& [flag, name] : kKinds)
    if (namespaces & flag) out.emplace_back(name);
  return out;
}

Result<Definition> member_definition(const Definition& def, const PodDefinition& pod) {
  auto at = [&](Key key) {
    auto it = def.key_locations.find(key);
    return (it != def.key_locations.end() ? it->second : def.source_path) + ": '" +
           key_name(key) + "': ";
  };
  for (const auto& [shared, own, kind] :
       {std::tuple{pod.share_ipc, def.namespaces.ipc, "ipc"},
        std::tuple{pod.share_uts, def.namespaces.uts, "uts"}})
    if (shared && !own)
      return Error(at(Key::kNamespaces) + std::string(kind) +
                   " is host here, and the pod '" + pod.name + "' shares its own " + kind +
                   " namespace among its members (" + pod.source_path + "): remove '" + kind +
                   ": host', or leave " + kind + " out of the pod's 'share'");
  Definition m = def;
  m.network = pod.network;
  m.ports.clear();  // published by the pod's helper
  m.dns = pod.dns;
  m.userns = pod.userns;
  m.hostname = pod.share_uts ? pod_hostname(pod) : "";
  return m;
}

void join_pod(const PodFacts& pod, RunPlan& p) {
  for (const auto& [type, path] : {std::pair{CLONE_NEWUSER, &pod.user_ns},
                                   std::pair{CLONE_NEWNET, &pod.net_ns},
                                   std::pair{CLONE_NEWIPC, &pod.ipc_ns},
                                   std::pair{CLONE_NEWUTS, &pod.uts_ns}}) {
    if (path->empty()) continue;
    p.namespaces &= ~type;
    p.join.push_back({type, *path});
  }
  // The pod's holder has its loopback up, and the pod's box-run has
  // written the id maps and runs the network helper.
  if (!pod.net_ns.empty()) p.loopback_up = false;
  p.uid_map.clear();
  p.gid_map.clear();
  p.use_id_helpers = false;
  p.newuidmap.clear();
  p.newgidmap.clear();
  if (!pod.setgroups_allowed) p.keep_groups = true;
}

}  // namespace box
