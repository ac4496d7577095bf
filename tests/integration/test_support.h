// Helpers for integration tests: run commands as the (unprivileged) test
// user, build a tiny rootfs, poll with a deadline.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace box::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv (no shell), capturing output; kills it after `timeout`.
CommandResult run(const std::vector<std::string>& argv,
                  std::chrono::seconds timeout = std::chrono::seconds(60));

// Polls `ready` every 50 ms until it returns true or `timeout` passes.
bool eventually(const std::function<bool()>& ready,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The install prefix under test ($BOX_PREFIX) and its box-run.
std::string prefix();
std::string box_run();

std::string home();

// A busybox rootfs under `dir` (created), with /proc and /dev mount points.
void make_busybox_rootfs(const std::string& dir);

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

// The boxctl of the install prefix under test.
CommandResult boxctl(std::vector<std::string> args,
                     std::chrono::seconds timeout = std::chrono::seconds(120));

}  // namespace box::testing
