#include "manager/directory_watch.h"

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

bool DirectoryWatch::watched(int wd) const {
  for (int w : watches_)
    if (w == wd) return true;
  for (const auto& [dir, w] : extra_)
    if (w == wd) return true;
  return false;
}

void DirectoryWatch::forget(int wd) {
  for (auto& w : watches_)
    if (w == wd) w = -1;
  for (auto& [dir, w] : extra_)
    if (w == wd) w = -1;
}

void DirectoryWatch::watch_also(const std::vector<std::string>& dirs) {
  if (!fd_.valid()) return;
  std::map<std::string, int> next;
  for (const auto& d : dirs) {
    auto it = extra_.find(d);
    if (it != extra_.end() && it->second >= 0) {
      next.emplace(d, it->second);
      extra_.erase(it);
      continue;
    }
    next.emplace(d, ::inotify_add_watch(fd_.get(), d.c_str(), kMask));
    pending_ = true;
  }
  // The kernel reuses a watch for the same inode: a dir kept under two
  // names has one descriptor, which must stay.
  for (const auto& [d, w] : extra_) {
    bool shared = false;
    for (const auto& [nd, nw] : next) shared = shared || nw == w;
    for (int mw : watches_) shared = shared || mw == w;
    if (w >= 0 && !shared) ::inotify_rm_watch(fd_.get(), w);
  }
  extra_ = std::move(next);
}

bool DirectoryWatch::changed() {
  if (!fd_.valid()) return true;
  bool changed = first_ || pending_;
  first_ = false;
  pending_ = false;
  alignas(inotify_event) char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (char* p = buf; p < buf + n;) {
      auto* ev = reinterpret_cast<inotify_event*>(p);
      p += sizeof(inotify_event) + ev->len;
      // The kernel's note that a watch we removed (watch_also) is gone.
      if (ev->mask == IN_IGNORED && !watched(ev->wd)) continue;
      changed = true;
      if (ev->mask & IN_Q_OVERFLOW) {
        // Events were lost: watch everything again from scratch.
        for (int w : watches_)
          if (w >= 0) ::inotify_rm_watch(fd_.get(), w);
        for (const auto& [d, w] : extra_)
          if (w >= 0) ::inotify_rm_watch(fd_.get(), w);
        for (auto& w : watches_) w = -1;
        for (auto& [d, w] : extra_) w = -1;
      } else if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
        if (!(ev->mask & IN_IGNORED)) ::inotify_rm_watch(fd_.get(), ev->wd);
        forget(ev->wd);
      }
    }
  }
  // Directories not watched (yet, or any more): watch them if they exist.
  for (std::size_t i = 0; i < dirs_.size(); ++i)
    if (watches_[i] < 0) try_watch(i, changed);
  return changed;
}

}  // namespace box::manager
