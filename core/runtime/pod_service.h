// `box-run pod NAME`: what box-pod@NAME.service runs (docs/pods.md). It
// loads pods/NAME.yaml, takes the pod's lock, starts the holder of its
// namespaces (pod_holder.h) and its one network helper on them, writes the
// record its members find it by (core/model/pod_record.h), says READY=1,
// and waits. SIGTERM (systemd's stop, after the members have stopped) ends
// it cleanly: helper and holder stopped and reaped, record removed, exit 0.
// If the holder or the helper ends first, the pod has lost its namespaces
// or its network: it ends with an error, and its members with it (BindsTo=).
#pragma once

#include <string>

#include "core/model/paths.h"

namespace box {

// Runs pod `name` until it is stopped; box-run's exit code.
int run_pod(const std::string& name, const UserDirs& dirs);

}  // namespace box
