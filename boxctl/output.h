// How boxctl prints for people: aligned tables, colour only on a terminal,
// times relative to now. Pure functions (the caller says whether colour is
// on and what time it is), so they are unit-tested byte for byte.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace box::manager {

enum class Color { kNone, kGreen, kRed, kYellow, kBold, kDim };

// Colour when `fd` is a terminal, $NO_COLOR is unset and $TERM is not "dumb".
bool color_wanted(int fd);

std::string paint(const std::string& text, Color color, bool enabled);

// The colour of a container state: green running, red failed/invalid,
// yellow on the way up or down.
Color state_color(const std::string& state);

struct Cell {
  std::string text;
  Color color = Color::kNone;
};

// Columns separated by two spaces, padded to the widest cell (escape codes
// not counted), no trailing blanks; one line per row.
std::string format_table(const std::vector<std::vector<Cell>>& rows, bool color);

// "3s ago", "5min ago", "2h 4min ago", "3 days ago", "2 months ago" (as
// systemctl says it); "in the future" for clock skew.
std::string relative_time(uint64_t then_usec, uint64_t now_usec);

// "Tue 2024-05-07 10:00:00 UTC", local time.
std::string absolute_time(uint64_t usec);

uint64_t now_usec();

}  // namespace box::manager
