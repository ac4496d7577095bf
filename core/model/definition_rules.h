// The rules that tie several keys of a definition together, in one place:
// the loader applies them (with file:line of the key), so `box-run
// validate`, the generator and box-manager refuse what a start would refuse;
// `box-run run` applies them to what its options built; the run plan
// relies on them. Pure.
#pragma once

#include <optional>
#include <string>

#include "core/model/definition.h"

namespace box {

struct RuleViolation {
  Key key;              // the key to blame: ports, init, hostname, ...
  std::string message;  // "needs a private pid namespace (namespaces.pid is host)"
};

// The first rule `def` breaks, or nullopt.
std::optional<RuleViolation> check_definition(const Definition& def);

}  // namespace box
