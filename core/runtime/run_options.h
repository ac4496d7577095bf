// The options of `box-run run` and `boxctl run` as one table: each
// option's names, value, help and the definition key it sets, applied to
// a Definition (box-run run's defaults, or what boxctl run made of an
// image or a bundle), as the loader makes one of a file. An option's value
// is read as its key's value is in a definition (the names of
// core/model/schema.h, the parsers of value_parsers.h), and the
// definition's own rules (check_definition) are said with the option that
// set the key. The command line itself (CLI11) is run_command_line.*.
// Pure: no environment, no files.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/model/definition.h"
#include "core/sys/result.h"

namespace box {

// What a run's options make: the definition to start, and what the front
// end does around it.
struct RunRequest {
  Definition def;
  bool interactive = false;  // -i: the command reads our stdin (else /dev/null)
  bool remove = false;       // --rm: nothing of the run is kept (an image's writes included)
  std::string name;          // --name; empty: not given
  bool overlay_driver_set = false;
};

struct RunOption {
  std::string name;        // as CLI11 takes it: "-v,--volume", "--network"
  std::string value;       // what follows it, as --help shows it: "host|none|private"; empty: a flag
  std::optional<Key> key;  // the key of the definition it sets; none: -i, --rm, --name
  std::string help;        // one line for --help
  std::function<Result<void>(RunRequest&, const std::string&)> apply;
  // -i and --rm: podman's habits, `boxctl run`'s only. `box-run run`
  // passes its stdin to the command, as it always has (scripts pipe into
  // it), and keeps nothing of a root filesystem anyway.
  bool boxctl_only = false;
};

// Every option, in the order --help lists them.
const std::vector<RunOption>& run_options();

// An option as the command line had it: the row, the name typed ("-v" or
// "--volume") and the value (empty for a flag).
struct GivenRunOption {
  const RunOption* option = nullptr;
  std::string typed;
  std::string value;
};

// Applies `given` in order to `request` (its def the starting point), then
// checks the rules between keys. Errors name the flag as typed: "-v:
// expected SRC:DST[:ro], found 'x'".
Result<void> apply_run_options(RunRequest& request, const std::vector<GivenRunOption>& given);

// The definition `box-run run` starts from, before its options: named
// "run", with defaults that favour start-up speed (userns single, a
// read-only rootfs).
Definition run_defaults();

// The rules between keys, once every option is applied, said with the
// option that set the key: "-p: publishing ports needs 'network:
// private' ...", as typed where `typed` has the key (else its long name).
// `overlay_driver_set`: --overlay-driver was given.
Result<void> check_run_definition(const Definition& def, bool overlay_driver_set,
                                  const std::map<Key, std::string>& typed = {});

}  // namespace box
