#include "install/safe_remove.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace box::install {
namespace {

namespace fs = std::filesystem;

// A recorded file reached again through a directory that has become a
// symlink (to where the very same file now lives) is not removed: the walk
// refuses a symlink anywhere on the path, not only as the last component.
TEST(SafeRemove, ASymlinkInTheMiddleOfARecordedPathIsRefused) {
  char tmpl[] = "/tmp/box-safe-remove-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string root = fs::canonical(tmpl);
  fs::create_directories(root + "/a/dir");
  std::ofstream(root + "/a/dir/file") << "the user's now";
  auto rec = record_created(root + "/a/dir/file", "host-file");
  ASSERT_TRUE(rec) << rec.error().message();
  // The same inode, now reached through a symlink in the middle.
  fs::rename(root + "/a", root + "/b");
  fs::create_directory_symlink(root + "/b", root + "/a");

  image::IdMapping mapping;
  mapping.uid = ::getuid();
  mapping.gid = ::getgid();
  auto note = remove_recorded(*rec, mapping);
  ASSERT_TRUE(note) << note.error().message();
  EXPECT_NE(*note, "") << "removed through a symlink";
  EXPECT_TRUE(fs::exists(root + "/b/dir/file"));
  fs::remove_all(root);
}

}  // namespace
}  // namespace box::install
