// What `boxctl export NAME` reads, found from NAME: the definition, its
// installed image, its persistent upper dir and who wrote it; and what it
// refuses, with boxctl's exit codes.
#include "boxctl/export_source.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "boxctl/boxctl.h"
#include "tests/unit/core/image/image_fixtures.h"
#include "tests/unit/install/scratch_home.h"

namespace box::boxctl {
namespace {

using namespace box::testing;
using namespace box::install::testing;
namespace fs = std::filesystem;

class ExportSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx_ = scratch_home(tmp_.path());
    defs_ = ctx_.dirs.config_home + "/box/containers";
    ctx_.dirs.containers_path = defs_;
    ImageSpec spec;
    spec.layers = {make_tar({dir("bin"), file("bin/hello", "hi", 0755)})};
    spec.config["config"]["Labels"] = {{"org.opencontainers.image.title", "img"}};
    spec.config["config"]["ExposedPorts"] = {{"8080/tcp", nlohmann::json::object()}};
    make_oci_layout(tmp_ / "layout", spec);
    auto installed = install::install(ctx_, "oci:" + (tmp_ / "layout"), named("img"), nullptr);
    ASSERT_TRUE(installed.ok()) << installed.error().message();
  }

  void define(const std::string& name, const std::string& yaml) {
    write_bytes(defs_ + "/" + name + ".yaml", yaml);
  }

  // The Failure resolve_box_export throws, as {code, message}.
  Failure refusal(const std::string& name) {
    try {
      resolve_box_export(ctx_, name, "boxctl export " + name);
    } catch (const Failure& f) {
      return f;
    }
    ADD_FAILURE() << name << " was not refused";
    return {};
  }

  TempDir tmp_;
  install::InstallContext ctx_;
  std::string defs_;
};

TEST_F(ExportSourceTest, ABoxOfAnImageWithPersistentWrites) {
  define("web", "image: img\ncommand: [/bin/hello, --serve]\nrootfs_writes: persistent\n");
  BoxExport b = resolve_box_export(ctx_, "web", "boxctl export web");
  EXPECT_EQ(b.image, "img");
  EXPECT_TRUE(b.reads_writes);
  EXPECT_EQ(b.source.rootfs, ctx_.dirs.data_home + "/box/images/img/rootfs");
  EXPECT_EQ(b.source.upper, ctx_.dirs.data_home + "/box/containers/web/upper");
  EXPECT_EQ(b.source.writer, image::UpperWriter::kKernel);
  EXPECT_EQ(b.source.config.cmd, (std::vector<std::string>{"/bin/hello", "--serve"}));
  EXPECT_EQ(b.source.config.exposed_ports, std::vector<std::string>{"8080/tcp"});
  EXPECT_EQ(b.source.config.labels.at("org.opencontainers.image.title"), "img");
  ASSERT_EQ(b.source.history.size(), 1u);
  EXPECT_EQ(b.source.history[0].created_by, "boxctl export web");
  EXPECT_EQ(b.source.history[0].comment.rfind("box web: image img (sha256:", 0), 0u);
  EXPECT_EQ(b.source.mapping.describe(), "0:" + std::to_string(getuid()) + ":1");
  // Nothing written yet: said so.
  ASSERT_FALSE(b.notes.empty());
  EXPECT_NE(b.notes.back().find("has written nothing yet"), std::string::npos) << b.notes.back();

  // fuse-overlayfs's marker: its forms of deletion are read.
  fs::create_directories(ctx_.dirs.data_home + "/box/containers/web/upper");
  write_bytes(ctx_.dirs.data_home + "/box/containers/web/overlay-driver", "fuse\n");
  b = resolve_box_export(ctx_, "web", "boxctl export web");
  EXPECT_EQ(b.source.writer, image::UpperWriter::kFuseOverlayfs);
  for (const auto& n : b.notes) EXPECT_EQ(n.find("written nothing"), std::string::npos) << n;
}

TEST_F(ExportSourceTest, WritesThatVanishLeaveTheImageAsInstalled) {
  define("eph", "image: img\ncommand: [/bin/hello]\n");
  BoxExport b = resolve_box_export(ctx_, "eph", "boxctl export eph");
  EXPECT_FALSE(b.reads_writes);
  EXPECT_TRUE(b.source.upper.empty());
  // (The scratch user has no subordinate ids: said first.)
  EXPECT_EQ(b.notes,
            (std::vector<std::string>{"the image was installed without subordinate ids: every "
                                      "file is owned by root in the exported image",
                                      "rootfs_writes: overlay: the box keeps no writes; the image "
                                      "as installed"}));
  // The installed image's own definition works as any other.
  EXPECT_EQ(resolve_box_export(ctx_, "img", "boxctl export img").image, "img");
  define("dir", "image: img\ncommand: [/bin/hello]\nrootfs_writes: direct\n");
  EXPECT_TRUE(resolve_box_export(ctx_, "dir", "x").reads_writes);
}

TEST_F(ExportSourceTest, WhatIsRefused) {
  Failure none = refusal("nothing");
  EXPECT_EQ(none.code, kExitNoSuchContainer);
  EXPECT_EQ(none.message.rfind("export 'nothing': ", 0), 0u) << none.message;

  define("broken", "image: img\nnetwork: sideways\n");
  EXPECT_EQ(refusal("broken").code, kExitInvalidDefinition);

  fs::create_directories(tmp_ / "root");
  define("own", "rootfs: " + (tmp_ / "root") + "\ncommand: [/bin/sh]\n");
  Failure own = refusal("own");
  EXPECT_EQ(own.code, kExitFailure);
  EXPECT_EQ(own.message, "export 'own': it runs the root filesystem '" + (tmp_ / "root") +
                             "' (rootfs:), not an installed image; box exports boxes of images "
                             "it installed (image: NAME)");

  define("gone", "image: missing\ncommand: [/bin/hello]\n");
  Failure gone = refusal("gone");
  EXPECT_EQ(gone.code, kExitFailure);
  EXPECT_NE(gone.message.find("its image 'missing' is not installed"), std::string::npos)
      << gone.message;

  EXPECT_EQ(refusal("../x").code, kExitUsage);

  // Installed with other ids than the user has now: read wrongly, so refused.
  const std::string record = ctx_.dirs.data_home + "/box/images/img/image.json";
  auto j = nlohmann::json::parse(read_bytes(record));
  j["id_mapping"] = "0:1000:1,1:100000:65536";
  write_bytes(record, j.dump());
  Failure ids = refusal("img");
  EXPECT_EQ(ids.code, kExitFailure);
  EXPECT_NE(ids.message.find("was installed with the ids 0:1000:1,1:100000:65536, and yours are "
                             "now 0:" +
                             std::to_string(getuid()) + ":1"),
            std::string::npos)
      << ids.message;
}

}  // namespace
}  // namespace box::boxctl
