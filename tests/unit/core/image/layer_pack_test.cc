// pack_layer on real directories: an image's rootfs and an upper dir written
// the way the kernel's overlayfs and fuse-overlayfs write them (a 0:0
// device, user.overlay.opaque, ".wh." files), read back with libarchive.
#include "core/image/layer_pack.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <map>

#include "core/image/sha256.h"
#include "core/sys/unique_fd.h"
#include "tests/unit/core/image/image_fixtures.h"

namespace box::image {
namespace {

using box::testing::read_bytes;
using box::testing::TempDir;
using box::testing::write_bytes;
namespace fs = std::filesystem;

struct Read {
  mode_t type = 0;
  unsigned perm = 0;
  std::int64_t uid = -1, gid = -1;
  std::string data, hardlink, symlink;
  std::map<std::string, std::string> xattrs;
};

// The layer's entries by path, in order.
std::vector<std::pair<std::string, Read>> read_layer(const std::string& file) {
  std::vector<std::pair<std::string, Read>> out;
  struct archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  EXPECT_EQ(archive_read_open_filename(a, file.c_str(), 1 << 16), ARCHIVE_OK);
  struct archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    Read r;
    r.type = archive_entry_filetype(e);
    r.perm = archive_entry_perm(e);
    r.uid = archive_entry_uid(e);
    r.gid = archive_entry_gid(e);
    if (const char* h = archive_entry_hardlink(e)) r.hardlink = h;
    if (const char* s = archive_entry_symlink(e)) r.symlink = s;
    const char* name;
    const void* value;
    size_t size;
    archive_entry_xattr_reset(e);
    while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK)
      r.xattrs[name] = std::string(static_cast<const char*>(value), size);
    char buf[4096];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0)
      r.data.append(buf, static_cast<std::size_t>(n));
    std::string path = archive_entry_pathname(e);
    if (!path.empty() && path.back() == '/') path.pop_back();
    out.emplace_back(path, r);
  }
  archive_read_free(a);
  return out;
}

class LayerPack : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* d : {"lower/bin", "lower/etc", "lower/opq", "upper/bin", "upper/etc",
                          "upper/opq"})
      fs::create_directories(tmp_ / d);
    write_bytes(tmp_ / "lower/bin/sh", "#!sh");
    ::chmod((tmp_ / "lower/bin/sh").c_str(), 04755);
    fs::create_hard_link(tmp_ / "lower/bin/sh", tmp_ / "lower/bin/link");
    write_bytes(tmp_ / "lower/bin/gone", "deleted in the box");
    write_bytes(tmp_ / "lower/etc/passwd", "root:x:0:0\n");
    write_bytes(tmp_ / "lower/etc/group", "root:x:0:\n");
    write_bytes(tmp_ / "lower/opq/old", "hidden by the opaque dir");
    fs::create_symlink("bin/sh", tmp_ / "lower/lnk");
    ASSERT_EQ(::mkfifo((tmp_ / "lower/fifo").c_str(), 0640), 0);

    // The box's writes: a 0:0 device deletes (any user may make one).
    ASSERT_EQ(::mknod((tmp_ / "upper/bin/gone").c_str(), S_IFCHR | 0, makedev(0, 0)), 0)
        << strerror(errno);
    write_bytes(tmp_ / "upper/etc/passwd", "root:x:0:0\nweb:x:42:42\n");
    write_bytes(tmp_ / "upper/etc/new", "secret");
    ::chmod((tmp_ / "upper/etc/new").c_str(), 0600);
    set_xattr("upper/etc/new", "user.test", "kept");
    set_xattr("upper/etc/new", "user.overlay.origin", "bookkeeping");
    set_xattr("upper/opq", "user.overlay.opaque", "y");
    write_bytes(tmp_ / "upper/opq/fresh", "new");
    // A socket a server left: not for a tar.
    UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string sock = tmp_ / "upper/sock";
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock.c_str());
    ASSERT_EQ(::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  }

  void set_xattr(const std::string& rel, const std::string& name, const std::string& value) {
    ASSERT_EQ(::lsetxattr((tmp_ / rel).c_str(), name.c_str(), value.data(), value.size(), 0), 0)
        << rel << " " << name << ": " << strerror(errno);
  }

  Result<PackResult> pack(UpperWriter writer = UpperWriter::kKernel, bool upper = true) {
    UniqueFd lower_fd(::open((tmp_ / "lower").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    UniqueFd upper_fd(
        upper ? ::open((tmp_ / "upper").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1);
    UniqueFd out(::open((tmp_ / "layer.tar").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                        0644));
    return pack_layer({lower_fd.get(), upper_fd.get(), writer}, out.get());
  }

  TempDir tmp_;
};

TEST_F(LayerPack, TheMergedViewWithOwnersModesLinksAndXattrs) {
  auto r = pack();
  ASSERT_TRUE(r.ok()) << r.error().message();
  const std::string tar = read_bytes(tmp_ / "layer.tar");
  EXPECT_EQ(r->digest, sha256_digest_of(tar));
  EXPECT_EQ(r->size, tar.size());
  EXPECT_EQ(r->hidden, 2u);  // bin/gone, opq/old
  EXPECT_EQ(r->sockets, std::vector<std::string>{"/sock"});
  EXPECT_EQ(r->hard_links, 1u);
  EXPECT_EQ(r->xattrs, 1u);

  auto entries = read_layer(tmp_ / "layer.tar");
  std::vector<std::string> names;
  for (const auto& [n, _] : entries) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"bin", "bin/link", "bin/sh", "etc", "etc/group",
                                             "etc/new", "etc/passwd", "fifo", "lnk", "opq",
                                             "opq/fresh"}));
  std::map<std::string, Read> by(entries.begin(), entries.end());
  EXPECT_EQ(by["bin"].type, AE_IFDIR);
  // The first name of a linked file has its data, the other links to it.
  EXPECT_EQ(by["bin/link"].data, "#!sh");
  EXPECT_EQ(by["bin/link"].perm, 04755u);
  EXPECT_EQ(by["bin/sh"].hardlink, "bin/link");
  EXPECT_EQ(by["etc/passwd"].data, "root:x:0:0\nweb:x:42:42\n");  // the upper one
  EXPECT_EQ(by["etc/group"].data, "root:x:0:\n");
  EXPECT_EQ(by["etc/new"].perm, 0600u);
  EXPECT_EQ(by["etc/new"].uid, static_cast<std::int64_t>(getuid()));
  EXPECT_EQ(by["etc/new"].gid, static_cast<std::int64_t>(getgid()));
  EXPECT_EQ(by["etc/new"].xattrs, (std::map<std::string, std::string>{{"user.test", "kept"}}));
  EXPECT_TRUE(by["opq"].xattrs.empty());  // its opaque mark is the overlay's
  EXPECT_EQ(by["fifo"].type, AE_IFIFO);
  EXPECT_EQ(by["fifo"].perm, 0640u);
  EXPECT_EQ(by["lnk"].type, AE_IFLNK);
  EXPECT_EQ(by["lnk"].symlink, "bin/sh");

  // The same trees give the same bytes.
  auto again = pack();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->digest, r->digest);
}

