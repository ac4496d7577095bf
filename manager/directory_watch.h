// Tells whether anything in a few directories may have changed since it was
// last asked, through inotify, so the manager can answer ListContainers from
// its last scan instead of stat()ing every definition on every call (200
// stats cost more than everything else in that call). It only ever says
// "maybe changed" too often, never too rarely: without inotify, after a
// queue overflow, or for a directory that comes or goes, it says "changed".
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/sys/unique_fd.h"

namespace box::manager {

class DirectoryWatch {
 public:
  explicit DirectoryWatch(std::vector<std::string> dirs);

  // True on the first call, and whenever an entry of a watched directory
  // was created, removed, renamed, written or had its attributes changed,
  // or a directory appeared or vanished, since the previous call.
  bool changed();

  // Also watches `dirs`, found inside the main ones (drop-in directories),
  // in place of the previous such set. They are watched while they exist:
  // one that vanishes shows up as a change in its parent. A directory not
  // watched before makes the next changed() true, as it may have changed
  // between when the caller read it and now.
  void watch_also(const std::vector<std::string>& dirs);

 private:
  void try_watch(std::size_t i, bool& changed);
  bool watched(int wd) const;
  void forget(int wd);

  std::vector<std::string> dirs_;
  std::vector<int> watches_;          // -1: not watched (missing, or gone)
  std::map<std::string, int> extra_;  // dir -> watch, -1 when gone
  UniqueFd fd_;
  bool first_ = true;
  bool pending_ = false;
};

}  // namespace box::manager
