#include "core/runtime/rootfs_setup.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "core/plan/overlay_plan.h"
#include "core/plan/user_entries.h"

namespace box {
namespace {

// Scratch space in the new mount namespace: a tmpfs over /tmp holds the new
// root's mount point, the overlay's upper layer and inline files. The host's
// /tmp is only hidden inside this namespace, and every host path the plan
// names was opened before, so nothing the container needs is hidden.
constexpr const char* kStage = "/tmp";
constexpr const char* kRoot = "/tmp/root";

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

bool fail(StepError& e, std::string what, int err = errno) {
  e.what = std::move(what);
  e.err = err;
  return false;
}

// Opens `path` inside the container root: '..' and absolute symlinks stay
// within it, so an image cannot point a mount at a host path.
int open_in_root(int root, const std::string& path, int flags) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(::syscall(SYS_openat2, root, path.c_str(), &how, sizeof how));
}

// mkdir -p inside the root. Returns 0 or errno.
int make_dirs(int root, const std::string& path, mode_t mode) {
  std::size_t pos = 0;
  while (pos < path.size()) {
    std::size_t next = path.find('/', pos + 1);
    if (next == std::string::npos) next = path.size();
    const std::string prefix = path.substr(0, next);
    pos = next;
    int fd = open_in_root(root, prefix, O_PATH | O_DIRECTORY);
    if (fd >= 0) {
      ::close(fd);
      continue;
    }
    if (errno != ENOENT) return errno;
    const std::size_t slash = prefix.rfind('/');
    const std::string parent = slash == 0 ? "/" : prefix.substr(0, slash);
    int pfd = open_in_root(root, parent, O_PATH | O_DIRECTORY);
    if (pfd < 0) return errno;
    int r = ::mkdirat(pfd, prefix.c_str() + slash + 1, mode);
    int err = errno;
    ::close(pfd);
    if (r != 0 && err != EEXIST) return err;
  }
  return 0;
}

// An empty file to mount over, with its parents. Returns 0 or errno.
int make_file(int root, const std::string& path) {
  int fd = open_in_root(root, path, O_PATH);
  if (fd >= 0) {
    ::close(fd);
    return 0;
  }
  if (errno != ENOENT) return errno;
  const std::size_t slash = path.rfind('/');
  const std::string parent = slash == 0 ? "/" : path.substr(0, slash);
  if (int err = make_dirs(root, parent, 0755)) return err;
  int pfd = open_in_root(root, parent, O_PATH | O_DIRECTORY);
  if (pfd < 0) return errno;
  fd = ::openat(pfd, path.c_str() + slash + 1, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                0644);
  int err = errno;
  ::close(pfd);
  if (fd < 0 && err != EEXIST) return err;
  if (fd >= 0) ::close(fd);
  return 0;
}

// Whether the root can take a file mount at `path` (MountStep::optional_target):
// its directory exists, and the file exists (a symlink resolving inside the
// root) or can be created (not in a read-only rootfs).
bool can_take_file(int root, const std::string& path) {
  const std::size_t slash = path.rfind('/');
  int pfd = open_in_root(root, slash == 0 ? "/" : path.substr(0, slash), O_PATH | O_DIRECTORY);
  if (pfd < 0) return false;
  ::close(pfd);
  if (make_file(root, path) != 0) return false;
  int fd = open_in_root(root, path, O_PATH);
  if (fd < 0) return false;  // a dangling symlink
  ::close(fd);
  return true;
}

// The mount attributes MS_* flags ask of a bind, which mount(2) cannot set
// on the bind itself.
std::uint64_t bind_attributes(unsigned long flags) {
  std::uint64_t a = 0;
  if (flags & MS_RDONLY) a |= MOUNT_ATTR_RDONLY;
  if (flags & MS_NOSUID) a |= MOUNT_ATTR_NOSUID;
  if (flags & MS_NODEV) a |= MOUNT_ATTR_NODEV;
  if (flags & MS_NOEXEC) a |= MOUNT_ATTR_NOEXEC;
  if (flags & MS_NODIRATIME) a |= MOUNT_ATTR_NODIRATIME;
  if (flags & MS_NOATIME) a |= MOUNT_ATTR_NOATIME;
  else if (flags & MS_STRICTATIME) a |= MOUNT_ATTR_STRICTATIME;
  return a;
}

// Sets a mount read-only (and its submounts, when `recursive`), or the
// attributes `attr_set`.
int make_readonly(int root, const std::string& target, bool recursive,
                  std::uint64_t attr_set = MOUNT_ATTR_RDONLY) {
  // Re-open: a descriptor taken before the mount refers to what is under it.
  int fd = open_in_root(root, target, O_PATH);
  if (fd < 0) return errno;
  mount_attr attr{};
  attr.attr_set = attr_set;
  if (attr_set & MOUNT_ATTR__ATIME) attr.attr_clr = MOUNT_ATTR__ATIME;
  int r = ::mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr,
                          sizeof attr);
  int err = errno;
  ::close(fd);
  return r == 0 ? 0 : err;
}

