// What `boxctl top` and `boxctl stats` show of a running box, made from
// what the host's /proc and the box's cgroup say. Pure: the manager reads
// the files (core/runtime/box_cgroup.h).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/sys/result.h"

namespace box {

struct BoxProcess {
  pid_t pid = 0;       // in the box's pid namespace
  pid_t host_pid = 0;  // as the host (the reader) sees it
  uid_t uid = 0;       // its effective uid inside the box
  std::string command;  // its command line; "[NAME]" when it has none (a zombie)
};

// Host PID `host_pid`, from its /proc status, its uid_map (as read by a
// process of the host's user namespace) and its cmdline.
Result<BoxProcess> box_process(pid_t host_pid, std::string_view status, std::string_view uid_map,
                               std::string_view cmdline);

// The numbers of runc's stats object (core/runtime/oci_cgroup.h's
// cgroup_stats_json) that a box shows, by name: "cpu_usage_ns",
// "cpu_user_ns", "cpu_system_ns", "pids", and where the box's cgroup has
// the controller, "memory_bytes", "memory_limit_bytes" (absent: no limit)
// and "pids_limit" (absent: none). What the cgroup does not offer is absent.
std::map<std::string, std::uint64_t> box_stats(const std::string& stats_json);

}  // namespace box
