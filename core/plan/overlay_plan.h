// The overlay of `rootfs_writes: overlay|persistent`, as data: which kernel
// refusals send `overlay_driver: auto` to fuse-overlayfs, the mount options
// of both drivers, fuse-overlayfs's command line and the messages when
// neither works. Pure: no syscalls, no environment (rootfs_setup.cc mounts,
// fuse_overlay.cc runs fuse-overlayfs).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/model/definition.h"
#include "core/sys/result.h"

namespace box {

// The three directories of an overlay, as the process that mounts (kernel)
// or serves it (fuse-overlayfs) sees them.
struct OverlayLayers {
  std::string lower;
  std::string upper;
  std::string work;
};

// mount(2) data for kernel overlayfs in a user namespace. `userxattr`: an
// unprivileged overlay keeps its metadata in user.overlay.* (trusted.* is
// for the host's root only); kernels before 5.11 do not know it.
std::string kernel_overlay_options(const OverlayLayers& layers);

// Whether the kernel overlay mount failing with `err` means "this kernel will
// not mount this overlay here" (auto then tries fuse-overlayfs):
//   EPERM   overlayfs is not mountable in a user namespace: kernels before
//           5.11 (FS_USERNS_MOUNT came with 5.11), or a security module
//           refusing the mount;
//   ENODEV  no overlay filesystem in this kernel (CONFIG_OVERLAY_FS off, or
//           its module cannot be loaded);
//   EINVAL  overlayfs rejects a layer or an option: a lower directory on a
//           filesystem it cannot stack on (case-folding, automount points),
//           an upper directory on a remote one (NFS, FUSE, ...), one stacked
//           overlay too many (at most two below a new one: "maximum fs
//           stacking depth exceeded"), or `userxattr` unknown.
// Everything else says something fuse-overlayfs would fail on as well
// (ENOENT, EACCES, EBUSY: the upper dir is in use by another overlay, ELOOP:
// overlapping layers) and is reported as it is.
bool kernel_overlay_refused(int err);

// The filesystem type and mount(2) data for a FUSE filesystem served on the
// /dev/fuse descriptor `fd` (open in the mounting process): a directory root
// owned by `uid`:`gid` (the mounter, as seen in its user namespace), open to
// every id of the container (allow_other) with the kernel checking file
// modes (default_permissions), as kernel overlayfs does.
inline constexpr const char* kFuseOverlayFsType = "fuse.fuse-overlayfs";
std::string fuse_mount_options(int fd, uid_t uid, gid_t gid);

// fuse-overlayfs's argv: in the foreground (its parent-death signal must not
// be lost to a daemonizing fork), the layers, and /dev/fd/FD as the mount
// point: libfuse then serves the connection on FD that is already mounted
// instead of mounting one itself (no fusermount3, no setuid helper).
std::vector<std::string> fuse_overlayfs_argv(const std::string& program,
                                             const OverlayLayers& layers, int fd);

// A persistent upper dir once served by fuse-overlayfs holds a file of this
// name beside upper/ and work/, containing kFuseMarkerContent: fuse-overlayfs
// marks a directory that replaced a deleted one with a '.wh..wh..opq' file,
// which kernel overlayfs does not read (the deleted content would come
// back). The other way round is safe: fuse-overlayfs reads the kernel's
// user.overlay.opaque xattr.
inline constexpr const char* kFuseMarkerName = "overlay-driver";
inline constexpr const char* kFuseMarkerContent = "fuse\n";

// The driver to use: the definition's, except that `auto` stays with
// fuse-overlayfs for a persistent upper it has written (`marker`: the marker
// file's content, nullopt when absent), and `kernel` is refused for one.
Result<OverlayDriver> resolve_overlay_driver(OverlayDriver requested,
                                             const std::optional<std::string>& marker,
                                             const std::string& upper_base);

// The error when fuse-overlayfs is not installed.
std::string fuse_overlayfs_missing(const std::string& path);

// What to do about /dev/fuse failing to open with `err`; `mode` is its
// permission bits when known (-1 otherwise).
std::string dev_fuse_hint(int err, int mode);

// The error when the overlay could not be mounted at all: the kernel's
// refusal (empty when it was not tried: overlay_driver: fuse) and why the
// fuse-overlayfs fallback failed.
std::string overlay_failure(const std::string& kernel_refusal, const std::string& fuse_failure);

}  // namespace box
