// An OCI config (oci_config.h) -> a run plan, as make_run_plan does for a
// definition: the same executor then builds the container. Pure.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/plan/oci_config.h"
#include "core/plan/run_plan.h"
#include "core/sys/result.h"

namespace box::oci {

// What the translation needs besides the config.
struct PlanContext {
  std::string id;      // the container id (messages, the plan's name)
  std::string bundle;  // absolute: relative paths of the config are under it
  uid_t uid = 0;       // the caller's effective ids
  gid_t gid = 0;
  std::string exec_fifo;  // the create/start gate (RunPlan::exec_fifo)
  bool cgroup2_unified = true;  // /sys/fs/cgroup is cgroup2 (else v1 or hybrid)
};

struct OciPlan {
  RunPlan plan;
  // Fields given but not honoured (linux.resources on a host where box has
  // no cgroup of its own for the container, ...), one line each.
  std::vector<std::string> warnings;
};

Result<OciPlan> make_oci_run_plan(const Config& config, const PlanContext& context);

// A mount's options -> MS_* flags, propagation flags and mount data
// ("mode=755,size=65536k"); `bind` and `rbind` set MS_BIND (| MS_REC).
struct MountOptions {
  unsigned long flags = 0;
  unsigned long propagation = 0;
  std::string data;
};
MountOptions parse_mount_options(const std::vector<std::string>& options);

// The config's hooks as the runtime runs them (timeout 0: none given).
std::vector<ProgramHook> program_hooks(const std::vector<Hook>& hooks);

// The devices every container gets (runtime-spec "Default Devices").
const std::vector<Device>& default_devices();

}  // namespace box::oci
