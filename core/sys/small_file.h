// Reading a small file whole: a /proc or /etc file (a process's status,
// environ or id maps, /etc/subuid), a cgroup's controllers. Writing goes
// through atomic_write.h.
#pragma once

#include <cstddef>
#include <string>

#include "core/sys/result.h"

namespace box {

// Files of /proc and /etc are read up to this size: a process's environ
// may be long, its status is about 1.5 KiB.
inline constexpr std::size_t kSmallFileMax = std::size_t{1} << 20;

// The whole of `path`, or why not: "open '/proc/12/status': No such file or
// directory", or "'PATH' is larger than expected" beyond `max` bytes.
Result<std::string> read_small_file(const std::string& path, std::size_t max = kSmallFileMax);

// The same for `name` under the open directory `dirfd` (a process's
// /proc/PID, held open so that what is read is that process's); `path`
// names it in messages.
Result<std::string> read_small_file_at(int dirfd, const std::string& name, const std::string& path,
                                       std::size_t max = kSmallFileMax);

}  // namespace box
