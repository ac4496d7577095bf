#include "core/image/regular_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

namespace box::image {

std::string file_type_text(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return "a regular file";
    case S_IFDIR:
      return "a directory";
    case S_IFIFO:
      return "a FIFO";
    case S_IFCHR:
      return "a character device";
    case S_IFBLK:
      return "a block device";
    case S_IFSOCK:
      return "a socket";
    case S_IFLNK:
      return "a symbolic link";
  }
  return "of unknown type";
}

std::string not_regular_message(const std::string& shown, mode_t mode) {
  return "'" + shown + "' is " + file_type_text(mode) + ", not a regular file";
}

std::string human_size(std::uint64_t bytes) {
  static const char* const kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " bytes";
  double v = static_cast<double>(bytes) / 1024;
  int unit = 0;
  while (v >= 1024 && unit < 3) {
    v /= 1024;
    ++unit;
  }
  char buf[32];
  if (v == static_cast<double>(static_cast<std::uint64_t>(v)))
    std::snprintf(buf, sizeof buf, "%llu %s", static_cast<unsigned long long>(v), kUnits[unit]);
  else
    std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[unit]);
  return buf;
}

std::string human_limit(std::uint64_t bytes) {
  if (bytes < 1024) return human_size(bytes);
  return human_size(bytes) + " (" + std::to_string(bytes) + " bytes)";
}

Result<void> require_regular_file(int fd, const std::string& shown) {
  struct stat st;
  if (fstat(fd, &st) != 0) return Error::from_errno("stat '" + shown + "'");
  if (!S_ISREG(st.st_mode)) return Error(not_regular_message(shown, st.st_mode));
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
    return Error::from_errno("open '" + shown + "'");
  return {};
}

Result<UniqueFd> open_regular_file(const std::string& path, FinalSymlink final_symlink) {
  int flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
  if (final_symlink == FinalSymlink::kRefuse) flags |= O_NOFOLLOW;
  UniqueFd fd(::open(path.c_str(), flags));
  if (!fd.valid()) {
    // O_NOFOLLOW on a symlink: say what it is rather than "too many levels".
    struct stat st;
    if (errno == ELOOP && final_symlink == FinalSymlink::kRefuse &&
        lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
      return Error(not_regular_message(path, st.st_mode));
    return Error::from_errno("open '" + path + "'");
  }
  auto r = require_regular_file(fd.get(), path);
  if (!r) return std::move(r).error();
  return fd;
}

Result<std::string> read_at_most(int fd, const std::string& shown, std::size_t max) {
  std::string out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("read '" + shown + "'");
    if (n == 0) return out;
    if (out.size() + static_cast<std::size_t>(n) > max)
      return Error("'" + shown + "' is larger than " + human_limit(max) +
                   ", the most box reads from this kind of file");
    out.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace box::image
