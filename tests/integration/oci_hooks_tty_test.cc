// box-oci's hooks and terminal, as the unprivileged test user: bundles from
// `runc spec --rootless` around a busybox rootfs, the hooks and the
// terminal set in them; hooks write what they read to files the test reads.
#include <signal.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {

std::string box_oci() { return prefix() + "/bin/box-oci"; }

class OciBundle : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(getuid(), 0u) << "runs as the unprivileged test user";
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = home() + "/oci-" + info->test_suite_name() + "-" + info->name();
    fs::remove_all(dir_);
    bundle_ = dir_ + "/bundle";
    state_ = dir_ + "/state";
    out_ = dir_ + "/hooks";
    fs::create_directories(out_);
    make_busybox_rootfs(bundle_ + "/rootfs");
    for (const char* applet : {"tty", "stty", "false"})
      fs::create_symlink("busybox", bundle_ + "/rootfs/bin/" + applet);
    auto made = run({"sh", "-c", "cd '" + bundle_ + "' && runc spec --rootless"});
    ASSERT_EQ(made.exit_code, 0) << made.output;
  }
  void TearDown() override {
    for (const auto& id : {"h1", "h2", "h3", "h4", "t1", "t2", "t3", "t4"})
      run({box_oci(), "--root", state_, "delete", "--force", id});
    fs::remove_all(dir_);
  }

  // Python statements on the config `c`; `out` is the host's hooks dir.
  void edit(const std::string& statements) {
    const std::string script = "import json,sys\np=sys.argv[1]\nout=sys.argv[2]\n"
                               "c=json.load(open(p))\n" +
                               statements + "\njson.dump(c,open(p,'w'),indent=1)\n";
    auto edited = run({"python3", "-c", script, bundle_ + "/config.json", out_});
    ASSERT_EQ(edited.exit_code, 0) << edited.output;
  }

  // box-oci with stdout and stderr to a file (a created container keeps
  // its creator's), read once it has returned.
  CommandResult oci(std::vector<std::string> args, const std::string& input = "") {
    const std::string out = dir_ + "/out." + std::to_string(++calls_);
    std::string redirect = "\"$@\" >'" + out + "' 2>&1";
    if (!input.empty()) redirect = "printf '%s' \"$IN\" | " + redirect;
    args.insert(args.begin(), {"env", "IN=" + input, "sh", "-c", redirect, "sh", box_oci(),
                               "--root", state_});
    CommandResult r = run(args, std::chrono::seconds(60));
    r.output = slurp(out);
    return r;
  }
  std::string state_of(const std::string& id) { return oci({"state", id}).output; }
  pid_t pid_of(const std::string& id) {
    const std::string s = state_of(id);
    const auto at = s.find("\"pid\": ");
    return at == std::string::npos ? -1 : std::stoi(s.substr(at + 7));
  }

  std::string dir_, bundle_, state_, out_;
  int calls_ = 0;
};

using OciHooks = OciBundle;
using OciTerminal = OciBundle;

// One hook of each kind: each writes its stdin to out/NAME.json and its
// name and $HOOK to out/order. createContainer runs before pivot_root (the
// host's paths), startContainer inside (the hooks dir bound at /hooks).
constexpr const char* kEveryHook = R"(
def hook(name, path, where):
  return {'path': path, 'args': ['sh', '-c', 'cat > %s/%s.json; echo %s:$HOOK >> %s/order' % (where, name, name, where)],
          'env': ['HOOK=' + name + '-env']}
c['hooks'] = {
  'prestart': [hook('prestart', '/bin/sh', out)],
  'createRuntime': [hook('createRuntime', '/bin/sh', out)],
  'createContainer': [hook('createContainer', '/bin/sh', out)],
  'startContainer': [hook('startContainer', '/bin/sh', '/hooks')],
  'poststart': [hook('poststart', '/bin/sh', out)],
  'poststop': [hook('poststop', '/bin/sh', out)],
}
c['mounts'].append({'destination': '/hooks', 'type': 'bind', 'source': out, 'options': ['rbind', 'rw']})
c['annotations'] = {'org.example.hook': 'seen'}
c['process']['terminal'] = False
c['process']['args'] = ['sh', '-c', 'echo process: >> /hooks/order; exec sleep 1000']
)";

