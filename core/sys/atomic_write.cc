#include "core/sys/atomic_write.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "core/sys/unique_fd.h"

namespace box {

namespace {

// A name beside `path` for the new version: the pid keeps overlapping runs
// apart, the counter the files of one run (and any a crashed run left).
std::string temp_name(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  return path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

}  // namespace

Result<void> write_file_atomically(const std::string& path, const std::string& content,
                                   unsigned mode, bool sync) {
  std::string tmp;
  UniqueFd fd;
  for (int attempt = 0; attempt < 100 && !fd.valid(); ++attempt) {
    tmp = temp_name(path);
    fd.reset(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    if (!fd.valid() && errno != EEXIST)
      return Error::from_errno("create a temporary file for '" + path + "'");
  }
  if (!fd.valid()) return Error("create a temporary file for '" + path + "': no free name");
  auto fail = [&](const std::string& what) {
    Error e = Error::from_errno(what + " '" + tmp + "'");
    ::unlink(tmp.c_str());
    return e;
  };
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("write");
    done += static_cast<std::size_t>(n);
  }
  if (sync && ::fsync(fd.get()) != 0) return fail("write");
  if (::close(fd.release()) != 0) return fail("close");
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("rename into place");
  return {};
}

Result<void> replace_symlink(const std::string& path, const std::string& target) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::string tmp = temp_name(path);
    if (::symlink(target.c_str(), tmp.c_str()) != 0) {
      if (errno == EEXIST) continue;
      return Error::from_errno("create symlink '" + tmp + "'");
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      Error e = Error::from_errno("rename '" + tmp + "' to '" + path + "'");
      ::unlink(tmp.c_str());
      return e;
    }
    return {};
  }
  return Error("create symlink '" + path + "': no free temporary name");
}

Result<void> ensure_directory(const std::string& path, unsigned mode) {
  if (::mkdir(path.c_str(), mode) == 0 || errno == EEXIST) return {};
  return Error::from_errno("create directory '" + path + "'");
}

}  // namespace box
