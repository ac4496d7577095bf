#include "core/model/devices.h"

#include <algorithm>

#include "core/model/plain_path.h"

namespace box {
namespace {

// flatpak's --device names where it has them (dri, kvm, input, usb; its
// `all` and `shm` are left out: all of /dev, and the box's /dev/shm is its
// own), and the sound and fuse nodes podman users bind with --device.
constexpr DeviceName kDevices[] = {
    {"dri", "/dev/dri"},      // GPU: the DRM card and render nodes
    {"snd", "/dev/snd"},      // sound cards (ALSA)
    {"kvm", "/dev/kvm"},      // hardware virtualisation
    {"fuse", "/dev/fuse"},    // FUSE file systems
    {"input", "/dev/input"},  // evdev: keyboards, mice, game controllers
    {"usb", "/dev/bus/usb"},  // raw USB devices (libusb)
};

// What every box has in its own /dev (run_plan.cc's add_dev, the console):
// naming one would bind the host's over it.
constexpr std::string_view kOwnDev[] = {
    "/dev/null",   "/dev/zero",    "/dev/full",  "/dev/random", "/dev/urandom",
    "/dev/tty",    "/dev/console", "/dev/ptmx",  "/dev/pts",    "/dev/shm",
    "/dev/mqueue", "/dev/fd",      "/dev/stdin", "/dev/stdout", "/dev/stderr"};

bool starts_with_dir(std::string_view path, std::string_view dir) {
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         path[dir.size()] == '/');
}

}  // namespace

std::span<const DeviceName> device_names() { return kDevices; }

std::string device_name_list() {
  std::string out;
  for (const auto& d : kDevices) out += (out.empty() ? "" : ", ") + std::string(d.name);
  return out;
}

Result<DeviceSpec> parse_device(std::string_view written) {
  const std::string text(written);
  for (const auto& d : kDevices)
    if (written == d.name) return DeviceSpec{text, d.path};
  if (written.empty() || written.front() != '/')
    return Error("unknown device '" + text + "' (known: " + device_name_list() +
                 ", or an absolute path under /dev)");
  if (!starts_with_dir(written, "/dev") || written == "/dev")
    return Error("'" + text + "' is not under /dev (a device is a name (" + device_name_list() +
                 ") or a path under /dev; bind other host paths with 'mounts')");
  // One spelling of each path: it is where the device appears inside too.
  if (!is_plain_path(std::string_view(written).substr(1)))
    return Error("'" + text + "' is not a plain path (no empty, '.' or '..' components)");
  for (std::string_view own : kOwnDev)
    if (starts_with_dir(written, own))
      return Error("'" + text + "' is in every box's own /dev already (box makes " +
                   std::string(own) + " itself; the host's is never bound over it)");
  return DeviceSpec{text, text};
}

}  // namespace box