TEST_F(OciHooks, EachHookReadsTheStateAtItsPointInOrder) {
  const std::string features = oci({"features"}).output;
  EXPECT_TRUE(contains(features, "\"createContainer\",")) << features;
  edit(kEveryHook);
  auto created = oci({"create", "--bundle", bundle_, "h1"});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  const pid_t pid = pid_of("h1");
  ASSERT_GT(pid, 0);
  // create ran the three creation hooks, in the spec's order, with their
  // own env and nothing else of ours.
  EXPECT_EQ(slurp(out_ + "/order"),
            "prestart:prestart-env\ncreateRuntime:createRuntime-env\n"
            "createContainer:createContainer-env\n");
  for (const char* name : {"prestart", "createRuntime", "createContainer"}) {
    const std::string state = slurp(out_ + "/" + name + ".json");
    EXPECT_TRUE(contains(state, "\"id\": \"h1\"")) << name << ": " << state;
    EXPECT_TRUE(contains(state, "\"status\": \"created\"")) << name << ": " << state;
    EXPECT_TRUE(contains(state, "\"pid\": " + std::to_string(pid) + ",")) << name << ": " << state;
    EXPECT_TRUE(contains(state, "\"bundle\": \"" + bundle_ + "\"")) << name << ": " << state;
    EXPECT_TRUE(contains(state, "\"org.example.hook\": \"seen\"")) << name << ": " << state;
  }

  ASSERT_EQ(oci({"start", "h1"}).exit_code, 0);
  // startContainer before the command; poststart once it runs (and, start
  // having waited for its exec, after the startContainer hook).
  EXPECT_TRUE(eventually([&] { return contains(slurp(out_ + "/order"), "process:\n"); }));
  const std::string order = slurp(out_ + "/order");
  EXPECT_LT(order.find("startContainer:startContainer-env\n"), order.find("process:\n")) << order;
  EXPECT_LT(order.find("startContainer:"), order.find("poststart:poststart-env\n")) << order;
  const std::string started = slurp(out_ + "/startContainer.json");
  EXPECT_TRUE(contains(started, "\"pid\": " + std::to_string(pid) + ",")) << started;
  const std::string poststart = slurp(out_ + "/poststart.json");
  EXPECT_TRUE(contains(poststart, "\"status\": \"running\"")) << poststart;

  ASSERT_EQ(oci({"kill", "h1", "KILL"}).exit_code, 0);
  ASSERT_TRUE(eventually([&] { return dead(pid); }));
  EXPECT_FALSE(fs::exists(out_ + "/poststop.json")) << "poststop runs at delete, not before";
  ASSERT_EQ(oci({"delete", "h1"}).exit_code, 0);
  const std::string poststop = slurp(out_ + "/poststop.json");
  EXPECT_TRUE(contains(poststop, "\"status\": \"stopped\"")) << poststop;
  EXPECT_TRUE(contains(poststop, "\"id\": \"h1\"")) << poststop;
  const std::string last = "\npoststop:poststop-env\n";
  const std::string all = slurp(out_ + "/order");
  EXPECT_EQ(all.rfind(last), all.size() - last.size()) << all;
}