const char* rootfs_hint(const RunPlan& plan) {
  return plan.rootfs_writes == RootfsWrites::kReadonly
             ? " (the rootfs is read-only: create it in the image, or use rootfs_writes: overlay)"
             : "";
}

// A file's content for a bind: on the scratch tmpfs, at `staged`.
bool stage_file(const std::string& content, unsigned mode, std::size_t index,
                const std::string& target, std::string& staged, StepError& e) {
  staged = std::string(kStage) + "/files/" + std::to_string(index);
  int fd = ::open(staged.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return fail(e, "stage file for '" + target + "'");
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return fail(e, "write file for '" + target + "'", err);
    }
    done += static_cast<std::size_t>(n);
  }
  ::fchmod(fd, mode);
  ::close(fd);
  return true;
}

// An /etc/passwd or /etc/group larger than this is not extended (a site's
// whole directory copied in is not an image's file).
constexpr std::size_t kMaxEntryFile = 16 << 20;

// Reads the regular file open at `fd` (at most `max` bytes): 0 or errno;
// `regular` false when it is not a regular file.
int read_regular(int fd, std::size_t max, std::string& out, bool& regular) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return errno;
  regular = S_ISREG(st.st_mode);
  if (!regular) return 0;
  if (static_cast<std::uint64_t>(st.st_size) > max) return EFBIG;
  char buf[1 << 14];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return 0;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > max) return EFBIG;
  }
}

