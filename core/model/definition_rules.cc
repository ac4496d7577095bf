#include "core/model/definition_rules.h"

#include <algorithm>

#include "core/model/pod.h"

namespace box {
namespace {

bool lists(const std::vector<std::string>& v, const char* name) {
  return std::find(v.begin(), v.end(), name) != v.end();
}

// Whether an inner systemd keeps CAP_SYS_ADMIN: its set starts from every
// capability (run_plan.cc) unless `drop: [ALL]` empties it.
bool systemd_keeps_sys_admin(const CapabilitySpec& caps) {
  const bool from_all = caps.add_all || !lists(caps.drop, "ALL");
  return (from_all || lists(caps.add, "CAP_SYS_ADMIN")) && !lists(caps.drop, "CAP_SYS_ADMIN");
}

}  // namespace

std::vector<RuleViolation> definition_violations(const Definition& def) {
  std::vector<RuleViolation> out;
  if (!def.ports.empty() && def.network != NetworkMode::kPrivate)
    out.push_back({Key::kPorts,
                   std::string("publishing ports needs 'network: private' (network is ") +
                       to_string(def.network) + ")",
                   {Key::kNetwork}});
  if (!def.dns.empty() && def.network != NetworkMode::kPrivate)
    out.push_back({Key::kDns,
                   std::string("only with 'network: private' (network is ") +
                       to_string(def.network) + ")",
                   {Key::kNetwork}});
  if (!def.hostname.empty() && !def.namespaces.uts)
    out.push_back({Key::kHostname, "needs a private uts namespace (namespaces.uts is host)",
                   {Key::kNamespaces}});
  // An init reaps and forwards signals as PID 1 of its own pid namespace.
  if (def.init != InitMode::kNone && !def.namespaces.pid)
    out.push_back({Key::kInit,
                   std::string("'init: ") + to_string(def.init) +
                       "' needs a private pid namespace (namespaces.pid is host)",
                   {Key::kNamespaces}});
  // An inner systemd manages its own cgroup tree.
  if (def.init == InitMode::kSystemd && !def.namespaces.cgroup)
    out.push_back(
        {Key::kInit,
         "'init: systemd' needs a private cgroup namespace (namespaces.cgroup is host)",
         {Key::kNamespaces}});
  // Without it systemd cannot mount its API file systems and exits at once.
  if (def.init == InitMode::kSystemd && !systemd_keeps_sys_admin(def.capabilities))
    out.push_back({Key::kCapabilities,
                   "'init: systemd' needs CAP_SYS_ADMIN (systemd mounts its file systems "
                   "with it and exits without it): do not drop it",
                   {Key::kInit}});
  // setgroups would drop the host's groups that keep_groups keeps, and
  // those cannot be set again (they are not mapped): one or the other, as
  // podman refuses --group-add keep-groups with other groups.
  if (def.keep_groups && !def.groups.empty())
    out.push_back({Key::kKeepGroups,
                   "'keep_groups: true' keeps your host groups as they are, so 'groups' cannot "
                   "set others: remove one of the two",
                   {Key::kGroups}});
  for (const auto* list : {&def.after, &def.requires_})
    for (const auto& other : *list)
      if (other == def.name)
        out.push_back({list == &def.after ? Key::kAfter : Key::kRequires,
                       "'" + def.name + "' cannot depend on itself",
                       {}});
  return out;
}

std::vector<RuleViolation> pod_member_violations(const Definition& def, const std::set<Key>& set) {
  std::vector<RuleViolation> out;
  if (def.pod.empty()) return out;
  for (Key key : kPodOwnedKeys)
    if (set.count(key))
      out.push_back({key,
                     "set by the pod '" + def.pod + "' for all its members (pods/" + def.pod +
                         ".yaml): remove it here, or set it in the pod",
                     {Key::kPod}});
  return out;
}

std::optional<RuleViolation> check_definition(const Definition& def) {
  auto all = definition_violations(def);
  if (all.empty()) return std::nullopt;
  return all.front();
}

}  // namespace box