TEST_F(LayerPack, WithoutAnUpperDirTheImageAsItIs) {
  auto r = pack(UpperWriter::kKernel, false);
  ASSERT_TRUE(r.ok()) << r.error().message();
  std::map<std::string, Read> by;
  for (auto& [n, e] : read_layer(tmp_ / "layer.tar")) by[n] = e;
  EXPECT_EQ(by["bin/gone"].data, "deleted in the box");
  EXPECT_EQ(by["opq/old"].data, "hidden by the opaque dir");
  EXPECT_EQ(r->hidden, 0u);
}

TEST_F(LayerPack, FuseOverlayfssFormsOfDeletion) {
  // Its files instead of the device and the xattr.
  ::unlink((tmp_ / "upper/bin/gone").c_str());
  write_bytes(tmp_ / "upper/bin/.wh.gone", "");
  ::removexattr((tmp_ / "upper/opq").c_str(), "user.overlay.opaque");
  write_bytes(tmp_ / "upper/opq/.wh..wh..opq", "");
  write_bytes(tmp_ / "upper/etc/.wh.group", "");
  auto r = pack(UpperWriter::kFuseOverlayfs);
  ASSERT_TRUE(r.ok()) << r.error().message();
  std::vector<std::string> names;
  for (const auto& [n, _] : read_layer(tmp_ / "layer.tar")) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"bin", "bin/link", "bin/sh", "etc", "etc/new",
                                             "etc/passwd", "fifo", "lnk", "opq", "opq/fresh"}));
  EXPECT_EQ(r->hidden, 3u);
}

TEST_F(LayerPack, ANameALayerReadsAsAWhiteoutIsRefused) {
  // Under the kernel's overlay ".wh.x" is a file the box made; in a layer it
  // would delete x.
  write_bytes(tmp_ / "upper/etc/.wh.passwd", "");
  auto r = pack();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "'/etc/.wh.passwd': an OCI layer cannot hold a file whose name begins with '.wh.' "
            "(whoever unpacks it deletes 'passwd' instead); rename or remove it in the box and "
            "export again");
}

}  // namespace
}  // namespace box::image
