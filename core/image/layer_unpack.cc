#include "core/image/layer_unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <unordered_set>
#include <vector>

#include "core/image/sha256.h"
#include "core/image/whiteouts.h"
#include "core/sys/text_fields.h"
#include "core/sys/unique_fd.h"

namespace box::image {
namespace {

std::string join(const std::vector<std::string>& parts, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n && i < parts.size(); ++i) out += (i ? "/" : "") + parts[i];
  return out;
}

// Resolves `path` (relative, "" = the root) inside the rootfs as the
// container would: symlinks followed, but ".." and absolute links clamped at
// the rootfs, never out of it.
int open_in_root(int root_fd, const std::string& path, int flags) {
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags) | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const char* p = path.empty() ? "." : path.c_str();
  for (;;) {
    long fd = syscall(SYS_openat2, root_fd, p, &how, sizeof how);
    if (fd >= 0 || errno != EAGAIN) return static_cast<int>(fd);
  }
}

std::string archive_message(struct archive* a) {
  const char* m = archive_error_string(a);
  return m ? m : "unknown libarchive error";
}

// The layer stream as libarchive reads it, hashed and counted on the way.
struct StreamReader {
  InputStream* in;
  Sha256 hash;
  std::uint64_t bytes = 0;
  std::vector<char> buf = std::vector<char>(1 << 17);
  Error error;
  bool failed = false;
  const std::function<void(std::uint64_t)>* on_read;

  static la_ssize_t read_cb(struct archive* a, void* self, const void** out) {
    auto* r = static_cast<StreamReader*>(self);
    auto n = r->in->read(r->buf.data(), r->buf.size());
    if (!n) {
      r->error = n.error();
      r->failed = true;
      archive_set_error(a, EIO, "%s", r->error.message().c_str());
      return -1;
    }
    r->hash.update(r->buf.data(), *n);
    r->bytes += *n;
    if (*r->on_read) (*r->on_read)(r->bytes);
    *out = r->buf.data();
    return static_cast<la_ssize_t>(*n);
  }

  // libarchive may stop before the end (tar's zero blocks, gzip padding):
  // the digest covers every byte of the blob.
  Result<void> drain() {
    for (;;) {
      auto n = in->read(buf.data(), buf.size());
      if (!n) return n.error();
      if (*n == 0) return {};
      hash.update(buf.data(), *n);
      bytes += *n;
      if (*on_read) (*on_read)(bytes);
    }
  }
};

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};

class LayerWriter {
 public:
  LayerWriter(int root_fd, const UnpackOptions& options, UnpackStats& stats)
      : root_fd_(root_fd), options_(options), stats_(stats) {}

  Result<void> entry(struct archive* a, struct archive_entry* e) {
    const char* name = archive_entry_pathname(e);
    auto length = check_path_length(name ? name : "", "the entry name");
    if (!length) return length;
    auto count = check_entry_count(options_.limits, stats_.entries);
    if (!count) return count;
    auto parts = split_entry_path(name ? name : "");
    if (!parts) return parts.error();
    ++stats_.entries;
    if (archive_entry_xattr_count(e) > 0) stats_.xattrs_skipped += archive_entry_xattr_count(e);

    if (parts->empty()) {  // the root directory itself: only its metadata
      if (archive_entry_filetype(e) != AE_IFDIR) return Error("the root entry is not a directory");
      return set_metadata(root_fd_, e, true);
    }
    const std::string base = parts->back();
    const std::string parent_path = join(*parts, parts->size() - 1);
    const std::string path = join(*parts, parts->size());

    if (base.compare(0, kWhiteoutPrefix.size(), kWhiteoutPrefix) == 0) {
      ++stats_.whiteouts;
      auto parent = open_dir(parent_path, false);
      if (!parent) return parent.error();
      if (base == kOpaqueMarker) return make_opaque(parent->get(), parent_path);
      // ".wh..wh.plnk" and friends are aufs bookkeeping, not whiteouts.
      if (base.compare(0, 8, ".wh..wh.") == 0) return {};
      std::string victim = base.substr(kWhiteoutPrefix.size());
      std::string victim_path = parent_path.empty() ? victim : parent_path + "/" + victim;
      if (victim.empty() || victim == "." || victim == "..")
        return Error("invalid whiteout '" + path + "'");
      if (created_.count(victim_path)) return {};  // applies to lower layers only
      invalidate();
      return remove_entry_at(parent->get(), victim);
    }

    auto parent = open_dir(parent_path, true);
    if (!parent) return parent.error();
    const int pfd = parent->get();
    created_.insert(path);

    const char* hardlink = archive_entry_hardlink(e);
    if (hardlink) {
      auto l = check_path_length(hardlink, "the hard link target");
      if (!l) return l;
      return make_hardlink(pfd, base, hardlink);
    }

    switch (archive_entry_filetype(e)) {
      case AE_IFDIR:
        return make_dir(pfd, base, e);
      case AE_IFREG: {
        // Before anything is replaced: a sparse file's holes cost nothing
        // to write but its declared size is what the container sees.
        auto s = check_file_size(options_.limits,
                                 archive_entry_size_is_set(e) ? archive_entry_size(e) : -1);
        if (!s) return s;
        return make_file(a, pfd, base, e);
      }
      case AE_IFLNK:
        return make_symlink(pfd, base, e);
      case AE_IFIFO: {
        auto r = replace(pfd, base);
        if (!r) return r;
        if (mkfifoat(pfd, base.c_str(), 0600) != 0) return Error::from_errno("mkfifo");
        return set_metadata_at(pfd, base, e);
      }
      case AE_IFCHR:
      case AE_IFBLK:
        // Creating device nodes needs CAP_MKNOD in the initial namespace.
        ++stats_.devices_skipped;
        return {};
      default:
        return {};  // sockets and unknown types: nothing a layer should carry
    }
  }

