// What a running box was started from: box-run start writes it beside its
// instance lock ($XDG_RUNTIME_DIR/box/running/NAME), so that the manager
// can tell whether the definition on disk is still the one the box runs.
// Pure: text in, text out.
//
// Format, all lengths in bytes:
//   box-start-record 1
//   pid PID
//   source LENGTH PATH
//   <LENGTH bytes of the file's text>
//   (one "source" per file: the main file, then the drop-ins in order)
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/model/definition_loader.h"
#include "core/sys/result.h"

namespace box {

struct StartRecord {
  pid_t pid = 0;  // box-run's, the unit's MainPID
  std::vector<DefinitionSource> sources;
};

std::string format_start_record(const StartRecord& record);
Result<StartRecord> parse_start_record(std::string_view text);

// True when `now` is the very definition `record` was started from: the
// same files, in the same order, with the same texts.
bool same_sources(const std::vector<DefinitionSource>& started,
                  const std::vector<DefinitionSource>& now);

}  // namespace box
