#include "core/image/layer_pack.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <optional>

#include "core/image/sha256.h"
#include "core/sys/terminal_io.h"
#include "core/sys/unique_fd.h"

namespace box::image {
namespace {

std::string archive_message(struct archive* a) {
  const char* m = archive_error_string(a);
  return m ? m : "unknown libarchive error";
}

struct DirEntry {
  std::string name;
  unsigned char type = DT_UNKNOWN;
};

// The names in directory `fd` ("." and ".." left out), with readdir's types.
Result<std::vector<DirEntry>> list_dir(int fd, const std::string& what) {
  int copy = ::openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (copy < 0) return Error::from_errno("open '" + what + "'");
  DIR* d = ::fdopendir(copy);
  if (!d) {
    Error e = Error::from_errno("read '" + what + "'");
    ::close(copy);
    return e;
  }
  std::vector<DirEntry> out;
  errno = 0;
  while (const dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
      out.push_back({e->d_name, e->d_type});
    errno = 0;
  }
  Error failed = Error::from_errno("read '" + what + "'");
  const bool ok = errno == 0;
  ::closedir(d);
  if (!ok) return failed;
  return out;
}

// The extended attributes of `fd`: each name and value.
Result<std::vector<std::pair<std::string, std::string>>> read_xattrs(int fd,
                                                                     const std::string& what) {
  std::vector<std::pair<std::string, std::string>> out;
  ssize_t n = ::flistxattr(fd, nullptr, 0);
  if (n < 0) {
    if (errno == ENOTSUP) return out;
    return Error::from_errno("list the extended attributes of '" + what + "'");
  }
  std::string names(static_cast<std::size_t>(n), '\0');
  n = ::flistxattr(fd, names.data(), names.size());
  if (n < 0) return Error::from_errno("list the extended attributes of '" + what + "'");
  names.resize(static_cast<std::size_t>(n));
  for (std::size_t at = 0; at < names.size();) {
    const std::string name = names.c_str() + at;
    at += name.size() + 1;
    ssize_t size = ::fgetxattr(fd, name.c_str(), nullptr, 0);
    if (size < 0 && errno == ENODATA) continue;  // removed meanwhile
    std::string value(size > 0 ? static_cast<std::size_t>(size) : 0, '\0');
    if (size >= 0) size = ::fgetxattr(fd, name.c_str(), value.data(), value.size());
    if (size < 0)
      return Error::from_errno("read the extended attribute " + name + " of '" + what + "'");
    value.resize(static_cast<std::size_t>(size));
    out.emplace_back(name, std::move(value));
  }
  return out;
}

const char* type_name(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFCHR:
      return "a character device";
    case S_IFBLK:
      return "a block device";
    default:
      return "a special file";
  }
}

struct EntryDeleter {
  void operator()(struct archive_entry* e) const { archive_entry_free(e); }
};
using Entry = std::unique_ptr<struct archive_entry, EntryDeleter>;

class Packer {
 public:
  Packer(const PackInput& input, int out_fd) : input_(input), out_fd_(out_fd) {}
  ~Packer() {
    if (links_) archive_entry_linkresolver_free(links_);
    if (a_) archive_write_free(a_);
  }

  Result<PackResult> run() {
    a_ = archive_write_new();
    links_ = archive_entry_linkresolver_new();
    if (!a_ || !links_) return Error("libarchive: out of memory");
    // Names as they are on disk, whatever the locale: a layer's names are
    // bytes.
    if (archive_write_set_format_pax_restricted(a_) != ARCHIVE_OK ||
        archive_write_add_filter_none(a_) != ARCHIVE_OK ||
        archive_write_set_options(a_, "hdrcharset=BINARY") != ARCHIVE_OK)
      return Error("set up the layer's tar: " + archive_message(a_));
    archive_entry_linkresolver_set_strategy(links_, archive_format(a_));
    if (archive_write_open(a_, this, nullptr, &Packer::write_cb, nullptr) != ARCHIVE_OK)
      return failure("start the layer's tar");
    auto walked = walk("", input_.lower_fd, input_.upper_fd);
    if (!walked) return walked.error();
    if (archive_write_close(a_) != ARCHIVE_OK) return failure("finish the layer's tar");
    result_.digest = hash_.digest();
    result_.size = written_;
    return result_;
  }

