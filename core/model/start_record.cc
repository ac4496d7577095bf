#include "core/model/start_record.h"

#include <charconv>

namespace box {
namespace {

constexpr std::string_view kMagic = "box-start-record 1\n";

// The next line of `text` from `pos` (without its newline); false at the end.
bool next_line(std::string_view text, std::size_t& pos, std::string_view& line) {
  if (pos >= text.size()) return false;
  auto nl = text.find('\n', pos);
  if (nl == std::string_view::npos) return false;  // a record always ends lines
  line = text.substr(pos, nl - pos);
  pos = nl + 1;
  return true;
}

template <typename T>
bool parse_number(std::string_view s, T& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

}  // namespace

std::string format_start_record(const StartRecord& record) {
  std::string out(kMagic);
  out += "pid " + std::to_string(record.pid) + "\n";
  for (const auto& s : record.sources)
    out += "source " + std::to_string(s.text.size()) + " " + s.path + "\n" + s.text;
  return out;
}

Result<StartRecord> parse_start_record(std::string_view text) {
  if (!text.starts_with(kMagic)) return Error("not a box start record");
  std::size_t pos = kMagic.size();
  std::string_view line;
  StartRecord r;
  if (!next_line(text, pos, line) || !line.starts_with("pid ") ||
      !parse_number(line.substr(4), r.pid) || r.pid <= 0)
    return Error("start record: no pid line");
  while (pos < text.size()) {
    if (!next_line(text, pos, line) || !line.starts_with("source "))
      return Error("start record: expected a source line");
    line.remove_prefix(7);
    auto space = line.find(' ');
    std::size_t length = 0;
    if (space == std::string_view::npos || !parse_number(line.substr(0, space), length))
      return Error("start record: bad source length");
    if (length > text.size() - pos) return Error("start record: truncated source");
    r.sources.push_back({std::string(line.substr(space + 1)), std::string(text.substr(pos, length))});
    pos += length;
  }
  if (r.sources.empty()) return Error("start record: no sources");
  return r;
}

bool same_sources(const std::vector<DefinitionSource>& started,
                  const std::vector<DefinitionSource>& now) {
  if (started.size() != now.size()) return false;
  for (std::size_t i = 0; i < now.size(); ++i)
    if (started[i].path != now[i].path || started[i].text != now[i].text) return false;
  return true;
}

}  // namespace box
