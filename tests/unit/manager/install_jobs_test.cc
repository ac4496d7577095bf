// InstallJobs with the real box-install-worker, in a scratch home: what
// box-manager sees of an install, a cancelled install and an uninstall.
// No bus: the worker finds no user bus in the scratch runtime dir, so the
// stop before an uninstall is skipped (the manager's reload is not here).
#include "manager/install_jobs.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include "tests/unit/core/image/image_fixtures.h"

namespace box::manager {
namespace {
using namespace box::testing;
namespace fs = std::filesystem;

// The worker reads its dirs from the environment, as under box-manager.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class Jobs : public ::testing::Test {
 protected:
  Jobs()
      : home_("HOME", tmp_ / "home"),
        config_("XDG_CONFIG_HOME", tmp_ / "home/.config"),
        data_("XDG_DATA_HOME", tmp_ / "home/.local/share"),
        runtime_("XDG_RUNTIME_DIR", tmp_ / "run"),
        bus_("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + (tmp_ / "run/no-bus")) {
    fs::create_directories(tmp_ / "home");
    fs::create_directories(tmp_ / "run");
  }

  std::string images() { return tmp_ / "home/.local/share/box/images"; }
  std::string definition(const std::string& name) {
    return tmp_ / ("home/.config/box/containers/" + name + ".yaml");
  }
  std::vector<std::string> left_in_images() {
    std::vector<std::string> left;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(images(), ec)) left.push_back(e.path().filename());
    return left;
  }

  std::string layout(int big_layers = 0) {
    ImageSpec spec;
    spec.layers = {make_tar({dir("bin"), file("bin/app", "#!/bin/sh\n", 0755)})};
    std::string big;
    for (int i = 0; i < 64; ++i) big += std::to_string(i * 7919) + std::string(4000, 'a' + i % 26);
    for (int l = 0; l < big_layers; ++l) {
      std::vector<TarEntry> many;
      for (int i = 0; i < 300; ++i) many.push_back(file("data/f" + std::to_string(i), big));
      spec.layers.push_back(make_tar(many));
    }
    spec.config["config"] = {{"Cmd", {"/bin/app"}}};
    make_oci_layout(tmp_ / "layout", spec);
    return "oci:" + (tmp_ / "layout");
  }

  WorkerRequest install_request(const std::string& source, const std::string& name) {
    WorkerRequest r;
    r.source = source;
    r.name = name;
    return r;
  }

  // The manager's poll loop, for the jobs alone, until `done` or `timeout`.
  void drive(InstallJobs& jobs, const bool& done,
             std::chrono::seconds timeout = std::chrono::seconds(60)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done && std::chrono::steady_clock::now() < deadline) {
      std::vector<pollfd> fds;
      for (int fd : jobs.fds()) fds.push_back({fd, POLLIN, 0});
      ASSERT_FALSE(fds.empty()) << "no job runs, and none reported its end";
      if (::poll(fds.data(), fds.size(), 1000) <= 0) continue;
      for (const auto& p : fds)
        if (p.revents) jobs.on_readable(p.fd);
    }
    ASSERT_TRUE(done) << "no result within " << timeout.count() << " s";
  }

  TempDir tmp_;
  ScopedEnv home_, config_, data_, runtime_, bus_;
  InstallJobs jobs_{BOX_TEST_INSTALL_WORKER};
};

TEST_F(Jobs, InstallReportsProgressThenTheImage) {
  std::vector<install::Progress> progress;
  WorkerMessage last;
  bool done = false;
  // Made once: writing it again under the running worker would race its reads.
  const std::string source = layout();
  ASSERT_TRUE(jobs_
                  .start(
                      "app", ":1.5", install_request(source, "app"),
                      [&](const install::Progress& p) { progress.push_back(p); },
                      [&](const WorkerMessage& m) {
                        last = m;
                        done = true;
                      })
                  .ok());
  EXPECT_TRUE(jobs_.running("app"));
  EXPECT_FALSE(jobs_.start("app", ":1.6", install_request(source, "app"), nullptr, nullptr).ok())
      << "one job per name";
  drive(jobs_, done);
  ASSERT_EQ(last.kind, WorkerMessage::Kind::kInstalled) << last.error;
  EXPECT_EQ(last.image.name, "app");
  EXPECT_EQ(last.image.source_kind, "oci");
  EXPECT_FALSE(jobs_.running("app"));
  EXPECT_TRUE(fs::exists(images() + "/app/rootfs/bin/app"));
  EXPECT_TRUE(fs::exists(definition("app")));
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back().phase, install::Progress::Phase::kFinishing);

  // An uninstall is not cancelled, and removes what the install made.
  WorkerRequest u;
  u.op = WorkerRequest::Op::kUninstall;
  u.name = "app";
  done = false;
  ASSERT_TRUE(jobs_
                  .start("app", ":1.5", u, nullptr,
                         [&](const WorkerMessage& m) {
                           last = m;
                           done = true;
                         })
                  .ok());
  EXPECT_FALSE(jobs_.cancel("app"));
  drive(jobs_, done);
  ASSERT_EQ(last.kind, WorkerMessage::Kind::kUninstalled) << last.error;
  EXPECT_FALSE(fs::exists(images() + "/app"));
  EXPECT_FALSE(fs::exists(definition("app")));
}

