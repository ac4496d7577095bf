#include "install/desktop_export.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "tests/unit/temp_dir.h"

namespace box::install {
namespace {
namespace fs = std::filesystem;

constexpr const char* kEntry =
    "[Desktop Entry]\n"
    "Type=Application\n"
    "Name=Player\n"
    "Name[de]=Spieler\n"
    "Comment=Plays music\n"
    "Exec=/usr/bin/player %U\n"
    "TryExec=/usr/bin/player\n"
    "DBusActivatable=true\n"
    "Icon=org.example.Player\n"
    "Categories=AudioVideo;Player;\n"
    "Actions=new-window;\n"
    "\n"
    "[Desktop Action new-window]\n"
    "Name=New Window\n"
    "Exec=/usr/bin/player --new-window\n";

TEST(DesktopExport, TheEntryStartsTheBoxAndSaysWhose) {
  auto out = rewrite_desktop_entry(kEntry, "player", "/usr/bin/boxctl start player",
                                   "box-player-org.example.Player");
  ASSERT_TRUE(out.ok()) << out.error().message();
  EXPECT_EQ(*out,
            "[Desktop Entry]\n"
            "Type=Application\n"
            "Name=Player (box player)\n"
            "Name[de]=Spieler (box player)\n"
            "Comment=Plays music\n"
            "Exec=/usr/bin/boxctl start player\n"
            "Icon=box-player-org.example.Player\n"
            "Categories=AudioVideo;Player;\n"
            "X-Box-Name=player\n"
            "\n");
  // No icon exported: the entry's own stays.
  auto kept = rewrite_desktop_entry(kEntry, "player", "x", "");
  ASSERT_TRUE(kept.ok());
  EXPECT_NE(kept->find("Icon=org.example.Player\n"), std::string::npos);
}

TEST(DesktopExport, OnlyAnApplicationEntry) {
  EXPECT_EQ(
      rewrite_desktop_entry("[Desktop Entry]\nType=Link\nName=x\nURL=http://x\n", "p", "x", "")
          .error()
          .message(),
      "not an application (Type=Application)");
  EXPECT_EQ(rewrite_desktop_entry("Name=x\n", "p", "x", "").error().message(),
            "no [Desktop Entry] group");
}

TEST(DesktopExport, TheExecLineIsQuotedAsTheSpecificationSays) {
  EXPECT_EQ(desktop_exec("/usr/bin/boxctl", "player"), "/usr/bin/boxctl start player");
  EXPECT_EQ(desktop_exec("/opt/my box/boxctl", "player"), "\"/opt/my box/boxctl\" start player");
  EXPECT_EQ(desktop_exec("/opt/$x/boxctl", "player"), "\"/opt/\\$x/boxctl\" start player");
}

class DesktopExportFiles : public ::testing::Test {
 protected:
  DesktopExportFiles() {
    ctx_.dirs.home = tmp_.path();
    ctx_.dirs.data_home = tmp_ / "share";
    ctx_.dirs.config_home = tmp_ / "config";
    ctx_.uid = ::getuid();
    ctx_.gid = ::getgid();
    root_ = ctx_.dirs.data_home + "/box/images/player/rootfs";
    put(root_ + "/usr/share/applications/org.example.Player.desktop", kEntry);
    put(root_ + "/usr/share/icons/hicolor/48x48/apps/org.example.Player.png", "png48");
    put(root_ + "/usr/share/icons/hicolor/scalable/apps/org.example.Player.svg", "<svg/>");
  }
  static void put(const std::string& path, const std::string& text) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << text;
  }
  static std::string read(const std::string& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  std::string apps() const { return ctx_.dirs.data_home + "/applications"; }
  std::string icons() const { return ctx_.dirs.data_home + "/icons/hicolor"; }
  testing::TempDir tmp_;
  InstallContext ctx_;
  std::string root_;
};

TEST_F(DesktopExportFiles, TheEntryAndIconsAreWrittenAndRemovedExactly) {
  auto done = export_desktop(ctx_, "player", "", "/usr/bin/boxctl");
  ASSERT_TRUE(done.ok()) << done.error().message();
  const std::string entry = apps() + "/box-player-org.example.Player.desktop";
  EXPECT_EQ(done->desktop_id, "org.example.Player");
  EXPECT_EQ(done->entry, entry);
  EXPECT_EQ(done->icons, (std::vector<std::string>{
                             icons() + "/48x48/apps/box-player-org.example.Player.png",
                             icons() + "/scalable/apps/box-player-org.example.Player.svg"}));
  EXPECT_NE(read(entry).find("Exec=/usr/bin/boxctl start player\n"), std::string::npos);
  EXPECT_NE(read(entry).find("Icon=box-player-org.example.Player\n"), std::string::npos);
  EXPECT_EQ(read(icons() + "/48x48/apps/box-player-org.example.Player.png"), "png48");

  // Again: replaced, not refused (the files are the last export's).
  auto again = export_desktop(ctx_, "player", "org.example.Player.desktop", "/usr/bin/boxctl");
  ASSERT_TRUE(again.ok()) << again.error().message();

  // A file of the user's beside them stays when they go.
  put(apps() + "/mine.desktop", "[Desktop Entry]\n");
  auto removed = remove_desktop_exports(ctx_, "player");
  ASSERT_TRUE(removed.ok()) << removed.error().message();
  EXPECT_TRUE(removed->empty());
  EXPECT_FALSE(fs::exists(entry));
  EXPECT_FALSE(fs::exists(icons() + "/48x48/apps/box-player-org.example.Player.png"));
  EXPECT_TRUE(fs::exists(apps() + "/mine.desktop"));
}

TEST_F(DesktopExportFiles, AFileBoxDidNotWriteIsNeverReplacedNorRemoved) {
  const std::string entry = apps() + "/box-player-org.example.Player.desktop";
  put(entry, "mine\n");
  auto refused = export_desktop(ctx_, "player", "", "/usr/bin/boxctl");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message(),
            "export-desktop 'player': '" + entry +
                "' is there and box did not write it: remove or rename it, then export again");
  EXPECT_EQ(read(entry), "mine\n");
  EXPECT_FALSE(fs::exists(icons()));  // nothing written
  fs::remove(entry);
  ASSERT_TRUE(export_desktop(ctx_, "player", "", "/usr/bin/boxctl").ok());
  // Replaced by the user after the export: left, and said.
  fs::remove(entry);
  put(entry, "mine again\n");
  auto removed = remove_desktop_exports(ctx_, "player");
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed,
            std::vector<std::string>{"left '" + entry + "': not the file box exported any more"});
  EXPECT_EQ(read(entry), "mine again\n");
}

