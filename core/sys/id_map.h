// User namespace id maps: the lines of /proc/PID/uid_map and gid_map, and
// newuidmap/newgidmap, the setuid helpers (Debian's uidmap package) that
// write a map holding the user's subordinate ids. box-run maps a
// container's namespace with them, the install worker its unpack
// namespace; `boxctl enter` reads a container's maps.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/sys/result.h"
#include "core/sys/unique_fd.h"

namespace box {

// One line of a map: ids inside..inside+count-1 are outside..outside+count-1
// in the parent namespace.
struct IdMapLine {
  std::uint32_t inside = 0, outside = 0, count = 0;
  bool operator==(const IdMapLine&) const = default;
};

// --- Pure ---------------------------------------------------------------------

// "inside outside count\n" per line, as the kernel takes a map.
std::string id_map_text(const std::vector<IdMapLine>& map);

// /proc/PID/uid_map or gid_map: "inside outside count" per line.
Result<std::vector<IdMapLine>> parse_id_map(std::string_view text);

// The id inside the namespace that id `outside` appears as.
Result<std::uint32_t> id_inside(const std::vector<IdMapLine>& map, std::uint32_t outside);

// --- newuidmap / newgidmap ------------------------------------------------------

// `PROGRAM PID INSIDE OUTSIDE COUNT...`, running. A uid and a gid helper
// may run at once: each is a setuid exec of about a millisecond, and a
// container start then waits for the slower of the two only.
class IdMapHelper {
 public:
  // Starts `program` (a path, or newuidmap/newgidmap looked up in $PATH)
  // to write `map` for process `pid`, which waits in its new user
  // namespace. `ignored_signals` are ignored by the helper (they survive
  // its exec). A failure to start is reported by finish().
  static IdMapHelper start(const std::string& program, pid_t pid,
                           const std::vector<IdMapLine>& map,
                           const std::vector<int>& ignored_signals = {});

  IdMapHelper(IdMapHelper&& other) noexcept;
  IdMapHelper& operator=(IdMapHelper&&) = delete;
  // A helper never finished is killed and reaped.
  ~IdMapHelper();

  // Waits for it: nothing, or why it failed, with what it wrote on stderr
  // ("'newuidmap 12 0 1000 1' failed: newuidmap: write to uid_map failed:
  // Operation not permitted"). With `cancel`, waits in steps of 100 ms and
  // kills the helper ("cancelled") once it is true. Once only.
  Result<void> finish(const std::atomic<bool>* cancel = nullptr);

 private:
  IdMapHelper() = default;

  std::string command_;  // for messages: the whole command line
  std::optional<Error> start_error_;
  pid_t pid_ = -1;
  UniqueFd stderr_;
};

}  // namespace box
