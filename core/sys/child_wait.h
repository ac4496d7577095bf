// Waiting for, stopping and describing the helper processes the
// supervisor starts (network helper, fuse-overlayfs), and owning them.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>

namespace box {

// Waits up to `ms` for our child `pid` to exit; true (and its status) if it
// did, or if it is no longer ours to wait for (then it must not be
// signalled).
bool wait_for_exit(pid_t pid, int ms, int* status);

// Stops our unreaped child `pid` (so its PID cannot have been reused):
// SIGTERM, then SIGKILL if it is still there after `grace_ms`; reaps it.
void stop_child(pid_t pid, int grace_ms);

// "exited with status 1", "was killed by signal Killed", for messages.
std::string describe_status(int status);

// A helper process of ours, owned: destroying it stops it.
class OwnedChild {
 public:
  OwnedChild() = default;
  // `pid`, stopped with stop_child(pid, grace_ms).
  OwnedChild(pid_t pid, int grace_ms) : pid_(pid), grace_ms_(grace_ms) {}
  OwnedChild(OwnedChild&& other) noexcept
      : pid_(std::exchange(other.pid_, -1)), grace_ms_(other.grace_ms_) {}
  OwnedChild& operator=(OwnedChild&& other) noexcept;
  OwnedChild(const OwnedChild&) = delete;
  OwnedChild& operator=(const OwnedChild&) = delete;
  ~OwnedChild() { stop(); }

  pid_t pid() const { return pid_; }  // -1: none, or gone

  // The caller reaped it (its waitpid(-1) loop): not ours to stop any more.
  void reaped() { pid_ = -1; }

  // SIGTERM, a bounded wait, SIGKILL; reaped. Idempotent.
  void stop();

 private:
  pid_t pid_ = -1;
  int grace_ms_ = 0;
};

}  // namespace box
