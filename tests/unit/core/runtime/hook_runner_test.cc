// run_hook: one OCI hook, run as the caller (no privileges needed): its
// stdin, args, env, exit status and timeout.
#include "core/runtime/hook_runner.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace box {
namespace {

namespace fs = std::filesystem;

class RunHook : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/box-hook-test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string read(const std::string& name) {
    std::ifstream in(dir_ + "/" + name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  ProgramHook sh(const std::string& script) { return {"/bin/sh", {"hook-name", "-c", script}, {}, 0}; }
  std::string dir_;
};

TEST_F(RunHook, TheStateIsOnStdinWithItsOwnArgsAndOnlyItsEnv) {
  ProgramHook hook = sh("cat > " + dir_ + "/in; echo \"$0|$HOOK_A|$HOME\" > " + dir_ + "/args");
  hook.env = {"HOOK_A=a b"};
  ASSERT_TRUE(run_hook(hook, R"({"status": "created"})"));
  EXPECT_EQ(read("in"), R"({"status": "created"})");
  // args[0] is the name it is given; the environment is the hook's alone.
  EXPECT_EQ(read("args"), "hook-name|a b|\n");
}

TEST_F(RunHook, WithoutArgsItsPathIsItsName) {
  const std::string script = dir_ + "/hook";
  {
    std::ofstream out(script);
    out << "#!/bin/sh\necho \"$0\" > " << dir_ << "/name\n";
  }
  fs::permissions(script, fs::perms::owner_all);
  ASSERT_TRUE(run_hook({script, {}, {}, 0}, "{}"));
  EXPECT_EQ(read("name"), script + "\n");
}

TEST_F(RunHook, AFailureNamesThePathTheStatusAndWhatItSaid) {
  auto r = run_hook(sh("echo 'cannot do it' >&2; exit 4"), "{}");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "hook '/bin/sh' exited with status 4: cannot do it");
  auto killed = run_hook(sh("kill -TERM $$"), "{}");
  ASSERT_FALSE(killed);
  EXPECT_EQ(killed.error().message(), "hook '/bin/sh' was killed by signal 15");
  auto missing = run_hook({dir_ + "/nothing", {}, {}, 0}, "{}");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("nothing"), std::string::npos) << missing.error().message();
}

TEST_F(RunHook, AHookThatReadsNoStateStillRunsAndTheCallerGetsNoSigpipe) {
  // More than a pipe's buffer, to a hook that closes its stdin at once.
  const std::string big(1 << 20, 'x');
  ASSERT_TRUE(run_hook(sh("exec 0<&-; echo ran > " + dir_ + "/ran"), big));
  EXPECT_EQ(read("ran"), "ran\n");
}

TEST_F(RunHook, ItsTimeoutKillsItAndWhatItStarted) {
  ProgramHook hook = sh("sleep 100 & echo $! > " + dir_ + "/child; exec sleep 100");
  hook.timeout_seconds = 1;
  const auto before = std::chrono::steady_clock::now();
  auto r = run_hook(hook, "{}");
  const auto took = std::chrono::steady_clock::now() - before;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "hook '/bin/sh' did not end within its timeout of 1 s: killed");
  EXPECT_GE(took, std::chrono::milliseconds(900));
  EXPECT_LT(took, std::chrono::seconds(5));
  // Its process group went with it.
  const pid_t child = std::atoi(read("child").c_str());
  ASSERT_GT(child, 0);
  // Gone, or a zombie waiting for whoever reaps orphans here.
  auto ended = [&] {
    std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
    std::string all((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    return all.empty() || all.find(") Z ") != std::string::npos;
  };
  bool gone = false;
  for (int i = 0; i < 100 && !(gone = ended()); ++i) ::usleep(20000);
  EXPECT_TRUE(gone) << "the hook's own child " << child << " outlived its timeout";
}

}  // namespace
}  // namespace box
