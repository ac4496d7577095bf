#include "install/unpack_job.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <sstream>
#include <unordered_map>

#include "core/image/regular_file.h"
#include "core/sys/unique_fd.h"
#include "install/root_made.h"

namespace box::install {
namespace {

constexpr std::uint64_t kProgressStep = 256 * 1024;

std::string stats_message(const image::UnpackStats& s) {
  std::ostringstream o;
  o << "S " << s.entries << " " << s.bytes_read << " " << s.bytes_written << " "
    << s.devices_skipped << " " << s.owners_clamped << " " << s.xattrs_skipped << " "
    << s.whiteouts;
  return o.str();
}

// Parent side of the child's messages: progress lines and the final stats.
struct MessageReader {
  const ProgressFn& progress;
  Progress::Phase phase;
  image::UnpackStats stats;

  void operator()(const std::string& m) {
    std::istringstream in(m);
    char kind;
    in >> kind;
    if (kind == 'P') {
      Progress p;
      p.phase = phase;
      in >> p.layer >> p.layers >> p.bytes >> p.total_bytes;
      if (progress) progress(p);
    } else if (kind == 'S') {
      in >> stats.entries >> stats.bytes_read >> stats.bytes_written >> stats.devices_skipped >>
          stats.owners_clamped >> stats.xattrs_skipped >> stats.whiteouts;
    }
  }
};

std::string progress_message(int layer, int layers, std::uint64_t bytes, std::uint64_t total) {
  return "P " + std::to_string(layer) + " " + std::to_string(layers) + " " + std::to_string(bytes) +
         " " + std::to_string(total);
}

// An entry of a bundle rootfs as its maker left it, read from outside the
// namespace (root_made.h): the image's owner and mode.
struct MadeAs {
  uid_t uid;
  gid_t gid;
  bool clamped;  // an id above what the namespace maps, made 0
  mode_t mode;
};
// By path below the rootfs ("" for the rootfs itself).
using HostView = std::unordered_map<std::string, MadeAs>;

class HostViewReader {
 public:
  HostViewReader(const std::string& root, const image::IdMapping& mapping, std::uint64_t max)
      : root_(root), mapping_(mapping), max_(max) {}

  // What the user can see of the tree; what it cannot (a directory root
  // kept to itself) the copy reports. Stops past `max` entries: the copy
  // then fails on its own limit.
  HostView read() {
    UniqueFd dir(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) return {};
    struct stat st;
    if (fstat(dir.get(), &st) == 0) add("", root_, st);
    walk(dir.get(), "");
    return std::move(view_);
  }

