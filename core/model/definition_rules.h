// The rules that tie several keys of a definition together, in one place:
// the loader applies them (with file:line of the key), so `box-run
// validate`, the generator and box-manager refuse what a start would refuse;
// `box-run run` applies them to what its options built; the run plan
// relies on them. Pure.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/model/definition.h"

namespace box {

struct RuleViolation {
  Key key;              // the key to blame: ports, init, hostname, ...
  std::string message;  // "needs a private pid namespace (namespaces.pid is host)"
  // The other keys the rule reads: when one of them could not be read, its
  // value is the default and the rule would blame `key` for nothing.
  std::vector<Key> also_reads;
};

// Every rule `def` breaks, in a fixed order.
std::vector<RuleViolation> definition_violations(const Definition& def);

// The first rule `def` breaks, or nullopt.
std::optional<RuleViolation> check_definition(const Definition& def);

// A box in a pod (`pod:`) whose files set a key the pod owns
// (kPodOwnedKeys, pod.h: its network, ports, dns, hostname, userns): one
// violation for each of them in `set` (the keys its files set), naming the
// pod. Values cannot tell (`network: host` written is the default), so the
// loader asks with the keys it read.
std::vector<RuleViolation> pod_member_violations(const Definition& def, const std::set<Key>& set);

}  // namespace box
