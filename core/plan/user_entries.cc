#include "core/plan/user_entries.h"

#include "core/sys/text_fields.h"

namespace box {
namespace {

// The first and third ':'-separated fields of a line (name and id).
std::pair<std::string_view, std::string_view> name_and_id(std::string_view line) {
  const auto a = line.find(':');
  if (a == std::string_view::npos) return {line, {}};
  const auto b = line.find(':', a + 1);
  if (b == std::string_view::npos) return {line.substr(0, a), {}};
  const auto c = line.find(':', b + 1);
  return {line.substr(0, a), line.substr(b + 1, c == std::string_view::npos ? c : c - b - 1)};
}

}  // namespace

std::string passwd_entry(const std::string& name, uid_t uid, gid_t gid, const std::string& gecos,
                         const std::string& home) {
  if (name.empty()) return "";
  return name + ":*:" + std::to_string(uid) + ":" + std::to_string(gid) + ":" + gecos + ":" +
         (home.empty() ? "/" : home) + ":/bin/sh";
}

std::string group_entry(const std::string& name, gid_t gid, const std::string& member) {
  if (name.empty()) return "";
  return name + ":x:" + std::to_string(gid) + ":" + member;
}

std::string with_entry(std::string_view file_text, std::string_view entry) {
  const auto [name, id] = name_and_id(entry);
  for (auto line : text_lines(file_text)) {
    const auto [n, i] = name_and_id(line);
    if (n == name || (!id.empty() && i == id)) return std::string(file_text);
  }
  std::string out(file_text);
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out + std::string(entry) + "\n";
}

}  // namespace box