TEST_F(Jobs, CancelledInstallLeavesNothingBehind) {
  const std::string source = layout(/*big_layers=*/2);
  WorkerMessage last;
  bool done = false;
  ASSERT_TRUE(jobs_
                  .start(
                      "app", ":1.5", install_request(source, "app"),
                      [&](const install::Progress& p) {
                        // Its client left the bus while it unpacked.
                        if (p.phase == install::Progress::Phase::kUnpacking)
                          jobs_.cancel_owned_by(":1.5");
                      },
                      [&](const WorkerMessage& m) {
                        last = m;
                        done = true;
                      })
                  .ok());
  jobs_.cancel_owned_by(":1.99");  // someone else's: no effect
  drive(jobs_, done);
  ASSERT_EQ(last.kind, WorkerMessage::Kind::kFailed);
  EXPECT_TRUE(last.cancelled) << last.error;
  EXPECT_NE(last.error.find("cancelled"), std::string::npos) << last.error;
  EXPECT_TRUE(left_in_images().empty()) << left_in_images().front();
  EXPECT_FALSE(fs::exists(definition("app")));
}

TEST_F(Jobs, FailuresReachTheManager) {
  WorkerMessage last;
  bool done = false;
  auto on_done = [&](const WorkerMessage& m) {
    last = m;
    done = true;
  };
  ASSERT_TRUE(jobs_
                  .start("gone", ":1.5", install_request("oci:" + (tmp_ / "nothing"), "gone"),
                         nullptr, on_done)
                  .ok());
  drive(jobs_, done);
  ASSERT_EQ(last.kind, WorkerMessage::Kind::kFailed);
  EXPECT_FALSE(last.cancelled);
  EXPECT_NE(last.error.find("no such directory"), std::string::npos) << last.error;

  // A worker that cannot even start: the exec error, at once, for the
  // caller's reply.
  InstallJobs missing(tmp_ / "no-such-worker");
  auto started = missing.start("x", ":1.5", install_request("/x", "x"), nullptr, on_done);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().message(), "start the install worker: execute '" +
                                           (tmp_ / "no-such-worker") +
                                           "': No such file or directory");
  EXPECT_FALSE(missing.running("x"));
}

// A worker that sends a line without end (a hostile image took it over, or
// a bug): the manager stops reading at the limit, kills it and says why,
// instead of holding all it sends in memory. The stand-in worker sends 8
// MiB with no newline, then keeps its end open.
TEST_F(Jobs, AnOverLongWorkerLineIsRefusedAndTheWorkerEnds) {
  const std::string worker = tmp_ / "endless-worker";
  const std::string pid_file = tmp_ / "endless-worker.pid";
  {
    std::ofstream out(worker);
    out << "#!/bin/sh\necho $$ > '" << pid_file
        << "'\nhead -c 8388608 /dev/zero >&3\nexec sleep 60\n";
  }
  fs::permissions(worker, fs::perms::owner_all);
  InstallJobs jobs(worker);
  WorkerMessage last;
  bool done = false;
  ASSERT_TRUE(jobs.start("long", ":1.5", install_request("/x", "long"), nullptr,
                         [&](const WorkerMessage& m) {
                           last = m;
                           done = true;
                         })
                  .ok());
  // Well before the stand-in would end by itself (in 60 s).
  const auto started = std::chrono::steady_clock::now();
  drive(jobs, done, std::chrono::seconds(20));
  ASSERT_TRUE(done) << "an endless line was still being read after 20 s";
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  EXPECT_EQ(last.kind, WorkerMessage::Kind::kFailed);
  EXPECT_FALSE(last.cancelled);
  EXPECT_EQ(last.error, "the install worker sent a line longer than 4194304 bytes");
  EXPECT_FALSE(jobs.running("long"));
  EXPECT_TRUE(jobs.fds().empty());
  // Killed and reaped: no process, not even a zombie.
  std::ifstream in(pid_file);
  pid_t pid = 0;
  ASSERT_TRUE(in >> pid) << pid_file;
  EXPECT_NE(::kill(pid, 0), 0) << "the worker " << pid << " is still there";
  EXPECT_EQ(errno, ESRCH);
}

}  // namespace
}  // namespace box::manager
