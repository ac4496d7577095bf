// One box-run per container (and per pod) at a time: `box-run start NAME` holds an
// exclusive lock on $XDG_RUNTIME_DIR/box/running/NAME for as long as it
// runs, and keeps in that file what it was started from (start_record.h).
// Two supervisors of one box would share its persistent upper dir (which
// overlayfs does not support) and its published ports; the second is
// refused, naming the first. The lock is flock(2): the kernel drops it
// when box-run dies, however it dies, so a stale file never blocks a start.
#pragma once

#include <string>
#include <vector>

#include "core/sys/result.h"
#include "core/sys/unique_fd.h"

namespace box {

class InstanceLock {
 public:
  // What holds a lock: a box (box-run start, box@NAME.service) or a pod
  // (box-run pod, box-pod@NAME.service, whose record the lock guards).
  enum class Holder { kBox, kPod };

  // Takes the lock for `name` in `dir` (created, 0700, if missing), or
  // says who holds it.
  static Result<InstanceLock> acquire(const std::string& dir, const std::string& name,
                                      Holder holder = Holder::kBox);

  InstanceLock(InstanceLock&&) noexcept = default;
  InstanceLock& operator=(InstanceLock&&) noexcept = default;
  // Removes the file while still holding the lock, so a waiting start
  // never locks a file that is about to disappear (acquire() checks).
  ~InstanceLock();

  // Replaces the file's content (the start record).
  Result<void> write(const std::string& content);
  const std::string& path() const { return path_; }

 private:
  InstanceLock(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  UniqueFd fd_;
  std::string path_;
};

// $XDG_RUNTIME_DIR/box/running: where the locks and start records live.
std::string instance_lock_dir(const std::string& runtime_dir);

// Removes the files in `dir` nobody holds: what a box-run killed with
// SIGKILL (or with its whole session) left. A held one is left alone.
// Returns the names removed.
std::vector<std::string> remove_stale_instance_files(const std::string& dir);

}  // namespace box
