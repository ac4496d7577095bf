// box-oci, the OCI runtime command line, as the unprivileged test user:
// bundles written by the real tools (`runc spec --rootless`, `crun spec
// --rootless`, `box-oci spec --rootless`) around a busybox rootfs, edited
// only where the test's point is the edit.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {

std::string box_oci() { return prefix() + "/bin/box-oci"; }

class OciRuntime : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(getuid(), 0u) << "runs as the unprivileged test user";
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = home() + "/oci-" + info->name();
    fs::remove_all(dir_);
    bundle_ = dir_ + "/bundle";
    state_ = dir_ + "/state";
    make_busybox_rootfs(bundle_ + "/rootfs");
  }
  void TearDown() override {
    // Whatever a test left running goes with its record.
    auto listed = run({box_oci(), "--root", state_, "list", "-q"});
    std::string id;
    for (char c : listed.output) {
      if (c != '\n') {
        id += c;
        continue;
      }
      run({box_oci(), "--root", state_, "delete", "--force", id});
      id.clear();
    }
    fs::remove_all(dir_);
  }

  // `TOOL spec --rootless` in the bundle, then the edit: a Python
  // expression statement on the config `c`.
  void spec(const std::string& tool, const std::string& change) {
    auto made = run({"sh", "-c", "cd '" + bundle_ + "' && " + tool + " spec --rootless"});
    ASSERT_EQ(made.exit_code, 0) << made.output;
    edit(change);
  }
  void edit(const std::string& edit) {
    const std::string script =
        "import json,sys\n"
        "p=sys.argv[1]\n"
        "c=json.load(open(p))\n" +
        edit +
        "\n"
        "json.dump(c,open(p,'w'),indent=1)\n";
    auto edited = run({"python3", "-c", script, bundle_ + "/config.json"});
    ASSERT_EQ(edited.exit_code, 0) << edited.output;
  }
  void spec_args(const std::string& tool, const std::string& shell_script) {
    spec(tool, "c['process']['args']=['sh','-c'," + python_string(shell_script) +
                   "]\nc['process']['terminal']=False");
  }
  static std::string python_string(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
      if (c == '\'' || c == '\\') out += '\\';
      out += c;
    }
    return out + "'";
  }

  // A created container holds its creator's stdout and stderr (they are
  // its own): box-oci writes to a file, read once it has returned.
  CommandResult oci(std::vector<std::string> args,
                    std::chrono::seconds timeout = std::chrono::seconds(60)) {
    const std::string out = dir_ + "/out." + std::to_string(++calls_);
    args.insert(args.begin(),
                {"sh", "-c", "\"$@\" >'" + out + "' 2>&1", "sh", box_oci(), "--root", state_});
    CommandResult r = run(args, timeout);
    r.output = slurp(out);
    return r;
  }
  int calls_ = 0;
  std::string state_of(const std::string& id) { return oci({"state", id}).output; }
  pid_t pid_of(const std::string& id) {
    const std::string s = state_of(id);
    const auto at = s.find("\"pid\": ");
    return at == std::string::npos ? -1 : std::stoi(s.substr(at + 7));
  }

  std::string dir_, bundle_, state_;
};

TEST_F(OciRuntime, RunsARuncRootlessBundleAsTheCallerMappedToRoot) {
  spec_args("runc", "id -u; echo map: $(cat /proc/self/uid_map); echo done");
  auto r = oci({"run", "--bundle", bundle_, "c1"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "0\nmap:")) << r.output;
  // The one id the caller has, mapped to root: no helper, no other id.
  EXPECT_TRUE(contains(r.output, "map: 0 " + std::to_string(getuid()) + " 1\n")) << r.output;
  EXPECT_TRUE(contains(r.output, "done")) << r.output;
  // run deletes the record of the container it waited for.
  EXPECT_NE(oci({"state", "c1"}).exit_code, 0);
}

