#include "core/model/value_parsers.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <cstring>

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

std::string duration_error(const std::string& text, Infinity infinity = Infinity::kRefused) {
  auto r = parse_duration_usec(text, infinity);
  return r ? "ok: " + std::to_string(*r) : r.error().message();
}

TEST(ParseDuration, SystemdTimeSpans) {
  constexpr uint64_t s = 1'000'000;
  EXPECT_EQ(*parse_duration_usec("10s"), 10 * s);
  EXPECT_EQ(*parse_duration_usec("90"), 90 * s);  // no unit: seconds
  EXPECT_EQ(*parse_duration_usec("500ms"), 500'000u);
  EXPECT_EQ(*parse_duration_usec("1min 30s"), 90 * s);
  EXPECT_EQ(*parse_duration_usec("1min30s"), 90 * s);
  EXPECT_EQ(*parse_duration_usec("1min 30"), 90 * s);  // every term's default unit is seconds
  EXPECT_EQ(*parse_duration_usec("2h"), 7200 * s);
  EXPECT_EQ(*parse_duration_usec("1h 2m 3s 4ms 5us"), 3723 * s + 4005);
  EXPECT_EQ(*parse_duration_usec("1.5s"), 1'500'000u);
  EXPECT_EQ(*parse_duration_usec(".5s"), 500'000u);
  EXPECT_EQ(*parse_duration_usec("0.25min"), 15 * s);
  EXPECT_EQ(*parse_duration_usec("10 s"), 10 * s);
  EXPECT_EQ(*parse_duration_usec("  2 weeks  "), 1'209'600 * s);
  EXPECT_EQ(*parse_duration_usec("1 M"), 2'629'800 * s);  // a month: 30.44 days
  EXPECT_EQ(*parse_duration_usec("1m"), 60 * s);          // m is minutes, M months
  EXPECT_EQ(*parse_duration_usec("1y"), 31'557'600 * s);  // a year: 365.25 days
  EXPECT_EQ(*parse_duration_usec("3 hours 1 minute"), 10'860 * s);
  EXPECT_EQ(*parse_duration_usec("1\u00b5s"), 1u);
  EXPECT_EQ(*parse_duration_usec("1\u03bcs"), 1u);
  EXPECT_EQ(*parse_duration_usec("0"), 0u);
  // Digits past the microsecond are dropped, as systemd drops them.
  EXPECT_EQ(*parse_duration_usec("0.0000019s"), 1u);
  EXPECT_EQ(*parse_duration_usec("1.9us"), 1u);
  EXPECT_EQ(*parse_duration_usec("infinity", Infinity::kAllowed), kInfiniteDuration);
  EXPECT_EQ(*parse_duration_usec(" infinity ", Infinity::kAllowed), kInfiniteDuration);
  // The largest that 64 bits hold below infinity.
  EXPECT_EQ(*parse_duration_usec("18446744073709551614us"), kInfiniteDuration - 1);
}

TEST(ParseDuration, SaysWhichPartIsWrong) {
  const std::string eg = " (such as 10s, 1min 30s, 500ms, 1.5h)";
  EXPECT_EQ(duration_error(""), "expected a duration" + eg + ", found nothing");
  EXPECT_EQ(duration_error("  "), "expected a duration" + eg + ", found nothing");
  EXPECT_EQ(duration_error("10 parsecs"),
            "'10 parsecs' is not a duration: unknown unit 'parsecs' (use us, ms, s, min, h, d, w, "
            "M or y)");
  EXPECT_EQ(duration_error("1mins"),
            "'1mins' is not a duration: unknown unit 'mins' (use us, ms, s, min, h, d, w, M or y)");
  EXPECT_EQ(duration_error("-5s"), "'-5s' is not a duration: a duration cannot be negative");
  EXPECT_EQ(duration_error("1min -5s"),
            "'1min -5s' is not a duration: a duration cannot be negative");
  EXPECT_EQ(duration_error("s"), "'s' is not a duration: expected a number, found 's'");
  EXPECT_EQ(duration_error("1min s"), "'1min s' is not a duration: expected a number, found 's'");
  EXPECT_EQ(duration_error("1.s"), "'1.s' is not a duration: expected digits after '1.'");
  EXPECT_EQ(duration_error("1.5.3s"), "'1.5.3s' is not a duration: unexpected '.' after '1.5'");
  EXPECT_EQ(duration_error("1,5s"), "'1,5s' is not a duration: unexpected ',' after '1'");
  EXPECT_EQ(duration_error("1e3s"),
            "'1e3s' is not a duration: unknown unit 'e' (use us, ms, s, min, h, d, w, M or y)");
  EXPECT_EQ(duration_error("99999999999999999999"),
            "'99999999999999999999' is not a duration: '99999999999999999999' is too long (at most "
            "584542 years)");
  EXPECT_EQ(duration_error("600000y"),
            "'600000y' is not a duration: '600000y' is too long (at most 584542 years)");
  EXPECT_EQ(duration_error("584542y 1y"),
            "'584542y 1y' is not a duration: '1y' is too long (at most 584542 years)");
  EXPECT_EQ(duration_error("18446744073709551615us"),  // that is infinity's number
            "'18446744073709551615us' is not a duration: '18446744073709551615us' is too long (at "
            "most 584542 years)");
  EXPECT_EQ(duration_error("infinity"),
            "'infinity' is not a duration here: give a finite one" + eg);
  EXPECT_EQ(duration_error("5 infinity", Infinity::kAllowed),
            "'5 infinity' is not a duration: unknown unit 'infinity' (use us, ms, s, min, h, d, "
            "w, M or y)");
}

// What systemd itself makes of the same texts (`systemd-analyze timespan`,
// systemd's own parser): the same number, or a refusal for both.
TEST(ParseDuration, AgreesWithSystemdAnalyze) {
  const char* samples[] = {"10s",  "90",       "1min 30s", "1min30", "2h",        "500ms",
                           "1.5s", ".5s",      "10 s",     "1 M",    "1y",        "3 hours 1 minute",
                           "5ms3us", "0.0000019s", "2 weeks", "1m",   "1mins",     "1x",
                           "1.s",  "1,5s",     "1e3s",     "s",      "5 infinity", "1 . 5s",
                           "infinity"};
  for (const char* text : samples) {
    const std::string command = std::string("/usr/bin/systemd-analyze timespan -- '") + text +
                                "' 2>/dev/null | sed -n 's/^ *\xce\xbcs: //p'";
    FILE* pipe = ::popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    char buf[64] = {};
    const bool got = std::fgets(buf, sizeof buf, pipe) != nullptr;
    ASSERT_NE(::pclose(pipe), -1);
    auto ours = parse_duration_usec(text, Infinity::kAllowed);
    if (!got) {
      EXPECT_FALSE(ours.ok()) << text << ": systemd refuses it, box reads " << *ours;
      continue;
    }
    ASSERT_TRUE(ours.ok()) << text << ": " << ours.error().message();
    EXPECT_EQ(std::to_string(*ours), std::string(buf, std::strcspn(buf, "\n"))) << text;
  }
}

}  // namespace
}  // namespace box
