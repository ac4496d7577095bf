// File helpers of an install: staging, atomic writes, rollback of what a
// failed install created, and paths resolved inside a staged rootfs.
// Internal to install/.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/image/regular_file.h"
#include "core/image/userns.h"
#include "core/sys/result.h"
#include "install/install.h"

namespace box::install {

std::string now_iso8601();
bool exists_nofollow(const std::string& path);
bool is_dir(const std::string& path);
// `path` strictly below `dir`.
bool under(const std::string& path, const std::string& dir);

// A whole regular file of at most `max` bytes. A FIFO, a device, a
// directory is refused by name ("is a FIFO, not a regular file"), and so is
// a symlink unless `final_symlink` is kFollow: most paths read here were
// resolved inside a rootfs already (path_in_rootfs).
Result<std::string> read_file(const std::string& path, std::size_t max,
                              image::FinalSymlink final_symlink = image::FinalSymlink::kRefuse);

// What read_file reads of a hostfs file of Atomic exports (config files,
// units, icons: far smaller); the whole file is held in memory.
inline constexpr std::size_t kMaxHostfsFileBytes = 64 << 20;
// Written beside, fsynced, then renamed: a reader sees the old file or the new one.
Result<void> write_file_atomic(const std::string& path, const std::string& content, mode_t mode);
Result<void> make_dirs(const std::string& path, mode_t mode = 0755);
std::string random_suffix();

// The host path of `rel` in a staged rootfs, with symlinks resolved as the
// container would resolve them (openat2 RESOLVE_IN_ROOT): an image cannot
// make box read or copy a file of yours through "/exports -> /home/you".
// Empty when it does not exist.
std::string path_in_rootfs(const std::string& rootfs, const std::string& rel);

// Undoes a failed install unless committed: removes the staging dir and
// the host files and dirs it created, and puts back the files a replace
// overwrote (the previous install's host files and tmpfiles rules), the
// same inodes its record names.
class Rollback {
 public:
  explicit Rollback(const image::IdMapping& mapping) : mapping_(mapping) {}
  ~Rollback();
  Rollback(const Rollback&) = delete;
  Rollback& operator=(const Rollback&) = delete;
  void tree(const std::string& t) { tree_ = t; }
  // A file this install created.
  void file(const std::string& f) { files_.push_back(f); }
  void dir(const std::string& d) { dirs_.push_back(d); }
  // Before `path`, which exists, is overwritten or removed: a hard link to
  // it beside it, renamed back over it on rollback and removed on commit.
  Result<void> keep(const std::string& path);
  // The install is in place: the kept files are no longer needed.
  void commit();

 private:
  const image::IdMapping& mapping_;
  std::string tree_;
  std::vector<std::string> files_, dirs_;
  std::vector<std::pair<std::string, std::string>> kept_;  // (path, its hard link)
  bool committed_ = false;
};

// Writes a file of the install at `path`: kept first (`rb.keep`) when a
// file is there already, else recorded as created (`rb.file`) once written.
// `write` makes the new file.
template <typename Write>
Result<void> replace_recorded(const std::string& path, Rollback& rb, Write write) {
  const bool existed = exists_nofollow(path);
  if (existed) {
    auto k = rb.keep(path);
    if (!k) return k;
  }
  auto w = write();
  if (!w) return w;
  if (!existed) rb.file(path);
  return {};
}

// mkdir -p, recording in `rb` the directories it creates (not those that were there).
Result<void> make_dirs_recorded(const std::string& path, mode_t mode, Rollback& rb);

}  // namespace box::install