// One step of plan.mounts. `bind_fd` is the opened host source for kBind.
bool apply_step(const RunPlan& plan, int root, const MountStep& step, int bind_fd,
                std::size_t index, StepError& e) {
  using K = MountStep::Kind;
  const std::string& t = step.target;
  const char* data = step.options.empty() ? nullptr : step.options.c_str();
  auto mount_on = [&](const char* source, const char* fstype, unsigned long flags,
                      const void* mdata, bool is_dir, const std::string& what) {
    int err = is_dir ? make_dirs(root, t, 0755) : make_file(root, t);
    if (err)
      return fail(e, "create mount point '" + t + "'" + (err == EROFS ? rootfs_hint(plan) : ""), err);
    int fd = open_in_root(root, t, O_PATH | (is_dir ? O_DIRECTORY : 0));
    if (fd < 0) return fail(e, "open mount point '" + t + "'");
    int r = ::mount(source, fd_path(fd).c_str(), fstype, flags, mdata);
    err = errno;
    ::close(fd);
    if (r != 0) return fail(e, what, err);
    if ((flags & MS_BIND) && bind_attributes(step.flags) != 0) {
      if (int rerr = make_readonly(root, t, (flags & MS_REC) != 0, bind_attributes(step.flags)))
        return fail(e, "make '" + t + "' read-only", rerr);
    }
    if (step.propagation != 0) {
      int pfd = open_in_root(root, t, O_PATH);
      int r2 = pfd < 0 ? -1 : ::mount(nullptr, fd_path(pfd).c_str(), nullptr, step.propagation, nullptr);
      int perr = errno;
      if (pfd >= 0) ::close(pfd);
      if (r2 != 0) return fail(e, "set the propagation of '" + t + "'", perr);
    }
    return true;
  };
  auto exists = [&](bool* is_dir) {
    int fd = open_in_root(root, t, O_PATH);
    if (fd < 0) return false;
    struct stat st {};
    fstat(fd, &st);
    ::close(fd);
    if (is_dir) *is_dir = S_ISDIR(st.st_mode);
    return true;
  };

  switch (step.kind) {
    case K::kProc:
      return mount_on("proc", "proc", step.flags, nullptr, true, "mount proc on '" + t + "'");
    case K::kSysfs:
      return mount_on("sysfs", "sysfs", step.flags, nullptr, true, "mount sysfs on '" + t + "'");
    case K::kBindSys:
    case K::kBind: {
      if (bind_fd < 0) return true;  // optional and absent
      if (step.optional_target && !can_take_file(root, t)) return true;
      struct stat st {};
      if (fstat(bind_fd, &st) != 0) return fail(e, "stat '" + step.source + "'");
      return mount_on(fd_path(bind_fd).c_str(), nullptr, MS_BIND | (step.recursive ? MS_REC : 0),
                      nullptr, S_ISDIR(st.st_mode), "bind '" + step.source + "' on '" + t + "'");
    }
    case K::kMount:
      return mount_on(step.source.c_str(), step.fstype.c_str(), step.flags, data, true,
                      "mount " + step.fstype + " on '" + t + "'");
    case K::kWrite: {
      int fd = open_in_root(root, t, O_WRONLY);
      if (fd < 0) return fail(e, "open '" + t + "' to write '" + step.source + "'");
      ssize_t n = ::write(fd, step.source.data(), step.source.size());
      int err = errno;
      ::close(fd);
      if (n != static_cast<ssize_t>(step.source.size()))
        return fail(e, "write '" + step.source + "' to '" + t + "'", n < 0 ? err : EIO);
      return true;
    }
    case K::kDevice: {
      if (exists(nullptr)) return true;  // the config's own mount or the image provides it
      const std::size_t slash = t.rfind('/');
      const std::string parent = slash == 0 ? "/" : t.substr(0, slash);
      if (int err = make_dirs(root, parent, 0755)) return fail(e, "create '" + parent + "'", err);
      int pfd = open_in_root(root, parent, O_PATH | O_DIRECTORY);
      if (pfd < 0) return fail(e, "open '" + parent + "'");
      const std::string at = fd_path(pfd) + "/" + t.substr(slash + 1);
      int r = ::mknod(at.c_str(), step.mode, static_cast<dev_t>(step.rdev));
      int err = errno;
      // The mode as given, not as the umask left it.
      if (r == 0 && (::chown(at.c_str(), step.uid, step.gid) != 0 ||
                     ::chmod(at.c_str(), step.mode & 07777) != 0))
        err = errno, r = -1;
      ::close(pfd);
      if (r == 0) return true;
      // In a user namespace the kernel makes no device nodes: the host's
      // node is bound instead (a FIFO needs no privilege and was made above).
      if (err != EPERM || step.source.empty()) return fail(e, "create device '" + t + "'", err);
      // Only the very device asked for: the host's node of that name must
      // have the same type and numbers.
      struct stat host_node {};
      if (::stat(step.source.c_str(), &host_node) != 0 ||
          (host_node.st_mode & S_IFMT) != (step.mode & S_IFMT) || host_node.st_rdev != step.rdev)
        return fail(e, "create device '" + t + "' (no device node can be made in a user namespace, "
                       "and the host has none with its numbers at '" + step.source + "' to bind)", err);
      return mount_on(step.source.c_str(), nullptr, MS_BIND, nullptr, false,
                      "bind device '" + step.source + "' on '" + t + "'");
    }
    case K::kTmpfs:
      return mount_on("tmpfs", "tmpfs", step.flags, data, true, "mount tmpfs on '" + t + "'");
    case K::kCgroup2:
      return mount_on("cgroup2", "cgroup2", step.flags, nullptr, true,
                      "mount cgroup2 on '" + t + "'");
    case K::kDevpts:
      return mount_on("devpts", "devpts", step.flags, data, true, "mount devpts on '" + t + "'");
    case K::kMqueue:
      return mount_on("mqueue", "mqueue", step.flags, data, true, "mount mqueue on '" + t + "'");
    case K::kBindDev:
      return mount_on(step.source.c_str(), nullptr, MS_BIND, nullptr, false,
                      "bind '" + step.source + "' on '" + t + "'");
    case K::kDir:
      if (int err = make_dirs(root, t, step.mode ? step.mode : 0755))
        return fail(e, "create directory '" + t + "'" + (err == EROFS ? rootfs_hint(plan) : ""), err);
      return true;
    case K::kSymlink: {
      const std::size_t slash = t.rfind('/');
      const std::string parent = slash == 0 ? "/" : t.substr(0, slash);
      if (int err = make_dirs(root, parent, 0755)) return fail(e, "create '" + parent + "'", err);
      int pfd = open_in_root(root, parent, O_PATH | O_DIRECTORY);
      if (pfd < 0) return fail(e, "open '" + parent + "'");
      int r = ::symlinkat(step.source.c_str(), pfd, t.c_str() + slash + 1);
      int err = errno;
      ::close(pfd);
      if (r != 0 && err != EEXIST)
        return fail(e, "create symlink '" + t + "'" + (err == EROFS ? rootfs_hint(plan) : ""), err);
      return true;
    }
    case K::kFile: {
      if (step.optional_target && !can_take_file(root, t)) return true;
      // The content lives on the scratch tmpfs and is bound read-only.
      std::string staged;
      if (!stage_file(step.source, step.mode, index, t, staged, e)) return false;
      return mount_on(staged.c_str(), nullptr, MS_BIND, nullptr, false,
                      "bind file on '" + t + "'");
    }
    case K::kAddEntry: {
      // The root's own file as the container sees it (its overlay's upper
      // layer included), read without leaving the root.
      int fd = open_in_root(root, t, O_RDONLY | O_NOCTTY | O_NONBLOCK);
      if (fd < 0 && (errno == ENOENT || errno == ENOTDIR)) return true;  // none to extend
      if (fd < 0) return fail(e, "open '" + t + "' to add '" + step.source + "'");
      std::string text;
      bool regular = false;
      int err = read_regular(fd, kMaxEntryFile, text, regular);
      ::close(fd);
      if (!regular) return true;  // not a file: nothing the entry could go into
      if (err) return fail(e, "read '" + t + "'", err);
      std::string with = with_entry(text, step.source);
      if (with == text) return true;  // the image has that name or id: its entry wins
      std::string staged;
      if (!stage_file(with, step.mode, index, t, staged, e)) return false;
      return mount_on(staged.c_str(), nullptr, MS_BIND, nullptr, false,
                      "bind '" + t + "' with '" + step.source + "'");
    }
    case K::kMaskFile: {
      bool is_dir = false;
      if (!exists(&is_dir) || is_dir) return true;
      return mount_on("/dev/null", nullptr, MS_BIND, nullptr, false, "mask '" + t + "'");
    }
    case K::kMaskDir: {
      bool is_dir = false;
      if (!exists(&is_dir) || !is_dir) return true;
      return mount_on("tmpfs", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                      "mode=0555,size=4k", true, "mask '" + t + "'");
    }
    case K::kReadonly: {
      bool is_dir = false;
      if (!exists(&is_dir)) return true;
      int fd = open_in_root(root, t, O_PATH);
      if (fd < 0) return fail(e, "open '" + t + "'");
      const std::string p = fd_path(fd);
      int r = ::mount(p.c_str(), p.c_str(), nullptr, MS_BIND | MS_REC, nullptr);
      int err = errno;
      ::close(fd);
      if (r != 0) return fail(e, "bind '" + t + "' onto itself", err);
      if (int rerr = make_readonly(root, t, true)) return fail(e, "make '" + t + "' read-only", rerr);
      return true;
    }
  }
  return fail(e, "unknown mount step", EINVAL);
}

