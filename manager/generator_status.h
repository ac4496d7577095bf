// The generator's verdicts ($XDG_RUNTIME_DIR/box/generator-status.json): which
// definitions box-user-generator rejected at the last daemon-reload, and why.
// Pure parsing; the registry reads the file.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "result.h"

namespace box::manager {

// Container name -> the generator's message, for rejected definitions only.
using GeneratorVerdicts = std::map<std::string, std::string>;

// Accepts the entries as a list ({"definitions": [...]}, {"containers": [...]}
// or a bare list) of objects with "name", or as an object keyed by name. An
// entry is a rejection when it says so ("ok": false, "valid": false, or
// "status"/"state" of "invalid", "error", "failed", "rejected") or carries a
// non-empty "error"/"message" without saying it is fine.
Result<GeneratorVerdicts> parse_generator_status(std::string_view json);

}  // namespace box::manager
