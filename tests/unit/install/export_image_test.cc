// write_export on real files: an oci-archive and OCI layouts (new, and
// added to), read back by box's own install and image readers; a failure
// leaves nothing, an existing file stays as it was. The layer is made in a
// user namespace as in production, with only the caller's id mapped.
#include "install/export_image.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "core/image/blob_source.h"
#include "core/image/sha256.h"
#include "install/install.h"
#include "tests/unit/core/image/image_fixtures.h"
#include "tests/unit/install/scratch_home.h"

namespace box::install {
namespace {

using namespace box::testing;
using namespace box::install::testing;
namespace fs = std::filesystem;

TEST(ExportDestination, ArchivesAndLayoutsWithTheirTags) {
  auto a = parse_export_destination("oci-archive:web.tar", "/home/u", "web");
  ASSERT_TRUE(a.ok()) << a.error().message();
  EXPECT_EQ(a->kind, ExportDestination::Kind::kOciArchive);
  EXPECT_EQ(a->path, "/home/u/web.tar");
  EXPECT_EQ(a->tag, "web");
  EXPECT_EQ(a->text, "oci-archive:web.tar");
  auto l = parse_export_destination("oci:/srv/images/:v2", "/home/u", "web");
  ASSERT_TRUE(l.ok()) << l.error().message();
  EXPECT_EQ(l->kind, ExportDestination::Kind::kOciLayout);
  EXPECT_EQ(l->path, "/srv/images");
  EXPECT_EQ(l->tag, "v2");

  EXPECT_TRUE(is_export_destination("oci:x"));
  EXPECT_TRUE(is_export_destination("oci-archive:x"));
  EXPECT_FALSE(is_export_destination("web2"));
  EXPECT_FALSE(is_export_destination("docker-archive:x"));

  auto docker = parse_export_destination("docker-archive:x.tar", "/", "web");
  ASSERT_FALSE(docker.ok());
  EXPECT_EQ(docker.error().message(),
            "destination 'docker-archive:x.tar': box exports to oci-archive:FILE[:TAG] or "
            "oci:DIR[:TAG] (skopeo copies from there to any other transport)");
  auto empty = parse_export_destination("oci-archive:", "/", "web");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().message(),
            "destination 'oci-archive:': missing the path after 'oci-archive:'");
  auto bad_tag = parse_export_destination("oci:x:a b", "/", "web");
  ASSERT_FALSE(bad_tag.ok());
  EXPECT_EQ(bad_tag.error().message().rfind("destination 'oci:x:a b': tag 'a b': expected", 0),
            0u)
      << bad_tag.error().message();
  auto bad_name = parse_export_destination("oci:x", "/", "-web");
  ASSERT_FALSE(bad_name.ok());
  EXPECT_NE(bad_name.error().message().find("the tag is the box's name unless given: oci:x:TAG"),
            std::string::npos)
      << bad_name.error().message();
}

TEST(ExportDestination, CommitOrigins) {
  EXPECT_TRUE(is_commit_origin("commit:web"));
  EXPECT_TRUE(is_commit_origin("commit:web@blue"));
  EXPECT_FALSE(is_commit_origin("commit:"));
  EXPECT_FALSE(is_commit_origin("commit:../x"));
  EXPECT_FALSE(is_commit_origin("docker://x"));
}

class Export : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx_ = scratch_home(tmp_.path());
    fs::create_directories(tmp_ / "rootfs/bin");
    fs::create_directories(tmp_ / "rootfs/etc");
    write_bytes(tmp_ / "rootfs/bin/hello", "hello");
    write_bytes(tmp_ / "rootfs/etc/motd", "image motd");
    fs::create_directories(tmp_ / "upper/etc");
    write_bytes(tmp_ / "upper/etc/written", "by the box");
    ASSERT_EQ(::mknod((tmp_ / "upper/etc/motd").c_str(), S_IFCHR, 0), 0) << strerror(errno);
    fs::create_directories(tmp_ / "out");
  }

  ExportSource source() {
    ExportSource s;
    s.rootfs = tmp_ / "rootfs";
    s.upper = tmp_ / "upper";
    s.mapping.uid = getuid();
    s.mapping.gid = getgid();
    s.config.os = "linux";
    s.config.architecture = image::host_architecture();
    s.config.cmd = {"/bin/hello"};
    s.config.env = {"A=b"};
    s.created = "2026-12-07T18:00:00Z";
    s.history = {{s.created, "boxctl export web", "box web"}};
    return s;
  }

  ExportDestination dest(const std::string& text) {
    auto d = parse_export_destination(text, tmp_.path(), "web");
    EXPECT_TRUE(d.ok()) << d.error().message();
    return *d;
  }

  std::vector<std::string> listing(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }

  TempDir tmp_;
  InstallContext ctx_;
};

