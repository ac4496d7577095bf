// What /proc says about a process, parsed: its children, its status
// (identity, bounding set, no_new_privs, seccomp) and its environment.
// Pure; `boxctl enter` reads the files (core/runtime/enter.cc) and plans
// from them (enter_plan.h).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/sys/result.h"

namespace box {

// /proc/PID/task/TID/children: "12 34 ".
std::vector<pid_t> parse_children(std::string_view text);

struct ProcStatus {
  uid_t uid = 0;  // effective ids, as seen by the reader's user namespace
  gid_t gid = 0;
  std::vector<gid_t> groups;
  std::uint64_t cap_bounding = 0;
  bool no_new_privs = false;
  bool seccomp_filtered = false;  // "Seccomp: 2": under a seccomp filter
};
// /proc/PID/status; an error without its Uid, Gid or CapBnd line.
Result<ProcStatus> parse_proc_status(std::string_view text);

// /proc/PID/environ: NUL-separated "KEY=value" (entries without a name
// or '=' are left out).
std::vector<std::string> parse_environ(std::string_view data);

}  // namespace box