// Kernel overlayfs: the image bound as the lower layer, the upper and work
// dirs on the scratch tmpfs (overlay) or in the persistent dir. False (with
// `e`) when a step before the overlay mount failed; else `mount_err` is the
// mount's errno, 0 when it is mounted.
bool kernel_overlay(const RunPlan& plan, const HostPaths& host, int& mount_err, StepError& e) {
  const std::string stage = kStage;
  if (::mount(fd_path(host.rootfs).c_str(), (stage + "/lower").c_str(), nullptr, MS_BIND,
              nullptr) != 0)
    return fail(e, "bind rootfs '" + plan.rootfs + "'");
  OverlayLayers layers{stage + "/lower", stage + "/upper", stage + "/work"};
  if (plan.rootfs_writes == RootfsWrites::kPersistent) {
    // The upper and work dirs must be on one mount: their parent is bound.
    const std::string persist = stage + "/persist";
    if (::mkdir(persist.c_str(), 0755) != 0) return fail(e, "create scratch directory 'persist'");
    if (::mount(fd_path(host.upper).c_str(), persist.c_str(), nullptr, MS_BIND, nullptr) != 0)
      return fail(e, "bind '" + plan.upper_dir.substr(0, plan.upper_dir.rfind('/')) + "'");
    layers.upper = persist + "/upper";
    layers.work = persist + "/work";
  } else {
    for (const char* d : {"upper", "work"})
      if (::mkdir((stage + "/" + d).c_str(), 0755) != 0)
        return fail(e, std::string("create scratch directory '") + d + "'");
  }
  mount_err = ::mount("overlay", kRoot, "overlay", 0, kernel_overlay_options(layers).c_str()) == 0
                  ? 0
                  : errno;
  return true;
}

