// Waiting for and describing the helper processes the supervisor starts
// (network helper, fuse-overlayfs).
#pragma once

#include <sys/types.h>

#include <string>

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

}  // namespace box
