#include "core/model/definition_rules.h"

#include <algorithm>

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

std::optional<RuleViolation> check_definition(const Definition& def) {
  if (!def.ports.empty() && def.network != NetworkMode::kPrivate)
    return RuleViolation{Key::kPorts,
                         std::string("publishing ports needs 'network: private' (network is ") +
                             to_string(def.network) + ")"};
  if (!def.dns.empty() && def.network != NetworkMode::kPrivate)
    return RuleViolation{Key::kDns, std::string("only with 'network: private' (network is ") +
                                        to_string(def.network) + ")"};
  if (!def.hostname.empty() && !def.namespaces.uts)
    return RuleViolation{Key::kHostname, "needs a private uts namespace (namespaces.uts is host)"};
  // An init reaps and forwards signals as PID 1 of its own pid namespace.
  if (def.init != InitMode::kNone && !def.namespaces.pid)
    return RuleViolation{Key::kInit,
                         std::string("'init: ") + to_string(def.init) +
                             "' needs a private pid namespace (namespaces.pid is host)"};
  // An inner systemd manages its own cgroup tree.
  if (def.init == InitMode::kSystemd && !def.namespaces.cgroup)
    return RuleViolation{
        Key::kInit, "'init: systemd' needs a private cgroup namespace (namespaces.cgroup is host)"};
  // Without it systemd cannot mount its API file systems and exits at once.
  if (def.init == InitMode::kSystemd && !systemd_keeps_sys_admin(def.capabilities))
    return RuleViolation{Key::kCapabilities,
                         "'init: systemd' needs CAP_SYS_ADMIN (systemd mounts its file systems "
                         "with it and exits without it): do not drop it"};
  for (const auto* list : {&def.after, &def.requires_})
    for (const auto& other : *list)
      if (other == def.name)
        return RuleViolation{list == &def.after ? Key::kAfter : Key::kRequires,
                             "'" + def.name + "' cannot depend on itself"};
  return std::nullopt;
}

}  // namespace box