TEST_F(OciRuntime, RunsCrunAndItsOwnRootlessSpecs) {
  for (const std::string& tool : std::vector<std::string>{"crun", box_oci()}) {
    fs::remove(bundle_ + "/config.json");
    spec_args(tool, "echo from-" + std::string(tool == "crun" ? "crun" : "box") + "-spec");
    auto r = oci({"run", "--bundle", bundle_, "c2"});
    EXPECT_EQ(r.exit_code, 0) << tool << ": " << r.output;
    EXPECT_TRUE(contains(r.output, tool == "crun" ? "from-crun-spec" : "from-box-spec"))
        << r.output;
  }
}

TEST_F(OciRuntime, CreateStopsBeforeTheCommandUntilStart) {
  spec_args("runc", "echo started > /tmp/mark; exec sleep 1000");
  // A read-write root, so the command's mark is seen from outside.
  run({"python3", "-c",
       "import json;p='" + bundle_ +
           "/config.json';c=json.load(open(p));c['root']['readonly']=False;"
           "json.dump(c,open(p,'w'))"});
  auto created = oci({"create", "--bundle", bundle_, "--pid-file", dir_ + "/pid", "c3"});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  EXPECT_TRUE(contains(state_of("c3"), "\"status\": \"created\"")) << state_of("c3");
  const pid_t pid = pid_of("c3");
  ASSERT_GT(pid, 0);
  EXPECT_EQ(slurp(dir_ + "/pid"), std::to_string(pid));
  // It outlived `create`, and has not run its command.
  EXPECT_FALSE(dead(pid));
  EXPECT_FALSE(fs::exists(bundle_ + "/rootfs/tmp/mark"));

  auto started = oci({"start", "c3"});
  ASSERT_EQ(started.exit_code, 0) << started.output;
  EXPECT_TRUE(eventually([&] { return fs::exists(bundle_ + "/rootfs/tmp/mark"); }));
  EXPECT_TRUE(contains(state_of("c3"), "\"status\": \"running\"")) << state_of("c3");
  EXPECT_EQ(pid_of("c3"), pid);
  // A second start is refused: it runs already.
  auto again = oci({"start", "c3"});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_TRUE(contains(again.output, "running")) << again.output;

  // kill by name; the state follows; delete removes the record.
  ASSERT_EQ(oci({"kill", "c3", "SIGKILL"}).exit_code, 0);
  EXPECT_TRUE(eventually([&] { return contains(state_of("c3"), "\"status\": \"stopped\""); }))
      << state_of("c3");
  EXPECT_FALSE(contains(state_of("c3"), "\"pid\"")) << "a stopped container has no pid";
  auto killed_again = oci({"kill", "c3", "KILL"});
  EXPECT_NE(killed_again.exit_code, 0);
  EXPECT_TRUE(contains(killed_again.output, "stopped")) << killed_again.output;
  ASSERT_EQ(oci({"delete", "c3"}).exit_code, 0);
  auto gone = oci({"state", "c3"});
  EXPECT_NE(gone.exit_code, 0);
  EXPECT_TRUE(contains(gone.output, "does not exist")) << gone.output;
  EXPECT_FALSE(fs::exists(state_ + "/c3"));
}

