#include "core/sys/subid.h"

#include <algorithm>
#include <limits>

#include "core/sys/small_file.h"
#include "core/sys/text_fields.h"

namespace box {
namespace {

bool overlaps(const SubidRange& a, const SubidRange& b) {
  const std::uint64_t a_end = std::uint64_t{a.start} + a.count,
                      b_end = std::uint64_t{b.start} + b.count;
  return a.start < b_end && b.start < a_end;
}

// The ranges a map may use: each that overlaps none before it.
SubidRanges usable(const SubidRanges& ranges) {
  SubidRanges out;
  for (const auto& r : ranges) {
    if (r.count == 0) continue;
    if (std::none_of(out.begin(), out.end(), [&](const SubidRange& o) { return overlaps(o, r); }))
      out.push_back(r);
  }
  return out;
}

}  // namespace

SubidRanges find_subid_ranges(std::string_view text, const std::string& user, unsigned id) {
  const std::string id_text = std::to_string(id);
  constexpr auto kMax = std::numeric_limits<unsigned>::max();
  SubidRanges out;
  for (auto line : text_lines(text)) {
    // "owner:start:count"
    auto f = split_fields(line, ':', 3);
    if (!f || ((*f)[0] != user && (*f)[0] != id_text)) continue;
    auto start = parse_unsigned((*f)[1]);
    auto count = parse_unsigned((*f)[2]);
    if (!start || !count || *start > kMax || *count > kMax || *count == 0) continue;
    out.push_back({static_cast<unsigned>(*start), static_cast<unsigned>(*count)});
  }
  return out;
}

std::uint64_t subid_total(const SubidRanges& ranges) {
  std::uint64_t total = 0;
  for (const auto& r : usable(ranges)) total += r.count;
  return total;
}

std::vector<IdMapLine> map_from_ranges(std::uint32_t first, const SubidRanges& ranges,
                                       std::optional<std::uint32_t> hole, std::size_t max_lines) {
  std::vector<IdMapLine> out;
  std::uint64_t inside = first;
  constexpr std::uint64_t kEnd = std::numeric_limits<std::uint32_t>::max();  // (uid_t)-1
  for (const auto& r : usable(ranges)) {
    std::uint64_t outside = r.start, left = r.count;
    while (left > 0 && inside < kEnd && out.size() < max_lines) {
      if (hole && inside == *hole) ++inside;  // the hole takes no id of the range
      if (inside >= kEnd) break;
      std::uint64_t n = std::min(left, kEnd - inside);
      if (hole && inside < *hole) n = std::min<std::uint64_t>(n, *hole - inside);
      out.push_back({static_cast<std::uint32_t>(inside), static_cast<std::uint32_t>(outside),
                     static_cast<std::uint32_t>(n)});
      inside += n;
      outside += n;
      left -= n;
    }
  }
  return out;
}

std::string nsswitch_subid_source(std::string_view text) {
  for (auto line : text_lines(text)) {
    line = line.substr(0, line.find('#'));
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto trim = [](std::string_view v) {
      const auto b = v.find_first_not_of(" \t");
      if (b == std::string_view::npos) return std::string_view();
      return v.substr(b, v.find_last_not_of(" \t") - b + 1);
    };
    if (trim(line.substr(0, colon)) != "subid") continue;
    auto services = trim(line.substr(colon + 1));
    return std::string(services.substr(0, services.find_first_of(" \t[")));
  }
  return "";
}

SubidRanges subid_ranges_in(const std::string& file, const std::string& user, unsigned id) {
  // A site with many users has a long file: newuidmap reads it whole too.
  auto text = read_small_file(file, kSmallFileMax * 64);
  if (!text) return {};
  return find_subid_ranges(*text, user, id);
}

}  // namespace box
