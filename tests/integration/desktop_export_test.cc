// boxctl export-desktop against an image built with umoci, installed with
// boxctl install, as the test user: the image's desktop entry and icons in
// ~/.local/share, the entry valid for desktop-file-validate and starting
// the box, a file box did not write never replaced, and uninstall removing
// exactly what was exported.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;

constexpr const char* kEntry =
    "[Desktop Entry]\n"
    "Type=Application\n"
    "Name=Player\n"
    "Comment=Plays music\n"
    "Exec=/bin/sh -c 'sleep 1000' %U\n"
    "TryExec=/bin/sh\n"
    "Icon=org.example.Player\n"
    "Categories=AudioVideo;Player;\n"
    "Actions=quiet;\n"
    "\n"
    "[Desktop Action quiet]\n"
    "Name=Quiet\n"
    "Exec=/bin/sh -c 'sleep 1000' --quiet\n";

class DesktopExport : public ::testing::Test {
 protected:
  void SetUp() override {
    work_ = home() + "/desktop-export";
    fs::remove_all(work_);
    fs::create_directories(work_);
    apps_ = home() + "/.local/share/applications";
    icons_ = home() + "/.local/share/icons";
  }
  void TearDown() override {
    boxctl({"uninstall", "player", "--purge"});
    run({"chmod", "-R", "u+w", work_});
    fs::remove_all(work_);
    fs::remove(apps_ + "/mine.desktop");
    fs::remove(apps_ + "/box-player-org.example.Player.desktop");
  }
  // The image: busybox, the entry, a PNG and an SVG icon; /bin/sh as its command.
  std::string image() {
    const std::string layout = work_ + "/layout", bundle = work_ + "/bundle";
    auto ok = [](const CommandResult& r) {
      EXPECT_EQ(r.exit_code, 0) << r.output;
      return r.exit_code == 0;
    };
    if (!ok(run({"umoci", "init", "--layout", layout})) ||
        !ok(run({"umoci", "new", "--image", layout + ":t"})) ||
        !ok(run({"umoci", "unpack", "--rootless", "--image", layout + ":t", bundle})))
      return "";
    const std::string root = bundle + "/rootfs";
    make_busybox_rootfs(root);
    write_file(root + "/usr/share/applications/org.example.Player.desktop", kEntry);
    write_file(root + "/usr/share/icons/hicolor/48x48/apps/org.example.Player.png", "\x89PNG\r\n");
    write_file(root + "/usr/share/icons/hicolor/scalable/apps/org.example.Player.svg",
               "<svg xmlns='http://www.w3.org/2000/svg'/>\n");
    if (!ok(run({"umoci", "repack", "--image", layout + ":t", bundle})) ||
        !ok(run({"umoci", "config", "--image", layout + ":t", "--config.cmd=/bin/sh",
                 "--config.cmd=-c", "--config.cmd=sleep 1000"})))
      return "";
    return "oci:" + layout + ":t";
  }
  std::string work_, apps_, icons_;
};

TEST_F(DesktopExport, TheEntryAndIconsGoToTheMenuAndGoWithUninstall) {
  const std::string source = image();
  ASSERT_FALSE(source.empty());
  auto installed = boxctl({"install", source, "player"});
  ASSERT_EQ(installed.exit_code, 0) << installed.output;
  write_file(apps_ + "/mine.desktop", "[Desktop Entry]\nType=Application\nName=Mine\nExec=true\n");

  auto exported = boxctl({"export-desktop", "player"});
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_TRUE(contains(exported.output, "Exported org.example.Player of player\n"))
      << exported.output;
  const std::string entry = apps_ + "/box-player-org.example.Player.desktop";
  const std::string png = icons_ + "/hicolor/48x48/apps/box-player-org.example.Player.png";
  const std::string svg = icons_ + "/hicolor/scalable/apps/box-player-org.example.Player.svg";
  ASSERT_TRUE(fs::exists(entry)) << exported.output;
  EXPECT_EQ(slurp(png), "\x89PNG\r\n");
  EXPECT_TRUE(fs::exists(svg));
  const std::string text = slurp(entry);
  EXPECT_TRUE(contains(text, "Name=Player (box player)\n")) << text;
  EXPECT_TRUE(contains(text, "Icon=box-player-org.example.Player\n")) << text;
  EXPECT_TRUE(contains(text, "X-Box-Name=player\n")) << text;
  EXPECT_FALSE(contains(text, "TryExec")) << text;
  EXPECT_FALSE(contains(text, "Desktop Action")) << text;

  // What the desktop's own tools say of it.
  auto valid = run({"desktop-file-validate", entry});
  EXPECT_EQ(valid.exit_code, 0) << valid.output << text;
  EXPECT_FALSE(contains(valid.output, "error")) << valid.output;

  // Its Exec starts the box.
  const auto exec_at = text.find("Exec=");
  ASSERT_NE(exec_at, std::string::npos);
  const std::string exec = text.substr(exec_at + 5, text.find('\n', exec_at) - exec_at - 5);
  EXPECT_TRUE(contains(exec, "boxctl start player")) << exec;
  auto started = run(sh(exec));
  EXPECT_EQ(started.exit_code, 0) << started.output;
  EXPECT_TRUE(eventually([] { return show("box@player.service", "ActiveState") == "active"; }))
      << journal("box@player.service");

  // A file box did not write is not replaced.
  fs::remove(entry);
  write_file(entry, "the user's\n");
  auto refused = boxctl({"export-desktop", "player", "--app", "org.example.Player"});
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_TRUE(contains(refused.output, "is there and box did not write it")) << refused.output;
  EXPECT_EQ(slurp(entry), "the user's\n");
  fs::remove(entry);
  ASSERT_EQ(boxctl({"export-desktop", "player"}).exit_code, 0);

  // Uninstall takes exactly the exported files with it.
  auto gone = boxctl({"uninstall", "player"});
  ASSERT_EQ(gone.exit_code, 0) << gone.output;
  EXPECT_FALSE(fs::exists(entry));
  EXPECT_FALSE(fs::exists(png));
  EXPECT_FALSE(fs::exists(svg));
  EXPECT_TRUE(fs::exists(apps_ + "/mine.desktop"));
}

TEST_F(DesktopExport, OnlyAnInstalledImage) {
  auto r = boxctl({"export-desktop", "nosuchbox"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "no installed image named 'nosuchbox'")) << r.output;
}

}  // namespace
}  // namespace box::testing
