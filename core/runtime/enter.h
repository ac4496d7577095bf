// Joining a running container (`boxctl enter`): a new process in the
// namespaces of the container's PID 1, with its root, identity, bounding set,
// no-new-privileges, seccomp filter and environment, as nsenter and `podman
// exec` do. The pure parsing of
// /proc is separate from the one function that touches the kernel.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/sys/id_map.h"  // the id maps of /proc/PID, parsed
#include "core/sys/result.h"

namespace box {

// --- Pure: reading /proc ----------------------------------------------------

// /proc/PID/task/TID/children: "12 34 ".
std::vector<pid_t> parse_children(std::string_view text);

struct ProcStatus {
  uid_t uid = 0;  // effective ids, as seen by the reader's user namespace
  gid_t gid = 0;
  std::vector<gid_t> groups;
  uint64_t cap_bounding = 0;
  bool no_new_privs = false;
  bool seccomp_filtered = false;  // "Seccomp: 2": under a seccomp filter
};
Result<ProcStatus> parse_proc_status(std::string_view text);

// /proc/PID/environ: NUL-separated "KEY=value".
std::vector<std::string> parse_environ(std::string_view data);
// `base` with each "KEY=value" of `overrides` replacing or adding KEY.
std::vector<std::string> merge_env(std::vector<std::string> base,
                                   const std::vector<std::string>& overrides);

// --- The kernel side ----------------------------------------------------------

// The container's PID 1: the child of the supervisor (box-run, the unit's
// MainPID) that lives in other namespaces than the supervisor.
Result<pid_t> find_container_init(pid_t supervisor);

// The process whose namespaces, root and state a command entering the
// container takes: `init`, or, where init is not dumpable (init: tiny), its
// first child (the command it runs).
Result<pid_t> process_to_join(pid_t init);

struct EnterRequest {
  pid_t supervisor = 0;
  std::vector<std::string> argv;       // non-empty
  bool tty = false;                    // a pseudo-terminal inside the container
  std::vector<std::string> extra_env;  // "KEY=value", over PID 1's environment
  std::string workdir;                 // empty: PID 1's working directory
};

// Runs the command and returns its exit status (128+N when killed by
// signal N). On failure before the command ran, returns the error and sets
// `*failure_status` to 125 (setup), 126 (cannot execute) or 127 (not found),
// as box-run does.
Result<int> enter_container(const EnterRequest& request, int* failure_status);

}  // namespace box