TEST_F(Export, AnArchiveInstallsBackWithTheWritesApplied) {
  auto e = write_export(source(), dest("oci-archive:out/web.tar"));
  ASSERT_TRUE(e.ok()) << e.error().message();
  EXPECT_EQ(e->destination, "oci-archive:out/web.tar");
  EXPECT_EQ(e->hidden, 1u);
  EXPECT_EQ(listing(tmp_ / "out"), std::vector<std::string>{"web.tar"});

  // What box's own reader finds there: each blob named by its digest.
  auto src = image::open_archive_source(tmp_ / "out/web.tar");
  ASSERT_TRUE(src.ok()) << src.error().message();
  auto index_text = (*src)->read_file("index.json", 1 << 20);
  ASSERT_TRUE(index_text.ok());
  auto index = image::parse_index(*index_text, "index.json");
  ASSERT_TRUE(index.ok());
  ASSERT_EQ(index->size(), 1u);
  EXPECT_EQ((*index)[0].ref_name(), "web");
  EXPECT_EQ((*index)[0].digest, e->manifest_digest);
  auto manifest = (*src)->read_file(image::blob_path(e->manifest_digest), 1 << 20);
  ASSERT_TRUE(manifest.ok());
  EXPECT_EQ(image::sha256_digest_of(*manifest), e->manifest_digest);
  auto m = image::parse_manifest(*manifest, "manifest");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->config.digest, e->config_digest);
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].digest, e->layer_digest);
  EXPECT_EQ(m->layers[0].media_type, image::kMediaTypeLayerTar);
  auto config = (*src)->read_file(image::blob_path(e->config_digest), 1 << 20);
  ASSERT_TRUE(config.ok());
  auto c = image::parse_image_config(*config, "config");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->diff_ids, std::vector<std::string>{e->layer_digest});
  EXPECT_EQ(c->cmd, std::vector<std::string>{"/bin/hello"});

  // And install takes it as any image.
  auto installed = install(ctx_, "oci-archive:" + (tmp_ / "out/web.tar"), named("web2"), nullptr);
  ASSERT_TRUE(installed.ok()) << installed.error().message();
  const std::string rootfs = ctx_.dirs.data_home + "/box/images/web2/rootfs";
  EXPECT_EQ(read_bytes(rootfs + "/etc/written"), "by the box");
  EXPECT_EQ(read_bytes(rootfs + "/bin/hello"), "hello");
  EXPECT_FALSE(fs::exists(rootfs + "/etc/motd"));
  EXPECT_EQ(installed->digest, e->manifest_digest);
}

