#include "manager/directory_watch.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace box::manager {
namespace {
namespace fs = std::filesystem;

TEST(DirectoryWatch, SaysWhenEntriesOrTheDirectoryChange) {
  const fs::path root =
      fs::temp_directory_path() / ("box-watch-test-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "a");
  DirectoryWatch watch({(root / "a").string(), (root / "b").string()});
  EXPECT_TRUE(watch.changed());  // first call: nothing is known
  EXPECT_FALSE(watch.changed());

  std::ofstream(root / "a/x.yaml") << "one";
  EXPECT_TRUE(watch.changed());
  EXPECT_FALSE(watch.changed());
  {
    std::ofstream out(root / "a/x.yaml", std::ios::app);
    out << "two";
  }  // in place
  EXPECT_TRUE(watch.changed());
  fs::rename(root / "a/x.yaml", root / "a/y.yaml");
  EXPECT_TRUE(watch.changed());
  EXPECT_FALSE(watch.changed());

  fs::create_directories(root / "b");  // a missing directory appears
  EXPECT_TRUE(watch.changed());
  EXPECT_FALSE(watch.changed());
  fs::remove_all(root / "a");  // a watched one vanishes...
  EXPECT_TRUE(watch.changed());
  fs::create_directories(root / "a");  // ...and comes back
  EXPECT_TRUE(watch.changed());
  std::ofstream(root / "a/z.yaml") << "z";
  EXPECT_TRUE(watch.changed());
  EXPECT_FALSE(watch.changed());
  fs::remove_all(root);
}

TEST(DirectoryWatch, WatchesDropinDirectoriesItIsGiven) {
  const fs::path root =
      fs::temp_directory_path() / ("box-watch-also-test-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "a/x.yaml.d");
  DirectoryWatch watch({(root / "a").string()});
  EXPECT_TRUE(watch.changed());
  EXPECT_FALSE(watch.changed());
  // Inside a watched directory, nothing is seen without watch_also().
  std::ofstream(root / "a/x.yaml.d/10.yaml") << "one";
  EXPECT_FALSE(watch.changed());

  watch.watch_also({(root / "a/x.yaml.d").string()});
  EXPECT_TRUE(watch.changed());  // newly watched: it may have changed since it was read
  EXPECT_FALSE(watch.changed());
  {
    std::ofstream out(root / "a/x.yaml.d/10.yaml", std::ios::app);
    out << "two";
  }
  EXPECT_TRUE(watch.changed());
  watch.watch_also({(root / "a/x.yaml.d").string()});  // the same set: nothing new
  EXPECT_FALSE(watch.changed());

  watch.watch_also({});
  std::ofstream(root / "a/x.yaml.d/20.yaml") << "three";
  EXPECT_FALSE(watch.changed());
  fs::remove_all(root);
}

}  // namespace
}  // namespace box::manager
