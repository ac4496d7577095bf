// Every unit the golden cases produce, checked by systemd itself:
// `systemd-analyze --user verify` loads box@.service (the real template from
// units/) with the generated drop-ins and reports any setting it does not
// accept. It exits 0 even for unknown keys, so any output at all fails.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/unit/generator/golden_support.h"

namespace box::generator {
namespace {
namespace fs = std::filesystem;

struct Ran {
  int status = -1;
  std::string output;
};

// Runs argv with exactly `env`, stdout and stderr into one string.
Ran run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
        const fs::path& log) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || ::dup2(fd, 1) < 0 || ::dup2(fd, 2) < 0) ::_exit(126);
    std::vector<char*> a, e;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    for (const auto& s : env) e.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    e.push_back(nullptr);
    ::execve(a[0], a.data(), e.data());
    ::_exit(127);
  }
  Ran r;
  int status = 0;
  if (pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status))
    r.status = WEXITSTATUS(status);
  r.output = read(log);
  return r;
}

class SystemdVerify : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("box-verify-test-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "runtime");
    fs::permissions(root_ / "runtime", fs::perms::owner_all);
    fs::create_directories(root_ / "libexec");
    // ExecStart= must name an executable that exists.
    std::ofstream(root_ / "libexec/box-run") << "#!/bin/sh\n";
    fs::permissions(root_ / "libexec/box-run", fs::perms::owner_all);
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path root_;
};

TEST_F(SystemdVerify, EveryGeneratedUnitIsAcceptedBySystemd) {
  const fs::path analyze = "/usr/bin/systemd-analyze";
  ASSERT_TRUE(fs::exists(analyze))
      << analyze << " is missing: install systemd (build-aux/install-deps)";
  std::string box_unit = read(golden_dir() / "../../../../units/box@.service.in");
  ASSERT_FALSE(box_unit.empty()) << "units/box@.service.in not found";
  replace_all(box_unit, "@BOX_LIBEXEC@", (root_ / "libexec").string());
  std::string pod_unit = read(golden_dir() / "../../../../units/box-pod@.service.in");
  ASSERT_FALSE(pod_unit.empty()) << "units/box-pod@.service.in not found";
  replace_all(pod_unit, "@BOX_LIBEXEC@", (root_ / "libexec").string());

  int verified = 0;
  for (const auto& name : golden_cases()) {
    const fs::path units = root_ / name;
    fs::create_directories(units);
    std::ofstream(units / "box@.service") << box_unit;
    std::ofstream(units / "box-pod@.service") << pod_unit;
    const GeneratorOutput out = plan_output(golden_input(golden_dir() / name));
    auto written = write_output(out, units.string());
    ASSERT_TRUE(written.ok()) << written.error().message();

    std::vector<std::string> argv = {analyze.string(), "--user", "--no-pager", "verify"};
    for (const auto& f : out.files) {
      // "box@x.service.d/50-box.conf" -> the unit "box@x.service" (or box-pod@x)
      const std::string unit = f.path.substr(0, f.path.find(".d/"));
      argv.push_back((units / unit).string());
    }
    if (argv.size() == 4) continue;  // nothing generated (only broken definitions)
    auto r = run(argv,
                 {"PATH=/usr/bin:/bin", "HOME=" + root_.string(),
                  "XDG_RUNTIME_DIR=" + (root_ / "runtime").string(), "SYSTEMD_LOG_LEVEL=notice"},
                 root_ / "verify.log");
    if (name == "cycle") {
      // What the generator's cycle warning is about: systemd agrees.
      EXPECT_NE(r.output.find("Found ordering cycle"), std::string::npos) << r.output;
    } else {
      EXPECT_EQ(r.status, 0) << "case " << name << ":\n" << r.output;
      EXPECT_EQ(r.output, "") << "case " << name;
    }
    verified += static_cast<int>(argv.size()) - 4;
  }
  EXPECT_GT(verified, 20);
}

}  // namespace
}  // namespace box::generator
