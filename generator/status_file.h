// The generator's verdicts as core's generator-status file
// (generator_status.h, which owns the format and the path).
#pragma once

#include <string>
#include <vector>

#include "generator/generator.h"

namespace box::generator {

// The file's contents for these verdicts (in their order).
std::string status_json(const std::vector<Verdict>& verdicts);

}  // namespace box::generator
