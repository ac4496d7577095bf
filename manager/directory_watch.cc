#include "directory_watch.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>

namespace box::manager {
namespace {

constexpr uint32_t kMask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE |
                           IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;

}  // namespace

DirectoryWatch::DirectoryWatch(std::vector<std::string> dirs)
    : dirs_(std::move(dirs)),
      watches_(dirs_.size(), -1),
      fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {}

void DirectoryWatch::try_watch(std::size_t i, bool& changed) {
  int wd = ::inotify_add_watch(fd_.get(), dirs_[i].c_str(), kMask);
  if (wd < 0) return;  // missing (the usual case for /etc/box/containers)
  watches_[i] = wd;
  changed = true;  // it appeared, or is watched again
}

bool DirectoryWatch::changed() {
  if (!fd_.valid()) return true;
  bool changed = first_;
  first_ = false;
  alignas(inotify_event) char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    changed = true;
    for (char* p = buf; p < buf + n;) {
      auto* ev = reinterpret_cast<inotify_event*>(p);
      if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_Q_OVERFLOW)) {
        for (auto& w : watches_) {
          if (w == ev->wd || (ev->mask & IN_Q_OVERFLOW)) {
            if (w >= 0 && !(ev->mask & IN_IGNORED)) ::inotify_rm_watch(fd_.get(), w);
            w = -1;
          }
        }
      }
      p += sizeof(inotify_event) + ev->len;
    }
  }
  // Directories not watched (yet, or any more): watch them if they exist.
  for (std::size_t i = 0; i < dirs_.size(); ++i)
    if (watches_[i] < 0) try_watch(i, changed);
  return changed;
}

}  // namespace box::manager
