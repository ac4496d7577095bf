#include "core/runtime/proxy_root.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace box {
namespace {

bool fail(SpawnChild& child, const char* what) {
  child.what = what;
  child.err = errno;
  return false;
}

// Writes all of `text` to the file at `path`; system calls only.
bool write_file(const char* path, const std::string& text, int flags, mode_t mode) {
  int fd = ::open(path, flags | O_WRONLY | O_CLOEXEC, mode);
  if (fd < 0) return false;
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int saved = errno;
      ::close(fd);
      errno = saved;
      return false;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return ::close(fd) == 0 || errno == EINTR;
}

}  // namespace

Result<ProxyRoot> prepare_proxy_root(const std::string& dir, const std::string& info) {
  ProxyRoot root;
  root.dir = dir;
  root.info = info;
  root.info_path = dir + "/.flatpak-info";
  root.uid_map = std::to_string(::getuid()) + " " + std::to_string(::getuid()) + " 1\n";
  root.gid_map = std::to_string(::getgid()) + " " + std::to_string(::getgid()) + " 1\n";
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return Error::from_errno("create '" + dir + "'");
  DIR* d = ::opendir("/");
  if (!d) return Error::from_errno("read the host's '/'");
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == ".." || name == ".flatpak-info") continue;
    const std::string host = "/" + name;
    struct stat st;
    if (::lstat(host.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      root.entries.push_back({host, dir + host, ""});
    } else if (S_ISLNK(st.st_mode)) {
      char buf[4096];
      ssize_t n = ::readlink(host.c_str(), buf, sizeof buf);
      if (n > 0 && static_cast<std::size_t>(n) < sizeof buf)
        root.entries.push_back({host, dir + host, std::string(buf, static_cast<std::size_t>(n))});
    }
  }
  ::closedir(d);
  // The directory that holds the root first (/run, for a runtime dir
  // under it): bound before anything is mounted on the root, its copy has
  // an empty tmpfs there rather than a second copy of every bind.
  std::stable_partition(root.entries.begin(), root.entries.end(), [&](const ProxyRoot::Entry& e) {
    return e.link.empty() && dir.compare(0, e.host.size() + 1, e.host + "/") == 0;
  });
  return root;
}

bool enter_proxy_root(const ProxyRoot& root, SpawnChild& child) {
  // A user namespace of the proxy's own, its ids mapped to themselves
  // (one id each, which an unprivileged process may write for itself once
  // setgroups is denied): what lets it make mounts.
  if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
    return fail(child, "create the bus proxy's user and mount namespaces");
  if (!write_file("/proc/self/setgroups", "deny", 0, 0))
    return fail(child, "write the bus proxy's /proc/self/setgroups");
  if (!write_file("/proc/self/uid_map", root.uid_map, 0, 0))
    return fail(child, "write the bus proxy's uid_map");
  if (!write_file("/proc/self/gid_map", root.gid_map, 0, 0))
    return fail(child, "write the bus proxy's gid_map");
  // Nothing of what follows reaches the host's mount namespace.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0)
    return fail(child, "make the bus proxy's mounts private");
  if (::mount("tmpfs", root.dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k") != 0)
    return fail(child, "mount the bus proxy's root tmpfs");
  for (const auto& e : root.entries) {
    if (!e.link.empty()) {
      if (::symlink(e.link.c_str(), e.target.c_str()) != 0)
        return fail(child, "copy a top-level symlink into the bus proxy's root");
      continue;
    }
    if (::mkdir(e.target.c_str(), 0755) != 0)
      return fail(child, "make a mount point in the bus proxy's root");
    // The host's own mounts below it come along (rbind), with their flags.
    if (::mount(e.host.c_str(), e.target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
      return fail(child, "bind a top-level directory into the bus proxy's root");
  }
  if (!write_file(root.info_path.c_str(), root.info, O_CREAT | O_EXCL, 0444))
    return fail(child, "write /.flatpak-info in the bus proxy's root");
  // Read-only: the proxy cannot change what the portal reads.
  if (::mount(nullptr, root.dir.c_str(), nullptr,
              MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr) != 0)
    return fail(child, "make the bus proxy's root read-only");
  // pivot_root(".", "."): the old root ends up stacked on the new one and
  // is detached at once (as bubblewrap and runc do).
  if (::chdir(root.dir.c_str()) != 0) return fail(child, "enter the bus proxy's root");
  if (::syscall(SYS_pivot_root, ".", ".") != 0)
    return fail(child, "pivot_root into the bus proxy's root");
  if (::umount2(".", MNT_DETACH) != 0)
    return fail(child, "detach the host's root from the bus proxy");
  if (::chdir("/") != 0) return fail(child, "enter the bus proxy's root");
  return true;
}

}  // namespace box
