#include "core/runtime/instance_lock.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/model/names.h"

namespace box {
namespace {

Result<void> make_private_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
    return Error::from_errno("create '" + path + "'");
  return {};
}

// The pid in a holder's record (its second line), for the message; "" when
// there is none yet.
std::string holder_of(int fd) {
  char buf[128];
  ssize_t n = ::pread(fd, buf, sizeof buf, 0);
  std::string_view text(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  auto at = text.find("\npid ");
  if (at == std::string_view::npos) return "";
  auto end = text.find('\n', at + 5);
  return end == std::string_view::npos ? "" : std::string(text.substr(at + 5, end - at - 5));
}

}  // namespace

std::string instance_lock_dir(const std::string& runtime_dir) { return runtime_dir + "/box/running"; }

Result<InstanceLock> InstanceLock::acquire(const std::string& dir, const std::string& name,
                                           Holder holder) {
  if (auto r = make_private_dir(dir.substr(0, dir.rfind('/'))); !r) return r.error();
  if (auto r = make_private_dir(dir); !r) return r.error();
  const std::string path = dir + "/" + name;
  // A holder removes the file before it lets go: when the file we locked is
  // no longer the one at `path`, lock the new one (bounded: each round
  // means another box-run came and went meanwhile).
  for (int attempt = 0; attempt < 100; ++attempt) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd.valid()) return Error::from_errno("open '" + path + "'");
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK) return Error::from_errno("lock '" + path + "'");
      const std::string pid = holder_of(fd.get());
      const bool pod = holder == Holder::kPod;
      return Error(std::string(pod ? "pod '" : "box '") + name + "' is already running" +
                   (pid.empty() ? std::string() : " (box-run pid " + pid + ")") + ": '" + path +
                   "' is locked; stop it first (systemctl --user stop " +
                   (pod ? pod_unit_name(name) : unit_name(name)) + ")");
    }
    struct stat held {}, now {};
    if (::fstat(fd.get(), &held) != 0) return Error::from_errno("stat '" + path + "'");
    if (::stat(path.c_str(), &now) == 0 && now.st_dev == held.st_dev && now.st_ino == held.st_ino)
      return InstanceLock(std::move(fd), path);
  }
  return Error("lock '" + path + "': it keeps being replaced");
}

std::vector<std::string> remove_stale_instance_files(const std::string& dir) {
  std::vector<std::string> removed;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return removed;
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d))
    if (e->d_type == DT_REG) names.emplace_back(e->d_name);
  ::closedir(d);
  for (const auto& name : names) {
    const std::string path = dir + "/" + name;
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (!fd.valid() || ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) continue;
    // Locked by us now: a start that opened it meanwhile will see it is
    // gone and lock a new one (acquire()).
    struct stat held {}, now {};
    if (::fstat(fd.get(), &held) == 0 && ::stat(path.c_str(), &now) == 0 &&
        now.st_ino == held.st_ino && now.st_dev == held.st_dev && ::unlink(path.c_str()) == 0)
      removed.push_back(name);
  }
  return removed;
}

InstanceLock::~InstanceLock() {
  if (fd_.valid()) ::unlink(path_.c_str());
}

Result<void> InstanceLock::write(const std::string& content) {
  if (::ftruncate(fd_.get(), 0) != 0) return Error::from_errno("truncate '" + path_ + "'");
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::pwrite(fd_.get(), content.data() + done, content.size() - done,
                         static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("write '" + path_ + "'");
    done += static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace box
