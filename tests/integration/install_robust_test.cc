// What a hostile or broken image can do to an install, as the unprivileged
// test user through boxctl and box-manager (issue 12, finding 5, and the
// install limits): a FIFO where the image supplies a file fails the install
// at once; a decompression bomb stops at --max-size; a cancel ends a worker
// in the middle of a large layer promptly; what a worker killed with
// SIGKILL left is gone after box-manager's next start. Images are OCI
// layouts made here with tar, gzip and sha256sum.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;


class InstallRobust : public ::testing::Test {
 protected:
  void SetUp() override {
    images_ = home() + "/.local/share/box/images";
    defs_ = home() + "/.config/box/containers";
  }

  void TearDown() override {
    for (const char* name : {"fifo", "bomb", "big", "labels"})
      boxctl({"uninstall", name, "--purge"});
    // A worker that hung (on the code before the fix) goes with the unit.
    stop_and_reset("box-manager.service");
    fs::remove_all(home() + "/robust-root");
    fs::remove_all(home() + "/robust-layout");
    fs::remove(home() + "/labels.json");
  }

  // `script_for_root` makes the image's files under $1; the layout is
  // returned. `config_extra`: a file whose text is added to the image
  // config's "config" object (",\"Labels\":{...}").
  std::string layout(const std::string& script_for_root, const std::string& name = "robust",
                     const std::string& config_extra = "") {
    const std::string root = home() + "/" + name + "-root", out = home() + "/" + name + "-layout";
    fs::remove_all(root);
    fs::create_directories(root);
    auto fill = run({"sh", "-euc", script_for_root, "sh", root});
    EXPECT_EQ(fill.exit_code, 0) << fill.output;
    make_oci_layout(out, root, config_extra);
    fs::remove_all(root);
    return out;
  }

  // The big layer's size: 512 MiB in every run, 2 GiB in bench/faults/run.
  // Making the layout (tar, gzip, its digest) is most of these tests' time.
  static std::uintmax_t big_mib() { return static_cast<std::uintmax_t>(rounds(512, 2048)); }

  // A layout whose one layer is big_mib() of zeros, made once per test
  // user: unpacking it takes seconds.
  std::string big_layout() {
    const std::string name = "big-" + std::to_string(big_mib());
    const std::string out = home() + "/" + name + "-layout";
    if (fs::exists(out + "/index.json")) return out;
    return layout("mkdir \"$1/data\"; truncate -s " + std::to_string(big_mib()) +
                      "M \"$1/data/zeros\"",
                  name);
  }

  // What an install of `name` may leave: staging and other debris in
  // images/, the image, its definition or a temporary one.
  std::vector<std::string> left(const std::string& name) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(images_, ec)) {
      std::string n = e.path().filename();
      if (n == name || n.rfind(".", 0) == 0) out.push_back(n);
    }
    for (const auto& e : fs::directory_iterator(defs_, ec)) {
      std::string n = e.path().filename();
      if (n.rfind(name + ".yaml", 0) == 0) out.push_back(n);
    }
    return out;
  }

  // How much of the big layer's zeros the staging dir of `name` holds.
  std::uintmax_t unpacked(const std::string& name) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(images_, ec)) {
      std::string n = e.path().filename();
      if (n.rfind(".staging-" + name + "-", 0) != 0) continue;
      auto size = fs::file_size(e.path() / "rootfs/data/zeros", ec);
      if (!ec) return size;
    }
    return 0;
  }
  // Well into the layer, with most of it still to come.
  bool unpacking(const std::string& name) { return unpacked(name) > (big_mib() << 20) / 8; }

  pid_t manager_pid() { return static_cast<pid_t>(std::stol("0" + show("box-manager.service", "MainPID"))); }

  // The install worker box-manager runs (comm is cut to 15 characters).
  pid_t worker() {
    pid_t manager = manager_pid();
    if (manager <= 0) return -1;
    auto workers = children_named(manager, {"box-install-wor"});
    return workers.empty() ? -1 : *workers.begin();
  }

  // busctl's Install of the big layout as "big", once its worker is in the
  // middle of the layer; the worker's PID in `worker_pid`.
  std::unique_ptr<Background> install_big_until_unpacking(const std::string& output,
                                                          pid_t& worker_pid) {
    auto install = std::make_unique<Background>(
        std::vector<std::string>{"busctl", "--user", "--timeout=120", "call", "dev.boxctl.box1",
                                 "/dev/boxctl/box1", "dev.boxctl.box1.Manager", "Install",
                                 "ssa{sv}", "oci:" + big_layout(), "big", "0"},
        home() + "/" + output);
    EXPECT_TRUE(eventually([&] { return unpacking("big"); }, std::chrono::seconds(60)))
        << install->output();
    worker_pid = worker();
    return install;
  }

  std::string images_, defs_;
};

