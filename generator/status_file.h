// $XDG_RUNTIME_DIR/box/generator-status.json: the generator's verdict on
// every definition, so box-manager and boxctl can say why a box is missing
// (the complaint quadlet users have most: a rejected file nobody hears of).
#pragma once

#include <string>
#include <vector>

#include "generator.h"

namespace box::generator {

// Where the status file lives, given $XDG_RUNTIME_DIR ("" when unset).
std::string status_file_path(const std::string& runtime_dir);

// The file's contents: deterministic (sorted, no timestamps). Format in
// docs/generator.md.
std::string status_json(const std::vector<Verdict>& verdicts);

}  // namespace box::generator
