#include "core/runtime/host_refusals.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace box {
namespace {

// errno of opening `path` as the executor opens it (O_PATH), 0 when it
// opens.
int open_errno(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), O_PATH | O_CLOEXEC | flags);
  if (fd < 0) return errno;
  ::close(fd);
  return 0;
}

// "file:line:column: 'key': " when the definition says where.
std::string at(const std::string& location, const std::string& key) {
  return location.empty() ? std::string() : location + ": '" + key + "': ";
}

std::string key_location(const Definition& def, Key key) {
  auto it = def.key_locations.find(key);
  return it == def.key_locations.end() ? std::string() : it->second;
}

}  // namespace

std::vector<std::string> host_refusals(const Definition& def) {
  std::vector<std::string> out;
  // No rootfs at all is the definition's error, said by its loader.
  if (const int err = def.rootfs.empty() ? 0 : open_errno(def.rootfs, O_DIRECTORY); err != 0) {
    const std::string opened = "open rootfs '" + def.rootfs + "': " + std::strerror(err);
    if (!def.image.empty() && err == ENOENT)
      out.push_back(at(key_location(def, Key::kImage), "image") + "image '" + def.image +
                    "' is not installed (" + opened + "): install it with 'boxctl install " +
                    "--user SOURCE " + def.image + "' ('boxctl images' lists those installed)");
    else
      out.push_back(at(key_location(def, Key::kRootfs), "rootfs") + opened);
  }
  for (std::size_t i = 0; i < def.mounts.size(); ++i) {
    const MountSpec& m = def.mounts[i];
    if (m.type != MountType::kBind) continue;
    const int err = open_errno(m.source, 0);
    if (err == 0 || (err == ENOENT && m.optional)) continue;
    const std::string location = i < def.mount_locations.size() ? def.mount_locations[i] : "";
    out.push_back(at(location, "mounts[" + std::to_string(i) + "].source") +
                  "open bind source '" + m.source + "' for '" + m.target +
                  "': " + std::strerror(err) +
                  (err == ENOENT ? " (create it, or mark the mount 'optional: true')" : ""));
  }
  for (std::size_t i = 0; i < def.devices.size(); ++i) {
    const DeviceSpec& d = def.devices[i];
    const std::string location = i < def.device_locations.size() ? def.device_locations[i] : "";
    const std::string named = d.name == d.path ? "device '" + d.path + "'"
                                               : "device '" + d.name + "' (" + d.path + ")";
    struct stat st {};
    if (::stat(d.path.c_str(), &st) != 0) {
      const int err = errno;
      out.push_back(at(location, "devices[" + std::to_string(i) + "]") + named + ": " +
                    std::strerror(err) +
                    (err == ENOENT ? ": this host has none (is its driver loaded? remove it "
                                     "from 'devices' to start without it)"
                                   : ""));
      continue;
    }
    // A directory of nodes (/dev/dri, /dev/snd) or a node; a regular file
    // or a socket under /dev is no device to hand a box.
    if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode) && !S_ISDIR(st.st_mode))
      out.push_back(at(location, "devices[" + std::to_string(i) + "]") + named +
                    " is not a device node or a directory of them");
  }
  return out;
}

}  // namespace box
