#include "core/sys/subid.h"

#include <limits>

#include "core/sys/small_file.h"
#include "core/sys/text_fields.h"

namespace box {

std::optional<SubidRange> find_subid_range(std::string_view text, const std::string& user,
                                           unsigned id) {
  const std::string id_text = std::to_string(id);
  constexpr auto kMax = std::numeric_limits<unsigned>::max();
  for (auto line : text_lines(text)) {
    // "owner:start:count"
    auto f = split_fields(line, ':', 3);
    if (!f || ((*f)[0] != user && (*f)[0] != id_text)) continue;
    auto start = parse_unsigned((*f)[1]);
    auto count = parse_unsigned((*f)[2]);
    if (!start || !count || *start > kMax || *count > kMax || *count == 0) continue;
    return SubidRange{static_cast<unsigned>(*start), static_cast<unsigned>(*count)};
  }
  return std::nullopt;
}

std::optional<SubidRange> subid_range_in(const std::string& file, const std::string& user,
                                         unsigned id) {
  // A site with many users has a long file: newuidmap reads it whole too.
  auto text = read_small_file(file, kSmallFileMax * 64);
  if (!text) return std::nullopt;
  return find_subid_range(*text, user, id);
}

}  // namespace box
