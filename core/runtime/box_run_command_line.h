// box-run's command line, read with CLI11 as boxctl's is: the commands
// start, run, validate and pod, each with its --help, and `run`'s options from
// the one table of run_options.h. Pure: reads only its arguments.
#pragma once

#include <string>
#include <vector>

#include "core/model/definition.h"
#include "core/sys/result.h"

namespace box {

struct BoxRunCommandLine {
  enum class Command { kPrint, kStart, kRun, kValidate, kPod };
  Command command = Command::kPrint;
  std::string print;                 // kPrint: the help or version asked for, for stdout
  bool dry_run = false;              // start, run: --dry-run
  std::string name;                  // start, pod: NAME
  std::vector<std::string> targets;  // validate: FILEs and NAMEs
  Definition def;                    // run: what to start, ROOTFS as given (the caller
                                     // resolves a relative one)
};

// argv without the program name. An error is a usage error (box-run exits
// 2), naming the option or argument at fault: "--network: expected one of
// host, none, private, found 'lan'", "The following argument was not
// expected: --nope". --help (-h) of box-run or of a command, and
// --version, are kPrint with the text.
//
// `run`'s options end at ROOTFS (or "--"): everything after ROOTFS, past
// one optional "--", is the COMMAND and its arguments, options included.
Result<BoxRunCommandLine> parse_box_run_command_line(const std::vector<std::string>& args);

struct RunArgs {
  Definition def;
  bool dry_run = false;  // --dry-run: print the plan, start nothing
};

// `box-run run ARGS`: parse_box_run_command_line({"run", ARGS...}) for the
// run command alone; its --help is an error here.
Result<RunArgs> parse_run_args(const std::vector<std::string>& args);

// The help of `box-run run` (its options from run_options()), as
// `box-run run --help` prints it.
std::string run_help();

}  // namespace box
