#include "core/runtime/fuse_overlay.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

#include "core/plan/overlay_plan.h"
#include "core/sys/child_wait.h"
#include "core/sys/spawn.h"

namespace box {
namespace {

constexpr int kStopGraceMs = 500;
// Where fuse-overlayfs finds the FUSE connection it serves.
constexpr int kServedFd = 3;
// Its scratch space, in its own mount namespace (the host's /tmp is hidden
// there only): the image at lower/, the layers beside it.
constexpr const char* kStage = "/tmp";

std::string upper_base(const RunPlan& plan) {
  return plan.upper_dir.substr(0, plan.upper_dir.rfind('/'));
}

Result<void> write_marker(const std::string& file) {
  UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
  const std::size_t size = std::strlen(kFuseMarkerContent);
  if (!fd.valid() || ::write(fd.get(), kFuseMarkerContent, size) != static_cast<ssize_t>(size))
    return Error::from_errno("record in '" + file + "' that fuse-overlayfs writes the upper dir");
  return {};
}

// The capabilities a process gets when it joins a user namespace it owns
// survive execve only for root there; for another id (keep-id maps us to
// our own uid) they must be ambient.
bool keep_capabilities_across_exec() {
  cap_t caps = cap_get_proc();
  if (!caps) return false;
  std::vector<cap_value_t> all;
  for (int c = 0; c <= CAP_LAST_CAP; ++c) all.push_back(static_cast<cap_value_t>(c));
  int r = cap_set_flag(caps, CAP_INHERITABLE, static_cast<int>(all.size()), all.data(), CAP_SET);
  if (r == 0) r = cap_set_proc(caps);
  cap_free(caps);
  if (r != 0) return false;
  for (cap_value_t c : all)
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) != 0) return false;
  return true;
}

