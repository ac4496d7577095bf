#include "install/safe_remove.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "core/image/layer_unpack.h"
#include "core/sys/unique_fd.h"
#include "install/own_places.h"

namespace box::install {
namespace {

// What a walk found: the parent directory, opened without following a
// symlink anywhere, and the last component; or why it stopped.
struct Walk {
  UniqueFd parent;
  std::string leaf;
  std::string stopped;  // non-empty: a note (a symlink, a missing component)
  bool missing = false;
};

Result<Walk> walk_to_parent(const std::string& path) {
  Walk w;
  if (!is_canonical_path(path) || path == "/") {
    w.stopped = "'" + path + "' is not a canonical absolute path";
    return w;
  }
  std::vector<std::string> parts;
  for (std::size_t start = 1; start <= path.size();) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  UniqueFd dir(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return Error::from_errno("open '/'");
  std::string walked;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    walked += "/" + parts[i];
    // O_PATH|O_NOFOLLOW opens a symlink itself: fstat tells it apart.
    UniqueFd next(openat(dir.get(), parts[i].c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!next.valid()) {
      if (errno == ENOENT) {
        w.missing = true;
        return w;
      }
      return Error::from_errno("open '" + walked + "'");
    }
    struct stat st;
    if (fstat(next.get(), &st) != 0) return Error::from_errno("stat '" + walked + "'");
    if (!S_ISDIR(st.st_mode)) {
      w.stopped = "'" + walked + "' is " + (S_ISLNK(st.st_mode) ? "a symlink" : "not a directory") +
                  ": not followed";
      return w;
    }
    dir = std::move(next);
  }
  w.parent = std::move(dir);
  w.leaf = parts.back();
  return w;
}

// The work of remove_recorded/remove_own_dir, where it runs (this process
// for a file, the user namespace for a directory). `check_id`: compare the
// inode with `rec`.
Result<std::string> remove_checked(const CreatedPath& rec, bool check_id, bool want_dir) {
  auto w = walk_to_parent(rec.path);
  if (!w) return w.error();
  if (w->missing) return std::string();
  if (!w->stopped.empty()) return "left '" + rec.path + "': " + w->stopped;
  struct stat st;
  if (fstatat(w->parent.get(), w->leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return std::string();
    return Error::from_errno("stat '" + rec.path + "'");
  }
  if (check_id && (st.st_dev != rec.dev || st.st_ino != rec.ino))
    return "left '" + rec.path + "': it is not the one the install created (another device or inode)";
  if (want_dir != S_ISDIR(st.st_mode))
    return "left '" + rec.path + "': " +
           (S_ISLNK(st.st_mode) ? "a symlink"
                                : want_dir ? "not a directory" : "a directory, not a file");
  if (!want_dir) {
    if (unlinkat(w->parent.get(), w->leaf.c_str(), 0) != 0 && errno != ENOENT)
      return Error::from_errno("remove '" + rec.path + "'");
    return std::string();
  }
  // The directory itself, opened without following: its contents are
  // removed through this descriptor, so a rename of the path meanwhile
  // cannot redirect the removal; the final rmdir removes only an empty dir.
  UniqueFd d(openat(w->parent.get(), w->leaf.c_str(),
                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!d.valid()) {
    if (errno == ELOOP || errno == ENOTDIR) return "left '" + rec.path + "': not a directory";
    return Error::from_errno("open '" + rec.path + "'");
  }
  struct stat dst;
  if (fstat(d.get(), &dst) != 0) return Error::from_errno("stat '" + rec.path + "'");
  if (check_id && (dst.st_dev != rec.dev || dst.st_ino != rec.ino))
    return "left '" + rec.path + "': it is not the one the install created (another device or inode)";
  std::vector<std::string> children;
  {
    DIR* dp = fdopendir(fcntl(d.get(), F_DUPFD_CLOEXEC, 0));
    if (!dp) return Error::from_errno("read directory '" + rec.path + "'");
    while (struct dirent* de = readdir(dp)) {
      std::string n = de->d_name;
      if (n != "." && n != "..") children.push_back(std::move(n));
    }
    closedir(dp);
  }
  for (const auto& c : children) {
    auto r = image::remove_entry_at(d.get(), c);
    if (!r) return r.error().wrap("remove '" + rec.path + "'");
  }
  if (unlinkat(w->parent.get(), w->leaf.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
    return Error::from_errno("remove directory '" + rec.path + "'");
  return std::string();
}

Result<std::string> remove_dir_as_owner(const CreatedPath& rec, bool check_id,
                                        const image::IdMapping& mapping) {
  struct stat st;
  if (lstat(rec.path.c_str(), &st) != 0 && errno == ENOENT) return std::string();
  std::string note;
  auto r = image::run_in_user_namespace(
      mapping,
      [&](const image::MessageSink& say) -> Result<void> {
        auto n = remove_checked(rec, check_id, true);
        if (!n) return n.error();
        if (!n->empty()) say(*n);
        return {};
      },
      [&](const std::string& m) { note = m; });
  if (!r) return r.error();
  return note;
}

}  // namespace

Result<CreatedPath> record_created(const std::string& path, const std::string& kind) {
  auto w = walk_to_parent(path);
  if (!w) return w.error();
  if (w->missing) return Error("record '" + path + "': it is missing");
  if (!w->stopped.empty()) return Error("record '" + path + "': " + w->stopped);
  struct stat st;
  if (fstatat(w->parent.get(), w->leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return Error::from_errno("stat '" + path + "'");
  return CreatedPath{path, kind, static_cast<std::uint64_t>(st.st_dev),
                     static_cast<std::uint64_t>(st.st_ino)};
}

Result<std::string> remove_recorded(const CreatedPath& rec, const image::IdMapping& mapping) {
  if (rec.kind == "data" || rec.kind == "runtime") return remove_dir_as_owner(rec, true, mapping);
  return remove_checked(rec, true, false);
}

Result<std::string> remove_own_dir(const std::string& path, const image::IdMapping& mapping) {
  return remove_dir_as_owner(CreatedPath{path, "own", 0, 0}, false, mapping);
}

}  // namespace box::install
