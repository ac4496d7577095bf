#include "generator/cgroup_probe.h"

#include <fstream>
#include <sstream>

#include "core/sys/cgroup.h"

namespace box::generator {

namespace {

std::optional<std::string> read_small(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::optional<std::string> user_manager_cgroup(std::string_view text) {
  // The cgroup2 line is "0::/path"; the v1 lines of a hybrid host differ.
  std::string_view path;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (line.starts_with("0::")) path = line.substr(3);
    start = end + 1;
  }
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
  std::istringstream in{std::string(text)};
  for (std::string c; in >> c;) out.insert(c);
  return out;
}

std::optional<std::set<std::string>> user_manager_controllers() {
  const std::string root = detect_cgroup_layout().unified_mount;
  if (root.empty()) return std::nullopt;
  auto self = read_small("/proc/self/cgroup");
  if (!self) return std::nullopt;
  auto manager = user_manager_cgroup(*self);
  if (!manager) return std::nullopt;
  auto controllers = read_small(root + *manager + "/cgroup.controllers");
  if (!controllers) return std::nullopt;
  return parse_controllers(*controllers);
}

}  // namespace box::generator
