// boxctl run with podman's habits (issue 16, "the first hour"): an
// installed image by its name, a container whose writes persist and --rm,
// -v/-e/-w/-u, -i and -t with a real pty, errors that name the flag.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/integration/test_support.h"

namespace box::testing {
namespace {

class BoxctlRun : public BoxTest {
 protected:
  void cleanup() override {
    boxctl({"uninstall", "runimg"});
    fs::remove_all(home() + "/run-layout");
    fs::remove_all(home() + "/run-data");
  }
};

TEST_F(BoxctlRun, AnInstalledImageRunsByItsNameWithTheOptionsOnTop) {
  const std::string layout = home() + "/run-layout";
  make_oci_layout(layout, rootfs_);
  auto installed = boxctl({"install", "oci:" + layout, "runimg"});
  ASSERT_EQ(installed.exit_code, 0) << installed.output;

  // The image's command is /bin/sh: COMMAND replaces it.
  auto echo = boxctl({"run", "runimg", "echo", "hello", "from", "an", "image"});
  EXPECT_EQ(echo.exit_code, 0) << echo.output;
  EXPECT_EQ(echo.output, "hello from an image\n");

  const std::string data = home() + "/run-data";
  fs::create_directories(data);
  write_file(data + "/f", "host file\n");
  auto opts = boxctl({"run", "-e", "A=b", "-w", "/tmp", "-u", "7:8", "-v", data + ":/data:ro",
                      "runimg", "sh", "-c",
                      "echo \"$A $(pwd) $(id -u):$(id -g)\"; cat /data/f; "
                      "touch /data/new 2>/dev/null || echo read-only"});
  EXPECT_EQ(opts.exit_code, 0) << opts.output;
  EXPECT_EQ(opts.output, "b /tmp 7:8\nhost file\nread-only\n");

  // The run's exit status is the command's.
  EXPECT_EQ(boxctl({"run", "runimg", "sh", "-c", "exit 7"}).exit_code, 7);

  // An error names the option as it was typed, not the definition key.
  auto bad = boxctl({"run", "-v", "x", "runimg", "true"});
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_EQ(bad.output, "boxctl: -v: expected SRC:DST[:ro], found 'x'\n");
  auto bad_env = boxctl({"run", "--env", "=x", "runimg", "true"});
  EXPECT_EQ(bad_env.exit_code, 2) << bad_env.output;
  EXPECT_TRUE(contains(bad_env.output, "--env: expected NAME=VALUE, found '=x'")) << bad_env.output;
  auto missing = boxctl({"run", "no-such-image", "true"});
  EXPECT_EQ(missing.exit_code, 125) << missing.output;
  EXPECT_TRUE(contains(missing.output, "no image or container 'no-such-image'")) << missing.output;

  auto help = boxctl({"run", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* o : {"-i,--interactive", "-t,--tty", "--rm", "--name", "--network",
                        "-p,--publish", "-v,--volume", "-e,--env", "-u,--user", "-w,--workdir"})
    EXPECT_TRUE(contains(help.output, o)) << o << " not in:\n" << help.output;
}

// Writes that persist are kept from run to run; --rm is a throw-away copy
// (as podman's run --rm is a new container of the image: the image as
// installed, without the writes kept, and nothing of its own kept), and a
// run that keeps them never runs beside box@NAME (the same lock).
TEST_F(BoxctlRun, PersistentWritesAreKeptUnlessRm) {
  define("runkeep", "rootfs: " + rootfs_ +
                        "\ncommand: [sh, -c, 'echo up; trap \"exit 0\" TERM; while :; do sleep 1 & "
                        "wait; done']\nrootfs_writes: persistent\n");
  auto kept = boxctl({"run", "runkeep", "sh", "-c", "echo kept > /kept"});
  ASSERT_EQ(kept.exit_code, 0) << kept.output;
  auto rm = boxctl({"run", "--rm", "runkeep", "sh", "-c",
                     "cat /kept 2>/dev/null || echo as-installed; echo gone > /gone"});
  EXPECT_EQ(rm.exit_code, 0) << rm.output;
  EXPECT_EQ(rm.output, "as-installed\n");
  auto after = boxctl({"run", "runkeep", "sh", "-c", "cat /kept; cat /gone 2>/dev/null || echo no"});
  EXPECT_EQ(after.output, "kept\nno\n");
  EXPECT_FALSE(fs::exists(rootfs_ + "/kept"));  // in the upper dir, not the rootfs

  auto other_name = boxctl({"run", "--name", "other", "runkeep", "true"});
  EXPECT_EQ(other_name.exit_code, 2) << other_name.output;
  EXPECT_TRUE(contains(other_name.output, "--name: the writes of 'runkeep' persist under its own "
                                          "name; add --rm"))
      << other_name.output;

  ASSERT_EQ(systemctl({"daemon-reload"}).exit_code, 0);
  ASSERT_EQ(systemctl({"start", "box@runkeep.service"}).exit_code, 0);
  auto beside = boxctl({"run", "runkeep", "true"});
  EXPECT_EQ(beside.exit_code, 125) << beside.output;
  EXPECT_TRUE(contains(beside.output, "add --rm to run a throw-away copy beside it"))
      << beside.output;
  auto throwaway = boxctl({"run", "--rm", "--name", "copy", "runkeep", "sh", "-c",
                           "hostname; cat /kept 2>/dev/null || echo as-installed"});
  EXPECT_EQ(throwaway.exit_code, 0) << throwaway.output;
  EXPECT_EQ(throwaway.output, "copy\nas-installed\n");
}

// -i passes stdin, which is /dev/null without it; -t gives the command a
// terminal of its own (a pty at /dev/console, its controlling terminal)
// whose output comes back, and with -i our input goes in.
TEST_F(BoxctlRun, InteractiveAndTerminal) {
  PipedProcess no_i({prefix() + "/bin/boxctl", "run", rootfs_, "sh", "-c",
                     "read line && echo \"got $line\" || echo eof"});
  no_i.write_input("hello\n");
  no_i.close_input();
  EXPECT_EQ(no_i.wait(), 0) << no_i.output();
  EXPECT_EQ(no_i.output(), "eof\n");

  PipedProcess with_i({prefix() + "/bin/boxctl", "run", "-i", rootfs_, "sh", "-c",
                       "read line && echo \"got $line\""});
  with_i.write_input("hello\n");
  with_i.close_input();
  EXPECT_EQ(with_i.wait(), 0) << with_i.output();
  EXPECT_EQ(with_i.output(), "got hello\n");

  auto tty = boxctl({"run", "-t", rootfs_, "sh", "-c",
                     "tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo stdio-is-a-terminal; "
                     "{ echo > /dev/tty; } 2>/dev/null && echo controlling"});
  EXPECT_EQ(tty.exit_code, 0) << tty.output;
  EXPECT_TRUE(contains(tty.output, "/dev/console")) << tty.output;
  EXPECT_TRUE(contains(tty.output, "stdio-is-a-terminal")) << tty.output;
  EXPECT_TRUE(contains(tty.output, "controlling")) << tty.output;

  PipedProcess it({prefix() + "/bin/boxctl", "run", "-it", rootfs_, "sh", "-c",
                   "read line; echo \"got <$line> on $(tty)\"; exit 3"});
  ASSERT_GT(it.pid(), 0);
  it.write_input("typed\n");
  EXPECT_TRUE(it.wait_for("got <typed> on /dev/console")) << it.output();
  EXPECT_EQ(it.wait(), 3) << it.output();
}

// A bundle as runc spec --rootless writes it runs from its config.json; one
// whose config.json leaves out the pid namespace (the host's) runs only
// with --share pid given too: the config is untrusted.
TEST_F(BoxctlRun, ABundleAsksForTheHostsPidNamespaceOnlyWithShare) {
  const std::string bundle = home() + "/run-bundle";
  make_busybox_rootfs(bundle + "/rootfs");
  auto spec = run({"sh", "-c", "cd '" + bundle + "' && runc spec --rootless"});
  ASSERT_EQ(spec.exit_code, 0) << spec.output;
  auto own = boxctl({"run", bundle, "sh", "-c", "echo pid $$"});
  EXPECT_EQ(own.exit_code, 0) << own.output;
  // What box does not do is said (runc's maskedPaths, for one); a terminal
  // is -t's, so runc's "terminal": true is not.
  EXPECT_TRUE(own.output.ends_with("\npid 1\n")) << own.output;
  EXPECT_TRUE(contains(own.output, "boxctl: warning: config.json: linux.maskedPaths: "))
      << own.output;
  EXPECT_FALSE(contains(own.output, "process.terminal")) << own.output;

  auto edit = run({"python3", "-c",
                   "import json,sys; p=sys.argv[1]; c=json.load(open(p)); "
                   "c['linux']['namespaces']=[n for n in c['linux']['namespaces'] "
                   "if n['type']!='pid']; json.dump(c, open(p,'w'))",
                   bundle + "/config.json"});
  ASSERT_EQ(edit.exit_code, 0) << edit.output;
  auto refused = boxctl({"run", bundle, "sh", "-c", "echo pid $$"});
  EXPECT_EQ(refused.exit_code, 125) << refused.output;
  EXPECT_TRUE(contains(refused.output, bundle + "/config.json: no pid namespace, so the host's: "
                                                "the box would see and signal your processes; "
                                                "add --share pid"))
      << refused.output;
  auto shared = boxctl({"run", "--share", "pid", bundle, "sh", "-c", "echo pid $$"});
  EXPECT_EQ(shared.exit_code, 0) << shared.output;
  EXPECT_TRUE(contains(shared.output, "pid ")) << shared.output;
  EXPECT_FALSE(contains(shared.output, "pid 1\n")) << shared.output;
  fs::remove_all(bundle);
}

// Typed at a real terminal (script(1) makes one): the container's terminal
// has its size, takes the keys (ours is raw while the run lasts, so the
// line is the container's to edit and echo), and ours is as it was after.
TEST_F(BoxctlRun, FromATerminalSizedRawAndRestored) {
  const std::string line =
      "stty rows 33 cols 77; before=$(stty -g); " + prefix() + "/bin/boxctl run -it " + rootfs_ +
      " sh -c 'stty size; stty -a | grep -oE -- \"-?icanon\"; read l; echo \"got <$l>\"'; "
      "echo rc=$?; [ \"$(stty -g)\" = \"$before\" ] && echo restored; stty -a | grep -oE -- "
      "\"-?icanon\"";
  PipedProcess term({"script", "--quiet", "--return", "--command", line, "/dev/null"});
  ASSERT_TRUE(term.wait_for("33 77")) << term.output();
  term.write_input("typed\r");
  EXPECT_TRUE(term.wait_for("got <typed>")) << term.output();
  EXPECT_TRUE(term.wait_for("restored")) << term.output();
  term.close_input();
  EXPECT_EQ(term.wait(), 0) << term.output();
  std::string out = term.output();
  out.erase(std::remove(out.begin(), out.end(), '\r'), out.end());
  // The container's terminal is canonical (a shell's line), and it alone
  // echoes what is typed: ours is raw meanwhile, and canonical again after.
  EXPECT_TRUE(contains(out, "33 77\n")) << out;
  EXPECT_TRUE(contains(out, "\nicanon\n")) << out;
  std::size_t echoes = 0;
  for (auto at = out.find("typed\n"); at != std::string::npos; at = out.find("typed\n", at + 1))
    ++echoes;
  EXPECT_EQ(echoes, 1u) << out;
  EXPECT_TRUE(contains(out, "got <typed>\nrc=0\nrestored\nicanon\n")) << out;
}

}  // namespace
}  // namespace box::testing
