#include "core/sys/subid.h"

#include <charconv>

namespace box {
namespace {

bool to_unsigned(std::string_view s, unsigned& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::optional<SubidRange> find_subid_range(std::string_view text, const std::string& user,
                                           unsigned id) {
  const std::string id_text = std::to_string(id);
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    auto c1 = line.find(':');
    auto c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    std::string_view owner = line.substr(0, c1);
    if (owner != user && owner != id_text) continue;
    SubidRange r;
    if (!to_unsigned(line.substr(c1 + 1, c2 - c1 - 1), r.start)) continue;
    if (!to_unsigned(line.substr(c2 + 1), r.count) || r.count == 0) continue;
    return r;
  }
  return std::nullopt;
}

}  // namespace box
