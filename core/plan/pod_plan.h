// Pods, the pure half (docs/pods.md): what `box-run pod NAME` makes for a
// pod (the namespaces its holder keeps, their id maps, host name and
// network helper), and what a member's plan takes from the pod it joins
// (its settings, and its namespaces joined instead of made). No syscalls;
// core/runtime/pod_holder.* carries the pod's plan out and
// core/runtime/pod_join.* finds a running pod for a member.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/model/pod.h"
#include "core/plan/run_plan.h"
#include "core/plan/runtime_facts.h"
#include "core/sys/result.h"

namespace box {

// What `box-run pod NAME` sets up: a holder process with these namespaces,
// the pod's network helper attached to it, the record members read.
struct PodPlan {
  std::string name;
  // CLONE_NEWUSER, and CLONE_NEWNET (network: private), CLONE_NEWIPC,
  // CLONE_NEWUTS as the pod shares them.
  int namespaces = 0;
  // The user namespace's maps, as a box's of the same `userns` (root
  // inside is the user): through newuidmap/newgidmap, or written by
  // box-run for a single id.
  std::vector<IdMapping> uid_map, gid_map;
  bool use_id_helpers = false;
  std::string newuidmap, newgidmap;
  std::string hostname;  // set in the pod's uts namespace; empty: none of its own
  bool loopback_up = false;
  // network: private: the one helper of the pod, publishing `ports`
  // (slirp4netns through `network_api_socket`).
  std::optional<NetworkHelperSpec> network_helper;
  std::string network_api_socket;
  std::vector<PortMapping> ports;
  std::string service_notify_socket;  // READY=1 once the pod is up; empty: nobody to tell
  std::string record_dir;             // pod_record_dir(): where the record is kept
};

// The plan of `pod` for this host (the facts a network helper and the
// notify socket; the identity the id maps). An error when the host rules it
// out (no network helper, ids outside the ranges, no runtime dir).
Result<PodPlan> make_pod_plan(const PodDefinition& pod, const HostIdentity& host,
                              const RuntimeFacts& facts);

// The namespaces a pod's holder keeps: CLONE_NEWUSER, and CLONE_NEWNET
// (network: private), CLONE_NEWIPC, CLONE_NEWUTS as it shares them.
int pod_namespaces(const PodDefinition& pod);

// Their names in the order the pod's record lists them (user first):
// "user", "net", "ipc", "uts".
std::vector<std::string> pod_namespace_names(int namespaces);

// A member's definition as it runs in `pod`: the pod's network, dns and
// userns, and its host name where the pod shares its uts namespace. An
// error where the member asks for the host's ipc or uts namespace that the
// pod shares (namespaces: {ipc: host}).
Result<Definition> member_definition(const Definition& def, const PodDefinition& pod);

// A member's plan once its identity is planned: the pod's namespaces joined
// (user first) instead of made, no id maps to write (the pod's box-run
// wrote them), no network helper of its own (the pod's serves it), no
// setgroups where the pod's user namespace denies it.
void join_pod(const PodFacts& pod, RunPlan& plan);

}  // namespace box