  void new_layer() {
    created_.clear();
    invalidate();
  }

 private:
  // The parent directory of an entry, created (0755, like tar) when a layer
  // omits it. The last one is cached: layers list a directory's files
  // together. Anything that removes or adds non-files drops the cache.
  Result<UniqueFd> open_dir(const std::string& path, bool create) {
    if (cached_valid_ && cached_path_ == path) {
      int fd = fcntl(cached_fd_.get(), F_DUPFD_CLOEXEC, 0);
      if (fd < 0) return Error::from_errno("dup");
      return UniqueFd(fd);
    }
    UniqueFd fd(open_in_root(root_fd_, path, O_PATH | O_DIRECTORY));
    if (!fd.valid() && errno == ENOENT && create) {
      auto parts = split_entry_path(path);
      if (!parts) return parts.error();
      for (std::size_t i = 1; i <= parts->size(); ++i) {
        std::string prefix = join(*parts, i);
        UniqueFd p(open_in_root(root_fd_, prefix, O_PATH | O_DIRECTORY));
        if (p.valid()) continue;
        if (errno != ENOENT) return Error::from_errno("open directory '" + prefix + "'");
        UniqueFd up(open_in_root(root_fd_, join(*parts, i - 1), O_PATH | O_DIRECTORY));
        if (!up.valid()) return Error::from_errno("open directory '" + join(*parts, i - 1) + "'");
        if (mkdirat(up.get(), (*parts)[i - 1].c_str(), 0755) != 0 && errno != EEXIST)
          return Error::from_errno("create directory '" + prefix + "'");
      }
      fd.reset(open_in_root(root_fd_, path, O_PATH | O_DIRECTORY));
    }
    if (!fd.valid()) return Error::from_errno("open directory '" + path + "'");
    cached_path_ = path;
    cached_fd_.reset(fcntl(fd.get(), F_DUPFD_CLOEXEC, 0));
    cached_valid_ = cached_fd_.valid();
    return fd;
  }

  void invalidate() { cached_valid_ = false; }

