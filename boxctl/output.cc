#include "boxctl/output.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>

namespace box::manager {

bool color_wanted(int fd) {
  if (!::isatty(fd)) return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  const char* term = std::getenv("TERM");
  return !(term && std::string(term) == "dumb");
}

std::string paint(const std::string& text, Color color, bool enabled) {
  if (!enabled || color == Color::kNone || text.empty()) return text;
  const char* code = "";
  switch (color) {
    case Color::kGreen: code = "\033[32m"; break;
    case Color::kRed: code = "\033[31m"; break;
    case Color::kYellow: code = "\033[33m"; break;
    case Color::kBold: code = "\033[1m"; break;
    case Color::kDim: code = "\033[2m"; break;
    case Color::kNone: break;
  }
  return code + text + "\033[0m";
}

Color state_color(const std::string& state) {
  if (state == "active" || state == "reloading") return Color::kGreen;
  if (state == "failed" || state == "invalid") return Color::kRed;
  if (state == "activating" || state == "deactivating") return Color::kYellow;
  return Color::kNone;
}

std::string format_table(const std::vector<std::vector<Cell>>& rows, bool color) {
  std::vector<std::size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].text.size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += paint(row[i].text, row[i].color, color);
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].text.size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string relative_time(uint64_t then_usec, uint64_t now_usec) {
  if (then_usec > now_usec) return "in the future";
  uint64_t s = (now_usec - then_usec) / 1000000;
  constexpr uint64_t kMin = 60, kHour = 3600, kDay = 86400, kMonth = 2629800, kYear = 31557600;
  auto plural = [](uint64_t n, const char* unit) {
    return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
  };
  if (s < kMin) return std::to_string(s) + "s ago";
  if (s < kHour) return std::to_string(s / kMin) + "min ago";
  if (s < kDay) {
    uint64_t m = (s % kHour) / kMin;
    return std::to_string(s / kHour) + "h" + (m ? " " + std::to_string(m) + "min" : "") + " ago";
  }
  if (s < kMonth) {
    uint64_t h = (s % kDay) / kHour;
    return plural(s / kDay, "day") + (h ? " " + std::to_string(h) + "h" : "") + " ago";
  }
  if (s < kYear) {
    uint64_t d = (s % kMonth) / kDay;
    return plural(s / kMonth, "month") + (d ? " " + plural(d, "day") : "") + " ago";
  }
  uint64_t mo = (s % kYear) / kMonth;
  return plural(s / kYear, "year") + (mo ? " " + plural(mo, "month") : "") + " ago";
}

std::string absolute_time(uint64_t usec) {
  std::time_t t = static_cast<std::time_t>(usec / 1000000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[64];
  if (std::strftime(buf, sizeof buf, "%a %Y-%m-%d %H:%M:%S %Z", &tm) == 0) return "";
  return buf;
}

uint64_t now_usec() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace box::manager
