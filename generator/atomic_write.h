// Writing generator output so that nobody ever reads half of it: systemd may
// run two generator passes at once (a daemon-reload during another), and
// boxctl may read the status file at any time.
#pragma once

#include <string>

#include "result.h"

namespace box::generator {

// Writes `content` to `path` through a temp file in the same directory and
// rename(2): a reader sees the old file or the new one, never a torn one.
// `mode` is filtered by the umask, as for any new file.
Result<void> write_file_atomically(const std::string& path, const std::string& content,
                                   unsigned mode = 0644);

// Points the symlink `path` at `target` the same way (symlink to a temp
// name, then rename over `path`).
Result<void> replace_symlink(const std::string& path, const std::string& target);

// mkdir that accepts an existing directory.
Result<void> ensure_directory(const std::string& path, unsigned mode = 0755);

}  // namespace box::generator
