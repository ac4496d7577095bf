#include "manager/pod_list.h"

#include <algorithm>
#include <map>

#include "core/model/paths.h"

namespace box::manager {

std::vector<PodInfo> list_pods(const std::vector<std::string>& pod_dirs,
                               const std::vector<ContainerInfo>& containers) {
  std::map<std::string, PodInfo> pods;
  for (const auto& f : scan_pods(pod_dirs).pods) {
    PodInfo& info = pods[f.name];
    info.name = f.name;
    info.path = f.masked_by.empty() ? f.path : f.masked_by;
    auto pod = load_resolved_pod(f);
    info.valid = pod.ok();
    if (pod) {
      info.description = pod->description;
    } else {
      info.error = pod.error().message();
    }
  }
  for (const auto& c : containers) {
    if (c.pod.empty()) continue;
    PodInfo& info = pods[c.pod];
    if (info.name.empty()) {
      // Named by a box, defined nowhere: the message a start would give.
      info.name = c.pod;
      auto files = resolve_pod(pod_dirs, c.pod);
      info.error = files ? "'" + files->path + "' appeared while the pods were listed"
                         : files.error().message();
    }
    info.members.push_back(c.name);
  }
  std::vector<PodInfo> out;
  for (auto& [name, info] : pods) {
    std::sort(info.members.begin(), info.members.end());
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace box::manager
