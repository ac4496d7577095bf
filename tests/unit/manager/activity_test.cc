#include "activity.h"

#include <gtest/gtest.h>

namespace box::manager {
namespace {

using namespace std::chrono_literals;

TEST(Activity, BusyWhileATokenLives) {
  Activity a;
  EXPECT_FALSE(a.busy());
  {
    auto t = a.hold();
    auto copy = t;
    EXPECT_EQ(a.pending(), 1u);
    EXPECT_TRUE(a.busy());
  }
  EXPECT_EQ(a.pending(), 0u);
  EXPECT_FALSE(a.busy());
}

TEST(Activity, ClientsKeepItBusyUntilTheyLeave) {
  const auto t0 = Activity::Clock::time_point{} + 1000s;
  Activity a(t0);
  a.client_called(":1.5", t0 + 1s);
  a.client_called(":1.5", t0 + 2s);
  a.client_called(":1.6", t0 + 3s);
  EXPECT_EQ(a.clients(), 2u);
  a.client_gone(":1.5", t0 + 4s);
  a.client_gone(":1.9", t0 + 50s);  // never called: changes nothing
  EXPECT_TRUE(a.busy());
  a.client_gone(":1.6", t0 + 5s);
  EXPECT_FALSE(a.busy());
  EXPECT_EQ(a.idle_deadline(60s), t0 + 65s);
}

TEST(Activity, TokenMayOutliveTheActivity) {
  Activity::Token t;
  {
    Activity a;
    t = a.hold();
  }
  t.reset();  // must not touch the destroyed Activity
}

}  // namespace
}  // namespace box::manager
