// A container's record under the runtime's state directory (--root): what
// `create` wrote, read back by every later command. Status is not stored
// but observed: the process alive or not, the exec FIFO still there or not.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "core/sys/result.h"
#include "core/sys/unique_fd.h"

namespace box::oci {

enum class Status { kCreating, kCreated, kRunning, kPaused, kStopped };
const char* status_name(Status s);

struct Record {
  std::string id;
  pid_t pid = 0;
  unsigned long long start_time = 0;  // /proc/PID/stat field 22: tells a reused pid apart
  std::string bundle;
  std::string created;  // RFC 3339, UTC
  uid_t owner = 0;
  std::map<std::string, std::string> annotations;
  // The container's cgroup, hierarchy key -> directory (core/runtime/oci_cgroup.h);
  // empty when it has none (a rootless caller without a delegated cgroup).
  std::map<std::string, std::string> cgroups;
};

// Pure: the record's file, and the state JSON of the runtime spec (what
// `state` prints and hooks read on stdin).
std::string record_json(const Record& r);
Result<Record> parse_record(const std::string& json, const std::string& what);
std::string state_json(const Record& r, Status status, const std::string& oci_version);

// Container ids: letters, digits, '_', '-', '.', '+', not "." or "..".
Result<void> check_id(const std::string& id);

// The state directory of one runtime root.
class StateStore {
 public:
  explicit StateStore(std::string root) : root_(std::move(root)) {}
  const std::string& root() const { return root_; }
  std::string dir(const std::string& id) const { return root_ + "/" + id; }
  std::string fifo(const std::string& id) const { return dir(id) + "/exec.fifo"; }

  // Makes the container's directory (an error if the id is taken) with its
  // exec FIFO, and returns its lock, held: keep it until the record is
  // saved. The directory appears under the id already locked, so one
  // without a record whose lock is free is what a create that died left
  // (a crash, SIGKILL): it is reclaimed instead of keeping the id taken.
  // `remove` undoes it.
  Result<UniqueFd> reserve(const std::string& id);
  Result<void> save(const Record& r);
  Result<Record> load(const std::string& id) const;
  Result<void> remove(const std::string& id);
  // The ids with a record, sorted.
  Result<std::vector<std::string>> ids() const;

  // What the container is doing now (paused: its cgroup is frozen).
  Status status(const Record& r) const;

 private:
  std::string root_;
};

// The start time of `pid` (0 when it is gone or a zombie).
unsigned long long process_start_time(pid_t pid);

// Locks one container's directory for the rest of this process (commands
// on one container serialise; others run concurrently).
Result<int> lock_container(const StateStore& store, const std::string& id);

}  // namespace box::oci