long long ms_since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

// Finding 5: a FIFO where the image supplies a file held the install for
// ever, and no cancel could end it. Now it fails at once, naming the file.
TEST_F(InstallRobust, AFifoInTheExportsFailsQuicklyAndLeavesNothing) {
  struct Case {
    std::string fill, file, says;
  };
  const std::vector<Case> cases = {
      {"mkdir \"$1/exports\"; mkfifo \"$1/exports/manifest.json\"", "exports/manifest.json",
       "/rootfs/exports/manifest.json' is a FIFO, not a regular file"},
      {"mkdir \"$1/exports\"; mkfifo \"$1/exports/tmpfiles.template\"",
       "exports/tmpfiles.template",
       "/rootfs/exports/tmpfiles.template' is a FIFO, not a regular file"},
      // Under hostfs, the install's policy refuses it before any read.
      {"mkdir -p \"$1/exports/hostfs/etc/app\"; mkfifo \"$1/exports/hostfs/etc/app/app.conf\"",
       "exports/hostfs/etc/app/app.conf",
       "hostfs/etc/app/app.conf: a FIFO; only regular files and symlinks are installed"},
  };
  for (const auto& c : cases) {
    const std::string image = layout(c.fill);
    auto started = Clock::now();
    auto r = boxctl({"install", "oci:" + image, "fifo"}, std::chrono::seconds(30));
    auto took = ms_since(started);
    std::cout << c.file << ": boxctl install failed after " << took << " ms\n";
    EXPECT_EQ(r.exit_code, 1) << c.file << ": " << r.output;
    EXPECT_TRUE(contains(r.output, c.says)) << r.output;
    EXPECT_LT(took, 10000) << c.file;
    EXPECT_TRUE(left("fifo").empty()) << c.file << ": " << left("fifo").front();
  }
}

// A bomb: 16 files of zeros, twice the limit of 64 MiB in all (16 times
// in bench/faults/run), through boxctl's --max-size and D-Bus's max_size.
TEST_F(InstallRobust, ABombStopsAtMaxSizeAndLeavesNothing) {
  const std::string image = layout("mkdir \"$1/data\"; for i in $(seq 1 16); do truncate -s " +
                                   std::to_string(rounds(8, 64)) + "M \"$1/data/$i\"; done");
  auto started = Clock::now();
  auto r = boxctl({"install", "--max-size", "64M", "oci:" + image, "bomb"});
  std::cout << "bomb refused after " << ms_since(started) << " ms\n";
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "the image unpacks to more than 64 MiB (67108864 bytes); raise "
                                 "--max-size"))
      << r.output;
  EXPECT_TRUE(left("bomb").empty()) << left("bomb").front();

  auto bus = run({"gdbus", "call", "--session", "--dest", "dev.boxctl.box1", "--object-path",
                  "/dev/boxctl/box1", "--timeout", "120", "--method",
                  "dev.boxctl.box1.Manager.Install", "oci:" + image, "bomb",
                  "{'max_size': <uint64 67108864>}"},
                 std::chrono::seconds(150));
  EXPECT_NE(bus.exit_code, 0);
  EXPECT_TRUE(contains(bus.output, "dev.boxctl.box1.Error.InstallFailed: install 'bomb'"))
      << bus.output;
  EXPECT_TRUE(contains(bus.output, "raise --max-size")) << bus.output;
  EXPECT_TRUE(left("bomb").empty()) << left("bomb").front();

  auto usage = boxctl({"install", "--max-size", "lots", "oci:" + image, "bomb"});
  EXPECT_EQ(usage.exit_code, 2) << usage.output;
  EXPECT_TRUE(contains(usage.output, "--max-size 'lots'")) << usage.output;
}

