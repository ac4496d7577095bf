// Writing a file so that nobody ever reads half of it: the generator's
// output (systemd may run two generator passes at once), the status file
// box-manager reads at any time, an install's metadata and host files.
#pragma once

#include <string>

#include "core/sys/result.h"

namespace box {

// Writes `content` to `path` through a temp file in the same directory and
// rename(2): a reader sees the old file or the new one, never a torn one.
// `mode` is filtered by the umask, as for any new file. The temporary file
// is created exclusively (O_EXCL): nothing already there, not even a
// symlink, is ever opened. With `sync`, the content reaches the disk before
// the rename (what must survive a power loss: an install's files).
Result<void> write_file_atomically(const std::string& path, const std::string& content,
                                   unsigned mode = 0644, bool sync = false);

// Points the symlink `path` at `target` the same way (symlink to a temp
// name, then rename over `path`).
Result<void> replace_symlink(const std::string& path, const std::string& target);

// mkdir that accepts an existing directory.
Result<void> ensure_directory(const std::string& path, unsigned mode = 0755);

}  // namespace box
