// Pure: what a signal sent from outside does to a container's PID 1. The
// kernel delivers a signal to the init of a pid namespace from an ancestor
// namespace only if init handles it (or blocks it, to take it later with
// sigwait or a signalfd); otherwise it is dropped (pid_namespaces(7)), where
// the same program outside a container would have ended. The supervisor
// uses this to end the container as the program would have ended outside
// (docs/runtime.md, "Stopping").
#pragma once

#include <cstdint>
#include <string_view>

#include "core/sys/result.h"

namespace box {

// What a signal does to a process that neither catches nor ignores it
// (signal(7), "Standard signals" and real-time signals).
enum class DefaultAction { kTerminate, kCoreDump, kIgnore, kStop, kContinue };
DefaultAction default_action(int sig);

// The SigBlk, SigIgn and SigCgt lines of /proc/PID/status (bit N-1 for
// signal N).
struct SignalMasks {
  uint64_t blocked = 0, ignored = 0, caught = 0;
};
Result<SignalMasks> parse_signal_masks(std::string_view status_text);

enum class Pid1Fate {
  kDelivered,  // handled or blocked: the program decides
  kNoEffect,   // ignored, or its default action is not to end the process:
               // nothing happens, inside as outside
  kDropped,    // the program would end by it outside; the kernel drops it
};
Pid1Fate pid1_fate(const SignalMasks& masks, int sig);

}  // namespace box
