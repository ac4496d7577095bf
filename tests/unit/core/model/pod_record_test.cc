#include "core/model/pod_record.h"

#include <gtest/gtest.h>

namespace box {
namespace {

TEST(PodRecord, ReadsBackWhatItWrites) {
  PodRecord r{1234, 1240, 987654, {"user", "net", "ipc", "uts"}};
  const std::string text = format_pod_record(r);
  EXPECT_EQ(text,
            "box-pod-record 1\npid 1234\nholder 1240 987654\nnamespaces user net ipc uts\n");
  auto back = parse_pod_record(text);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(*back, r);
  // The instance lock's message finds box-run's pid on the second line.
  EXPECT_NE(text.find("\npid 1234\n"), std::string::npos);
}

TEST(PodRecord, RefusesAnythingElse) {
  for (const char* bad : {
           "",
           "box-pod-record 2\npid 1\nholder 2 3\nnamespaces user\n",
           "box-pod-record 1\npid 1\nholder 2 3\nnamespaces user",  // cut short
           "box-pod-record 1\npid x\nholder 2 3\nnamespaces user\n",
           "box-pod-record 1\npid 1\nholder 2\nnamespaces user\n",
           "box-pod-record 1\npid 1\nholder 0 3\nnamespaces user\n",
           "box-pod-record 1\npid 1\nholder 2 3\nnamespaces net user\n",
           "box-pod-record 1\npid 1\nholder 2 3\nnamespaces user pid\n",
           "box-pod-record 1\npid 1\nholder 2 3\n",
       })
    EXPECT_FALSE(parse_pod_record(bad).ok()) << bad;
}

TEST(PodRecord, LivesInTheRuntimeDir) {
  EXPECT_EQ(pod_record_dir("/run/user/1000"), "/run/user/1000/box/pods");
}

}  // namespace
}  // namespace box
