// The two things an install asks of the user's systemd manager, over the
// user bus with sd-bus: reload (so the generator writes box@NAME at once)
// and stop a unit, waiting for the job (before its files are removed).
// box-manager passes its own equivalents (InstallContext); boxctl uses these.
#pragma once

#include <atomic>
#include <string>

#include "core/sys/result.h"

namespace box::install {

Result<void> reload_user_manager();

// Stops `unit` and waits until systemd reports the job done. A unit systemd
// does not know is already stopped. When `*cancel` becomes true the wait
// ends (within 100 ms) with "cancelled"; the stop itself goes on.
Result<void> stop_user_unit(const std::string& unit, const std::atomic<bool>* cancel = nullptr);

}  // namespace box::install
