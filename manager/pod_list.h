// Which pods exist (docs/pods.md): the pod files, loaded as box-run pod
// loads them, each with the boxes that name it; and a pod that boxes name
// but no file defines, so that their broken start shows here too. Plain
// C++ (no D-Bus): ListPods adds the units' states.
#pragma once

#include <string>
#include <vector>

#include "manager/container_registry.h"

namespace box::manager {

struct PodInfo {
  std::string name;
  std::string path;  // the main file; for a masked one, the mask; "" for none
  std::string description;
  bool valid = false;
  std::string error;                 // why the pod cannot be used
  std::vector<std::string> members;  // sorted

  bool operator==(const PodInfo&) const = default;
};

// Sorted by name.
std::vector<PodInfo> list_pods(const std::vector<std::string>& pod_dirs,
                               const std::vector<ContainerInfo>& containers);

}  // namespace box::manager