 private:
  static la_ssize_t write_cb(struct archive* a, void* self, const void* data, size_t size) {
    auto* p = static_cast<Packer*>(self);
    if (!write_all(p->out_fd_, static_cast<const char*>(data), size)) {
      p->write_error_ = Error::from_errno("write the layer");
      archive_set_error(a, errno, "%s", p->write_error_->message().c_str());
      return -1;
    }
    p->hash_.update(data, size);
    p->written_ += size;
    return static_cast<la_ssize_t>(size);
  }

  Error failure(const std::string& what) {
    if (write_error_) return *write_error_;
    return Error(what + ": " + archive_message(a_));
  }

  static std::string join(const std::string& dir, const std::string& name) {
    return dir.empty() ? name : dir + "/" + name;
  }

  // One directory of the merged view: `lower` and `upper` are its two
  // sides (-1 where there is none).
  Result<void> walk(const std::string& rel, int lower, int upper) {
    const std::string shown = rel.empty() ? "/" : rel;
    std::vector<UpperDirEntry> upper_entries;
    bool opaque = false;
    if (upper >= 0) {
      auto listed = list_dir(upper, "upper dir: " + shown);
      if (!listed) return listed.error();
      for (const auto& e : *listed) {
        UpperDirEntry u{e.name};
        if (e.type == DT_CHR || e.type == DT_UNKNOWN) {
          struct stat st;
          if (::fstatat(upper, e.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
            return Error::from_errno("look at '" + join(rel, e.name) + "' in the upper dir");
          u.char_device = S_ISCHR(st.st_mode);
          u.rdev_major = major(st.st_rdev);
          u.rdev_minor = minor(st.st_rdev);
        }
        upper_entries.push_back(std::move(u));
      }
      auto xattrs = read_xattrs(upper, "upper dir: " + shown);
      if (!xattrs) return xattrs.error();
      for (const auto& [name, value] : *xattrs)
        if (is_opaque_xattr(name, value)) opaque = true;
      if (has_opaque_marker(upper_entries, input_.writer)) opaque = true;
    }
    std::vector<std::string> lower_names;
    if (lower >= 0) {
      auto listed = list_dir(lower, shown);
      if (!listed) return listed.error();
      for (auto& e : *listed) lower_names.push_back(std::move(e.name));
    }
    const auto merged = merge_directory(lower_names, upper_entries, input_.writer, opaque);
    std::uint64_t lower_seen = 0;
    for (const auto& m : merged) lower_seen += m.lower ? 1 : 0;
    result_.hidden += lower_names.size() - lower_seen;

    for (const auto& m : merged) {
      const std::string path = join(rel, m.name);
      if (is_whiteout_name(m.name))
        return Error("'/" + path + "': an OCI layer cannot hold a file whose name begins with '" +
                     std::string(kWhiteoutPrefix) + "' (whoever unpacks it deletes '" +
                     m.name.substr(kWhiteoutPrefix.size()) +
                     "' instead); rename or remove it in the box and export again");
      const int from = m.upper ? upper : lower;
      auto r = entry(path, from, m.name, m.upper && m.lower ? lower : -1, m.upper);
      if (!r) return r;
    }
    return {};
  }

  // The entry `name` of directory `from`; `lower_too`: the lower side's
  // directory of the same name to merge under it, if it is one.
  Result<void> entry(const std::string& path, int from, const std::string& name, int lower_too,
                     bool from_upper) {
    struct stat st;
    if (::fstatat(from, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return Error::from_errno("look at '/" + path + "'");
    Entry e(archive_entry_new());
    if (!e) return Error("libarchive: out of memory");
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_mode(e.get(), st.st_mode);
    archive_entry_set_uid(e.get(), st.st_uid);
    archive_entry_set_gid(e.get(), st.st_gid);
    archive_entry_set_mtime(e.get(), st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    archive_entry_set_size(e.get(), 0);
    ++result_.entries;

    if (S_ISDIR(st.st_mode)) {
      UniqueFd dir(::openat(from, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!dir.valid()) return Error::from_errno("open '/" + path + "'");
      auto x = add_xattrs(e.get(), dir.get(), path);
      if (!x) return x;
      auto h = header(e.get(), path);
      if (!h) return h;
      // The lower side merges under an upper directory only if it is one
      // too (an upper directory over a lower file replaced it).
      UniqueFd lower_dir;
      if (lower_too >= 0)
        lower_dir.reset(
            ::openat(lower_too, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (from_upper) return walk(path, lower_dir.get(), dir.get());
      return walk(path, dir.get(), -1);
    }
    if (S_ISLNK(st.st_mode)) {
      std::string target(PATH_MAX, '\0');
      ssize_t n = ::readlinkat(from, name.c_str(), target.data(), target.size());
      if (n < 0) return Error::from_errno("read the symlink '/" + path + "'");
      if (static_cast<std::size_t>(n) == target.size())
        return Error("the symlink '/" + path + "' points further than PATH_MAX");
      target.resize(static_cast<std::size_t>(n));
      archive_entry_set_symlink(e.get(), target.c_str());
      return header(e.get(), path);
    }
    if (S_ISFIFO(st.st_mode)) return header(e.get(), path);
    if (S_ISSOCK(st.st_mode)) {
      --result_.entries;
      result_.sockets.push_back("/" + path);
      return {};
    }
    if (!S_ISREG(st.st_mode))
      return Error("'/" + path + "' is " + type_name(st.st_mode) + " (" +
                   std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev)) +
                   "): box exports no device nodes (a container's /dev is its runner's); "
                   "remove it in the box and export again");
    return regular(e.get(), from, name, path);
  }

  Result<void> regular(struct archive_entry* e, int from, const std::string& name,
                       const std::string& path) {
    UniqueFd fd(::openat(from, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd.valid()) return Error::from_errno("open '/" + path + "'");
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return Error::from_errno("stat '/" + path + "'");
    if (!S_ISREG(st.st_mode)) return Error("'/" + path + "' changed while it was exported");
    archive_entry_set_size(e, st.st_size);
    archive_entry_set_dev(e, st.st_dev);
    archive_entry_set_ino64(e, st.st_ino);
    archive_entry_set_nlink(e, st.st_nlink);
    auto x = add_xattrs(e, fd.get(), path);
    if (!x) return x;
    // The first name of a file with several is written with its data, the
    // others as hard links to it (the tar formats' strategy).
    struct archive_entry* linked = e;
    struct archive_entry* spare = nullptr;
    archive_entry_linkify(links_, &linked, &spare);
    if (linked && archive_entry_hardlink(linked)) ++result_.hard_links;
    auto h = header(linked, path);
    if (!h) return h;
    if (archive_entry_size(linked) == 0) return {};
    char buf[1 << 16];
    std::int64_t left = st.st_size;
    while (left > 0) {
      ssize_t n = ::read(fd.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Error::from_errno("read '/" + path + "'");
      if (n == 0) return Error("'/" + path + "' shrank while it was exported");
      const std::size_t take = static_cast<std::size_t>(std::min<std::int64_t>(n, left));
      if (archive_write_data(a_, buf, take) < 0) return failure("write '/" + path + "'");
      left -= static_cast<std::int64_t>(take);
    }
    return {};
  }

  Result<void> add_xattrs(struct archive_entry* e, int fd, const std::string& path) {
    auto xattrs = read_xattrs(fd, "/" + path);
    if (!xattrs) return xattrs.error();
    for (const auto& [name, value] : *xattrs) {
      // The overlay's bookkeeping, and the host's SELinux label (a
      // property of where the files lie, not of the files).
      if (is_overlay_xattr(name) || name == "security.selinux") continue;
      archive_entry_xattr_add_entry(e, name.c_str(), value.data(), value.size());
      ++result_.xattrs;
    }
    return {};
  }

  Result<void> header(struct archive_entry* e, const std::string& path) {
    if (archive_write_header(a_, e) < ARCHIVE_WARN) return failure("write '/" + path + "'");
    return {};
  }

  const PackInput& input_;
  const int out_fd_;
  struct archive* a_ = nullptr;
  struct archive_entry_linkresolver* links_ = nullptr;
  Sha256 hash_;
  std::uint64_t written_ = 0;
  std::optional<Error> write_error_;
  PackResult result_;
};

}  // namespace

Result<PackResult> pack_layer(const PackInput& input, int out_fd) {
  Packer p(input, out_fd);
  return p.run();
}

}  // namespace box::image
