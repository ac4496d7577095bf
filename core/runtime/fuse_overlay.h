// fuse-overlayfs, the overlay driver where the kernel refuses, the half that
// touches the system: read the driver marker of a persistent upper dir (a
// fact the plan chooses the driver by), and run fuse-overlayfs for a
// container that has mounted a FUSE connection as its new root
// (rootfs_setup.cc). Command lines, options and the driver choice come from
// overlay_plan.* and run_plan.*.
//
// Where it runs: in the container's user namespace (so the ids it writes are
// the container's, as with kernel overlayfs) and in a mount namespace of its
// own, created there: a tmpfs over /tmp holds the overlay's scratch upper
// layer (overlay) or a bind of the persistent dir, beside a read-only bind
// of the image, so nothing of it is mounted on the host. The FUSE mount
// itself lives only in the container's mount namespace and goes with it.
// It stays outside the container's pid namespace: the container cannot see
// or signal the process that holds the image's directory open, and the
// kernel does not move its root at the container's pivot_root (it needs its
// own /proc/self/fd).
//
// Its lifetime is the container's: the supervisor stops it after the
// container's PID 1 has exited, it gets SIGKILL if the supervisor dies
// (parent-death signal, set after the last credential change that would
// clear it), and it runs in the supervisor's cgroup, which systemd kills
// when the unit stops.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "core/plan/run_plan.h"
#include "core/sys/child_wait.h"
#include "core/sys/result.h"
#include "core/sys/unique_fd.h"

namespace box {

// The content of the driver marker in `dir` (the parent of a persistent
// upper dir; overlay_plan.h, kFuseMarkerName), nullopt when there is none;
// an error only when it exists and cannot be read.
Result<std::optional<std::string>> read_overlay_marker(const std::string& dir);

// A running fuse-overlayfs, owned: destroying it stops it.
class FuseOverlayServer {
 public:
  // Starts fuse-overlayfs for `plan` serving `fuse` (the container mounted
  // it at its new root) in the user namespace of `container` (which waits
  // for us); returns once fuse-overlayfs has been exec'd, or with why not.
  // For `persistent`, first records in the upper dir's parent that
  // fuse-overlayfs writes it (overlay_plan.h, kFuseMarkerName).
  static Result<FuseOverlayServer> start(const RunPlan& plan, pid_t container, UniqueFd fuse);

  pid_t pid() const { return process_.pid(); }

  // Its stdout and stderr (non-blocking), for the supervisor to relay.
  int output_fd() const { return output_.get(); }
  // What it wrote since the last call: whole lines, or everything with
  // `all` (once it has exited).
  std::string read_output(bool all = false);

  // The caller reaped it (its waitpid(-1) loop): records it and says what
  // happened, for a log line.
  std::string reaped(int status);

  // SIGTERM, a bounded wait, SIGKILL; reaped. Idempotent.
  void stop() { process_.stop(); }

 private:
  FuseOverlayServer() = default;

  OwnedChild process_;
  UniqueFd output_;
  std::string partial_;
};

}  // namespace box
