// A full disk (issue 13): the data home on the test bed's small tmpfs
// (BOX_TEST_SMALL_DISK, 16 MiB), set for the user manager, so box-manager's
// installs and the boxes' persistent upper dirs land there. An install that
// runs out of space fails with a clear error, leaves no staging and keeps
// the image installed before; a box that fills its persistent upper dir
// sees ENOSPC itself, and what it wrote before is intact at the next start.
// As the unprivileged test user, real user manager.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {

class FullDisk : public BoxTest {
 protected:
  void prepare() override {
    const char* small = std::getenv("BOX_TEST_SMALL_DISK");
    ASSERT_TRUE(small && *small) << "the test bed gives no small disk (BOX_TEST_SMALL_DISK)";
    small_ = small;
    data_ = small_ + "/data";
    fs::create_directories(data_);
    // For box-manager (activated again with it) and the units started next.
    ASSERT_EQ(systemctl({"set-environment", "XDG_DATA_HOME=" + data_}).exit_code, 0);
    systemctl({"stop", "box-manager.service"});
  }

  void TearDown() override {
    boxctl({"uninstall", "filled", "--purge"});
    BoxTest::TearDown();
    systemctl({"unset-environment", "XDG_DATA_HOME"});
    stop_and_reset("box-manager.service");
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(small_, ec)) fs::remove_all(e.path(), ec);
    fs::remove_all(home() + "/fulldisk-layout", ec);
  }

  // Fills the small disk but for about `spare_kib`.
  void fill(int spare_kib) {
    auto dd = run({"sh", "-c", "dd if=/dev/zero of=\"$1\" bs=64k 2>&1; sync", "sh", small_ + "/filler"});
    ASSERT_TRUE(contains(dd.output, "No space left on device")) << dd.output;
    const auto size = fs::file_size(small_ + "/filler");
    fs::resize_file(small_ + "/filler", size - static_cast<std::uintmax_t>(spare_kib) * 1024);
  }

  // Every file under `dir` with its size: what an install must not change.
  static std::string listing(const std::string& dir) {
    return run({"sh", "-c", "cd \"$1\" && find . -printf '%p %y %s\\n' | sort", "sh", dir}).output;
  }

  std::string small_, data_;
};

TEST_F(FullDisk, AnInstallThatRunsOutOfSpaceFailsClearlyAndKeepsThePreviousImage) {
  const std::string layout = home() + "/fulldisk-layout";
  make_oci_layout(layout, rootfs_);
  auto first = boxctl({"install", "oci:" + layout, "filled"});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const std::string image = data_ + "/box/images/filled";
  ASSERT_TRUE(fs::exists(image + "/rootfs/bin/busybox")) << "the image is not on the small disk";
  const std::string before = listing(image);

  fill(256);
  auto replace = boxctl({"install", "--replace", "oci:" + layout, "filled"});
  EXPECT_NE(replace.exit_code, 0) << replace.output;
  EXPECT_TRUE(contains(replace.output, "No space left on device")) << replace.output;
  EXPECT_TRUE(contains(replace.output, "the file system of '" + data_ +
                                           "/box/images' is full: free some space there"))
      << replace.output;
  // Nothing staged is left, and the image installed before is untouched.
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(data_ + "/box/images", ec))
    EXPECT_EQ(e.path().filename().string().rfind('.', 0), std::string::npos) << e.path();
  EXPECT_EQ(listing(image), before);
  auto images = run({"env", "XDG_DATA_HOME=" + data_, prefix() + "/bin/boxctl", "images", "--json"});
  EXPECT_TRUE(contains(images.output, "\"filled\"")) << images.output;

  // The box of the previous image still starts; with room again, so does
  // the replacement.
  auto start = systemctl({"start", "box@filled.service"});
  EXPECT_EQ(start.exit_code, 0) << start.output << journal("box@filled.service");
  systemctl({"stop", "box@filled.service"});
  fs::remove(small_ + "/filler");
  auto again = boxctl({"install", "--replace", "oci:" + layout, "filled"});
  EXPECT_EQ(again.exit_code, 0) << again.output;
}

TEST_F(FullDisk, ABoxThatFillsItsPersistentWritesKeepsWhatItWroteBefore) {
  define("filler",
         "rootfs: ~/rootfs-fulldisk\nrootfs_writes: persistent\n"
         "command: [sh, -c, 'echo found-$(cat /kept 2>/dev/null || echo none); "
         "[ -e /kept ] || echo kept-from-the-first-run > /kept; "
         "out=$(dd if=/dev/zero of=/big bs=64k 2>&1); echo dd-ended-$? $out; exec sleep 300']\n");
  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  const std::string unit = "box@filler.service";
  ASSERT_EQ(systemctl({"start", unit}).exit_code, 0) << journal(unit);
  ASSERT_TRUE(eventually([&] { return contains(journal(unit), "dd-ended-1"); },
                         std::chrono::seconds(30)))
      << journal(unit);
  EXPECT_TRUE(contains(journal(unit), "No space left on device")) << journal(unit);
  EXPECT_TRUE(fs::exists(data_ + "/box/containers/filler/upper"));
  EXPECT_EQ(show(unit, "ActiveState"), "active");
  ASSERT_EQ(systemctl({"stop", unit}).exit_code, 0);

  // Started again with the disk still full: what it wrote is there.
  auto again = systemctl({"start", unit});
  ASSERT_EQ(again.exit_code, 0) << again.output << journal(unit);
  EXPECT_TRUE(eventually([&] { return contains(journal(unit), "found-kept-from-the-first-run"); }))
      << journal(unit);
  ASSERT_EQ(systemctl({"stop", unit}).exit_code, 0);
}

}  // namespace
}  // namespace box::testing
