// Joining a running container (`boxctl enter`), as a plan: which of its
// namespaces to join, the identity, groups, bounding set, no_new_privs and
// seccomp filter the entered command gets, its environment, working
// directory and program, decided by a pure function from what /proc says
// about the process joined and what the caller asked for, as the run plan
// is for a start. core/runtime/enter.cc reads the facts and carries the
// plan out.
#pragma once

#include <sched.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/plan/proc_files.h"
#include "core/plan/seccomp_filter.h"
#include "core/sys/result.h"

namespace box {

// What the caller asks for.
struct EnterRequest {
  pid_t supervisor = 0;                // the container's box-run (the unit's MainPID)
  std::vector<std::string> argv;       // non-empty
  bool tty = false;                    // a pseudo-terminal inside the container
  std::vector<std::string> extra_env;  // "KEY=value", over PID 1's environment
  std::string workdir;                 // empty: PID 1's working directory
};

struct NamespaceKind {
  const char* name;  // as in /proc/PID/ns/
  int type;          // CLONE_NEW*
};

// The namespaces a process entering a container joins, in the order setns
// takes them: the user namespace first (it grants the capabilities the
// others need), the mount namespace last, as nsenter orders them.
inline constexpr NamespaceKind kJoinOrder[] = {
    {"user", CLONE_NEWUSER}, {"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC},
    {"uts", CLONE_NEWUTS},   {"net", CLONE_NEWNET},       {"pid", CLONE_NEWPID},
    {"mnt", CLONE_NEWNS},
};

// What the runtime read about the process joined (its host PID 1, or the
// command of a tiny init) and about the caller.
struct EnterFacts {
  pid_t pid = 0;                 // the process joined, as the host sees it
  std::string status;            // /proc/PID/status
  std::string uid_map, gid_map;  // /proc/PID/uid_map, gid_map
  std::optional<std::string> setgroups;     // /proc/PID/setgroups, if readable
  std::optional<std::string> environ;       // /proc/PID/environ, if readable
  std::optional<std::string> cap_last_cap;  // /proc/sys/kernel/cap_last_cap
  std::string limits;                       // /proc/PID/limits
  std::string own_limits;                   // the caller's: /proc/self/limits
  // Its namespaces that are not the caller's (CLONE_NEW* bits): joining
  // one's own is an error for the user namespace and pointless for others.
  int foreign_namespaces = 0;
  std::string caller_term;  // the caller's $TERM, for a terminal; may be empty
};

struct EnterPlan {
  std::vector<NamespaceKind> namespaces;  // to join, in kJoinOrder's order
  // Identity inside the container: the process joined's, by the ids its
  // namespace knows them by.
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // those mapped into the container
  // False where the user namespace denies setgroups (a single-id map) or
  // the process joined kept host groups (keep_groups): the command keeps
  // the groups it came in with, as the box's own do.
  bool set_groups = true;
  std::uint64_t cap_bounding = 0;  // every capability not in it is dropped
  int cap_last = 40;               // the highest capability the kernel knows
  bool no_new_privs = false;
  // The resource limits of the process joined (its definition's rlimits),
  // each hard limit no higher than the caller's: an unprivileged process
  // cannot raise its own.
  std::vector<ProcLimit> rlimits;
  // The default filter's variant, when the process joined is filtered;
  // nothing: it runs unfiltered, and so does the command.
  std::optional<SeccompOptions> seccomp;
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::vector<std::string> exec_candidates;  // argv[0] looked up in env's PATH
  std::string workdir;  // empty: the working directory of the process joined
  bool tty = false;
};

// The plan, or what is wrong with the facts ("/proc/12/status: no Uid, Gid
// or CapBnd line", "its user: id 5 is not mapped into the container").
Result<EnterPlan> plan_enter(const EnterRequest& request, const EnterFacts& facts);

// `base` with each "KEY=value" of `overrides` replacing or adding KEY.
std::vector<std::string> merge_env(std::vector<std::string> base,
                                   const std::vector<std::string>& overrides);

}  // namespace box