TEST_F(OciHooks, AFailingPrestartFailsCreateKillsTheContainerAndRemovesTheRecord) {
  edit(R"(
c['hooks'] = {'prestart': [{'path': '/bin/sh', 'args': ['sh', '-c', 'cat > %s/pid.json; echo no such luck >&2; exit 3' % out]}],
              'poststop': [{'path': '/bin/sh', 'args': ['sh', '-c', 'cat > %s/poststop.json' % out]}]}
c['process']['terminal'] = False
c['process']['args'] = ['sh', '-c', 'touch /ran']
c['root']['readonly'] = False
)");
  auto created = oci({"create", "--bundle", bundle_, "h2"});
  EXPECT_NE(created.exit_code, 0);
  EXPECT_TRUE(contains(created.output, "prestart hook '/bin/sh' exited with status 3: no such luck"))
      << created.output;
  // The container it had made is gone, and no record names it.
  const std::string state = slurp(out_ + "/pid.json");
  const auto at = state.find("\"pid\": ");
  ASSERT_NE(at, std::string::npos) << state;
  EXPECT_TRUE(eventually([&] { return dead(std::stoi(state.substr(at + 7))); }));
  EXPECT_NE(oci({"state", "h2"}).exit_code, 0);
  EXPECT_EQ(oci({"list", "-q"}).output, "");
  EXPECT_FALSE(fs::exists(state_ + "/h2"));
  EXPECT_FALSE(fs::exists(bundle_ + "/rootfs/ran"));
  // The lifecycle went on to its end: poststop ran.
  EXPECT_TRUE(contains(slurp(out_ + "/poststop.json"), "\"status\": \"stopped\""));
}

TEST_F(OciHooks, AHookThatOutlivesItsTimeoutIsKilled) {
  edit(R"(
c['hooks'] = {'createRuntime': [{'path': '/bin/sh', 'timeout': 1,
    'args': ['sh', '-c', 'echo $$ > %s/hook.pid; exec sleep 100' % out]}]}
c['process']['terminal'] = False
)");
  const auto before = std::chrono::steady_clock::now();
  auto created = oci({"create", "--bundle", bundle_, "h3"});
  const auto took = std::chrono::steady_clock::now() - before;
  EXPECT_NE(created.exit_code, 0);
  EXPECT_TRUE(contains(created.output, "createRuntime hook '/bin/sh' did not end within its timeout of 1 s"))
      << created.output;
  EXPECT_LT(took, std::chrono::seconds(10));
  const std::string hook_pid = slurp(out_ + "/hook.pid");
  ASSERT_FALSE(hook_pid.empty());
  EXPECT_TRUE(eventually([&] { return dead(std::stoi(hook_pid)); }));
  EXPECT_NE(oci({"state", "h3"}).exit_code, 0);
}

// A create killed before it saved its record (a crash, SIGKILL from a
// shim's timeout) leaves a directory behind; while the create runs the id
// is taken, and once its creator is dead the id is free again.
TEST_F(OciHooks, ACreateKilledBeforeItsRecordLeavesTheIdFree) {
  edit(R"(
c['hooks'] = {'createRuntime': [{'path': '/bin/sh',
    'args': ['sh', '-c', 'echo $$ > %s/hook.pid; exec sleep 100' % out]}]}
c['process']['terminal'] = False
)");
  Background creator({box_oci(), "--root", state_, "create", "--bundle", bundle_, "h1"},
                     dir_ + "/creator.out");
  ASSERT_TRUE(eventually([&] { return !slurp(out_ + "/hook.pid").empty(); })) << creator.output();
  auto taken = oci({"create", "--bundle", bundle_, "h1"});
  EXPECT_NE(taken.exit_code, 0);
  EXPECT_TRUE(contains(taken.output, "container 'h1' already exists")) << taken.output;

  ASSERT_EQ(::kill(creator.pid(), SIGKILL), 0);
  EXPECT_EQ(creator.wait(), 128 + SIGKILL);
  ::kill(std::stoi(slurp(out_ + "/hook.pid")), SIGKILL);
  EXPECT_TRUE(fs::exists(state_ + "/h1")) << "the dead create left nothing to reclaim";
  EXPECT_FALSE(contains(oci({"list", "--quiet"}).output, "h1"));

  edit("del c['hooks']");
  auto again = oci({"create", "--bundle", bundle_, "h1"});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_TRUE(contains(state_of("h1"), "\"status\": \"created\"")) << state_of("h1");
  EXPECT_EQ(oci({"list", "--quiet"}).output, "h1\n");
}

