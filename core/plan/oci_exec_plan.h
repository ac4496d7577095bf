// `box-oci exec`: a process spec (the container's own with the command
// line's changes, or --process FILE) -> the plan of the process that joins
// the running container (enter_plan.h, which `boxctl enter` uses too). Pure.
#pragma once

#include "core/plan/enter_plan.h"
#include "core/plan/oci_config.h"
#include "core/sys/result.h"

namespace box::oci {

// `facts` are what /proc says of the container's PID 1 (read_enter_facts).
// The process's user, groups and capabilities are the spec's; its ids must
// be mapped in the container's user namespace.
Result<EnterPlan> plan_exec(const Process& process, const EnterFacts& facts);

}  // namespace box::oci