// fuse-overlayfs: a FUSE connection opened here, in the container's user
// namespace (the kernel mounts it only for a descriptor opened in the
// mount's user namespace), mounted as the new root, then served from
// outside. Returns "" once the root answers, else why not.
std::string fuse_overlay(const RunPlan& plan, const ServeFuse& serve) {
  if (plan.fuse_overlayfs.empty()) return fuse_overlayfs_missing("");
  int fd = ::open("/dev/fuse", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    struct stat st {};
    const int mode = ::stat("/dev/fuse", &st) == 0 ? static_cast<int>(st.st_mode & 07777) : -1;
    return std::string("open /dev/fuse: ") + std::strerror(err) + dev_fuse_hint(err, mode);
  }
  if (::mount("fuse-overlayfs", kRoot, kFuseOverlayFsType, 0,
              fuse_mount_options(fd, ::getuid(), ::getgid()).c_str()) != 0) {
    const int err = errno;
    ::close(fd);
    return std::string("mount a FUSE filesystem on the new root: ") + std::strerror(err);
  }
  StepError served;
  const bool ok = serve && serve(fd, served);
  // Closed before the first access: if fuse-overlayfs is gone, the
  // connection is aborted and the access fails instead of waiting forever.
  ::close(fd);
  if (!ok) {
    return served.what.empty()
               ? "fuse-overlayfs was not started"
               : served.what + (served.err ? std::string(": ") + std::strerror(served.err) : "");
  }
  struct statfs fs {};
  if (::statfs(kRoot, &fs) != 0)
    return std::string("fuse-overlayfs did not serve the rootfs: ") + std::strerror(errno);
  return "";
}

// The root for rootfs_writes overlay/persistent, by overlay_driver.
bool mount_overlay_root(const RunPlan& plan, const HostPaths& host, const ServeFuse& serve,
                        StepError& e) {
  std::string kernel_refusal;
  if (plan.overlay_driver != OverlayDriver::kFuse) {
    int err = 0;
    if (!kernel_overlay(plan, host, err, e)) return false;
    if (err == 0) return true;
    if (plan.overlay_driver == OverlayDriver::kKernel)
      return fail(e,
                  "mount overlay on the rootfs (overlay_driver: kernel; 'auto' falls back to "
                  "fuse-overlayfs where the kernel refuses)",
                  err);
    if (!kernel_overlay_refused(err)) return fail(e, "mount overlay on the rootfs", err);
    kernel_refusal = std::strerror(err);
  }
  const std::string fuse_failure = fuse_overlay(plan, serve);
  if (fuse_failure.empty()) return true;
  return fail(e, overlay_failure(kernel_refusal, fuse_failure), 0);
}

}  // namespace

