// Devices a definition names (`devices:`): the one table of device names
// box knows and the host paths they stand for, and the checks of what a
// definition may write there, made at load time so that `boxctl validate`
// and the generator refuse a typo with its file:line. Pure; each device is
// bound at its own path in the container (core/plan/device_plan.h), and a
// device the host lacks is refused before a start (host_refusals.h).
// docs/desktop.md#devices says what each name gives and how it compares
// with flatpak's --device.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/sys/result.h"

namespace box {

// A name and the host path it stands for (a device node or a directory of
// them), the same path inside.
struct DeviceName {
  const char* name;
  const char* path;
};

// dri, snd, kvm, fuse, input, usb, in the order docs/desktop.md lists them
// (Docs.DeviceNamesAreInDesktopMd).
std::span<const DeviceName> device_names();

// "dri, snd, kvm, fuse, input, usb".
std::string device_name_list();

// One entry of `devices:` as written and the host path it names.
struct DeviceSpec {
  std::string name;  // as written: "dri" or "/dev/bus/usb/001/004"
  std::string path;  // the host path, and where it appears inside
  bool operator==(const DeviceSpec&) const = default;
};

// A name of the table, or an absolute path under /dev: the spec, or why
// not ("unknown device 'gpu' (known: ...)", "'/tmp/x' is not under /dev
// ...", "/dev/null is in every box already", ...).
Result<DeviceSpec> parse_device(std::string_view written);

}  // namespace box