// CancelInstall, then SIGTERM to the worker itself, while a big layer
// unpacks: the worker ends promptly and removes its staging dir.
TEST_F(InstallRobust, ACancelEndsAWorkerInTheMiddleOfALargeLayer) {
  for (const std::string how : {"CancelInstall", "SIGTERM"}) {
    pid_t w = -1;
    auto install = install_big_until_unpacking("install-big.txt", w);
    ASSERT_GT(w, 0);
    const auto at = unpacked("big");
    auto started = Clock::now();
    if (how == "CancelInstall") {
      auto c = run({"busctl", "--user", "call", "dev.boxctl.box1", "/dev/boxctl/box1",
                    "dev.boxctl.box1.Manager", "CancelInstall", "s", "big"});
      EXPECT_EQ(c.output, "b true\n");
    } else {
      ASSERT_EQ(kill(w, SIGTERM), 0);
    }
    ASSERT_TRUE(eventually([&] { return dead(w); }, std::chrono::seconds(30)));
    auto took = ms_since(started);
    std::cout << how << " to the worker's exit, in the middle of a " << big_mib()
              << " MiB layer (" << (at >> 20) << " MiB unpacked): " << took << " ms\n";
    EXPECT_LT(took, 5000);
    EXPECT_NE(install->wait(), 0);
    EXPECT_TRUE(contains(install->output(), "cancelled")) << install->output();
    EXPECT_TRUE(left("big").empty()) << left("big").front();
  }
}

// Finding 5's last part: a worker killed with SIGKILL cannot clean up; its
// staging dir is removed when box-manager next starts.
TEST_F(InstallRobust, WhatAKilledWorkerLeftIsGoneAfterTheManagerRestarts) {
  pid_t w = -1;
  auto install = install_big_until_unpacking("install-killed.txt", w);
  ASSERT_GT(w, 0);
  ASSERT_EQ(kill(w, SIGKILL), 0);
  EXPECT_NE(install->wait(), 0);
  EXPECT_TRUE(contains(install->output(), "killed by signal")) << install->output();
  auto debris = left("big");
  ASSERT_EQ(debris.size(), 1u);
  EXPECT_EQ(debris[0].rfind(".staging-big-" + std::to_string(w) + "-", 0), 0u) << debris[0];

  ASSERT_EQ(systemctl({"stop", "box-manager.service"}).exit_code, 0);
  ASSERT_TRUE(fs::exists(images_ + "/" + debris[0]));
  ASSERT_EQ(boxctl({"list"}).exit_code, 0);  // starts box-manager again
  EXPECT_TRUE(eventually([&] { return left("big").empty(); }, std::chrono::seconds(30)))
      << left("big").front();
  EXPECT_TRUE(contains(journal("box-manager.service"),
                       "removed '" + images_ + "/" + debris[0] + "', left by an interrupted install"))
      << journal("box-manager.service");
}

// The manager itself killed with SIGKILL in the middle of an install (issue
// 13's fault suite): its worker is told (parent-death signal SIGTERM),
// cancels and removes what it staged; the caller gets an error, not a hang;
// the bus activates the manager again, and nothing of the install is left.
TEST_F(InstallRobust, TheManagerKilledDuringAnInstallLeavesNothing) {
  pid_t w = -1;
  auto install = install_big_until_unpacking("install-manager-killed.txt", w);
  ASSERT_GT(w, 0);
  const pid_t manager = manager_pid();
  ASSERT_GT(manager, 0);
  ASSERT_EQ(kill(manager, SIGKILL), 0);
  EXPECT_NE(install->wait(std::chrono::seconds(30)), 0) << install->output();
  EXPECT_TRUE(eventually([&] { return dead(w); }, std::chrono::seconds(10)))
      << "the worker outlived its manager";
  EXPECT_TRUE(eventually([&] { return left("big").empty(); }, std::chrono::seconds(30)))
      << left("big").front();
  auto list = boxctl({"list", "--json"});  // activates box-manager again
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_NE(manager_pid(), manager);
  EXPECT_FALSE(contains(list.output, "\"big\"")) << list.output;
  EXPECT_FALSE(fs::exists(defs_ + "/big.yaml"));
  EXPECT_TRUE(left("big").empty()) << left("big").front();
}

