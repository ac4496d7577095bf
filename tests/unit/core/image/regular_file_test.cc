#include "core/image/regular_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>

#include "tests/unit/core/image/image_fixtures.h"

namespace box::image {
namespace {
using namespace box::testing;

TEST(RegularFile, TypesAreNamed) {
  EXPECT_EQ(file_type_text(S_IFIFO | 0644), "a FIFO");
  EXPECT_EQ(file_type_text(S_IFDIR | 0755), "a directory");
  EXPECT_EQ(file_type_text(S_IFCHR | 0666), "a character device");
  EXPECT_EQ(file_type_text(S_IFBLK | 0660), "a block device");
  EXPECT_EQ(file_type_text(S_IFSOCK | 0777), "a socket");
  EXPECT_EQ(file_type_text(S_IFLNK | 0777), "a symbolic link");
  EXPECT_EQ(not_regular_message("/x/manifest.json", S_IFIFO),
            "'/x/manifest.json' is a FIFO, not a regular file");
}

TEST(RegularFile, SizesReadLikeLimits) {
  EXPECT_EQ(human_size(512), "512 bytes");
  EXPECT_EQ(human_size(1024), "1 KiB");
  EXPECT_EQ(human_size(8 << 20), "8 MiB");
  EXPECT_EQ(human_size(3ull << 29), "1.5 GiB");
  EXPECT_EQ(human_size(32ull << 30), "32 GiB");
  EXPECT_EQ(human_size(5ull << 40), "5 TiB");
  EXPECT_EQ(human_limit(512), "512 bytes");
  EXPECT_EQ(human_limit(8 << 20), "8 MiB (8388608 bytes)");
}

// Opening a FIFO for reading waits for a writer: the open must return at
// once with a message naming it, whoever (never) writes.
TEST(RegularFile, AFifoIsRefusedAtOnce) {
  TempDir tmp;
  const std::string path = tmp / "manifest.json";
  ASSERT_EQ(mkfifo(path.c_str(), 0644), 0);
  auto started = std::chrono::steady_clock::now();
  auto r = open_regular_file(path, FinalSymlink::kRefuse);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "'" + path + "' is a FIFO, not a regular file");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
}

TEST(RegularFile, DevicesDirectoriesAndSymlinks) {
  TempDir tmp;
  auto dev = open_regular_file("/dev/zero", FinalSymlink::kFollow);
  ASSERT_FALSE(dev.ok());
  EXPECT_EQ(dev.error().message(), "'/dev/zero' is a character device, not a regular file");
  auto d = open_regular_file(tmp.path(), FinalSymlink::kFollow);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message(), "'" + tmp.path() + "' is a directory, not a regular file");

  const std::string target = tmp / "real.json", link = tmp / "link.json";
  write_bytes(target, "{}");
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  auto refused = open_regular_file(link, FinalSymlink::kRefuse);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message(), "'" + link + "' is a symbolic link, not a regular file");
  auto followed = open_regular_file(link, FinalSymlink::kFollow);
  ASSERT_TRUE(followed.ok()) << followed.error().message();
  auto text = read_at_most(followed->get(), link, 16);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "{}");
  // Blocking again: a caller may read it like any file.
  EXPECT_EQ(fcntl(followed->get(), F_GETFL) & O_NONBLOCK, 0);

  // A symlink to a FIFO is a FIFO once followed.
  const std::string fifo = tmp / "fifo", to_fifo = tmp / "to-fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
  ASSERT_EQ(::symlink(fifo.c_str(), to_fifo.c_str()), 0);
  auto via = open_regular_file(to_fifo, FinalSymlink::kFollow);
  ASSERT_FALSE(via.ok());
  EXPECT_EQ(via.error().message(), "'" + to_fifo + "' is a FIFO, not a regular file");
}

TEST(RegularFile, TheLimitIsNamed) {
  TempDir tmp;
  const std::string path = tmp / "config.json";
  write_bytes(path, std::string(2049, 'x'));
  auto fd = open_regular_file(path, FinalSymlink::kRefuse);
  ASSERT_TRUE(fd.ok());
  auto r = read_at_most(fd->get(), path, 2048);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "'" + path +
                                     "' is larger than 2 KiB (2048 bytes), the most box reads "
                                     "from this kind of file");
  UniqueFd again(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  auto exact = read_at_most(again.get(), path, 2049);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->size(), 2049u);
}

}  // namespace
}  // namespace box::image