TEST_F(OciRuntime, KillTakesNamesAndNumbersAndAllReachesEveryProcess) {
  spec_args("runc", "trap true USR1; sleep 1000 & sleep 1001 & while :; do wait; done");
  ASSERT_EQ(oci({"run", "--detach", "--bundle", bundle_, "c4"}).exit_code, 0);
  const pid_t pid = pid_of("c4");
  ASSERT_GT(pid, 0);
  // Numbers and names, with and without SIG.
  EXPECT_EQ(oci({"kill", "c4", "10"}).exit_code, 0);
  EXPECT_EQ(oci({"kill", "c4", "USR1"}).exit_code, 0);
  EXPECT_FALSE(dead(pid));
  auto bad = oci({"kill", "c4", "SIGNOPE"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_TRUE(contains(bad.output, "unknown signal 'SIGNOPE'")) << bad.output;
  std::set<pid_t> sleepers;
  ASSERT_TRUE(eventually([&] {
    sleepers = children_named(pid, {"sleep"});
    return sleepers.size() == 2;
  }));
  // --all: the sleepers too, not only PID 1 (which ignores nothing here but
  // would leave its children to be killed with the namespace).
  ASSERT_EQ(oci({"kill", "--all", "c4", "STOP"}).exit_code, 0);
  for (pid_t p : sleepers) {
    EXPECT_TRUE(eventually([&] {
      return status_field(slurp("/proc/" + std::to_string(p) + "/status"), "State").rfind("T", 0) ==
             0;
    })) << "pid "
        << p << " was not stopped";
  }
  ASSERT_EQ(oci({"kill", "--all", "c4", "KILL"}).exit_code, 0);
  EXPECT_TRUE(eventually([&] { return dead(pid); }));
}

TEST_F(OciRuntime, DeleteRefusesARunningContainerUnlessForced) {
  spec_args("runc", "exec sleep 1000");
  ASSERT_EQ(oci({"run", "-d", "--bundle", bundle_, "c5"}).exit_code, 0);
  const pid_t pid = pid_of("c5");
  auto refused = oci({"delete", "c5"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_TRUE(contains(refused.output, "is running")) << refused.output;
  EXPECT_FALSE(dead(pid));
  ASSERT_EQ(oci({"delete", "--force", "c5"}).exit_code, 0);
  EXPECT_TRUE(dead(pid));
  EXPECT_NE(oci({"delete", "c5"}).exit_code, 0) << "it does not exist any more";
  EXPECT_EQ(oci({"delete", "--force", "c5"}).exit_code, 0) << "--force: nothing to do is fine";
}

TEST_F(OciRuntime, ListShowsEachContainerAsTableAndJson) {
  spec_args("runc", "exec sleep 1000");
  ASSERT_EQ(oci({"create", "--bundle", bundle_, "la"}).exit_code, 0);
  ASSERT_EQ(oci({"run", "-d", "--bundle", bundle_, "lb"}).exit_code, 0);
  auto table = oci({"list"});
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_TRUE(contains(table.output, "la\t")) << table.output;
  EXPECT_TRUE(contains(table.output, "\tcreated\t")) << table.output;
  EXPECT_TRUE(contains(table.output, "\trunning\t")) << table.output;
  auto json = oci({"list", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0);
  EXPECT_TRUE(contains(json.output, "\"id\":\"lb\"")) << json.output;
  EXPECT_TRUE(contains(json.output, "\"status\":\"running\"")) << json.output;
  EXPECT_EQ(oci({"list", "-q"}).output, "la\nlb\n");
}

TEST_F(OciRuntime, RunReturnsTheExitStatusAndForwardsSignals) {
  spec_args("runc", "exit 7");
  EXPECT_EQ(oci({"run", "--bundle", bundle_, "c6"}).exit_code, 7);
  fs::remove(bundle_ + "/config.json");
  spec_args("runc",
            "trap 'echo caught-term; exit 42' TERM; echo ready; while :; do sleep 0.1; done");
  Background b({box_oci(), "--root", state_, "run", "--bundle", bundle_, "c7"}, dir_ + "/run.out");
  ASSERT_TRUE(eventually([&] { return contains(b.output(), "ready"); })) << b.output();
  ::kill(b.pid(), SIGTERM);
  EXPECT_EQ(b.wait(std::chrono::seconds(20)), 42) << b.output();
  EXPECT_TRUE(contains(b.output(), "caught-term")) << b.output();
}

TEST_F(OciRuntime, PreserveFdsPassesDescriptorsAndNoOthers) {
  spec_args("runc",
            "cat <&3; if [ -e /proc/$$/fd/4 ]; then echo fd4-leaked; else echo fd4-closed; fi");
  // fd 3 a file for the container, fd 4 one it must not get.
  write_file(dir_ + "/passed", "through-fd-3\n");
  const std::string cmd = "exec 3<'" + dir_ + "/passed' 4<'" + dir_ + "/passed'; exec '" +
                          box_oci() + "' --root '" + state_ + "' run --preserve-fds 1 --bundle '" +
                          bundle_ + "' c8";
  auto r = run({"sh", "-c", cmd});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "through-fd-3")) << r.output;
  EXPECT_TRUE(contains(r.output, "fd4-closed")) << r.output;
}

TEST_F(OciRuntime, TheConfigsSeccompProfileIsLoaded) {
  // mkdir fails with the errno the profile gives; everything else runs.
  spec("runc",
       "c['process']['args']=['sh','-c','mkdir /tmp/x; echo after']\n"
       "c['process']['terminal']=False\n"
       "c['root']['readonly']=False\n"
       "c['linux']['seccomp']={'defaultAction':'SCMP_ACT_ALLOW','architectures':['SCMP_ARCH_X86_64'"
       "],"
       "'syscalls':[{'names':['mkdir','mkdirat'],'action':'SCMP_ACT_ERRNO','errnoRet':1}]}");
  auto r = oci({"run", "--bundle", bundle_, "c9"});
  EXPECT_TRUE(contains(r.output, "Operation not permitted")) << r.output;
  EXPECT_TRUE(contains(r.output, "after")) << r.output;
  EXPECT_FALSE(fs::exists(bundle_ + "/rootfs/tmp/x"));
}

TEST_F(OciRuntime, BadInputGetsAPreciseErrorAndChangesNothing) {
  spec_args("runc", "true");
  ASSERT_EQ(oci({"create", "--bundle", bundle_, "dup"}).exit_code, 0);
  const pid_t pid = pid_of("dup");
  auto dup = oci({"create", "--bundle", bundle_, "dup"});
  EXPECT_NE(dup.exit_code, 0);
  EXPECT_TRUE(contains(dup.output, "container 'dup' already exists")) << dup.output;
  EXPECT_EQ(pid_of("dup"), pid) << "the first one's record is untouched";

  auto bad_id = oci({"create", "--bundle", bundle_, "../escape"});
  EXPECT_NE(bad_id.exit_code, 0);
  EXPECT_TRUE(contains(bad_id.output, "invalid container id '../escape'")) << bad_id.output;
  EXPECT_FALSE(fs::exists(dir_ + "/escape"));

  fs::remove(bundle_ + "/config.json");
  spec("runc", "c['process']['args']=['sh',5]");
  auto bad_field = oci({"create", "--bundle", bundle_, "c10"});
  EXPECT_NE(bad_field.exit_code, 0);
  EXPECT_TRUE(contains(bad_field.output, "'process.args[1]': expected a string"))
      << bad_field.output;
  EXPECT_FALSE(fs::exists(state_ + "/c10"));

  fs::remove(bundle_ + "/config.json");
  spec("runc", "c['process']['args']=['/no/such/program']\nc['process']['terminal']=False");
  auto missing = oci({"create", "--bundle", bundle_, "c11"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_TRUE(contains(missing.output, "execute '/no/such/program'")) << missing.output;
  EXPECT_FALSE(fs::exists(state_ + "/c11")) << "a failed create leaves no record";

  // A wider map than the caller's own ids needs privileges it lacks.
  fs::remove(bundle_ + "/config.json");
  spec("runc", "c['linux']['uidMappings'][0]['size']=2\nc['process']['terminal']=False");
  auto wide = oci({"create", "--bundle", bundle_, "c12"});
  EXPECT_NE(wide.exit_code, 0);
  EXPECT_TRUE(contains(wide.output, "without privileges box maps only the caller's own ids"))
      << wide.output;

  // --log-format json: the error as one JSON line in the log file.
  auto logged = oci({"--log", dir_ + "/log.json", "--log-format", "json", "state", "nope"});
  EXPECT_NE(logged.exit_code, 0);
  EXPECT_TRUE(contains(slurp(dir_ + "/log.json"), "\"level\":\"error\""))
      << slurp(dir_ + "/log.json");
  EXPECT_TRUE(contains(slurp(dir_ + "/log.json"), "container 'nope' does not exist"));
}

TEST_F(OciRuntime, SpecRefusesToOverwriteAndFeaturesSaysWhatIsHonoured) {
  spec_args("runc", "true");
  const std::string before = slurp(bundle_ + "/config.json");
  auto again = run({"sh", "-c", "cd '" + bundle_ + "' && '" + box_oci() + "' spec"});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_TRUE(contains(again.output, "exists")) << again.output;
  EXPECT_EQ(slurp(bundle_ + "/config.json"), before);
  auto f = run({box_oci(), "features"});
  ASSERT_EQ(f.exit_code, 0);
  for (const char* want : {"\"ociVersionMax\"", "\"user\"", "\"rbind\"", "\"CAP_SYS_ADMIN\""})
    EXPECT_TRUE(contains(f.output, want)) << want << "\n" << f.output;
}

TEST_F(OciRuntime, ExecRunsAProcessInTheRunningContainer) {
  spec_args("runc", "echo pid1 > /dev/null; exec sleep 1000");
  edit("c['process']['env'].append('FROM_CONFIG=yes')");
  ASSERT_EQ(oci({"run", "-d", "--bundle", bundle_, "e1"}).exit_code, 0);
  // Its namespaces and root, its config's environment with the command
  // line's over it, the exit status passed through.
  auto r = oci({"exec", "--env", "EXTRA=1", "--cwd", "/tmp", "e1", "sh", "-c",
                "echo ns $(readlink /proc/self/ns/pid) pid1 $(cat /proc/1/cmdline | tr '\\0' ' '); "
                "echo env $FROM_CONFIG $EXTRA; pwd; exit 3"});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  const pid_t pid1 = pid_of("e1");
  char container_ns[64] = {};
  ASSERT_GT(readlink(("/proc/" + std::to_string(pid1) + "/ns/pid").c_str(), container_ns,
                     sizeof container_ns - 1),
            0);
  EXPECT_TRUE(contains(r.output, std::string("ns ") + container_ns + " pid1 sleep 1000"))
      << r.output;
  EXPECT_TRUE(contains(r.output, "env yes 1\n/tmp\n")) << r.output;

  // --process FILE, as containerd and podman call it.
  write_file(dir_ + "/process.json",
             "{\"args\":[\"sh\",\"-c\",\"echo from-file $A; exit 5\"],\"env\":[\"A=b\"],"
             "\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}}");
  auto f = oci({"exec", "--process", dir_ + "/process.json", "e1"});
  EXPECT_EQ(f.exit_code, 5) << f.output;
  EXPECT_TRUE(contains(f.output, "from-file b")) << f.output;

  // --detach: returns at once; the process runs on in the container.
  auto d = oci({"exec", "-d", "--pid-file", dir_ + "/exec.pid", "e1", "sleep", "1001"});
  ASSERT_EQ(d.exit_code, 0) << d.output;
  const pid_t detached = std::stoi(slurp(dir_ + "/exec.pid"));
  EXPECT_FALSE(dead(detached));
  char its_ns[64] = {};
  ASSERT_GT(readlink(("/proc/" + std::to_string(detached) + "/ns/pid").c_str(), its_ns,
                     sizeof its_ns - 1),
            0);
  EXPECT_STREQ(its_ns, container_ns);
  // It ends with the container.
  ASSERT_EQ(oci({"delete", "--force", "e1"}).exit_code, 0);
  EXPECT_TRUE(eventually([&] { return dead(detached); }));
}

TEST_F(OciRuntime, ExecPreserveFdsPassesDescriptorsAndNoOthers) {
  spec_args("runc", "exec sleep 1000");
  ASSERT_EQ(oci({"run", "-d", "--bundle", bundle_, "e3"}).exit_code, 0);
  write_file(dir_ + "/passed", "exec-through-fd-3\n");
  const std::string cmd =
      "exec 3<'" + dir_ + "/passed' 4<'" + dir_ + "/passed'; exec '" + box_oci() + "' --root '" +
      state_ +
      "' exec --preserve-fds 1 e3 sh -c "
      "'cat <&3; if [ -e /proc/$$/fd/4 ]; then echo fd4-leaked; else echo fd4-closed; fi'";
  auto r = run({"sh", "-c", cmd});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "exec-through-fd-3")) << r.output;
  EXPECT_TRUE(contains(r.output, "fd4-closed")) << r.output;
  // Without it, fd 3 is not the command's either.
  const std::string without = "exec 3<'" + dir_ + "/passed'; exec '" + box_oci() + "' --root '" +
                              state_ +
                              "' exec e3 sh -c '[ -e /proc/$$/fd/3 ] && echo fd3-leaked; true'";
  auto w = run({"sh", "-c", without});
  EXPECT_EQ(w.exit_code, 0) << w.output;
  EXPECT_FALSE(contains(w.output, "fd3-leaked")) << w.output;
  ASSERT_EQ(oci({"delete", "--force", "e3"}).exit_code, 0);
}

TEST_F(OciRuntime, ExecRefusesWhatItCannotDoPrecisely) {
  spec_args("runc", "exec sleep 1000");
  ASSERT_EQ(oci({"run", "-d", "--bundle", bundle_, "e2"}).exit_code, 0);
  auto unmapped = oci({"exec", "--user", "5", "e2", "id"});
  EXPECT_EQ(unmapped.exit_code, 125);
  EXPECT_TRUE(contains(unmapped.output, "'process.user.uid': 5 is not mapped")) << unmapped.output;
  auto missing = oci({"exec", "e2", "/no/such"});
  EXPECT_EQ(missing.exit_code, 127) << missing.output;
  auto nothing = oci({"exec", "e2"});
  EXPECT_NE(nothing.exit_code, 0);
  EXPECT_TRUE(contains(nothing.output, "give the command to run")) << nothing.output;
  ASSERT_EQ(oci({"kill", "e2", "KILL"}).exit_code, 0);
  ASSERT_TRUE(eventually([&] { return contains(state_of("e2"), "stopped"); }));
  auto stopped = oci({"exec", "e2", "true"});
  EXPECT_NE(stopped.exit_code, 0);
  EXPECT_TRUE(contains(stopped.output, "it is stopped")) << stopped.output;
}

// The effective capability set of the process that ran `grep CapEff`.
std::uint64_t cap_eff(const std::string& output) {
  const auto at = output.find("CapEff:");
  return at == std::string::npos ? ~0ull : std::stoull(output.substr(at + 7), nullptr, 16);
}

TEST_F(OciRuntime, ExecCapAndUserSetThatProcessOnly) {
  spec_args("runc", "exec sleep 1000");
  ASSERT_EQ(oci({"run", "-d", "--bundle", bundle_, "e4"}).exit_code, 0);
  // CAP_NET_RAW (bit 13) is not in runc's rootless set: --cap gives it to
  // the exec'd process, not to the container.
  constexpr std::uint64_t kNetRaw = 1ull << 13;
  auto with = oci({"exec", "--cap", "CAP_NET_RAW", "e4", "grep", "CapEff", "/proc/self/status"});
  ASSERT_EQ(with.exit_code, 0) << with.output;
  EXPECT_NE(cap_eff(with.output) & kNetRaw, 0u) << with.output;
  auto without = oci({"exec", "e4", "grep", "CapEff", "/proc/self/status"});
  ASSERT_EQ(without.exit_code, 0) << without.output;
  EXPECT_EQ(cap_eff(without.output) & kNetRaw, 0u) << without.output;
  auto pid1 = oci({"exec", "e4", "grep", "CapEff", "/proc/1/status"});
  EXPECT_EQ(cap_eff(pid1.output) & kNetRaw, 0u) << pid1.output;
  auto unknown = oci({"exec", "--cap", "CAP_NO_SUCH", "e4", "true"});
  EXPECT_EQ(unknown.exit_code, 125);
  EXPECT_TRUE(contains(unknown.output, "--cap 'CAP_NO_SUCH': unknown capability"))
      << unknown.output;
  // --user UID:GID of the map (runc's rootless map has 0 only).
  auto user = oci({"exec", "--user", "0:0", "e4", "sh", "-c", "echo $(id -u):$(id -g)"});
  EXPECT_EQ(user.exit_code, 0) << user.output;
  EXPECT_TRUE(contains(user.output, "0:0\n")) << user.output;
}

TEST_F(OciRuntime, DebugLogsAndRootlessIsReadLikeRuncs) {
  spec_args("runc", "exit 0");
  const std::string log = dir_ + "/log.json";
  // --debug adds debug lines to the log; without it, the same run has none.
  auto quiet = oci({"--log", log, "--log-format", "json", "run", "--bundle", bundle_, "q1"});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.output;
  EXPECT_FALSE(contains(slurp(log), "\"level\":\"debug\"")) << slurp(log);
  auto loud = oci({"--debug", "--log", log, "--log-format", "json", "--rootless", "true", "run",
                   "--bundle", bundle_, "d1"});
  ASSERT_EQ(loud.exit_code, 0) << loud.output;
  EXPECT_TRUE(contains(slurp(log), "\"level\":\"debug\",\"msg\":\"created container 'd1' with pid"))
      << slurp(log);
  // --rootless takes runc's words only.
  auto bad = oci({"--rootless", "perhaps", "list"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_TRUE(contains(bad.output, "--rootless")) << bad.output;
}

TEST_F(OciRuntime, ConcurrentCallsLeaveOneRecordPerIdAndNothingHalfMade) {
  spec_args("runc", "exec sleep 1000");
  // Eight creates of one id at once: one container, seven refusals.
  const std::string many =
      "for i in 1 2 3 4 5 6 7 8; do (\"$@\" >\"$0.$i\" 2>&1; echo $? >\"$0.$i.rc\") & done; wait";
  auto same = run({"sh", "-c", many, dir_ + "/same", box_oci(), "--root", state_, "create",
                   "--bundle", bundle_, "one"});
  ASSERT_EQ(same.exit_code, 0) << same.output;
  int won = 0;
  for (int i = 1; i <= 8; ++i) {
    const std::string rc = slurp(dir_ + "/same." + std::to_string(i) + ".rc");
    if (rc == "0\n") {
      ++won;
    } else {
      EXPECT_TRUE(
          contains(slurp(dir_ + "/same." + std::to_string(i)), "container 'one' already exists"))
          << slurp(dir_ + "/same." + std::to_string(i));
    }
  }
  EXPECT_EQ(won, 1);
  EXPECT_EQ(oci({"list", "-q"}).output, "one\n");
  EXPECT_TRUE(contains(state_of("one"), "\"status\": \"created\"")) << state_of("one");
  const pid_t pid = pid_of("one");
  // Eight deletes of it at once: it is gone, with its process, and every
  // call either removed it or found it gone.
  auto gone = run(
      {"sh", "-c", many, dir_ + "/gone", box_oci(), "--root", state_, "delete", "--force", "one"});
  ASSERT_EQ(gone.exit_code, 0) << gone.output;
  for (int i = 1; i <= 8; ++i) {
    const std::string out = slurp(dir_ + "/gone." + std::to_string(i));
    EXPECT_TRUE(slurp(dir_ + "/gone." + std::to_string(i) + ".rc") == "0\n" ||
                contains(out, "container 'one' does not exist"))
        << out;
  }
  EXPECT_EQ(oci({"list", "-q"}).output, "");
  EXPECT_TRUE(eventually([&] { return dead(pid); }));
}

TEST_F(OciRuntime, CheckpointSaysWhyCriuCannotAndChangesNothing) {
  spec_args("runc", "exec sleep 1000");
  ASSERT_EQ(oci({"run", "-d", "--bundle", bundle_, "k1"}).exit_code, 0);
  const pid_t pid = pid_of("k1");
  auto c = oci({"checkpoint", "--image-path", dir_ + "/img", "k1"});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_TRUE(contains(c.output, "checkpoint: CRIU needs root here")) << c.output;
  EXPECT_FALSE(fs::exists(dir_ + "/img"));
  EXPECT_TRUE(contains(state_of("k1"), "\"status\": \"running\""));
  EXPECT_EQ(pid_of("k1"), pid);
  auto r = oci({"restore", "--image-path", dir_ + "/img", "k2"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.output, "restore: CRIU needs root here")) << r.output;
}

}  // namespace
}  // namespace box::testing
