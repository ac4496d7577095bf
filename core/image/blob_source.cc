#include "image/blob_source.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "unique_fd.h"

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
std::string normalize(std::string p) {
  std::string out;
  std::size_t i = 0;
  while (i < p.size()) {
    std::size_t j = p.find('/', i);
    if (j == std::string::npos) j = p.size();
    std::string part = p.substr(i, j - i);
    if (!part.empty() && part != ".") out += (out.empty() ? "" : "/") + part;
    i = j + 1;
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
  Result<std::unique_ptr<InputStream>> open(const std::string& path) override {
    UniqueFd f(openat2_beneath(fd_.get(), path, O_RDONLY | O_NOCTTY));
    if (!f.valid()) return Error::from_errno("open '" + dir_ + "/" + path + "'");
    struct stat st;
    if (fstat(f.get(), &st) != 0) return Error::from_errno("stat '" + dir_ + "/" + path + "'");
    if (!S_ISREG(st.st_mode)) return Error("'" + dir_ + "/" + path + "' is not a regular file");
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

Result<ArchivePtr> open_archive(const std::string& file) {
  ArchivePtr a(archive_read_new());
  archive_read_support_format_tar(a.get());
  archive_read_support_filter_all(a.get());
  if (archive_read_open_filename(a.get(), file.c_str(), 1 << 16) != ARCHIVE_OK)
    return Error("open archive '" + file + "': " + archive_message(a.get()));
  return a;
}

// The data of one entry, read straight out of the archive.
class ArchiveEntryStream : public InputStream {
 public:
  ArchiveEntryStream(ArchivePtr a, std::string what) : a_(std::move(a)), what_(std::move(what)) {}
  Result<std::size_t> read(void* buf, std::size_t size) override {
    la_ssize_t n = archive_read_data(a_.get(), buf, size);
    if (n < 0) return Error(what_ + ": " + archive_message(a_.get()));
    return static_cast<std::size_t>(n);
  }

 private:
  ArchivePtr a_;
  std::string what_;
};

class ArchiveSource : public BlobSource {
 public:
  explicit ArchiveSource(std::string file) : file_(std::move(file)) {}

  Result<void> scan() {
    auto a = open_archive(file_);
    if (!a) return a.error();
    struct archive_entry* e;
    for (;;) {
      int r = archive_read_next_header(a->get(), &e);
      if (r == ARCHIVE_EOF) break;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
        return Error("read archive '" + file_ + "': " + archive_message(a->get()));
      if (archive_entry_filetype(e) != AE_IFREG) continue;
      std::string name = normalize(archive_entry_pathname(e));
      std::int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1;
      sizes_[name] = size;
      if (size >= 0 && size <= kCachedFileMax) {
        std::string data(static_cast<std::size_t>(size), '\0');
        la_ssize_t n = size ? archive_read_data(a->get(), data.data(), data.size()) : 0;
        if (n != size)
          return Error("read '" + name + "' in archive '" + file_ +
                       "': " + (n < 0 ? archive_message(a->get()) : "truncated"));
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
    auto a = open_archive(file_);
    if (!a) return a.error();
    struct archive_entry* e;
    for (;;) {
      int r = archive_read_next_header(a->get(), &e);
      if (r == ARCHIVE_EOF) break;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
        return Error("read archive '" + file_ + "': " + archive_message(a->get()));
      if (archive_entry_filetype(e) == AE_IFREG && normalize(archive_entry_pathname(e)) == want)
        return std::unique_ptr<InputStream>(new ArchiveEntryStream(
            std::move(*a), "read '" + want + "' in archive '" + file_ + "'"));
    }
    return Error("'" + path + "' is not in archive '" + file_ + "'");
  }

 private:
  std::string file_;
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
      return Error("'" + path + "' in " + describe() + " is larger than " + std::to_string(max) +
                   " bytes");
    out.append(buf, *n);
  }
  return out;
}

Result<std::unique_ptr<BlobSource>> open_directory_source(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return Error::from_errno("open directory '" + dir + "'");
  return std::unique_ptr<BlobSource>(new DirectorySource(dir, std::move(fd)));
}

Result<std::unique_ptr<BlobSource>> open_archive_source(const std::string& file) {
  auto src = std::make_unique<ArchiveSource>(file);
  auto r = src->scan();
  if (!r) return std::move(r).error();
  return std::unique_ptr<BlobSource>(std::move(src));
}

std::string blob_path(const std::string& digest) {
  return "blobs/sha256/" + digest.substr(std::strlen("sha256:"));
}

}  // namespace box::image
