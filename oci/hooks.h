// The OCI hooks box-oci runs itself, in the runtime's namespaces
// (runtime-spec config.md, "POSIX-platform Hooks"): prestart and
// createRuntime during create (at the executor's before_pivot point),
// poststart by `start` once the command runs, poststop by `delete`. The
// container's own createContainer and startContainer hooks are the
// executor's (RunPlan::create_container_hooks, start_container_hooks).
#pragma once

#include <string>
#include <vector>

#include "core/plan/oci_config.h"
#include "core/sys/result.h"
#include "oci/container_state.h"
#include "oci/log.h"

namespace box::oci {

// Runs `hooks` in order with `state` on their stdin; the first failure
// stops the list and is the error ("prestart hook '/bin/false' exited with
// status 1").
Result<void> run_hooks(const std::vector<Hook>& hooks, const std::string& point,
                       const std::string& state);

// The same for poststart and poststop, whose failures are warnings: each
// is logged and the rest still run.
void run_hooks_warning(const std::vector<Hook>& hooks, const std::string& point,
                       const std::string& state, Log& log);

// The config a container was created with, kept in its state directory
// (the bundle's may change or go before `start` and `delete`).
Result<void> keep_config(const StateStore& store, const std::string& id, const std::string& text);
Result<Config> kept_config(const StateStore& store, const std::string& id);

}  // namespace box::oci
