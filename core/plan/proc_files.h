// What /proc says about a process, parsed: its children, its status
// (identity, bounding set, no_new_privs, seccomp), its resource limits and
// its environment.
// Pure; `boxctl enter` reads the files (core/runtime/enter.cc) and plans
// from them (enter_plan.h).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
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
  std::string name;               // "Name:", the command's name (comm)
  pid_t ns_pid = 0;               // NSpid's last field: its PID in its own pid namespace
};
// /proc/PID/status; an error without its Uid, Gid or CapBnd line.
Result<ProcStatus> parse_proc_status(std::string_view text);

// One line of /proc/PID/limits: a resource (RLIMIT_*) and its limits,
// UINT64_MAX for "unlimited".
struct ProcLimit {
  int resource = 0;
  std::uint64_t soft = 0, hard = 0;
  bool operator==(const ProcLimit&) const = default;
};
// /proc/PID/limits ("Max open files  1024  4096  files"), every resource
// the kernel lists; an error naming the line it cannot read.
Result<std::vector<ProcLimit>> parse_proc_limits(std::string_view text);

// /proc/PID/environ: NUL-separated "KEY=value" (entries without a name
// or '=' are left out).
std::vector<std::string> parse_environ(std::string_view data);

// /proc/PID/stat's start time (field 22, clock ticks since boot), which
// tells a process from a later one given the same pid; nothing for a
// process that has ended (a zombie) or a text that is not a stat line.
std::optional<std::uint64_t> parse_start_time(std::string_view stat);

}  // namespace box
