#include "core/image/layer_unpack.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstring>

#include "core/image/sha256.h"
#include "core/sys/unique_fd.h"
#include "tests/unit/core/image/image_fixtures.h"

namespace box::image {
namespace {
using namespace box::testing;

class StringStream : public InputStream {
 public:
  explicit StringStream(std::string data) : data_(std::move(data)) {}
  Result<std::size_t> read(void* buf, std::size_t size) override {
    std::size_t n = std::min(size, data_.size() - pos_);
    std::memcpy(buf, data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  std::size_t pos_ = 0;
};

class LayerUnpack : public ::testing::Test {
 protected:
  void SetUp() override {
    rootfs_ = tmp_ / "rootfs";
    mkdir(rootfs_.c_str(), 0755);
    fd_ = UniqueFd(open(rootfs_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(fd_.valid());
  }

  Result<void> unpack(const std::string& blob, std::string digest = "") {
    StringStream in(blob);
    LayerToUnpack l{"layer 1/1", digest.empty() ? sha256_digest_of(blob) : digest,
                    static_cast<std::int64_t>(blob.size())};
    return unpack_layer(fd_.get(), in, l, options_, stats_, nullptr);
  }
  Result<void> unpack(const std::vector<TarEntry>& entries) { return unpack(make_tar(entries)); }

  bool exists(const std::string& rel) {
    struct stat st;
    return lstat((rootfs_ + "/" + rel).c_str(), &st) == 0;
  }
  std::string content(const std::string& rel) { return read_bytes(rootfs_ + "/" + rel); }

  TempDir tmp_;
  std::string rootfs_;
  UniqueFd fd_;
  UnpackOptions options_;
  UnpackStats stats_;
};

TEST_F(LayerUnpack, FilesDirsLinksAndModes) {
  ASSERT_TRUE(unpack({dir("etc/"), file("etc/hostname", "box\n", 0600), dir("bin", 0711),
                      file("bin/tool", "#!/bin/sh\n", 04755), symlink("bin/alias", "tool"),
                      hardlink("bin/again", "bin/tool"), file("deep/missing/parents", "x")})
                  .ok());
  EXPECT_EQ(content("etc/hostname"), "box\n");
  struct stat st;
  ASSERT_EQ(stat((rootfs_ + "/bin/tool").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 04755u);
  EXPECT_EQ(st.st_nlink, 2u);  // the hard link
  ASSERT_EQ(stat((rootfs_ + "/bin").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0711u);
  char link[64] = {};
  ASSERT_GT(readlink((rootfs_ + "/bin/alias").c_str(), link, sizeof link), 0);
  EXPECT_STREQ(link, "tool");
  EXPECT_EQ(content("deep/missing/parents"), "x");
  EXPECT_EQ(stats_.entries, 7u);
}

TEST_F(LayerUnpack, RefusesDotDotPaths) {
  auto r = unpack({file("ok", "1"), file("../escape", "evil")});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("entry '../escape' has a '..' component"), std::string::npos)
      << r.error().message();
  EXPECT_FALSE(exists("../escape"));
  EXPECT_FALSE(std::filesystem::exists(tmp_ / "escape"));

  auto nested = unpack({file("a/../../escape2", "evil")});
  EXPECT_FALSE(nested.ok());
  EXPECT_FALSE(std::filesystem::exists(tmp_ / "escape2"));
}

TEST_F(LayerUnpack, HardLinkOutsideIsRefused) {
  auto r = unpack({hardlink("passwd", "../../../../etc/passwd")});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("hard link target"), std::string::npos) << r.error().message();
  EXPECT_FALSE(exists("passwd"));
}

// An absolute symlink is kept as written (it is resolved inside the
// container at run time) and never followed out of the rootfs while
// unpacking: entries written "through" it land inside the rootfs.
TEST_F(LayerUnpack, AbsoluteSymlinksStayInsideTheRootfs) {
  const std::string outside = tmp_ / "outside";
  mkdir(outside.c_str(), 0755);
  // The same path exists inside the rootfs too: where the link really leads.
  ASSERT_TRUE(unpack({dir(outside.substr(1)), symlink("etc", outside), symlink("up", "../../../.."),
                      file("etc/evil", "through an absolute link"),
                      file("up/evil2", "through a relative link")})
                  .ok());
  EXPECT_FALSE(std::filesystem::exists(outside + "/evil"));
  EXPECT_FALSE(std::filesystem::exists(tmp_ / "evil2"));
  // Resolved in the rootfs: "/tmp/box-unit-test-*/outside" under rootfs_.
  EXPECT_EQ(content(outside.substr(1) + "/evil"), "through an absolute link");
  EXPECT_EQ(content("evil2"), "through a relative link");
  char link[256] = {};
  ASSERT_GT(readlink((rootfs_ + "/etc").c_str(), link, sizeof link), 0);
  EXPECT_EQ(std::string(link), outside);
}

TEST_F(LayerUnpack, WhiteoutRemovesWhatLowerLayersHad) {
  ASSERT_TRUE(unpack({dir("etc"), file("etc/a", "1"), file("etc/b", "2"), dir("var/cache"),
                      file("var/cache/x", "3")})
                  .ok());
  ASSERT_TRUE(unpack({file("etc/.wh.a", ""), file("var/.wh.cache", "")}).ok());
  EXPECT_FALSE(exists("etc/a"));
  EXPECT_FALSE(exists("etc/.wh.a"));
  EXPECT_TRUE(exists("etc/b"));
  EXPECT_FALSE(exists("var/cache"));
  EXPECT_EQ(stats_.whiteouts, 2u);
}

TEST_F(LayerUnpack, OpaqueDirectoryKeepsOnlyItsOwnLayer) {
  ASSERT_TRUE(
      unpack({dir("data"), file("data/old1", "1"), dir("data/olddir"), file("data/olddir/x", "2")})
          .ok());
  // The new layer's own entry comes before the marker: it must survive.
  ASSERT_TRUE(unpack({dir("data"), file("data/new", "3"), file("data/.wh..wh..opq", "")}).ok());
  EXPECT_TRUE(exists("data/new"));
  EXPECT_FALSE(exists("data/old1"));
  EXPECT_FALSE(exists("data/olddir"));
  EXPECT_FALSE(exists("data/.wh..wh..opq"));
}

TEST_F(LayerUnpack, LaterEntriesReplaceEarlierOnes) {
  ASSERT_TRUE(unpack({dir("x"), file("x/inner", "1"), file("f", "file"), symlink("l", "f")}).ok());
  ASSERT_TRUE(unpack({file("x", "now a file"), dir("f"), file("l", "now a file too")}).ok());
  EXPECT_EQ(content("x"), "now a file");
  struct stat st;
  ASSERT_EQ(lstat((rootfs_ + "/f").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  ASSERT_EQ(lstat((rootfs_ + "/l").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST_F(LayerUnpack, DeviceNodesAreSkippedAndCounted) {
  ASSERT_TRUE(unpack({dir("dev"), chardev("dev/null"), file("dev/keep", "x")}).ok());
  EXPECT_FALSE(exists("dev/null"));
  EXPECT_TRUE(exists("dev/keep"));
  EXPECT_EQ(stats_.devices_skipped, 1u);
}

TEST_F(LayerUnpack, DigestMismatchIsAnError) {
  std::string blob = make_tar({file("a", "1")});
  auto r = unpack(blob, sha256_digest_of("something else"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("digest mismatch"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find(sha256_digest_of(blob)), std::string::npos);
}

TEST_F(LayerUnpack, CorruptArchiveIsAnError) {
  std::string blob = make_tar({file("a", std::string(100000, 'x')), file("b", "2")});
  blob.resize(blob.size() / 2);  // truncated gzip stream
  auto r = unpack(blob);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("layer 1/1"), std::string::npos) << r.error().message();

  auto garbage = unpack(std::string(4096, '\x42'));
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.error().message().find("layer 1/1"), std::string::npos)
      << garbage.error().message();
}

TEST_F(LayerUnpack, UncompressedZstdAndEmptyLayers) {
  ASSERT_TRUE(unpack(make_tar({file("plain", "tar")}, false)).ok());
  EXPECT_EQ(content("plain"), "tar");
  ASSERT_TRUE(unpack(make_tar({})).ok());
  ASSERT_TRUE(unpack(make_tar({file("zstd", "compressed")}, false, true)).ok());
  EXPECT_EQ(content("zstd"), "compressed");
}

// A decompression bomb: 64 MiB of zeros gzip to 64 KiB. With the limit at
// 1 MiB the unpack stops before writing past it.
TEST_F(LayerUnpack, ABombStopsAtTheLimit) {
  options_.limits.max_bytes = 1 << 20;
  std::string blob = make_tar({file("small", "ok"), file("zeros", std::string(64 << 20, '\0'))});
  ASSERT_LT(blob.size(), 1u << 20);
  auto r = unpack(blob);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "layer 1/1: entry 'zeros': a file of 67108864 bytes is larger than 1 MiB (1048576 "
            "bytes); raise --max-size");
  EXPECT_FALSE(exists("zeros"));  // refused by its declared size, before any write
  EXPECT_LE(stats_.bytes_written, 1u << 20);
}

// Many files each below the limit: the total is what counts, across layers.
TEST_F(LayerUnpack, TheTotalSpansFilesAndLayers) {
  options_.limits.max_bytes = 3 << 20;
  const std::string mib(1 << 20, 'z');
  ASSERT_TRUE(unpack({file("a", mib), file("b", mib)}).ok());
  auto r = unpack({file("c", mib), file("d", mib)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "layer 1/1: entry 'd': the image unpacks to more than 3 MiB (3145728 bytes); raise "
            "--max-size");
  EXPECT_EQ(stats_.bytes_written, 3u << 20);
}

TEST_F(LayerUnpack, EntriesAndLongNamesAreLimited) {
  options_.limits.max_entries = 3;
  auto many = unpack({file("1", ""), file("2", ""), file("3", ""), file("4", "")});
  ASSERT_FALSE(many.ok());
  EXPECT_NE(many.error().message().find("more than 3 files, directories and links"),
            std::string::npos)
      << many.error().message();
  EXPECT_FALSE(exists("4"));

  options_.limits = UnpackLimits{};
  auto target = unpack({symlink("long", std::string(5000, 'a'))});
  ASSERT_FALSE(target.ok());
  EXPECT_NE(target.error().message().find("the symlink target of 5000 bytes is longer than 4095"),
            std::string::npos)
      << target.error().message();
}

TEST(SplitEntryPath, NormalisesAndRefusesDotDot) {
  auto p = split_entry_path("./usr//bin/./sh");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, (std::vector<std::string>{"usr", "bin", "sh"}));
  EXPECT_TRUE(split_entry_path("/abs/olute").ok());
  EXPECT_TRUE(split_entry_path("./")->empty());
  EXPECT_FALSE(split_entry_path("a/..").ok());
  EXPECT_TRUE(split_entry_path("a/..b/c..").ok());  // only whole ".." components
}

}  // namespace
}  // namespace box::image
