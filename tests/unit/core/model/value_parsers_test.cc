#include "core/model/value_parsers.h"

#include <gtest/gtest.h>

#include <csignal>

namespace box {
namespace {

std::string signal_error(const std::string& text) {
  auto r = parse_signal(text);
  return r ? "ok" : r.error().message();
}

TEST(ParseSignal, EverySpellingPeopleType) {
  EXPECT_EQ(*parse_signal("TERM"), SIGTERM);
  EXPECT_EQ(*parse_signal("SIGTERM"), SIGTERM);
  EXPECT_EQ(*parse_signal("sigkill"), SIGKILL);
  EXPECT_EQ(*parse_signal("9"), 9);
  EXPECT_EQ(*parse_signal("HUP"), SIGHUP);
  EXPECT_EQ(*parse_signal("STKFLT"), SIGSTKFLT);
  EXPECT_EQ(*parse_signal("RTMIN"), SIGRTMIN);
  // How systemd is told to halt, with and without the prefix.
  EXPECT_EQ(*parse_signal("SIGRTMIN+3"), SIGRTMIN + 3);
  EXPECT_EQ(*parse_signal("RTMIN+3"), SIGRTMIN + 3);
  EXPECT_EQ(*parse_signal("rtmin+3"), SIGRTMIN + 3);
  EXPECT_EQ(*parse_signal("RTMAX-1"), SIGRTMAX - 1);
  EXPECT_EQ(*parse_signal("SIGRTMAX"), SIGRTMAX);
  EXPECT_EQ(*parse_signal(std::to_string(SIGRTMIN + 3)), SIGRTMIN + 3);

  std::string canonical;
  ASSERT_TRUE(parse_signal("rtmax-0", &canonical));
  EXPECT_EQ(canonical, "SIGRTMIN+" + std::to_string(SIGRTMAX - SIGRTMIN));
}

TEST(ParseSignal, SaysWhatIsWrong) {
  const std::string rt = std::to_string(SIGRTMIN), last = std::to_string(SIGRTMAX),
                    count = std::to_string(SIGRTMAX - SIGRTMIN);
  EXPECT_EQ(signal_error(""),
            "no signal given (use a name such as SIGTERM, TERM or SIGRTMIN+3 (RTMIN+3), or a "
            "number)");
  EXPECT_EQ(signal_error("TERMINATE"),
            "unknown signal 'TERMINATE' (use a name such as SIGTERM, TERM or SIGRTMIN+3 "
            "(RTMIN+3), or a number)");
  EXPECT_EQ(signal_error("0"),
            "'0' is not a signal number (1 to 31, or " + rt + " to " + last + ")");
  EXPECT_EQ(signal_error("999"),
            "'999' is not a signal number (1 to 31, or " + rt + " to " + last + ")");
  EXPECT_EQ(signal_error("32"), "signal 32 is reserved by the C library (realtime signals are " +
                                    rt + " to " + last + ")");
  EXPECT_EQ(signal_error("RTMIN-1"),
            "'RTMIN-1': count up from SIGRTMIN (SIGRTMIN+N) or down from SIGRTMAX (SIGRTMAX-N), "
            "N from 0 to " +
                count);
  EXPECT_EQ(signal_error("SIGRTMIN+x"), "'SIGRTMIN+x': expected a number after '+'");
  EXPECT_EQ(signal_error("RTMIN+"), "'RTMIN+': expected a number after '+'");
  EXPECT_EQ(
      signal_error("RTMIN+100"),
      "'RTMIN+100' is outside the realtime signals: N goes from 0 to " + count + " in SIGRTMIN+N");
  const std::string past = "RTMAX-" + std::to_string(SIGRTMAX - SIGRTMIN + 1);
  EXPECT_EQ(signal_error(past), "'" + past +
                                    "' is outside the realtime signals: N goes from 0 to " + count +
                                    " in SIGRTMAX-N");
}

TEST(SignalName, RoundTrips) {
  EXPECT_EQ(signal_name(SIGTERM), "SIGTERM");
  EXPECT_EQ(signal_name(SIGRTMIN + 3), "SIGRTMIN+3");
  for (int s = 1; s <= SIGRTMAX; ++s) {
    if (s == 32 || s == 33) continue;  // reserved by glibc
    auto back = parse_signal(signal_name(s));
    ASSERT_TRUE(back.ok()) << s << ": " << back.error().message();
    EXPECT_EQ(*back, s) << signal_name(s);
  }
}

}  // namespace
}  // namespace box
