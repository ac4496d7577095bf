// Reading a file that an image, an archive or a bundle supplies. Such a
// file may be anything: a FIFO (opening it waits for a writer that never
// comes, reading it waits for data), a device (/dev/zero never ends), a
// directory, a symlink to any of those. Only regular files are read:
// opened with O_NONBLOCK (so that opening a FIFO returns at once), checked
// with fstat on the descriptor itself (no window between check and use),
// and read up to a limit that depends on the kind of file.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/sys/result.h"
#include "core/sys/unique_fd.h"

namespace box::image {

// "a FIFO", "a directory", "a character device", ... for what is not a
// regular file (pure).
std::string file_type_text(mode_t mode);

// "'PATH' is a FIFO, not a regular file" for an st_mode that is not S_ISREG
// (pure; the message every refusal uses).
std::string not_regular_message(const std::string& shown, mode_t mode);

// "8 MiB", "1.5 GiB", "512 bytes" (pure).
std::string human_size(std::uint64_t bytes);
// A limit in messages, exact as well: "8 MiB (8388608 bytes)", "512 bytes".
std::string human_limit(std::uint64_t bytes);

// Whether open_regular_file follows a symlink in the last component. A path
// that box resolved already (in a rootfs, with RESOLVE_IN_ROOT) must not be
// followed again: a symlink there would be followed on the host.
enum class FinalSymlink { kRefuse, kFollow };

// Opens `path` for reading if it is a regular file; the descriptor is
// blocking again when returned. "'PATH' is a FIFO, not a regular file" (or
// "a symbolic link" with kRefuse) otherwise.
Result<UniqueFd> open_regular_file(const std::string& path, FinalSymlink final_symlink);

// The same check for a descriptor opened elsewhere (openat2) with
// O_NONBLOCK: refused unless a regular file; O_NONBLOCK is then cleared.
// `shown` names it in messages.
Result<void> require_regular_file(int fd, const std::string& shown);

// The whole content of a descriptor, at most `max` bytes: "'PATH' is larger
// than 8 MiB (8388608 bytes), the most box reads from this kind of file".
Result<std::string> read_at_most(int fd, const std::string& shown, std::size_t max);

}  // namespace box::image
