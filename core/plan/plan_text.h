// The run plan as text, for people and tests: what `box-run run --dry-run`
// and `box-run start --dry-run NAME` print. Every field of the plan is in
// it, one per line in a fixed order, so that two plans differ in their text
// exactly where they differ (docs/runtime.md, "Printing the plan"). Pure.
#pragma once

#include <string>

#include "core/plan/run_plan.h"
#include "core/plan/runtime_facts.h"

namespace box {

// `facts`: what the plan was made from, printed first.
std::string format_run_plan(const RunPlan& plan, const RuntimeFacts& facts);

// One mount step as a line of that text (without indentation), e.g.
// "bind /data <- /home/u/data ro optional".
std::string format_mount_step(const MountStep& step);

// A word of that text: as it is when it has only letters, digits and
// _ @ % + = : , . / -, else in double quotes with C escapes.
std::string plan_word(const std::string& text);

}  // namespace box