TEST_F(OciHooks, AFailingStartContainerHookFailsStartAndAFailingPoststartWarns) {
  edit(R"(
c['hooks'] = {'startContainer': [{'path': '/bin/false'}]}
c['process']['terminal'] = False
c['process']['args'] = ['sh', '-c', 'touch /ran']
c['root']['readonly'] = False
)");
  ASSERT_EQ(oci({"create", "--bundle", bundle_, "h4"}).exit_code, 0);
  const pid_t pid = pid_of("h4");
  auto started = oci({"start", "h4"});
  EXPECT_NE(started.exit_code, 0);
  EXPECT_TRUE(contains(started.output, "startContainer hook '/bin/false' exited with status 1"))
      << started.output;
  EXPECT_TRUE(eventually([&] { return dead(pid); }));
  EXPECT_TRUE(contains(state_of("h4"), "\"status\": \"stopped\"")) << state_of("h4");
  EXPECT_FALSE(fs::exists(bundle_ + "/rootfs/ran"));
  ASSERT_EQ(oci({"delete", "h4"}).exit_code, 0);

  // poststart failing: a warning; the container runs on.
  edit(R"(
c['hooks'] = {'poststart': [{'path': '/bin/false'}, {'path': '/bin/sh', 'args': ['sh', '-c', 'touch %s/second' % out]}]}
c['process']['args'] = ['sleep', '1000']
)");
  ASSERT_EQ(oci({"create", "--bundle", bundle_, "h4"}).exit_code, 0);
  auto warned = oci({"start", "h4"});
  EXPECT_EQ(warned.exit_code, 0) << warned.output;
  EXPECT_TRUE(contains(warned.output, "warning: poststart hook '/bin/false' exited with status 1"))
      << warned.output;
  EXPECT_TRUE(fs::exists(out_ + "/second")) << "the hooks after a failed one still run";
  EXPECT_TRUE(contains(state_of("h4"), "\"status\": \"running\"")) << state_of("h4");
}

// A console-socket receiver as podman's conmon is one: it takes the master
// the runtime sends (SCM_RIGHTS), types into it and keeps what comes back.
constexpr const char* kReceiver = R"(
import socket, sys, os, select, time
path, out, typed = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(1)
c, _ = s.accept()
msg, fds, flags, addr = socket.recv_fds(c, 4096, 1)
m = fds[0]
os.write(m, typed.encode())
data = b''
end = time.time() + 30
while time.time() < end:
    r, _, _ = select.select([m], [], [], 1)
    if not r:
        continue
    try:
        chunk = os.read(m, 4096)
    except OSError:
        break
    if not chunk:
        break
    data += chunk
open(out, 'wb').write(data)
)";

TEST_F(OciTerminal, TheConsoleSocketGetsTheMasterOfTheContainersOwnPty) {
  edit(R"(
c['process']['terminal'] = True
c['process']['args'] = ['sh']
c['process']['consoleSize'] = {'height': 33, 'width': 101}
)");
  const std::string sock = dir_ + "/console.sock";
  PipedProcess receiver({"python3", "-c", kReceiver, sock, dir_ + "/typed-out",
                         "tty; stty size; [ /dev/console -ef /dev/pts/0 ] && echo console-is-pts0; "
                         "echo done-$((40+2)); exit\n"});
  ASSERT_TRUE(eventually([&] { return fs::exists(sock); }));
  auto created = oci({"create", "--console-socket", sock, "--bundle", bundle_, "t1"});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  ASSERT_EQ(oci({"start", "t1"}).exit_code, 0);
  EXPECT_EQ(receiver.wait(), 0) << receiver.output();
  const std::string seen = slurp(dir_ + "/typed-out");
  // The shell's own terminal is pty 0 of the container's devpts (not one of
  // the host's), with the config's size, and /dev/console is it.
  EXPECT_TRUE(contains(seen, "\n/dev/pts/0\r\n")) << seen;
  EXPECT_TRUE(contains(seen, "\n33 101\r\n")) << seen;
  EXPECT_TRUE(contains(seen, "\nconsole-is-pts0\r\n")) << seen;
  EXPECT_TRUE(contains(seen, "\ndone-42\r\n")) << seen;
}

