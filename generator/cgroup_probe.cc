#include "generator/cgroup_probe.h"

#include "core/sys/cgroup.h"
#include "core/sys/small_file.h"
#include "core/sys/text_fields.h"

namespace box::generator {

std::optional<std::string> user_manager_cgroup(std::string_view text) {
  // The cgroup2 line is "0::/path"; the v1 lines of a hybrid host differ.
  std::string_view path;
  for (auto line : text_lines(text))
    if (line.starts_with("0::")) path = line.substr(3);
  // Cut after the "user@UID.service" component: generators run in its
  // init.scope, a terminal in one of its app scopes.
  std::size_t pos = 0;
  while (pos < path.size()) {
    std::size_t slash = path.find('/', pos + 1);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view component = path.substr(pos + 1, slash - pos - 1);
    if (component.starts_with("user@") && component.ends_with(".service"))
      return std::string(path.substr(0, slash));
    pos = slash;
  }
  return std::nullopt;
}

std::set<std::string> parse_controllers(std::string_view text) {
  std::set<std::string> out;
  for (auto c : split_nonempty(text, " \t\n")) out.emplace(c);
  return out;
}

std::optional<std::set<std::string>> user_manager_controllers() {
  const std::string root = detect_cgroup_layout().unified_mount;
  if (root.empty()) return std::nullopt;
  auto self = read_small_file("/proc/self/cgroup");
  if (!self) return std::nullopt;
  auto manager = user_manager_cgroup(*self);
  if (!manager) return std::nullopt;
  auto controllers = read_small_file(root + *manager + "/cgroup.controllers");
  if (!controllers) return std::nullopt;
  return parse_controllers(*controllers);
}

}  // namespace box::generator
