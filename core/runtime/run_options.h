// `box-run run`'s options as one table: each option's name, value, help
// and the definition key it sets, made into the Definition that box-run
// then starts, as the loader makes one of a file. An option's value is
// read as its key's value is in a definition (the names of
// core/model/schema.h, the parsers of value_parsers.h), and the
// definition's own rules (check_definition) are said with the option that
// set the key. The command line itself (CLI11) is box_run_command_line.*.
// Pure: no environment, no files.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/model/definition.h"
#include "core/sys/result.h"

namespace box {

struct RunOption {
  std::string name;   // "--network"
  std::string value;  // what follows it, as --help shows it: "host|none|private"; empty: a flag
  Key key;            // the key of the definition it sets
  std::string help;   // one line for --help
  std::function<Result<void>(Definition&, const std::string&)> apply;
};

// Every option, in the order --help lists them.
const std::vector<RunOption>& run_options();

// The definition `box-run run` starts from, before its options: named
// "run", with defaults that favour start-up speed (userns single, a
// read-only rootfs).
Definition run_defaults();

// The rules between keys, once every option is applied, said with the
// option that set the key: "--publish: publishing ports needs 'network:
// private' ...". `overlay_driver_set`: --overlay-driver was given.
Result<void> check_run_definition(const Definition& def, bool overlay_driver_set);

}  // namespace box
