// Subordinate id ranges (/etc/subuid, /etc/subgid): which extra ids a user
// may map into a user namespace through newuidmap/newgidmap.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace box {

struct SubidRange {
  unsigned start = 0;
  unsigned count = 0;
};

// The first range for `user` (matched by name or by numeric id), as
// shadow-utils reads the file. Malformed lines are skipped.
std::optional<SubidRange> find_subid_range(std::string_view file_text, const std::string& user,
                                           unsigned id);

// The same, read from `file` (/etc/subuid, /etc/subgid); nothing when it
// cannot be read.
std::optional<SubidRange> subid_range_in(const std::string& file, const std::string& user,
                                         unsigned id);

}  // namespace box
