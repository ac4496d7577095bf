// What `boxctl enter` reads about a process, read about this one: /proc
// is there for any process to read its own.
#include "core/runtime/enter.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace box {
namespace {

TEST(EnterFacts, ReadsAProcessAndPlansForIt) {
  auto facts = read_enter_facts(getpid());
  ASSERT_TRUE(facts.ok()) << facts.error().message();
  EXPECT_EQ(facts->pid, getpid());
  // Our own namespaces: nothing to join.
  EXPECT_EQ(facts->foreign_namespaces, 0);
  ASSERT_TRUE(facts->environ.has_value());
  ASSERT_TRUE(facts->cap_last_cap.has_value());

  EnterRequest request;
  request.argv = {"true"};
  auto plan = plan_enter(request, *facts);
  ASSERT_TRUE(plan.ok()) << plan.error().message();
  EXPECT_TRUE(plan->namespaces.empty());
  EXPECT_EQ(plan->uid, geteuid());  // the initial namespace maps every id to itself
  EXPECT_EQ(plan->gid, getegid());
  EXPECT_GE(plan->cap_last, 37);
  EXPECT_FALSE(plan->exec_candidates.empty());
}

TEST(EnterFacts, AProcessThatIsGoneIsSaidSo) {
  // PID numbers stop below 2^22.
  auto facts = read_enter_facts(1 << 23);
  ASSERT_FALSE(facts.ok());
  EXPECT_EQ(facts.error().message(),
            "read its status: open '/proc/8388608/status': No such file or directory");
}

}  // namespace
}  // namespace box
