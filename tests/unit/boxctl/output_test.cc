#include "boxctl/output.h"

#include <gtest/gtest.h>

namespace box::manager {
namespace {

TEST(FormatTable, AlignsColumnsWithoutTrailingBlanks) {
  std::vector<std::vector<Cell>> rows = {{{"NAME"}, {"STATE"}, {"DESCRIPTION"}},
                                         {{"hello"}, {"active"}, {"Hi"}},
                                         {{"b"}, {"inactive"}, {""}}};
  EXPECT_EQ(format_table(rows, false),
            "NAME   STATE     DESCRIPTION\n"
            "hello  active    Hi\n"
            "b      inactive\n");
}

TEST(FormatTable, ColourDoesNotCountForWidth) {
  std::vector<std::vector<Cell>> rows = {{{"a"}, {"x"}}, {{"active", Color::kGreen}, {"y"}}};
  EXPECT_EQ(format_table(rows, true), "a       x\n\033[32mactive\033[0m  y\n");
  EXPECT_EQ(format_table(rows, false), "a       x\nactive  y\n");
}

TEST(StateColor, ByState) {
  EXPECT_EQ(state_color("active"), Color::kGreen);
  EXPECT_EQ(state_color("failed"), Color::kRed);
  EXPECT_EQ(state_color("invalid"), Color::kRed);
  EXPECT_EQ(state_color("activating"), Color::kYellow);
  EXPECT_EQ(state_color("inactive"), Color::kNone);
}

TEST(RelativeTime, SaysItAsSystemctlDoes) {
  const uint64_t s = 1000000, now = 1000000000 * s;
  EXPECT_EQ(relative_time(now - 3 * s, now), "3s ago");
  EXPECT_EQ(relative_time(now - 5 * 60 * s, now), "5min ago");
  EXPECT_EQ(relative_time(now - (2 * 3600 + 4 * 60) * s, now), "2h 4min ago");
  EXPECT_EQ(relative_time(now - 3600 * s, now), "1h ago");
  EXPECT_EQ(relative_time(now - (86400 + 3600) * s, now), "1 day 1h ago");
  EXPECT_EQ(relative_time(now - 3 * 86400 * s, now), "3 days ago");
  EXPECT_EQ(relative_time(now - 70ull * 86400 * s, now), "2 months 9 days ago");
  EXPECT_EQ(relative_time(now + s, now), "in the future");
}

TEST(Paint, OnlyWhenEnabled) {
  EXPECT_EQ(paint("x", Color::kRed, false), "x");
  EXPECT_EQ(paint("x", Color::kRed, true), "\033[31mx\033[0m");
  EXPECT_EQ(paint("", Color::kRed, true), "");
}

}  // namespace
}  // namespace box::manager
