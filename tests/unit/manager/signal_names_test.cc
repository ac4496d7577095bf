#include "signal_names.h"

#include <gtest/gtest.h>

#include <csignal>

namespace box::manager {
namespace {

TEST(ParseSignal, NamesNumbersAndRealtime) {
  EXPECT_EQ(parse_signal("TERM"), SIGTERM);
  EXPECT_EQ(parse_signal("SIGTERM"), SIGTERM);
  EXPECT_EQ(parse_signal("sigkill"), SIGKILL);
  EXPECT_EQ(parse_signal("9"), 9);
  EXPECT_EQ(parse_signal("HUP"), SIGHUP);
  EXPECT_EQ(parse_signal("RTMIN"), SIGRTMIN);
  EXPECT_EQ(parse_signal("SIGRTMIN+3"), SIGRTMIN + 3);
  EXPECT_EQ(parse_signal("RTMAX-1"), SIGRTMAX - 1);
}

TEST(ParseSignal, RejectsNonsense) {
  EXPECT_FALSE(parse_signal("").has_value());
  EXPECT_FALSE(parse_signal("0").has_value());
  EXPECT_FALSE(parse_signal("999").has_value());
  EXPECT_FALSE(parse_signal("TERMINATE").has_value());
  EXPECT_FALSE(parse_signal("RTMIN-1").has_value());
  EXPECT_FALSE(parse_signal("RTMIN+100").has_value());
}

TEST(SignalName, RoundTrips) {
  EXPECT_EQ(signal_name(SIGTERM), "SIGTERM");
  EXPECT_EQ(signal_name(SIGRTMIN + 3), "SIGRTMIN+3");
  for (int s = 1; s <= SIGRTMAX; ++s) {
    if (s == 32 || s == 33) continue;  // reserved by glibc
    EXPECT_EQ(parse_signal(signal_name(s)), s) << s;
  }
}

}  // namespace
}  // namespace box::manager
