// Running one OCI hook (runtime-spec config.md, "POSIX-platform Hooks"):
// the program with its args and exactly its env, the container's state JSON
// on stdin, its output kept for the error, killed with its process group
// when its timeout passes. Used by box-oci in the runtime's namespaces and
// by the executor's container child in the container's (createContainer,
// startContainer): it makes no assumption about which, and throws nothing.
#pragma once

#include <string_view>

#include "core/plan/run_plan.h"
#include "core/sys/result.h"

namespace box {

// Runs `hook` to its end. An error when it cannot be started, exits with a
// status other than 0, is killed by a signal, or outlives its timeout;
// the message names the hook's path and ends with what it printed.
Result<void> run_hook(const ProgramHook& hook, std::string_view state);

}  // namespace box
