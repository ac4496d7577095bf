#include "core/plan/device_plan.h"

#include <sys/mount.h>

namespace box {

void plan_devices(const std::vector<DeviceSpec>& devices, RunPlan& p) {
  for (const auto& device : devices) {
    // Recursive: /dev/dri and /dev/snd are directories of nodes (and of
    // by-path symlinks to them).
    p.mounts.push_back(
        {MountStep::Kind::kBind, device.path, device.path, "", MS_NOSUID | MS_NOEXEC});
    p.devices.push_back(device);
  }
}

}  // namespace box