bool open_host_paths(const RunPlan& plan, HostPaths& out, StepError& e) {
  out.rootfs = ::open(plan.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (out.rootfs < 0) return fail(e, "open rootfs '" + plan.rootfs + "'");
  if (plan.rootfs_writes == RootfsWrites::kPersistent) {
    // The upper and work dirs must be on the same mount: bind their parent.
    const std::string base = plan.upper_dir.substr(0, plan.upper_dir.rfind('/'));
    out.upper = ::open(base.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (out.upper < 0) return fail(e, "open '" + base + "'");
  }
  out.bind_sources.assign(plan.mounts.size(), -1);
  for (std::size_t i = 0; i < plan.mounts.size(); ++i) {
    const MountStep& m = plan.mounts[i];
    if (m.kind != MountStep::Kind::kBind && m.kind != MountStep::Kind::kBindSys) continue;
    int fd = ::open(m.source.c_str(), O_PATH | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT && m.optional) continue;
      return fail(e, "open bind source '" + m.source + "' for '" + m.target + "'");
    }
    out.bind_sources[i] = fd;
  }
  return true;
}

bool setup_rootfs(const RunPlan& plan, const HostPaths& host, const ServeFuse& serve_fuse,
                  const BeforePivotStep& before_pivot, StepError& e) {
  // Nothing from here propagates to the host's mounts.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return fail(e, "make mounts private");
  if (::mount("tmpfs", kStage, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") != 0)
    return fail(e, std::string("mount scratch tmpfs on '") + kStage + "'");
  for (const char* d : {"root", "files", "lower"}) {
    if (::mkdir((std::string(kStage) + "/" + d).c_str(), 0755) != 0)
      return fail(e, std::string("create scratch directory '") + d + "'");
  }

  // 1. The root, as rootfs_writes says.
  switch (plan.rootfs_writes) {
    case RootfsWrites::kReadonly:
    case RootfsWrites::kDirect:
      if (::mount(fd_path(host.rootfs).c_str(), kRoot, nullptr, MS_BIND | MS_REC, nullptr) != 0)
        return fail(e, "bind rootfs '" + plan.rootfs + "'");
      break;
    case RootfsWrites::kOverlay:
    case RootfsWrites::kPersistent:
      if (!mount_overlay_root(plan, host, serve_fuse, e)) return false;
      break;
  }
  int root = ::open(kRoot, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return fail(e, "open the new root");
  // Read-only before anything is created in it: a read-only rootfs is never
  // written, mount points included.
  if (plan.rootfs_writes == RootfsWrites::kReadonly) {
    mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (::mount_setattr(root, "", AT_EMPTY_PATH, &attr, sizeof attr) != 0)
      return fail(e, "make rootfs '" + plan.rootfs + "' read-only");
  }

  // 2. /proc, /sys, /dev and the definition's mounts, in order.
  for (std::size_t i = 0; i < plan.mounts.size(); ++i)
    if (!apply_step(plan, root, plan.mounts[i], host.bind_sources[i], i, e)) return false;
  if (before_pivot && !before_pivot(e)) {
    ::close(root);
    return false;
  }
  if (plan.root_readonly_after_mounts) {
    mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (::mount_setattr(root, "", AT_EMPTY_PATH, &attr, sizeof attr) != 0)
      return fail(e, "make rootfs '" + plan.rootfs + "' read-only");
  }
  ::close(root);

  // 3. Enter it. pivot_root(".", ".") stacks the old root under the new one;
  // detaching it leaves nothing of the host visible (the scratch tmpfs goes
  // with it; what the new root still uses stays alive).
  if (::chdir(kRoot) != 0) return fail(e, "enter the new root");
  if (::syscall(SYS_pivot_root, ".", ".") != 0) return fail(e, "pivot_root into '" + plan.rootfs + "'");
  if (::umount2(".", MNT_DETACH) != 0) return fail(e, "detach the host's root");
  if (::chdir("/") != 0) return fail(e, "change to '/'");
  return true;
}

}  // namespace box