// An image whose config carries 5 MiB of labels (under the 8 MiB a config
// may have): its record, image.json, would be larger than what box reads
// back (uninstall, --replace, list) and its worker's result line longer
// than the manager takes. Refused before anything is installed, with what
// is too large; the manager still answers.
TEST_F(InstallRobust, AnImageWhoseRecordIsTooLargeIsRefused) {
  const std::string extra = home() + "/labels.json";
  auto made = run({"sh", "-c",
                   "{ printf ',\"Labels\":{\"huge\":\"'; head -c 5242880 /dev/zero | tr '\\0' x; "
                   "printf '\"}'; } > " +
                       extra});
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const std::string image = layout("mkdir \"$1/bin\"", "labels", extra);
  auto r = boxctl({"install", "oci:" + image, "labels"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "its record (image.json) would be ")) << r.output;
  EXPECT_TRUE(contains(r.output, "more than the 1048576 box reads back (labels 52428")) << r.output;
  EXPECT_FALSE(contains(r.output, "longer than")) << r.output;
  EXPECT_TRUE(left("labels").empty()) << left("labels").front();
  EXPECT_FALSE(fs::exists(defs_ + "/labels.yaml"));
  auto list = boxctl({"list", "--json"});
  EXPECT_EQ(list.exit_code, 0) << list.output;
  EXPECT_FALSE(contains(list.output, "\"labels\"")) << list.output;
  fs::remove_all(image);
}

// The same without systemd: box-manager run by hand (as a developer does),
// so no service manager cleans its cgroup after it. Only the worker's
// parent-death signal tells it: it must cancel and remove what it staged at
// once, not finish the install for a manager that is gone, and not wait for
// the next manager's start to have its debris removed.
TEST_F(InstallRobust, AWorkerEndsWithItsManagerOutsideSystemdToo) {
  ASSERT_EQ(systemctl({"stop", "box-manager.service"}).exit_code, 0);
  auto manager = std::make_unique<Background>(
      std::vector<std::string>{prefix() + "/libexec/box/box-manager", "--idle-timeout", "0"},
      home() + "/manager-by-hand.txt");
  // It owns the name (not an activated one).
  ASSERT_TRUE(eventually([&] {
    auto owner =
        run({"busctl", "--user", "call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
             "org.freedesktop.DBus", "GetConnectionUnixProcessID", "s", "dev.boxctl.box1"});
    return owner.output == "u " + std::to_string(manager->pid()) + "\n";
  })) << manager->output();
  auto install = std::make_unique<Background>(
      std::vector<std::string>{"busctl", "--user", "--timeout=120", "call", "dev.boxctl.box1",
                               "/dev/boxctl/box1", "dev.boxctl.box1.Manager", "Install", "ssa{sv}",
                               "oci:" + big_layout(), "big", "0"},
      home() + "/install-by-hand.txt");
  ASSERT_TRUE(eventually([&] { return unpacking("big"); }, std::chrono::seconds(60)))
      << install->output() << manager->output();
  auto workers = children_named(manager->pid(), {"box-install-wor"});
  ASSERT_EQ(workers.size(), 1u) << manager->output();
  const pid_t w = *workers.begin();
  ASSERT_EQ(kill(manager->pid(), SIGKILL), 0);
  manager->wait();
  EXPECT_NE(install->wait(std::chrono::seconds(30)), 0) << install->output();
  EXPECT_TRUE(eventually([&] { return dead(w); }, std::chrono::seconds(10)))
      << "the worker outlived its manager";
  // Before any manager starts again: the worker removed its staging itself.
  EXPECT_TRUE(eventually([&] { return left("big").empty(); }, std::chrono::seconds(10)))
      << left("big").front();
  EXPECT_FALSE(fs::exists(defs_ + "/big.yaml"));
}

}  // namespace
}  // namespace box::testing