// In the forked child, until fuse-overlayfs is exec'd (spawn.h runs it
// before the descriptors are placed): the container's user namespace, a
// mount namespace of its own, the layers laid out under kStage. Sets
// `self.exec_fd` to the program, opened before the scratch tmpfs can hide it.
bool prepare_server(const RunPlan& plan, int userns, SpawnChild& self) {
  auto fail = [&](const std::string& what) {
    self.what = what;
    self.err = errno;
    return false;
  };
  // 1. The container's user namespace: the ids it writes are the
  // container's, and it may mount in a namespace of its own.
  // A pod's member: box-run is in the container's user namespace already
  // (it joined the pod's), where setns would fail.
  struct stat target {}, own {};
  const bool joined = ::fstat(userns, &target) == 0 && ::stat("/proc/self/ns/user", &own) == 0 &&
                      target.st_ino == own.st_ino && target.st_dev == own.st_dev;
  if (!joined && ::setns(userns, CLONE_NEWUSER) != 0)
    return fail("join the container's user namespace");
  if (::getuid() != 0 && !keep_capabilities_across_exec())
    return fail("keep capabilities for fuse-overlayfs");
  if (::unshare(CLONE_NEWNS) != 0) return fail("create a mount namespace for fuse-overlayfs");
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return fail("make fuse-overlayfs's mounts private");

  // 2. Open what it needs before the scratch tmpfs can hide it (the image
  // may be under /tmp), then lay the layers out there.
  const bool persistent = plan.rootfs_writes == RootfsWrites::kPersistent;
  const std::string stage = kStage;
  int rootfs = ::open(plan.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfs < 0) return fail("open rootfs '" + plan.rootfs + "'");
  int upper = -1;
  if (persistent) {
    upper = ::open(upper_base(plan).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (upper < 0) return fail("open '" + upper_base(plan) + "'");
  }
  int program = ::open(plan.fuse_overlayfs.c_str(), O_PATH | O_CLOEXEC);
  if (program < 0) return fail("open '" + plan.fuse_overlayfs + "'");
  if (::mount("tmpfs", kStage, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") != 0)
    return fail(std::string("mount a tmpfs on '") + kStage + "' for fuse-overlayfs");
  const std::string lower = stage + "/lower";
  if (::mkdir(lower.c_str(), 0755) != 0) return fail("create '" + lower + "'");
  const std::string rootfs_path = "/proc/self/fd/" + std::to_string(rootfs);
  if (::mount(rootfs_path.c_str(), lower.c_str(), nullptr, MS_BIND, nullptr) != 0)
    return fail("bind rootfs '" + plan.rootfs + "'");
  // fuse-overlayfs only reads the image: it cannot write it even if asked.
  mount_attr ro{};
  ro.attr_set = MOUNT_ATTR_RDONLY;
  if (::mount_setattr(AT_FDCWD, lower.c_str(), 0, &ro, sizeof ro) != 0)
    return fail("make the image read-only for fuse-overlayfs");
  if (persistent) {
    const std::string persist = stage + "/persist";
    if (::mkdir(persist.c_str(), 0755) != 0) return fail("create '" + persist + "'");
    const std::string upper_path = "/proc/self/fd/" + std::to_string(upper);
    if (::mount(upper_path.c_str(), persist.c_str(), nullptr, MS_BIND, nullptr) != 0)
      return fail("bind '" + upper_base(plan) + "'");
  } else {
    for (const char* d : {"/upper", "/work"})
      if (::mkdir((stage + d).c_str(), 0755) != 0) return fail("create '" + stage + d + "'");
  }
  if (::chdir("/") != 0) return fail("change to '/'");
  self.exec_fd = program;
  return true;
}

}  // namespace

Result<std::optional<std::string>> read_overlay_marker(const std::string& dir) {
  const std::string file = dir + "/" + kFuseMarkerName;
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::optional<std::string>();
    return Error::from_errno("read '" + file + "'");
  }
  char buf[64];
  ssize_t n;
  while ((n = ::read(fd.get(), buf, sizeof buf)) < 0 && errno == EINTR) {
  }
  if (n < 0) return Error::from_errno("read '" + file + "'");
  return std::optional<std::string>(std::string(buf, static_cast<std::size_t>(n)));
}

Result<FuseOverlayServer> FuseOverlayServer::start(const RunPlan& plan, pid_t container,
                                                   UniqueFd fuse) {
  // Everything is prepared here: the child only makes syscalls.
  const std::string ns_path = "/proc/" + std::to_string(container) + "/ns/user";
  UniqueFd userns(::open(ns_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!userns.valid()) return Error::from_errno("open '" + ns_path + "'");
  const std::string stage = kStage;
  const OverlayLayers layers =
      plan.rootfs_writes == RootfsWrites::kPersistent
          ? OverlayLayers{stage + "/lower", stage + "/persist/upper", stage + "/persist/work"}
          : OverlayLayers{stage + "/lower", stage + "/upper", stage + "/work"};
  int output_fds[2];
  if (::pipe2(output_fds, O_CLOEXEC) != 0) return Error::from_errno("create a pipe");
  UniqueFd output_read(output_fds[0]), output_write(output_fds[1]);

  // Its own session (a Ctrl-C at `box-run run`'s terminal is for the
  // container); stdin /dev/null, stdout and stderr to the supervisor, the
  // FUSE connection at kServedFd, nothing else; no environment. It dies
  // with the supervisor, however that ends (set after joining the user
  // namespace, which would clear it).
  SpawnSpec spec;
  spec.argv = fuse_overlayfs_argv(plan.fuse_overlayfs, layers, kServedFd);
  spec.inherit_env = false;
  spec.new_session = true;
  spec.stdout_fd = spec.stderr_fd = output_write.get();
  spec.pass_fds = {fuse.get()};
  static_assert(kServedFd == 3, "pass_fds are numbered from 3");
  const int userns_fd = userns.get();
  spec.prepare = [&plan, userns_fd](SpawnChild& self) {
    return prepare_server(plan, userns_fd, self);
  };
  auto spawned = spawn(spec);
  if (!spawned) return spawned.error().wrap("start fuse-overlayfs");

  FuseOverlayServer server;
  server.process_ = OwnedChild(*spawned, kStopGraceMs);
  output_write.reset();
  fuse.reset();  // the server holds the connection now: if it dies, it aborts
  ::fcntl(output_read.get(), F_SETFL, O_NONBLOCK);
  server.output_ = std::move(output_read);

  if (plan.rootfs_writes == RootfsWrites::kPersistent) {
    // Before the container goes on: nothing can have been written yet.
    auto marked = write_marker(upper_base(plan) + "/" + kFuseMarkerName);
    if (!marked) {
      server.stop();
      return marked.error();
    }
  }
  return server;
}

std::string FuseOverlayServer::read_output(bool all) {
  if (output_.valid()) {
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(output_.get(), buf, sizeof buf);
      if (n > 0) {
        partial_.append(buf, static_cast<std::size_t>(n));
        if (partial_.size() > 64 * 1024) break;  // the caller logs it before reading on
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n == 0) output_.reset();  // end of file: it exited
      break;
    }
  }
  std::size_t end = all ? partial_.size() : partial_.rfind('\n');
  if (end == std::string::npos) return "";
  if (!all) ++end;
  std::string out = partial_.substr(0, end);
  partial_.erase(0, end);
  // Two lines that say nothing: fuse-overlayfs 1.10 (Debian 12) adds
  // `lazytime` to its own default options when it runs as root, then says
  // it does not know it (every start); libfuse reports the connection abort
  // that is how the kernel ends it when the container's mount namespace
  // goes (every stop; the end of a container still running is reported by
  // the supervisor). Everything else it says is passed on.
  for (const std::string noise : {"unknown argument ignored: lazytime\n",
                                  "fuse: reading device: Software caused connection abort\n"}) {
    for (std::size_t at = 0; (at = out.find(noise, at)) != std::string::npos;) {
      if (at == 0 || out[at - 1] == '\n')
        out.erase(at, noise.size());
      else
        at += noise.size();
    }
  }
  return out;
}

std::string FuseOverlayServer::reaped(int status) {
  process_.reaped();
  return "fuse-overlayfs " + describe_status(status) + ": the container's root filesystem is gone";
}

}  // namespace box