 private:
  void walk(int dir, const std::string& where) {
    DIR* d = fdopendir(fcntl(dir, F_DUPFD_CLOEXEC, 0));
    if (!d) return;
    std::vector<std::string> names;
    while (struct dirent* de = readdir(d)) {
      std::string n = de->d_name;
      if (n != "." && n != "..") names.push_back(std::move(n));
    }
    closedir(d);
    for (const auto& n : names) {
      if (view_.size() > max_) return;
      const std::string at = where.empty() ? n : where + "/" + n;
      struct stat st;
      if (fstatat(dir, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      add(at, root_ + "/" + at, st);
      if (!S_ISDIR(st.st_mode)) continue;
      UniqueFd sub(openat(dir, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (sub.valid()) walk(sub.get(), at);
    }
  }

  void add(const std::string& where, const std::string& path, const struct stat& st) {
    auto uid = image_id_of_host_id(st.st_uid, mapping_.uid, mapping_.uids, mapping_.max_id());
    auto gid = image_id_of_host_id(st.st_gid, mapping_.gid, mapping_.gids, mapping_.max_id());
    mode_t mode = st.st_mode;
    if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
      char acl[4096];
      ssize_t n = lgetxattr(path.c_str(), "system.posix_acl_access", acl, sizeof acl);
      if (n > 0) mode = mode_without_acl(mode, std::string_view(acl, static_cast<std::size_t>(n)));
    }
    view_[where] = {uid.value_or(0), gid.value_or(0), !uid || !gid, mode & 07777};
  }

  const std::string& root_;
  const image::IdMapping& mapping_;
  std::uint64_t max_;
  HostView view_;
};

class TreeCopier {
 public:
  TreeCopier(const image::IdMapping& mapping, const image::UnpackLimits& limits,
             const HostView& view, image::UnpackStats& stats, const image::MessageSink& send)
      : mapping_(mapping), limits_(limits), view_(view), stats_(stats), send_(send) {}

  Result<void> copy_dir(int src, int dst, const std::string& where) {
    DIR* d = fdopendir(fcntl(src, F_DUPFD_CLOEXEC, 0));
    if (!d) return Error::from_errno("read directory '" + where + "'");
    std::vector<std::string> names;
    while (struct dirent* de = readdir(d)) {
      std::string n = de->d_name;
      if (n != "." && n != "..") names.push_back(std::move(n));
    }
    closedir(d);
    // In name order: what it reports (unreadable files) reads the same each time.
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      auto r = copy_entry(src, dst, n, where.empty() ? n : where + "/" + n);
      if (!r) return r;
    }
    return {};
  }

  // What the copy could not read: files and directories whose owner is a
  // host id outside the namespace's map (a bundle root made), with modes
  // that keep everyone else out. Collected, so the refusal lists them all.
  struct Unreadable {
    std::string where;
    mode_t mode;
  };
  const std::vector<Unreadable>& unreadable() const { return unreadable_; }

  Result<void> finish_dir(int src, int dst) {
    struct stat st;
    if (fstat(src, &st) != 0) return Error::from_errno("stat");
    return set_owner_mode(dst, st, "", true);
  }

 private:
  Result<void> set_owner_mode(int fd, const struct stat& st, const std::string& where,
                              bool is_root = false) {
    auto [uid, gid] = owner(st, where);
    if (mapping_.full() && fchown(fd, uid, gid) != 0) return Error::from_errno("set owner");
    auto made = view_.find(where);
    mode_t mode = (made != view_.end() ? made->second.mode : st.st_mode) & 07777;
    if (is_root) mode |= 0700;
    if (fchmod(fd, mode) != 0) return Error::from_errno("set mode");
    return {};
  }

  // The owner its maker gave, as seen from outside; where the walk did not
  // see the entry, the namespace's view (an unmapped id is then nobody).
  std::pair<uid_t, gid_t> owner(const struct stat& st, const std::string& where) {
    if (auto made = view_.find(where); made != view_.end()) {
      if (made->second.clamped) ++stats_.owners_clamped;
      return {made->second.uid, made->second.gid};
    }
    uid_t uid = st.st_uid;
    gid_t gid = st.st_gid;
    if (uid > mapping_.max_id() || gid > mapping_.max_id()) {
      ++stats_.owners_clamped;
      if (uid > mapping_.max_id()) uid = 0;
      if (gid > mapping_.max_id()) gid = 0;
    }
    return {uid, gid};
  }

  Result<void> copy_entry(int src, int dst, const std::string& name, const std::string& where) {
    struct stat st;
    if (fstatat(src, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return Error::from_errno("stat '" + where + "'");
    auto count = image::check_entry_count(limits_, stats_.entries);
    if (!count) return count;
    ++stats_.entries;
    const char* n = name.c_str();
    if (S_ISDIR(st.st_mode)) {
      if (mkdirat(dst, n, 0700) != 0) return Error::from_errno("create directory '" + where + "'");
      UniqueFd s(openat(src, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!s.valid() && errno == EACCES) {
        unreadable_.push_back({where + "/", st.st_mode & 07777});
        return {};
      }
      UniqueFd t(openat(dst, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!s.valid() || !t.valid()) return Error::from_errno("open directory '" + where + "'");
      auto r = copy_dir(s.get(), t.get(), where);
      if (!r) return r;
      auto m = set_owner_mode(t.get(), st, where);
      if (!m) return m.error().wrap("'" + where + "'");
      return {};
    }
    if (S_ISREG(st.st_mode)) {
      auto size = image::check_file_size(limits_, st.st_size);
      if (!size) return size.error().wrap("'" + where + "'");
      // O_NONBLOCK and the check again on the descriptor: the bundle may
      // have put a FIFO in place of the file since fstatat.
      UniqueFd s(openat(src, n, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
      if (!s.valid() && errno == EACCES) {
        unreadable_.push_back({where, st.st_mode & 07777});
        return {};
      }
      if (!s.valid()) return Error::from_errno("open '" + where + "'");
      auto regular = image::require_regular_file(s.get(), where);
      if (!regular) return regular;
      UniqueFd t(openat(dst, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
      if (!t.valid()) return Error::from_errno("create '" + where + "'");
      char buf[1 << 16];
      for (;;) {
        ssize_t r = read(s.get(), buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return Error::from_errno("read '" + where + "'");
        if (r == 0) break;
        auto room = image::check_bytes(limits_, stats_.bytes_written, static_cast<std::uint64_t>(r));
        if (!room) return room.error().wrap("'" + where + "'");
        for (ssize_t off = 0; off < r;) {
          ssize_t w = write(t.get(), buf + off, static_cast<std::size_t>(r - off));
          if (w < 0 && errno == EINTR) continue;
          if (w < 0) return Error::from_errno("write '" + where + "'");
          off += w;
        }
        stats_.bytes_written += static_cast<std::uint64_t>(r);
        if (stats_.bytes_written - last_sent_ >= kProgressStep) {
          last_sent_ = stats_.bytes_written;
          send_(progress_message(0, 0, stats_.bytes_written, 0));
        }
      }
      auto m = set_owner_mode(t.get(), st, where);
      if (!m) return m.error().wrap("'" + where + "'");
      struct timespec times[2] = {{0, UTIME_OMIT}, st.st_mtim};
      futimens(t.get(), times);
      return {};
    }
    if (S_ISLNK(st.st_mode)) {
      // A symlink's size is what it says; a PATH_MAX buffer is all a
      // usable target needs.
      std::string target(image::kMaxEntryPathBytes + 2, '\0');
      ssize_t len = readlinkat(src, n, target.data(), target.size());
      if (len < 0) return Error::from_errno("read link '" + where + "'");
      target.resize(static_cast<std::size_t>(len));
      auto length = image::check_path_length(target, "the symlink target");
      if (!length) return length.error().wrap("'" + where + "'");
      if (symlinkat(target.c_str(), dst, n) != 0)
        return Error::from_errno("create link '" + where + "'");
      auto [uid, gid] = owner(st, where);
      if (mapping_.full()) fchownat(dst, n, uid, gid, AT_SYMLINK_NOFOLLOW);
      return {};
    }
    if (S_ISFIFO(st.st_mode)) {
      if (mkfifoat(dst, n, st.st_mode & 07777) != 0)
        return Error::from_errno("create fifo '" + where + "'");
      return {};
    }
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) ++stats_.devices_skipped;
    return {};
  }

  const image::IdMapping& mapping_;
  const image::UnpackLimits& limits_;
  const HostView& view_;
  image::UnpackStats& stats_;
  const image::MessageSink& send_;
  std::uint64_t last_sent_ = 0;
  std::vector<Unreadable> unreadable_;
};

std::string octal(mode_t m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m));
  return buf;
}

// The refusal for what the copy could not read: every path (the first 20),
// why, and what would make it work.
Error unreadable_error(const std::vector<TreeCopier::Unreadable>& files, const std::string& from,
                       const image::IdMapping& mapping) {
  std::string list;
  const std::size_t shown = std::min<std::size_t>(files.size(), 20);
  for (std::size_t i = 0; i < shown; ++i)
    list += std::string(i ? ", " : "") + "'" + files[i].where + "' (mode " +
            octal(files[i].mode) + ")";
  if (files.size() > shown) list += " and " + std::to_string(files.size() - shown) + " more";
  return Error("cannot read " + std::to_string(files.size()) + " of its files: " + list +
               ". Their owner is a host id outside the ids box reads the bundle as (" +
               mapping.describe() +
               ": you as root, your subordinate ids as the others), and their mode lets no one "
               "else read them: a rootfs root made keeps such files to root. Nothing was "
               "installed. As root, let your user read them without changing an owner or a "
               "mode: 'setfacl -R -m u:" +
                   std::to_string(mapping.uid) + ":rX " + from +
                   "' (box keeps the owners root gave and the modes under the ACL), then "
                   "install again");
}

}  // namespace

image::UnpackLimits unpack_limits_for(const InstallOptions& options) {
  image::UnpackLimits limits;
  if (options.max_size > 0) limits.max_bytes = options.max_size;
  return limits;
}

namespace {

// Runs `work` in a child in the user namespace of `mapping` (as the image's
// owner), its progress messages reported as `phase`; the result is the
// stats it ends with, sent back as the child's last message.
Result<image::UnpackStats> run_as_owner(
    const image::IdMapping& mapping, Progress::Phase phase, const ProgressFn& progress,
    const std::atomic<bool>* cancel,
    const std::function<Result<image::UnpackStats>(const image::MessageSink&)>& work) {
  MessageReader reader{progress, phase, {}};
  auto r = image::run_in_user_namespace(
      mapping,
      [&](const image::MessageSink& send) -> Result<void> {
        auto stats = work(send);
        if (!stats) return std::move(stats).error();
        send(stats_message(*stats));
        return {};
      },
      std::ref(reader), cancel);
  if (!r) return std::move(r).error();
  return reader.stats;
}

}  // namespace

Result<image::UnpackStats> unpack_layers_as_owner(
    image::BlobSource& source, const std::vector<LayerJob>& layers, const std::string& rootfs,
    const image::IdMapping& mapping, const image::UnpackLimits& limits, const ProgressFn& progress,
    const std::atomic<bool>* cancel) {
  std::uint64_t total = 0;
  for (const auto& l : layers)
    total += l.check.size > 0 ? static_cast<std::uint64_t>(l.check.size) : 0;
  return run_as_owner(
      mapping, Progress::Phase::kUnpacking, progress, cancel,
      [&](const image::MessageSink& send) -> Result<image::UnpackStats> {
        UniqueFd root(::open(rootfs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!root.valid()) return Error::from_errno("open '" + rootfs + "'");
        image::UnpackOptions opts;
        opts.set_owners = mapping.full();
        opts.max_id = mapping.max_id();
        opts.limits = limits;
        image::UnpackStats stats;
        std::uint64_t done = 0;
        const int n = static_cast<int>(layers.size());
        for (int i = 0; i < n; ++i) {
          const auto& job = layers[static_cast<std::size_t>(i)];
          send(progress_message(i + 1, n, done, total));
          auto in = source.open(job.path);
          if (!in) return in.error().wrap(job.check.what);
          std::uint64_t last = 0;
          auto u = image::unpack_layer(root.get(), **in, job.check, opts, stats,
                                       [&](std::uint64_t bytes) {
                                         if (bytes - last < kProgressStep) return;
                                         last = bytes;
                                         send(progress_message(i + 1, n, done + bytes, total));
                                       });
          if (!u) return u.error();
          done = stats.bytes_read;
          send(progress_message(i + 1, n, done, total));
        }
        return stats;
      });
}

Result<image::UnpackStats> copy_tree_as_owner(const std::string& from, const std::string& to,
                                              const image::IdMapping& mapping,
                                              const image::UnpackLimits& limits,
                                              const ProgressFn& progress,
                                              const std::atomic<bool>* cancel) {
  // Read before the namespace: inside it, every id it does not map is the
  // same overflow id, and the owners root gave would be lost.
  const HostView view = HostViewReader(from, mapping, limits.max_entries).read();
  return run_as_owner(
      mapping, Progress::Phase::kCopying, progress, cancel,
      [&](const image::MessageSink& send) -> Result<image::UnpackStats> {
        UniqueFd src(::open(from.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!src.valid()) return Error::from_errno("open '" + from + "'");
        UniqueFd dst(::open(to.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!dst.valid()) return Error::from_errno("open '" + to + "'");
        image::UnpackStats stats;
        TreeCopier copier(mapping, limits, view, stats, send);
        auto c = copier.copy_dir(src.get(), dst.get(), "");
        if (!c) return c.error().wrap("copy '" + from + "'");
        if (!copier.unreadable().empty())
          return unreadable_error(copier.unreadable(), from, mapping).wrap("copy '" + from + "'");
        auto f = copier.finish_dir(src.get(), dst.get());
        if (!f) return f.error();
        return stats;
      });
}

}  // namespace box::install
