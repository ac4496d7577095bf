#include "install/install_files.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <random>

#include "core/image/regular_file.h"
#include "core/sys/atomic_write.h"

namespace box::install {
namespace fs = std::filesystem;

std::string now_iso8601() {
  std::time_t t = std::time(nullptr);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool exists_nofollow(const std::string& p) {
  struct stat st;
  return lstat(p.c_str(), &st) == 0;
}

// Only a regular file (image/regular_file.h): an image's FIFO or device
// must fail the install, never hang it or feed it for ever.
Result<std::string> read_file(const std::string& path, std::size_t max,
                              image::FinalSymlink final_symlink) {
  auto fd = image::open_regular_file(path, final_symlink);
  if (!fd) return std::move(fd).error();
  return image::read_at_most(fd->get(), path, max);
}

// Written beside, then renamed, and synced: a reader sees the old file or
// the new one, and so does the next boot.
Result<void> write_file_atomic(const std::string& path, const std::string& content, mode_t mode) {
  return write_file_atomically(path, content, mode, /*sync=*/true);
}

Result<void> make_dirs(const std::string& path, mode_t mode) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return Error("create directory '" + path + "': " + ec.message(), ec.value());
  if (mode != 0755) chmod(path.c_str(), mode);
  return {};
}

std::string random_suffix() {
  static std::mt19937_64 rng(std::random_device{}());
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  for (int i = 0; i < 8; ++i) s += kChars[rng() % (sizeof kChars - 1)];
  return s;
}

Rollback::~Rollback() {
  if (committed_) return;
  // The previous install's files first: each goes back over what replaced
  // it (or was put where it was removed).
  for (auto it = kept_.rbegin(); it != kept_.rend(); ++it)
    ::rename(it->second.c_str(), it->first.c_str());
  for (const auto& f : files_) ::unlink(f.c_str());
  for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) ::rmdir(it->c_str());
  if (!tree_.empty()) (void)image::remove_tree_as_owner(mapping_, tree_);
}

Result<void> Rollback::keep(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const std::string link = path.substr(0, slash + 1) + "." + path.substr(slash + 1) +
                           ".box-previous-" + std::to_string(getpid()) + "-" + random_suffix();
  // linkat without AT_SYMLINK_FOLLOW links a symlink itself.
  if (::linkat(AT_FDCWD, path.c_str(), AT_FDCWD, link.c_str(), 0) != 0)
    return Error::from_errno("keep '" + path + "' (as '" + link + "') until the install is done");
  kept_.emplace_back(path, link);
  return {};
}

void Rollback::commit() {
  committed_ = true;
  for (const auto& [path, link] : kept_) ::unlink(link.c_str());
  kept_.clear();
}

// mkdir -p, remembering what it created (for rollback and metadata).
Result<void> make_dirs_recorded(const std::string& path, mode_t mode, Rollback& rb) {
  std::vector<std::string> todo;
  std::string p = path;
  while (!p.empty() && p != "/" && !exists_nofollow(p)) {
    todo.push_back(p);
    p = p.substr(0, p.find_last_of('/'));
  }
  for (auto it = todo.rbegin(); it != todo.rend(); ++it) {
    if (mkdir(it->c_str(), it + 1 == todo.rend() ? mode : 0755) != 0 && errno != EEXIST)
      return Error::from_errno("create directory '" + *it + "'");
    rb.dir(*it);
  }
  return {};
}

bool under(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

// The host path of `rel` in the staged rootfs, with symlinks resolved as the
// container would resolve them (openat2 RESOLVE_IN_ROOT): an image cannot
// make box read or copy a file of yours through "/exports -> /home/you".
// Empty when it does not exist.
std::string path_in_rootfs(const std::string& rootfs, const std::string& rel) {
  int root = ::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return "";
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  int fd = static_cast<int>(syscall(SYS_openat2, root, rel.c_str(), &how, sizeof how));
  ::close(root);
  if (fd < 0) return "";
  char buf[PATH_MAX];
  ssize_t n = readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), buf, sizeof buf);
  ::close(fd);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

bool is_dir(const std::string& path) {
  struct stat st;
  return !path.empty() && stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace box::install
