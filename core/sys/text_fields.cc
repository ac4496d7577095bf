#include "core/sys/text_fields.h"

#include <charconv>

namespace box {

std::vector<std::string_view> split_nonempty(std::string_view text, std::string_view separators) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    i = text.find_first_not_of(separators, i);
    if (i == std::string_view::npos) break;
    std::size_t j = text.find_first_of(separators, i);
    if (j == std::string_view::npos) j = text.size();
    out.push_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

std::vector<std::string_view> text_lines(std::string_view text) {
  return split_nonempty(text, "\n");
}

std::optional<std::vector<std::string_view>> split_fields(std::string_view line, char separator,
                                                          std::size_t count) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < count) {
    const std::size_t at = line.find(separator);
    if (at == std::string_view::npos) return std::nullopt;
    out.push_back(line.substr(0, at));
    line.remove_prefix(at + 1);
  }
  out.push_back(line);
  return out;
}

std::optional<std::uint64_t> parse_unsigned(std::string_view text, int base) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [stop, ec] = std::from_chars(text.data(), end, value, base);
  if (ec != std::errc() || stop != end) return std::nullopt;
  return value;
}

}  // namespace box
