// The table of run options (run_options.h) on a CLI11 command: `box-run
// run` and `boxctl run` add the same options and read them back the same
// way, in command-line order with the names as typed.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <string>
#include <vector>

#include "core/runtime/run_options.h"

namespace box {

// Which option of `cmd` stands for which row of run_options().
using RunOptionRows = std::map<const CLI::Option*, const RunOption*>;

// Adds the options of run_options() to `cmd`: with `boxctl`, every one;
// else (box-run run) those not marked boxctl_only.
RunOptionRows add_run_options(CLI::App& cmd, bool boxctl);

// After `cmd` parsed `args` (its own words, the command's name not among
// them): the run options given, in order, each with the name typed.
std::vector<GivenRunOption> given_run_options(const CLI::App& cmd, const RunOptionRows& rows,
                                              const std::vector<std::string>& args);

}  // namespace box
