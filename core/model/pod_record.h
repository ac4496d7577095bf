// Where a running pod's namespaces are: `box-run pod NAME` keeps this
// record at $XDG_RUNTIME_DIR/box/pods/NAME for as long as it runs, holding
// the lock on it (core/runtime/instance_lock.h, so a record nobody holds is
// stale), and a member's box-run reads it to find the pod's holder, the
// process that keeps the namespaces. A pid alone could name another process
// by the time it is read: the holder's start time says whether it is still
// the one (core/runtime/pod_join.h checks it). Pure: text in, text out.
//
// Format:
//   box-pod-record 1
//   pid PID                     box-run pod's own (the unit's MainPID)
//   holder PID START_TIME       the holder; START_TIME /proc/PID/stat's field 22
//   namespaces KIND...          what the holder keeps: user, and net, ipc, uts as the pod asks
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/sys/result.h"

namespace box {

struct PodRecord {
  pid_t pid = 0;  // box-run pod
  pid_t holder = 0;
  std::uint64_t holder_start_time = 0;
  std::vector<std::string> namespaces;  // "user", "net", "ipc", "uts"

  bool operator==(const PodRecord&) const = default;
};

std::string format_pod_record(const PodRecord& record);
// Exactly what format_pod_record() writes; anything else is an error.
Result<PodRecord> parse_pod_record(std::string_view text);

// $XDG_RUNTIME_DIR/box/pods: where the records (and their locks) live.
std::string pod_record_dir(const std::string& runtime_dir);

}  // namespace box
