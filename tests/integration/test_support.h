// Helpers for integration tests: run commands as the (unprivileged) test
// user, build a tiny rootfs, poll with a deadline.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace box::testing {

namespace fs = std::filesystem;

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv (no shell), capturing output; kills it after `timeout`.
CommandResult run(const std::vector<std::string>& argv,
                  std::chrono::seconds timeout = std::chrono::seconds(60));

// A command running beside the test, stdin and stdout+stderr on pipes the
// test reads and writes;
// killed and reaped on destruction if still running.
class PipedProcess {
 public:
  explicit PipedProcess(const std::vector<std::string>& argv);
  ~PipedProcess();
  PipedProcess(const PipedProcess&) = delete;
  PipedProcess& operator=(const PipedProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Reads output until it contains `marker` (true) or `timeout` passes.
  bool wait_for(const std::string& marker,
                std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Closes its stdin.
  void close_input();
  void write_input(const std::string& data);
  // Reads the rest of the output and reaps it; its exit code, or 128+signal.
  int wait(std::chrono::seconds timeout = std::chrono::seconds(60));
  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1;
  std::string output_;
  bool reaped_ = false;
};

// A port of the host's 127.0.0.1 nothing listens on right now (the
// kernel's pick), for SOCK_STREAM or SOCK_DGRAM.
uint16_t free_port(int type);

// Connects to the host's 127.0.0.1:port, sends `request` and reads until
// end of file (or 2 s of silence); "" when nothing answers.
std::string tcp_talk(uint16_t port, const std::string& request);

// The first child of `pid` (the container's PID 1 for box-run), or -1 while
// it has none.
pid_t first_child(pid_t pid);

// Polls `ready` every 50 ms until it returns true or `timeout` passes.
bool eventually(const std::function<bool()>& ready,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

// How many rounds a fault or stress test makes: `slice` in every run (CI's
// short, still meaningful slice), `full` when BOX_TEST_SCALE=full
// (bench/faults/run, the long run).
int rounds(int slice, int full);

// The install prefix under test ($BOX_PREFIX) and its box-run.
std::string prefix();
std::string box_run();

std::string home();

// A busybox rootfs under `dir` (created), with /proc and /dev mount points.
void make_busybox_rootfs(const std::string& dir);

// A root for the host's programs, which a box gets by binding the host's
// /usr read-only at /usr: /bin, /sbin, /lib and /lib64 link into usr, and
// /proc, /sys, /dev, /tmp, /etc, /run and /usr are mount points. Python
// (ctypes) from there makes the system calls busybox has no applet for.
void make_host_usr_rootfs(const std::string& dir);

void write_file(const std::string& path, const std::string& content);

// An OCI bundle at `bundle`: a busybox rootfs and the config.json that
// `spec_command` (a real tool's: "runc spec --rootless") writes there.
void make_spec_bundle(const std::string& bundle, const std::string& spec_command);

// Edits a JSON file (an OCI bundle's config.json) in place: `python` is
// Python statements on the loaded object `c`. Fails the test when they fail.
void edit_json(const std::string& path, const std::string& python);

bool contains(const std::string& haystack, const std::string& needle);

// The whole content of `path`; empty when it cannot be read.
std::string slurp(const std::string& path);

// `systemctl --user --no-pager ARGS...` against the test user's manager.
CommandResult systemctl(std::vector<std::string> args);

// One property of a unit of the user manager, without the trailing newline.
std::string show(const std::string& unit, const std::string& property);

// Everything the user's journal holds for `unit`, message text only.
std::string journal(const std::string& unit);

// Stops `unit` of the user manager and forgets that it failed, if it did:
// what a test leaves of a unit.
void stop_and_reset(const std::string& unit);

// Undoes what a test defined: stops and resets box@NAME for each name,
// removes DEFS/NAME.yaml, and reloads the user manager if there were any.
void remove_boxes(const std::string& defs, const std::vector<std::string>& names);

// The boxctl of the install prefix under test.
CommandResult boxctl(std::vector<std::string> args,
                     std::chrono::seconds timeout = std::chrono::seconds(120));

// A program running beside the test with its output in a file (the
// "second process" that watches the bus, a server, a box in the
// foreground). Stopped when destroyed.
class Background {
 public:
  Background(const std::vector<std::string>& argv, const std::string& output);
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;
  pid_t pid() const { return pid_; }
  // SIGTERM, SIGKILL if it is still there after `grace`; its exit code
  // (128+N when killed by signal N).
  int stop(std::chrono::seconds grace = std::chrono::seconds(2));
  // Waits (bounded) for the program to end by itself: its exit code, or -1
  // when it is still running after `timeout`.
  int wait(std::chrono::seconds timeout = std::chrono::seconds(60));
  std::string output() const { return slurp(output_); }

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  std::string output_;
};

// The first child of the program `b` runs, once it has one and its output
// holds `marker`; -1 if that did not come within `timeout`.
pid_t first_child_once_said(const Background& b, const std::string& marker,
                            std::chrono::milliseconds timeout);

// dbus-monitor watching the signals of box-manager's objects, once it is
// listening (output in `file`).
std::unique_ptr<Background> watch_box_signals(const std::string& file);

// dbus-monitor's signal blocks ("signal time=... path=...; member=...\n   args").
std::vector<std::string> signal_blocks(const std::string& text);

// Where in dbus-monitor's output each `member` signal with the string
// argument `name` is.
std::vector<std::size_t> signals_at(const std::string& text, const std::string& member,
                                    const std::string& name);

// The value of `key` in /proc/PID/status-style text ("Name:\tsh\n...").
std::string status_field(const std::string& status, const std::string& key);

// The children of `pid` whose name (/proc/PID/status Name) is in `names`.
std::set<pid_t> children_named(pid_t pid, const std::set<std::string>& names);

// Gone, or a zombie waiting for a reaper: either way it no longer runs.
bool dead(pid_t pid);

// The etcd example's image (examples/etcd/build-image) as an oci-archive at
// `out`; a failure to build it fails the test.
void build_etcd_image(const std::string& out);

// A one-layer OCI layout at `out` (tag "latest", command /bin/sh) of the
// directory `root`, made with tar, gzip and sha256sum; the layer is gzip -1,
// so a sparse file in `root` becomes real zeros (a bomb compresses 1000:1).
// `config_extra`: a file whose text is added to the image config's "config"
// object (",\"Labels\":{...}").
void make_oci_layout(const std::string& out, const std::string& root,
                     const std::string& config_extra = "");

// The command `sh -c SCRIPT`.
std::vector<std::string> sh(const std::string& script);

// For tests that run boxes. SetUp checks that the test runs as the
// unprivileged test user, makes a fresh rootfs (busybox, or the host's
// programs under a /usr the box binds: make_host_usr_rootfs) and the
// definitions dir, then runs prepare(); TearDown runs cleanup(), then stops
// and removes the boxes define() wrote (remove_boxes) and the rootfs.
class BoxTest : public ::testing::Test {
 protected:
  enum class Rootfs { kBusybox, kHostUsr };
  // The rootfs is ~/rootfs-SUITE, SUITE the test suite's name in lower case
  // ("FullDisk": ~/rootfs-fulldisk).
  explicit BoxTest(Rootfs kind = Rootfs::kBusybox) : kind_(kind) {}
  // ... or ~/rootfs-NAME.
  explicit BoxTest(std::string rootfs_name, Rootfs kind = Rootfs::kBusybox)
      : rootfs_name_(std::move(rootfs_name)), kind_(kind) {}
  void SetUp() override;
  void TearDown() override;
  // What a suite adds to SetUp and TearDown.
  virtual void prepare() {}
  virtual void cleanup() {}

  // Writes DEFS/NAME.yaml (no reload); the box is removed after the test.
  void define(const std::string& name, const std::string& yaml);

  // A box in the foreground on rootfs_: box-run run OPTIONS... ROOTFS --
  // COMMAND...
  std::vector<std::string> box_argv(const std::vector<std::string>& options,
                                    const std::vector<std::string>& command) const;
  // `sh -c SCRIPT` in such a box, run to its end.
  CommandResult box(const std::vector<std::string>& options, const std::string& script,
                    std::chrono::seconds timeout = std::chrono::seconds(60)) const;

  std::string rootfs_, defs_;
  std::vector<std::string> names_;

 private:
  std::string rootfs_name_;
  Rootfs kind_;
};

}  // namespace box::testing