TEST_F(OciTerminal, RunInTheForegroundRelaysTheTerminalToItsOwnStdio) {
  edit("c['process']['terminal'] = True\nc['process']['args'] = ['sh']");
  auto r = oci({"run", "--bundle", bundle_, "t2"}, "tty; echo fg-$((1+1)); exit 7\n");
  EXPECT_EQ(r.exit_code, 7) << r.output;
  EXPECT_TRUE(contains(r.output, "\n/dev/pts/0\r\n")) << r.output;
  EXPECT_TRUE(contains(r.output, "\nfg-2\r\n")) << r.output;
  EXPECT_NE(oci({"state", "t2"}).exit_code, 0);
}

TEST_F(OciTerminal, ATerminalNeedsAConsoleSocketToDetachAndASocketNeedsATerminal) {
  edit("c['process']['terminal'] = True");
  auto detached = oci({"create", "--bundle", bundle_, "t3"});
  EXPECT_NE(detached.exit_code, 0);
  EXPECT_TRUE(contains(detached.output, "'process.terminal' is true: give --console-socket PATH"))
      << detached.output;
  EXPECT_NE(oci({"run", "-d", "--bundle", bundle_, "t3"}).exit_code, 0);
  edit("c['process']['terminal'] = False");
  auto no_tty = oci({"create", "--console-socket", dir_ + "/none.sock", "--bundle", bundle_, "t3"});
  EXPECT_NE(no_tty.exit_code, 0);
  EXPECT_TRUE(contains(no_tty.output, "has no 'process.terminal' to send there")) << no_tty.output;
  EXPECT_EQ(oci({"list", "-q"}).output, "");
}

// exec -t as conmon calls it for `podman exec -it`: detached, the master of
// a terminal of the container's own devpts sent to the console socket.
TEST_F(OciTerminal, ExecGivesItsProcessATerminalThroughTheConsoleSocketOrRelayed) {
  edit("c['process']['terminal'] = False\nc['process']['args'] = ['sleep', '1000']");
  ASSERT_EQ(oci({"run", "-d", "--bundle", bundle_, "t4"}).exit_code, 0);
  const std::string sock = dir_ + "/exec.sock";
  PipedProcess receiver({"python3", "-c", kReceiver, sock, dir_ + "/exec-out",
                         "tty; [ -t 0 ] && echo stdin-is-a-tty; echo exec-$((40+2)); exit\n"});
  ASSERT_TRUE(eventually([&] { return fs::exists(sock); }));
  auto e = oci({"exec", "-t", "-d", "--console-socket", sock, "--pid-file", dir_ + "/exec.pid",
                "t4", "sh"});
  ASSERT_EQ(e.exit_code, 0) << e.output;
  EXPECT_GT(std::stoi(slurp(dir_ + "/exec.pid")), 0);
  EXPECT_EQ(receiver.wait(), 0) << receiver.output();
  const std::string seen = slurp(dir_ + "/exec-out");
  EXPECT_TRUE(contains(seen, "\n/dev/pts/0\r\n")) << seen;
  EXPECT_TRUE(contains(seen, "\nstdin-is-a-tty\r\n")) << seen;
  EXPECT_TRUE(contains(seen, "\nexec-42\r\n")) << seen;

  // In the foreground without a socket: relayed to box-oci's own stdio,
  // the exit status passed through.
  auto fg = oci({"exec", "-t", "t4", "sh"}, "tty; echo fg-$((2+3)); exit 6\n");
  EXPECT_EQ(fg.exit_code, 6) << fg.output;
  EXPECT_TRUE(contains(fg.output, "/dev/pts/")) << fg.output;
  EXPECT_TRUE(contains(fg.output, "\nfg-5\r\n")) << fg.output;

  // Nowhere for a detached terminal to go; a socket without a terminal.
  auto lost = oci({"exec", "-t", "-d", "t4", "sh"});
  EXPECT_EQ(lost.exit_code, 125);
  EXPECT_TRUE(contains(lost.output, "a terminal with --detach needs --console-socket")) << lost.output;
  auto no_tty = oci({"exec", "--console-socket", sock, "t4", "true"});
  EXPECT_EQ(no_tty.exit_code, 125);
  EXPECT_TRUE(contains(no_tty.output, "--console-socket is for a terminal")) << no_tty.output;
}

}  // namespace
}  // namespace box::testing
