#include "core/plan/overlay_plan.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace box {

std::string kernel_overlay_options(const OverlayLayers& layers) {
  return "lowerdir=" + layers.lower + ",upperdir=" + layers.upper + ",workdir=" + layers.work +
         ",userxattr";
}

bool kernel_overlay_refused(int err) { return err == EPERM || err == ENODEV || err == EINVAL; }

std::string fuse_mount_options(int fd, uid_t uid, gid_t gid) {
  // rootmode: the root's file type and mode bits in octal (a directory).
  return "fd=" + std::to_string(fd) + ",rootmode=40000,user_id=" + std::to_string(uid) +
         ",group_id=" + std::to_string(gid) + ",allow_other,default_permissions";
}

std::vector<std::string> fuse_overlayfs_argv(const std::string& program,
                                             const OverlayLayers& layers, int fd) {
  return {program, "-f", "-o",
          "lowerdir=" + layers.lower + ",upperdir=" + layers.upper + ",workdir=" + layers.work,
          "/dev/fd/" + std::to_string(fd)};
}

Result<OverlayDriver> resolve_overlay_driver(OverlayDriver requested,
                                             const std::optional<std::string>& marker,
                                             const std::string& upper_base) {
  if (!marker) return requested;
  if (*marker != kFuseMarkerContent)
    return Error("'" + upper_base + "/" + kFuseMarkerName + "' says '" + *marker +
                 "'; box writes only 'fuse' there: remove the file if it is not box's");
  if (requested == OverlayDriver::kKernel)
    return Error(
        "overlay_driver: kernel, but fuse-overlayfs has written the persistent upper dir "
        "in '" +
        upper_base +
        "', and kernel overlayfs would bring back what was deleted "
        "there: use overlay_driver: auto or fuse (or remove '" +
        upper_base + "' to start afresh)");
  return OverlayDriver::kFuse;
}

std::string fuse_overlayfs_missing(const std::string& path) {
  return "fuse-overlayfs is not installed (no fuse-overlayfs in " +
         (path.empty() ? std::string("$PATH") : "PATH " + path) +
         "): install Debian's fuse-overlayfs package";
}

std::string dev_fuse_hint(int err, int mode) {
  if (err == EACCES || err == EPERM) {
    char text[16] = "?";
    if (mode >= 0) std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode) & 07777);
    return std::string(" (its mode is ") + text +
           "; Debian's udev rules make it 0666: 'chmod 0666 /dev/fuse' as root)";
  }
  if (err == ENOENT || err == ENODEV || err == ENXIO)
    return " (load the fuse module: 'modprobe fuse' as root)";
  return "";
}

std::string overlay_failure(const std::string& kernel_refusal, const std::string& fuse_failure) {
  if (kernel_refusal.empty())
    return "mount the rootfs overlay with fuse-overlayfs: " + fuse_failure;
  return "mount the rootfs overlay: the kernel refused it (" + kernel_refusal +
         "), and the fuse-overlayfs fallback failed: " + fuse_failure;
}

}  // namespace box
