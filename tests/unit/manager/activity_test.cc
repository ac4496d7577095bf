#include "manager/activity.h"

#include <gtest/gtest.h>

#include <cstring>
#include <new>

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

// The last token going while the Activity lives restarts the idle clock.
TEST(Activity, TheLastTokenGoingRestartsTheIdleClock) {
  const Activity::Clock::time_point epoch{};
  Activity a;
  auto t = a.hold();
  a.client_called(":1.5", epoch);  // the last activity: the clock's epoch
  a.client_gone(":1.5", epoch);
  ASSERT_EQ(a.idle_deadline(0s), epoch);
  t.reset();
  EXPECT_GT(a.idle_deadline(0s), epoch);
}

// A token released after its Activity was destroyed (a callback destroyed
// late at exit) writes nothing where the Activity was: its storage, filled
// with a pattern after the destructor ran, keeps every byte.
TEST(Activity, TokenMayOutliveTheActivity) {
  alignas(Activity) unsigned char storage[sizeof(Activity)];
  auto* a = new (storage) Activity();
  Activity::Token t = a->hold();
  Activity::Token copy = t;
  a->~Activity();
  std::memset(storage, 0xa5, sizeof storage);
  copy.reset();
  t.reset();
  for (std::size_t i = 0; i < sizeof storage; ++i)
    ASSERT_EQ(storage[i], 0xa5) << "byte " << i << " of the destroyed Activity was written";
}

}  // namespace
}  // namespace box::manager
