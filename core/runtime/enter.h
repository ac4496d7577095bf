// Joining a running container (`boxctl enter`): a new process in the
// namespaces of the container's PID 1, with its root, identity, bounding set,
// no-new-privileges, seccomp filter and environment, as nsenter and `podman
// exec` do. What the command gets is planned by a pure function
// (core/plan/enter_plan.h) from what this code reads in /proc; this code
// then carries the plan out.
#pragma once

#include <sys/types.h>

#include <functional>

#include "core/plan/enter_plan.h"
#include "core/sys/result.h"

namespace box {

// The container's PID 1: the child of the supervisor (box-run, the unit's
// MainPID) that lives in other namespaces than the supervisor.
Result<pid_t> find_container_init(pid_t supervisor);

// The process whose namespaces, root and state a command entering the
// container takes: `init`, or, where init is not dumpable (init: tiny), its
// first child (the command it runs).
Result<pid_t> process_to_join(pid_t init);

// What /proc says about process `pid` and what the caller's environment
// says, for plan_enter().
Result<EnterFacts> read_enter_facts(pid_t pid);

// Runs the command and returns its exit status (128+N when killed by
// signal N). On failure before the command ran, returns the error and sets
// `*failure_status` to 125 (setup), 126 (cannot execute) or 127 (not found),
// as box-run does.
Result<int> enter_container(const EnterRequest& request, int* failure_status);

// How run_joined() runs the command, beyond the plan.
struct JoinOptions {
  // Return once the command runs (its status then is the joining
  // process's, 0), leaving it to the container's init (OCI exec --detach).
  bool detach = false;
  // A filter of the caller's (an OCI config's), instead of the plan's.
  const SeccompProgram* seccomp = nullptr;
  // With a terminal: its master goes here (OCI --console-socket) instead of
  // being relayed to our stdio; what it returns is run_joined()'s failure.
  std::function<Result<void>(int master)> hand_over_terminal;
  // Our descriptors 3 .. 3+N-1 go to the command at the same numbers.
  int preserve_fds = 0;
  // Called with the command's host PID once it runs (OCI --pid-file);
  // a failure kills it and is run_joined()'s.
  std::function<Result<void>(pid_t command)> on_command;
};

// Runs the plan's command in the namespaces and root of `target` (a
// process of the container, as the host sees it), relaying signals and the
// terminal: enter_container()'s work once the plan is made.
Result<int> run_joined(pid_t target, const EnterPlan& plan, const JoinOptions& options,
                       int* failure_status);

}  // namespace box