  // Makes room for a new entry `name` in `pfd`: whatever is there goes.
  Result<void> replace(int pfd, const std::string& name) {
    struct stat st;
    if (fstatat(pfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return {};
      return Error::from_errno("stat");
    }
    invalidate();
    return remove_entry_at(pfd, name);
  }

  Result<void> make_opaque(int dirfd, const std::string& dir_path) {
    invalidate();
    UniqueFd fd(openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) return Error::from_errno("open");
    std::vector<std::string> victims;
    {
      DIR* d = fdopendir(fcntl(fd.get(), F_DUPFD_CLOEXEC, 0));
      if (!d) return Error::from_errno("read directory");
      while (struct dirent* de = readdir(d)) {
        std::string n = de->d_name;
        if (n == "." || n == "..") continue;
        if (!created_.count(dir_path.empty() ? n : dir_path + "/" + n)) victims.push_back(n);
      }
      closedir(d);
    }
    for (const auto& v : victims) {
      auto r = remove_entry_at(fd.get(), v);
      if (!r) return r;
    }
    return {};
  }

  Result<void> make_dir(int pfd, const std::string& name, struct archive_entry* e) {
    struct stat st;
    bool exists = fstatat(pfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (exists && !S_ISDIR(st.st_mode)) {
      auto r = replace(pfd, name);
      if (!r) return r;
      exists = false;
    }
    if (!exists) {
      invalidate();
      if (mkdirat(pfd, name.c_str(), 0700) != 0) return Error::from_errno("create directory");
    }
    UniqueFd fd(openat(pfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) return Error::from_errno("open directory");
    return set_metadata(fd.get(), e, false);
  }

  Result<void> make_file(struct archive* a, int pfd, const std::string& name,
                         struct archive_entry* e) {
    auto r = replace(pfd, name);
    if (!r) return r;
    UniqueFd fd(
        openat(pfd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid()) return Error::from_errno("create file");
    const void* buf;
    size_t size;
    la_int64_t offset;
    for (;;) {
      int rc = archive_read_data_block(a, &buf, &size, &offset);
      if (rc == ARCHIVE_EOF) break;
      if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) return Error(archive_message(a));
      // pwrite at the block's offset: a sparse file's holes stay holes.
      const char* p = static_cast<const char*>(buf);
      auto room = check_bytes(options_.limits, stats_.bytes_written, size);
      if (!room) return room;
      while (size > 0) {
        ssize_t n = pwrite(fd.get(), p, size, offset);
        if (n < 0) {
          if (errno == EINTR) continue;
          return Error::from_errno("write");
        }
        p += n;
        size -= static_cast<size_t>(n);
        offset += n;
        stats_.bytes_written += static_cast<std::uint64_t>(n);
      }
    }
    if (archive_entry_size_is_set(e) && ftruncate(fd.get(), archive_entry_size(e)) != 0)
      return Error::from_errno("truncate");
    auto m = set_metadata(fd.get(), e, false);
    if (!m) return m;
    struct timespec times[2] = {{0, UTIME_OMIT},
                                {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};
    futimens(fd.get(), times);
    return {};
  }

  Result<void> make_symlink(int pfd, const std::string& name, struct archive_entry* e) {
    const char* target = archive_entry_symlink(e);
    if (!target || !*target) return Error("symlink without a target");
    auto l = check_path_length(target, "the symlink target");
    if (!l) return l;
    auto r = replace(pfd, name);
    if (!r) return r;
    invalidate();
    // The target is stored as written: it is resolved in the container's
    // root at run time, and here only ever through open_in_root.
    if (symlinkat(target, pfd, name.c_str()) != 0) return Error::from_errno("create symlink");
    return set_metadata_at(pfd, name, e);
  }

  Result<void> make_hardlink(int pfd, const std::string& name, const char* target) {
    auto tparts = split_entry_path(target);
    if (!tparts) return tparts.error().wrap("hard link target '" + std::string(target) + "'");
    if (tparts->empty()) return Error("hard link to the root directory");
    auto tparent = open_dir(join(*tparts, tparts->size() - 1), false);
    if (!tparent) return tparent.error().wrap("hard link target '" + std::string(target) + "'");
    auto r = replace(pfd, name);
    if (!r) return r;
    // No AT_SYMLINK_FOLLOW: a link to a symlink links the symlink itself.
    if (linkat(tparent->get(), tparts->back().c_str(), pfd, name.c_str(), 0) != 0)
      return Error::from_errno("hard link to '" + std::string(target) + "'");
    return {};
  }

  std::pair<uid_t, gid_t> owner(struct archive_entry* e) {
    auto uid = static_cast<std::uint64_t>(archive_entry_uid(e));
    auto gid = static_cast<std::uint64_t>(archive_entry_gid(e));
    if (uid > options_.max_id || gid > options_.max_id) {
      ++stats_.owners_clamped;
      if (uid > options_.max_id) uid = 0;
      if (gid > options_.max_id) gid = 0;
    }
    return {static_cast<uid_t>(uid), static_cast<gid_t>(gid)};
  }

  // Owner before mode: chown clears set-id bits.
  Result<void> set_metadata(int fd, struct archive_entry* e, bool is_root) {
    if (options_.set_owners) {
      auto [uid, gid] = owner(e);
      if (fchown(fd, uid, gid) != 0) return Error::from_errno("set owner");
    }
    mode_t mode = archive_entry_perm(e) & 07777;
    // The rootfs must stay reachable by its owner whatever the layer says.
    if (is_root) mode |= 0700;
    if (fchmod(fd, mode) != 0) return Error::from_errno("set mode");
    return {};
  }

  Result<void> set_metadata_at(int pfd, const std::string& name, struct archive_entry* e) {
    if (options_.set_owners) {
      auto [uid, gid] = owner(e);
      if (fchownat(pfd, name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0)
        return Error::from_errno("set owner");
    }
    if (archive_entry_filetype(e) != AE_IFLNK &&
        fchmodat(pfd, name.c_str(), archive_entry_perm(e) & 07777, 0) != 0)
      return Error::from_errno("set mode");
    struct timespec times[2] = {{0, UTIME_OMIT},
                                {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};
    utimensat(pfd, name.c_str(), times, AT_SYMLINK_NOFOLLOW);
    return {};
  }

  int root_fd_;
  const UnpackOptions& options_;
  UnpackStats& stats_;
  std::unordered_set<std::string> created_;  // paths this layer made
  std::string cached_path_;
  UniqueFd cached_fd_;
  bool cached_valid_ = false;
};

}  // namespace

Result<std::vector<std::string>> split_entry_path(const std::string& name) {
  std::vector<std::string> parts;
  for (auto part : split_nonempty(name, "/")) {
    if (part == "..")
      return Error("entry '" + name +
                   "' has a '..' component: refusing to write outside the rootfs");
    if (part != ".") parts.emplace_back(part);
  }
  return parts;
}

Result<void> remove_entry_at(int dirfd, const std::string& name) {
  struct stat st;
  if (fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return {};
    return Error::from_errno("stat '" + name + "'");
  }
  if (!S_ISDIR(st.st_mode)) {
    if (unlinkat(dirfd, name.c_str(), 0) != 0 && errno != ENOENT)
      return Error::from_errno("remove '" + name + "'");
    return {};
  }
  UniqueFd fd(openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return Error::from_errno("open directory '" + name + "'");
  std::vector<std::string> children;
  {
    DIR* d = fdopendir(fcntl(fd.get(), F_DUPFD_CLOEXEC, 0));
    if (!d) return Error::from_errno("read directory '" + name + "'");
    while (struct dirent* de = readdir(d)) {
      std::string n = de->d_name;
      if (n != "." && n != "..") children.push_back(std::move(n));
    }
    closedir(d);
  }
  for (const auto& c : children) {
    auto r = remove_entry_at(fd.get(), c);
    if (!r) return r.error().wrap("in '" + name + "'");
  }
  if (unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
    return Error::from_errno("remove directory '" + name + "'");
  return {};
}

Result<void> unpack_layer(int rootfs_fd, InputStream& in, const LayerToUnpack& layer,
                          const UnpackOptions& options, UnpackStats& stats,
                          const std::function<void(std::uint64_t)>& on_read) {
  StreamReader reader{&in, {}, 0, std::vector<char>(1 << 17), {}, false, &on_read};
  std::unique_ptr<struct archive, ArchiveDeleter> a(archive_read_new());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_empty(a.get());
  archive_read_support_filter_all(a.get());
  if (archive_read_open(a.get(), &reader, nullptr, &StreamReader::read_cb, nullptr) != ARCHIVE_OK) {
    if (reader.failed) return reader.error.wrap(layer.what);
    return Error(layer.what + ": not a tar archive: " + archive_message(a.get()));
  }
  LayerWriter writer(rootfs_fd, options, stats);
  writer.new_layer();
  struct archive_entry* e;
  for (;;) {
    int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      if (reader.failed) return reader.error.wrap(layer.what);
      return Error(layer.what + ": corrupt archive: " + archive_message(a.get()));
    }
    auto w = writer.entry(a.get(), e);
    if (!w) {
      if (reader.failed) return reader.error.wrap(layer.what);
      return w.error().wrap(layer.what + ": entry '" + archive_entry_pathname(e) + "'");
    }
  }
  auto d = reader.drain();
  if (!d) return d.error().wrap(layer.what);
  stats.bytes_read += reader.bytes;
  std::string digest = reader.hash.digest();
  if (!layer.digest.empty() && digest != layer.digest)
    return Error(layer.what + ": digest mismatch: the manifest says " + layer.digest +
                 ", the blob is " + digest + " (corrupt or tampered image)");
  if (layer.size >= 0 && static_cast<std::uint64_t>(layer.size) != reader.bytes)
    return Error(layer.what + ": size mismatch: the manifest says " + std::to_string(layer.size) +
                 " bytes, the blob has " + std::to_string(reader.bytes));
  return {};
}

}  // namespace box::image
