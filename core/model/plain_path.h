// One spelling of a path: what device paths, Kubernetes volume paths and
// their items must be, so that the path box checks is the path used.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace box {

// Every '/'-separated component of `path` is non-empty and neither "." nor
// "..": no leading, trailing or double '/'. "" has one empty component.
inline bool is_plain_path(std::string_view path) {
  for (std::size_t start = 0;;) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (end == path.size()) return true;
    start = end + 1;
  }
}

}  // namespace box
