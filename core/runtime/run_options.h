// `box-run run`'s command line: its options, ROOTFS and COMMAND made into
// the Definition that box-run then starts, as the loader makes one of a
// file. An option's value is read as its key's value is in a definition
// (the names of core/model/schema.h, the parsers of value_parsers.h), and
// the definition's own rules (check_definition) are said with the option
// that set the key. Pure: no environment, no files.
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

// The "Options of run" lines of --help, one an option.
std::string run_options_help();

struct RunArgs {
  Definition def;
  bool dry_run = false;  // --dry-run: print the plan, start nothing
};

// What `box-run run ARGS` runs: the definition, named "run", with ROOTFS as
// given (a relative one is the caller's to resolve). Its defaults favour
// start-up speed: userns single, a read-only rootfs. An error is a usage
// error, naming the option: "--network: expected one of host, none,
// private, found 'lan'".
Result<RunArgs> parse_run_args(const std::vector<std::string>& args);

}  // namespace box
