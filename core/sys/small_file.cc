#include "core/sys/small_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "core/sys/unique_fd.h"

namespace box {

Result<std::string> read_small_file(const std::string& path, std::size_t max) {
  return read_small_file_at(AT_FDCWD, path, path, max);
}

Result<std::string> read_small_file_at(int dirfd, const std::string& name,
                                       const std::string& path, std::size_t max) {
  UniqueFd fd(::openat(dirfd, name.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Error::from_errno("open '" + path + "'");
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("read '" + path + "'");
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > max) return Error("'" + path + "' is larger than expected");
  }
  return out;
}

}  // namespace box
