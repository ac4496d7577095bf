#include "core/model/definition_rules.h"

namespace box {

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
  for (const auto* list : {&def.after, &def.requires_})
    for (const auto& other : *list)
      if (other == def.name)
        return RuleViolation{list == &def.after ? Key::kAfter : Key::kRequires,
                             "'" + def.name + "' cannot depend on itself"};
  return std::nullopt;
}

}  // namespace box
