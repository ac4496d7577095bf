#include "core/plan/pid1_signals.h"

#include <gtest/gtest.h>
#include <signal.h>

namespace box {
namespace {

constexpr uint64_t bit(int sig) { return uint64_t{1} << (sig - 1); }

TEST(Pid1Signals, ParsesTheMasksOfProcStatus) {
  auto m = parse_signal_masks(
      "Name:\tsh\nSigQ:\t0/63455\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n"
      "SigBlk:\t0000000000010000\nSigIgn:\t0000000000000004\nSigCgt:\t0000000000004002\n"
      "CapInh:\t0000000000000000\n");
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->blocked, bit(SIGCHLD));
  EXPECT_EQ(m->ignored, bit(SIGQUIT));
  EXPECT_EQ(m->caught, bit(SIGINT) | bit(SIGTERM));
}

TEST(Pid1Signals, RefusesMissingOrMalformedMasks) {
  EXPECT_FALSE(parse_signal_masks("Name:\tsh\nSigBlk:\t0\nSigIgn:\t0\n").ok());
  auto bad = parse_signal_masks("SigBlk:\tzz\nSigIgn:\t0\nSigCgt:\t0\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "malformed SigBlk line: 'SigBlk:\tzz'");
}

TEST(Pid1Signals, ASignalWithNoHandlerThatWouldEndTheProgramIsDropped) {
  SignalMasks none;
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGQUIT, SIGABRT, SIGRTMIN + 3})
    EXPECT_EQ(pid1_fate(none, sig), Pid1Fate::kDropped) << sig;
  // Nothing happens to the program outside either.
  for (int sig : {SIGWINCH, SIGCHLD, SIGURG, SIGCONT, SIGTSTP})
    EXPECT_EQ(pid1_fate(none, sig), Pid1Fate::kNoEffect) << sig;
  // The kernel always delivers these two.
  EXPECT_EQ(pid1_fate(none, SIGKILL), Pid1Fate::kDelivered);
  EXPECT_EQ(pid1_fate(none, SIGSTOP), Pid1Fate::kDelivered);
}

TEST(Pid1Signals, CaughtBlockedAndIgnoredSignalsAreTheProgramsChoice) {
  SignalMasks m;
  m.caught = bit(SIGTERM);
  m.blocked = bit(SIGINT);  // a signalfd or sigwait takes it (the tiny init)
  m.ignored = bit(SIGHUP);
  EXPECT_EQ(pid1_fate(m, SIGTERM), Pid1Fate::kDelivered);
  EXPECT_EQ(pid1_fate(m, SIGINT), Pid1Fate::kDelivered);
  EXPECT_EQ(pid1_fate(m, SIGHUP), Pid1Fate::kNoEffect);  // ignored outside too
  EXPECT_EQ(pid1_fate(m, SIGUSR2), Pid1Fate::kDropped);
  EXPECT_EQ(pid1_fate(m, 0), Pid1Fate::kNoEffect);
  EXPECT_EQ(pid1_fate(m, 65), Pid1Fate::kNoEffect);
}

TEST(Pid1Signals, DefaultActionsFollowSignal7) {
  EXPECT_EQ(default_action(SIGTERM), DefaultAction::kTerminate);
  EXPECT_EQ(default_action(SIGRTMIN), DefaultAction::kTerminate);
  EXPECT_EQ(default_action(SIGSEGV), DefaultAction::kCoreDump);
  EXPECT_EQ(default_action(SIGCHLD), DefaultAction::kIgnore);
  EXPECT_EQ(default_action(SIGTTOU), DefaultAction::kStop);
  EXPECT_EQ(default_action(SIGCONT), DefaultAction::kContinue);
}

}  // namespace
}  // namespace box