TEST_F(Export, AFailureLeavesTheOldFileAndNothingElse) {
  write_bytes(tmp_ / "out/web.tar", "the previous export");
  // A file a layer cannot hold.
  write_bytes(tmp_ / "upper/etc/.wh.x", "");
  auto e = write_export(source(), dest("oci-archive:out/web.tar"));
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message().find("'/etc/.wh.x': an OCI layer cannot hold"), std::string::npos)
      << e.error().message();
  EXPECT_EQ(e.error().message().rfind("export to 'oci-archive:out/web.tar': ", 0), 0u);
  EXPECT_EQ(listing(tmp_ / "out"), std::vector<std::string>{"web.tar"});
  EXPECT_EQ(read_bytes(tmp_ / "out/web.tar"), "the previous export");

  auto layout = write_export(source(), dest("oci:out/layout"));
  ASSERT_FALSE(layout.ok());
  EXPECT_EQ(listing(tmp_ / "out"), std::vector<std::string>{"web.tar"});

  // A cancel before the work stops it at once, and leaves nothing either.
  ::unlink((tmp_ / "upper/etc/.wh.x").c_str());
  std::atomic<bool> cancel{true};
  auto cancelled = write_export(source(), dest("oci-archive:out/web.tar"), &cancel);
  ASSERT_FALSE(cancelled.ok());
  EXPECT_EQ(cancelled.error().message(), "export to 'oci-archive:out/web.tar': cancelled");
  EXPECT_EQ(read_bytes(tmp_ / "out/web.tar"), "the previous export");
}

TEST_F(Export, WhereItCannotWrite) {
  auto no_dir = write_export(source(), dest("oci-archive:nowhere/web.tar"));
  ASSERT_FALSE(no_dir.ok());
  EXPECT_EQ(no_dir.error().message(), "export to 'oci-archive:nowhere/web.tar': no directory '" +
                                          (tmp_ / "nowhere") + "'");
  auto a_dir = write_export(source(), dest("oci-archive:out"));
  ASSERT_FALSE(a_dir.ok());
  EXPECT_NE(a_dir.error().message().find("is a directory (export to oci:"), std::string::npos);
  write_bytes(tmp_ / "out/notes/x", "mine");
  auto not_layout = write_export(source(), dest("oci:out/notes"));
  ASSERT_FALSE(not_layout.ok());
  EXPECT_NE(not_layout.error().message().find("exists and is not an OCI image layout"),
            std::string::npos);
  EXPECT_EQ(listing(tmp_ / "out/notes"), std::vector<std::string>{"x"});
}

TEST_F(Export, ALayoutNewThenAddedTo) {
  auto first = write_export(source(), dest("oci:out/layout"));
  ASSERT_TRUE(first.ok()) << first.error().message();
  EXPECT_EQ(listing(tmp_ / "out"), std::vector<std::string>{"layout"});
  EXPECT_EQ(listing(tmp_ / "out/layout"),
            (std::vector<std::string>{"blobs", "index.json", "oci-layout"}));
  EXPECT_EQ(listing(tmp_ / "out/layout/blobs/sha256").size(), 3u);
  for (const auto& blob : listing(tmp_ / "out/layout/blobs/sha256"))
    EXPECT_EQ(image::sha256_digest_of(read_bytes(tmp_ / ("out/layout/blobs/sha256/" + blob))),
              "sha256:" + blob);

  // Another tag beside it; then the same tag again, replaced.
  ExportSource other = source();
  other.config.cmd = {"/bin/other"};
  auto second = write_export(other, dest("oci:out/layout:v2"));
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_EQ(second->layer_digest, first->layer_digest);  // the same files, the same layer
  auto third = write_export(other, dest("oci:out/layout"));
  ASSERT_TRUE(third.ok()) << third.error().message();
  auto index = image::parse_index(read_bytes(tmp_ / "out/layout/index.json"), "index.json");
  ASSERT_TRUE(index.ok());
  ASSERT_EQ(index->size(), 2u);
  EXPECT_EQ((*index)[0].ref_name(), "v2");
  EXPECT_EQ((*index)[1].ref_name(), "web");
  EXPECT_EQ((*index)[1].digest, third->manifest_digest);

  auto installed = install(ctx_, "oci:" + (tmp_ / "out/layout") + ":v2", named("web3"), nullptr);
  ASSERT_TRUE(installed.ok()) << installed.error().message();
  EXPECT_NE(read_bytes(ctx_.dirs.config_home + "/box/containers/web3.yaml").find("/bin/other"),
            std::string::npos);
}

}  // namespace
}  // namespace box::install
