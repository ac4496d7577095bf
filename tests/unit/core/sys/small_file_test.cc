#include "core/sys/small_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace box {
namespace {

TEST(SmallFile, ReadsAProcFileWhole) {
  // /proc files report size 0: read to the end, not by size.
  auto status = read_small_file("/proc/self/status");
  ASSERT_TRUE(status.ok()) << status.error().message();
  EXPECT_NE(status->find("\nPid:\t" + std::to_string(getpid()) + "\n"), std::string::npos);
  EXPECT_EQ(status->back(), '\n');
}

TEST(SmallFile, SaysWhichFileAndWhy) {
  auto missing = read_small_file("/nonexistent/file");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message(), "open '/nonexistent/file': No such file or directory");
  EXPECT_EQ(missing.error().errno_value(), ENOENT);

  char dir[] = "/tmp/small-file-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/f";
  std::ofstream(path) << std::string(100, 'x');
  EXPECT_EQ(read_small_file(path, 100).value(), std::string(100, 'x'));
  auto large = read_small_file(path, 99);
  ASSERT_FALSE(large.ok());
  EXPECT_EQ(large.error().message(), "'" + path + "' is larger than expected");
  ::unlink(path.c_str());
  ::rmdir(dir);
}

}  // namespace
}  // namespace box