TEST_F(DesktopExportFiles, WhichEntryAndWhatIsRefused) {
  put(root_ + "/usr/share/applications/org.example.Other.desktop", kEntry);
  EXPECT_EQ(export_desktop(ctx_, "player", "", "/b").error().message(),
            "export-desktop 'player': the image has several desktop entries (org.example.Other, "
            "org.example.Player): choose one with --app");
  EXPECT_EQ(export_desktop(ctx_, "player", "org.example.None", "/b").error().message(),
            "export-desktop 'player': the image has no desktop entry 'org.example.None' (it has: "
            "org.example.Other, org.example.Player)");
  EXPECT_EQ(export_desktop(ctx_, "player", "../../etc/passwd", "/b").error().message(),
            "export-desktop 'player': '../../etc/passwd' is not a desktop file id (letters, "
            "digits, '.', '_', '-')");
  EXPECT_EQ(export_desktop(ctx_, "nosuch", "", "/b").error().message(),
            "export-desktop 'nosuch': no installed image named 'nosuch' (export-desktop takes an "
            "installed image's entries; 'boxctl images' lists them)");
  // A symlink in the image stays in the image: an absolute one to the
  // host's file resolves inside the root.
  fs::remove(root_ + "/usr/share/applications/org.example.Other.desktop");
  fs::create_symlink("/etc/hostname", root_ + "/usr/share/applications/org.example.Other.desktop");
  EXPECT_EQ(export_desktop(ctx_, "player", "org.example.Other", "/b").error().message(),
            "export-desktop 'player': the image has no desktop entry 'org.example.Other' (it "
            "has: org.example.Other, org.example.Player)");
}

}  // namespace
}  // namespace box::install
