// A pod's holder: the small process that keeps a pod's namespaces while
// no member may be running (docs/pods.md). `box-run pod` starts it with the
// plan's namespaces (a user namespace mapped as a box's, the network, ipc
// and uts ones the pod shares), its host name set and its loopback up;
// then it only waits, holding no descriptor but stdio, until box-run pod
// stops it (or dies: its parent-death signal is SIGKILL). The pod's
// network helper attaches to it; members join its namespaces
// (core/runtime/pod_join.h).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "core/plan/pod_plan.h"
#include "core/sys/child_wait.h"
#include "core/sys/result.h"

namespace box {

// What the holder calls itself (its comm), for `ps` and tests.
inline constexpr const char* kPodHolderName = "box-pod-holder";

class PodHolder {
 public:
  // Starts the holder and returns once its namespaces are set up (id maps
  // written, through newuidmap/newgidmap when the plan says), or with the
  // step that failed (the holder is then gone).
  static Result<PodHolder> start(const PodPlan& plan);

  pid_t pid() const { return process_.pid(); }
  // Its start time (/proc/PID/stat), which the pod's record carries.
  std::uint64_t start_time() const { return start_time_; }

  // The caller reaped it (its waitpid(-1) loop): not ours to stop any more.
  void reaped() { process_.reaped(); }
  // Killed (it holds nothing to save) and reaped. Idempotent.
  void stop() { process_.stop(); }

 private:
  PodHolder() = default;

  OwnedChild process_;
  std::uint64_t start_time_ = 0;
};

}  // namespace box
