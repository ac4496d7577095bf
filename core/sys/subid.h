// Subordinate id ranges: which extra ids a user may map into a user
// namespace through newuidmap/newgidmap, and the map lines that use them.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/sys/id_map.h"
#include "core/sys/result.h"

namespace box {

struct SubidRange {
  unsigned start = 0;
  unsigned count = 0;
  bool operator==(const SubidRange&) const = default;
};

// A user's ranges, in the order their source lists them. A user may have
// several (usermod --add-subuids twice, or a directory service handing out
// blocks): newuidmap accepts a map line inside any of them.
using SubidRanges = std::vector<SubidRange>;

// --- Pure ---------------------------------------------------------------------

// Every range for `user` (matched by name or by numeric id) in /etc/subuid
// or /etc/subgid text, as shadow-utils reads the file. Malformed lines and
// empty ranges are skipped.
SubidRanges find_subid_ranges(std::string_view file_text, const std::string& user, unsigned id);

// How many ids the ranges give, counting each once (a range that overlaps
// an earlier one is not used: the kernel refuses overlapping map lines).
std::uint64_t subid_total(const SubidRanges& ranges);

// The kernel's limit on the lines of one uid_map or gid_map (Linux 4.15).
inline constexpr std::size_t kMaxIdMapLines = 340;

// Map lines giving the ids inside, from `first` up, the ranges' ids in
// order, skipping the inside id `hole` (mapped by the caller to something
// else); overlapping ranges are left out, and lines past `max_lines`.
std::vector<IdMapLine> map_from_ranges(std::uint32_t first, const SubidRanges& ranges,
                                       std::optional<std::uint32_t> hole = std::nullopt,
                                       std::size_t max_lines = kMaxIdMapLines - 1);

// --- Reading them ---------------------------------------------------------------

// Every range for `user` in `file` (an /etc/subuid-format file given by
// path, for tests and tools); none when it cannot be read.
SubidRanges subid_ranges_in(const std::string& file, const std::string& user, unsigned id);

// The nsswitch `subid:` source named in /etc/nsswitch.conf text: "" when
// there is no such line, else its first service ("files", "sss"...).
std::string nsswitch_subid_source(std::string_view nsswitch_text);

enum class SubidKind { kUid, kGid };

// The user's ranges as newuidmap/newgidmap see them. Where
// /etc/nsswitch.conf names a `subid:` source other than files (a directory
// service), through libsubid, the library they use, loaded only then;
// otherwise, as libsubid itself does there, every line of /etc/subuid or
// /etc/subgid for `user` or its numeric id. An error when the source cannot
// be asked.
Result<SubidRanges> user_subid_ranges(SubidKind kind, const std::string& user, unsigned id);

// The same through libsubid whatever nsswitch.conf says (for tests: it
// must agree with the files where no source is named).
Result<SubidRanges> libsubid_ranges(SubidKind kind, const std::string& user);

}  // namespace box
