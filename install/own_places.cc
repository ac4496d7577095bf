#include "install/own_places.h"

namespace box::install {

const char* own_place_name(OwnPlace place) {
  switch (place) {
    case OwnPlace::kImage:
      return "image dir";
    case OwnPlace::kState:
      return "state dir";
    case OwnPlace::kContainers:
      return "container state dir";
    case OwnPlace::kRun:
      return "runtime dir";
    case OwnPlace::kConf:
      return "config dir";
  }
  return "?";
}

bool is_canonical_path(const std::string& path) {
  if (path.empty() || path[0] != '/') return false;
  if (path == "/") return true;
  if (path.back() == '/') return false;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

bool at_or_under(const std::string& path, const std::string& dir) {
  if (dir == "/") return !path.empty() && path[0] == '/';
  return path.compare(0, dir.size(), dir) == 0 &&
         (path.size() == dir.size() || path[dir.size()] == '/');
}

std::string own_place_root(const Locations& locs, const std::string& name, OwnPlace place) {
  switch (place) {
    case OwnPlace::kImage:
      return locs.images + "/" + name;
    case OwnPlace::kState:
      return locs.state + "/" + name;
    case OwnPlace::kContainers:
      return locs.containers + "/" + name;
    case OwnPlace::kRun:
      return locs.run.empty() ? std::string() : locs.run + "/" + name;
    case OwnPlace::kConf:
      return locs.conf.empty() ? std::string() : locs.conf + "/" + name;
  }
  return "";
}

std::optional<OwnPlace> own_place(const Locations& locs, const std::string& name,
                                  const std::string& path) {
  // A name with a "/" or a dot-name would make a root that is not the box's.
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
    return std::nullopt;
  if (!is_canonical_path(path)) return std::nullopt;
  for (OwnPlace p : {OwnPlace::kImage, OwnPlace::kState, OwnPlace::kContainers, OwnPlace::kRun,
                     OwnPlace::kConf}) {
    std::string root = own_place_root(locs, name, p);
    if (!root.empty() && is_canonical_path(root) && at_or_under(path, root)) return p;
  }
  return std::nullopt;
}

}  // namespace box::install
