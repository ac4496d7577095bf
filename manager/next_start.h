// What the next start of a running box will do, compared with what it was
// started from (core's start record): the NextStart property. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model/start_record.h"

namespace box::manager {

// "" when the box is not running (main_pid 0): its next start is simply
// the definition as State and Error show it. Otherwise:
//   "fails"      the definition is now broken, masked or gone (see Error)
//   "unchanged"  the files on disk are the ones this run started from
//   "changed"    they differ: a restart applies the change
//   "unknown"    there is no record of this run's start (`now_sources` is
//                then not compared)
// `record` is the parsed start record, if any; one written by an earlier
// run (another pid) does not describe this one.
std::string next_start_verdict(std::uint32_t main_pid, const std::optional<StartRecord>& record,
                               bool definition_loads,
                               const std::vector<DefinitionSource>& now_sources);

}  // namespace box::manager
