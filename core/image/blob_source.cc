#include "core/image/blob_source.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/image/regular_file.h"
#include "core/image/unpack_limits.h"
#include "core/sys/text_fields.h"
#include "core/sys/unique_fd.h"

namespace box::image {
namespace {

// Files up to this size are kept in memory by the archive source: manifests
// and configs are a few KiB; anything bigger is a layer.
constexpr std::int64_t kCachedFileMax = 1 << 20;

int openat2_beneath(int dirfd, const std::string& path, int flags) {
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags) | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how));
}

std::string archive_message(struct archive* a) {
  const char* m = archive_error_string(a);
  return m ? m : "unknown libarchive error";
}

// "./blobs//sha256/x" -> "blobs/sha256/x"
std::string normalize(std::string_view p) {
  std::string out;
  for (auto part : split_nonempty(p, "/")) {
    if (part == ".") continue;
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

class FdStream : public InputStream {
 public:
  explicit FdStream(UniqueFd fd) : fd_(std::move(fd)) {}
  Result<std::size_t> read(void* buf, std::size_t size) override {
    for (;;) {
      ssize_t n = ::read(fd_.get(), buf, size);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR) return Error::from_errno("read");
    }
  }

 private:
  UniqueFd fd_;
};

class MemoryStream : public InputStream {
 public:
  explicit MemoryStream(const std::string* data) : data_(data) {}
  Result<std::size_t> read(void* buf, std::size_t size) override {
    std::size_t n = std::min(size, data_->size() - pos_);
    std::memcpy(buf, data_->data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  const std::string* data_;
  std::size_t pos_ = 0;
};

class DirectorySource : public BlobSource {
 public:
  DirectorySource(std::string dir, UniqueFd fd) : dir_(std::move(dir)), fd_(std::move(fd)) {}
  std::string describe() const override { return "OCI layout '" + dir_ + "'"; }
  bool exists(const std::string& path) override {
    UniqueFd f(openat2_beneath(fd_.get(), path, O_PATH));
    return f.valid();
  }
  std::int64_t size(const std::string& path) override {
    UniqueFd f(openat2_beneath(fd_.get(), path, O_PATH));
    struct stat st;
    if (!f.valid() || fstat(f.get(), &st) != 0) return -1;
    return st.st_size;
  }
  // O_NONBLOCK: a FIFO named like a blob must fail here, not wait for a
  // writer (regular_file.h).
  Result<std::unique_ptr<InputStream>> open(const std::string& path) override {
    UniqueFd f(openat2_beneath(fd_.get(), path, O_RDONLY | O_NOCTTY | O_NONBLOCK));
    if (!f.valid()) return Error::from_errno("open '" + dir_ + "/" + path + "'");
    auto r = require_regular_file(f.get(), dir_ + "/" + path);
    if (!r) return std::move(r).error();
    return std::unique_ptr<InputStream>(new FdStream(std::move(f)));
  }

 private:
  std::string dir_;
  UniqueFd fd_;
};

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveDeleter>;

// The archive file as libarchive reads it: only a regular file (a FIFO
// would block the open), and each read first looks at `cancel`, so that a
// scan through gigabytes stops as soon as the install is cancelled.
struct ArchiveFile {
  UniqueFd fd;
  const std::atomic<bool>* cancel = nullptr;
  std::vector<char> buf = std::vector<char>(1 << 16);

  static la_ssize_t read_cb(struct archive* a, void* self, const void** out) {
    auto* f = static_cast<ArchiveFile*>(self);
    if (f->cancel && f->cancel->load()) {
      archive_set_error(a, ECANCELED, "cancelled");
      return -1;
    }
    for (;;) {
      ssize_t n = ::read(f->fd.get(), f->buf.data(), f->buf.size());
      if (n >= 0) {
        *out = f->buf.data();
        return n;
      }
      if (errno != EINTR) {
        archive_set_error(a, errno, "%s", strerror(errno));
        return -1;
      }
      if (f->cancel && f->cancel->load()) {
        archive_set_error(a, ECANCELED, "cancelled");
        return -1;
      }
    }
  }
};

// Skipping an entry's data (layers not asked for) seeks past it, as
// libarchive does with a file it opens itself.
la_int64_t skip_cb(struct archive* a, void* self, la_int64_t request) {
  auto* f = static_cast<ArchiveFile*>(self);
  if (f->cancel && f->cancel->load()) {
    archive_set_error(a, ECANCELED, "cancelled");
    return ARCHIVE_FATAL;
  }
  struct stat st;
  off_t at = lseek(f->fd.get(), 0, SEEK_CUR);
  if (at < 0 || fstat(f->fd.get(), &st) != 0) return 0;  // libarchive reads instead
  la_int64_t n = std::min<la_int64_t>(request, std::max<la_int64_t>(st.st_size - at, 0));
  if (lseek(f->fd.get(), n, SEEK_CUR) < 0) return 0;
  return n;
}

// libarchive's handle and the file it reads, which must outlive it.
struct OpenArchive {
  std::unique_ptr<ArchiveFile> file;
  ArchivePtr a;
};

Result<OpenArchive> open_archive(const std::string& path, const std::atomic<bool>* cancel) {
  auto fd = open_regular_file(path, FinalSymlink::kFollow);
  if (!fd) return std::move(fd).error().wrap("open archive");
  OpenArchive o;
  o.file = std::make_unique<ArchiveFile>();
  o.file->fd = std::move(*fd);
  o.file->cancel = cancel;
  o.a.reset(archive_read_new());
  archive_read_support_format_tar(o.a.get());
  archive_read_support_filter_all(o.a.get());
  archive_read_set_callback_data(o.a.get(), o.file.get());
  archive_read_set_read_callback(o.a.get(), &ArchiveFile::read_cb);
  archive_read_set_skip_callback(o.a.get(), &skip_cb);
  if (archive_read_open1(o.a.get()) != ARCHIVE_OK)
    return Error("open archive '" + path + "': " + archive_message(o.a.get()));
  return o;
}

// The data of one entry, read straight out of the archive.
class ArchiveEntryStream : public InputStream {
 public:
  ArchiveEntryStream(OpenArchive a, std::string what) : a_(std::move(a)), what_(std::move(what)) {}
  Result<std::size_t> read(void* buf, std::size_t size) override {
    la_ssize_t n = archive_read_data(a_.a.get(), buf, size);
    if (n < 0) return Error(what_ + ": " + archive_message(a_.a.get()));
    return static_cast<std::size_t>(n);
  }

 private:
  OpenArchive a_;
  std::string what_;
};

class ArchiveSource : public BlobSource {
 public:
  ArchiveSource(std::string file, const std::atomic<bool>* cancel)
      : file_(std::move(file)), cancel_(cancel) {}

  Result<void> scan() {
    auto o = open_archive(file_, cancel_);
    if (!o) return o.error();
    struct archive* a = o->a.get();
    struct archive_entry* e;
    std::uint64_t cached = 0;
    for (std::size_t entries = 0;; ++entries) {
      int r = archive_read_next_header(a, &e);
      if (r == ARCHIVE_EOF) break;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
        return Error("read archive '" + file_ + "': " + archive_message(a));
      if (entries >= kMaxArchiveEntries)
        return Error("archive '" + file_ + "' has more than " +
                     std::to_string(kMaxArchiveEntries) +
                     " entries, the most box reads from an image archive");
      if (archive_entry_filetype(e) != AE_IFREG) continue;
      std::string name = normalize(archive_entry_pathname(e));
      std::int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1;
      sizes_[name] = size;
      // Past the cache's budget a small file is read like a layer: by
      // scanning the archive to it again.
      if (size >= 0 && size <= kCachedFileMax &&
          cached + static_cast<std::uint64_t>(size) <= kMaxArchiveCacheBytes) {
        std::string data(static_cast<std::size_t>(size), '\0');
        la_ssize_t n = size ? archive_read_data(a, data.data(), data.size()) : 0;
        if (n != size)
          return Error("read '" + name + "' in archive '" + file_ +
                       "': " + (n < 0 ? archive_message(a) : "truncated"));
        cached += static_cast<std::uint64_t>(size);
        cache_[name] = std::move(data);
      }
    }
    return {};
  }

  std::string describe() const override { return "archive '" + file_ + "'"; }
  bool exists(const std::string& path) override { return sizes_.count(normalize(path)) > 0; }
  std::int64_t size(const std::string& path) override {
    auto it = sizes_.find(normalize(path));
    return it == sizes_.end() ? -1 : it->second;
  }
  Result<std::unique_ptr<InputStream>> open(const std::string& path) override {
    std::string want = normalize(path);
    auto cached = cache_.find(want);
    if (cached != cache_.end())
      return std::unique_ptr<InputStream>(new MemoryStream(&cached->second));
    if (!sizes_.count(want)) return Error("'" + path + "' is not in archive '" + file_ + "'");
    auto a = open_archive(file_, cancel_);
    if (!a) return a.error();
    struct archive_entry* e;
    for (;;) {
      int r = archive_read_next_header(a->a.get(), &e);
      if (r == ARCHIVE_EOF) break;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
        return Error("read archive '" + file_ + "': " + archive_message(a->a.get()));
      if (archive_entry_filetype(e) == AE_IFREG && normalize(archive_entry_pathname(e)) == want)
        return std::unique_ptr<InputStream>(new ArchiveEntryStream(
            std::move(*a), "read '" + want + "' in archive '" + file_ + "'"));
    }
    return Error("'" + path + "' is not in archive '" + file_ + "'");
  }

 private:
  std::string file_;
  const std::atomic<bool>* cancel_;
  std::map<std::string, std::int64_t> sizes_;
  std::map<std::string, std::string> cache_;
};

}  // namespace

Result<std::string> BlobSource::read_file(const std::string& path, std::size_t max) {
  auto s = open(path);
  if (!s) return s.error();
  std::string out;
  char buf[1 << 16];
  for (;;) {
    auto n = (*s)->read(buf, sizeof buf);
    if (!n) return n.error().wrap("read '" + path + "' from " + describe());
    if (*n == 0) break;
    if (out.size() + *n > max)
      return Error("'" + path + "' in " + describe() + " is larger than " + human_limit(max) +
                   ", the most box reads from this kind of file");
    out.append(buf, *n);
  }
  return out;
}

Result<std::unique_ptr<BlobSource>> open_directory_source(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return Error::from_errno("open directory '" + dir + "'");
  return std::unique_ptr<BlobSource>(new DirectorySource(dir, std::move(fd)));
}

Result<std::unique_ptr<BlobSource>> open_archive_source(const std::string& file,
                                                      const std::atomic<bool>* cancel) {
  auto src = std::make_unique<ArchiveSource>(file, cancel);
  auto r = src->scan();
  if (!r) return std::move(r).error();
  return std::unique_ptr<BlobSource>(std::move(src));
}

std::string blob_path(const std::string& digest) {
  return "blobs/sha256/" + digest.substr(std::strlen("sha256:"));
}

}  // namespace box::image
