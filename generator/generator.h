// The generator pipeline: find definitions, load each, turn the valid ones
// into drop-ins, report and skip the broken ones.
#pragma once

#include <string>
#include <vector>

#include "definition_loader.h"
#include "result.h"

namespace box::generator {

struct Verdict {
  std::string name;
  std::string path;
  bool ok = false;
  std::string message;  // why it was skipped
};

struct GeneratorInput {
  std::vector<std::string> search_dirs;
  LoadContext context;
  std::string output_dir;  // systemd's "normal" generator dir
};

// Writes every valid definition's drop-in under `output_dir`; a broken file
// never stops the others. Returns the verdict for each definition found.
Result<std::vector<Verdict>> run_generator(const GeneratorInput& input);

// Writes `content` to `path` through a temp file and rename, so a reader (or
// an overlapping run) sees the old file or the new one, never a torn one.
Result<void> write_file_atomically(const std::string& path, const std::string& content);

}  // namespace box::generator
