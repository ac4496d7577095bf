// Helpers for integration tests: run commands as the (unprivileged) test
// user, build a tiny rootfs, poll with a deadline.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace box::testing {

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

// The first child of `pid` (the container's PID 1 for box-run), or -1 while
// it has none.
pid_t first_child(pid_t pid);

// Polls `ready` every 50 ms until it returns true or `timeout` passes.
bool eventually(const std::function<bool()>& ready,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

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

bool contains(const std::string& haystack, const std::string& needle);

// The whole content of `path`; empty when it cannot be read.
std::string slurp(const std::string& path);

// `systemctl --user --no-pager ARGS...` against the test user's manager.
CommandResult systemctl(std::vector<std::string> args);

// One property of a unit of the user manager, without the trailing newline.
std::string show(const std::string& unit, const std::string& property);

// Everything the user's journal holds for `unit`, message text only.
std::string journal(const std::string& unit);

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

// dbus-monitor watching the signals of box-manager's objects, once it is
// listening (output in `file`).
std::unique_ptr<Background> watch_box_signals(const std::string& file);

// dbus-monitor's signal blocks ("signal time=... path=...; member=...\n   args").
std::vector<std::string> signal_blocks(const std::string& text);

// The value of `key` in /proc/PID/status-style text ("Name:\tsh\n...").
std::string status_field(const std::string& status, const std::string& key);

// The children of `pid` whose name (/proc/PID/status Name) is in `names`.
std::set<pid_t> children_named(pid_t pid, const std::set<std::string>& names);

// Gone, or a zombie waiting for a reaper: either way it no longer runs.
bool dead(pid_t pid);

// A one-layer OCI layout at `out` (tag "latest", command /bin/sh) of the
// directory `root`, made with tar, gzip and sha256sum; the layer is gzip -1,
// so a sparse file in `root` becomes real zeros (a bomb compresses 1000:1).
// `config_extra`: a file whose text is added to the image config's "config"
// object (",\"Labels\":{...}").
void make_oci_layout(const std::string& out, const std::string& root,
                     const std::string& config_extra = "");

// For tests that define boxes: as the unprivileged test user, a busybox
// rootfs at ~/rootfs-NAME, definitions written by define() (no reload) and
// undone after the test (remove_boxes), and the rootfs removed.
class BoxTest : public ::testing::Test {
 protected:
  explicit BoxTest(std::string rootfs_name) : rootfs_name_(std::move(rootfs_name)) {}
  void SetUp() override;
  void TearDown() override;
  void define(const std::string& name, const std::string& yaml);

  std::string rootfs_, defs_;
  std::vector<std::string> names_;

 private:
  std::string rootfs_name_;
};

}  // namespace box::testing
