// boxctl's commands, one group per file (boxctl_show.cc, boxctl_control.cc,
// boxctl_cgroup.cc, boxctl_enter.cc, boxctl_local.cc, boxctl_doctor.cc); boxctl_main.cc is the
// table of commands. docs/boxctl.md documents each, with the exit codes.
#pragma once

#include <sdbus-c++/sdbus-c++.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "boxctl/manager_client.h"
#include "core/runtime/run_command_line.h"

namespace box::boxctl {

// Exit codes, stable for scripts (docs/boxctl.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,
  kExitUsage = 2,
  kExitInvalidDefinition = 3,
  kExitNoSuchContainer = 4,
  kExitNotRunning = 5,
  kExitNoSession = 6,  // no session bus, no user manager, or box-manager unreachable
};

// A failure with its exit code; main prints "boxctl: MESSAGE".
struct Failure {
  int code;
  std::string message;
};

// The session bus and box-manager, connected on first use so that commands
// that need neither (validate, doctor, run) work without a session.
class Context {
 public:
  sdbus::IConnection& bus();
  manager::ManagerClient& manager();
  // The exit code for a D-Bus error, after printing a precise message.
  int report(const sdbus::Error& error);

 private:
  std::unique_ptr<sdbus::IConnection> bus_;
  std::unique_ptr<manager::ManagerClient> manager_;
};

// Prints `message` to stderr as "boxctl: MESSAGE".
void complain(const std::string& message);

struct ListOptions {
  bool json = false;
  bool quiet = false;      // names only
  bool no_legend = false;  // no header line, no hint when empty (systemctl's --no-legend)
};
int cmd_list(Context& ctx, const ListOptions& options);

struct StatusOptions {
  std::string name;
  bool json = false;
  int lines = 10;
};
int cmd_status(Context& ctx, const StatusOptions& options);

struct LogsOptions {
  std::string name;
  bool follow = false;
  int lines = -1;  // all
  std::string since;
  bool json = false;
  bool no_pager = false;  // journalctl --no-pager (it pages only on a terminal anyway)
};
int cmd_logs(Context& ctx, const LogsOptions& options);

// start, stop, restart, enable or disable: the ManagerClient method.
using Control = void (manager::ManagerClient::*)(const std::string& name);
int cmd_control(Context& ctx, Control what, const std::vector<std::string>& names);
int cmd_kill(Context& ctx, const std::string& name, const std::string& signal);
int cmd_reload(Context& ctx);

// pause and resume (frozen false) of each box; top, stats, events
// (boxctl_cgroup.cc).
int cmd_pause(Context& ctx, const std::vector<std::string>& names, bool frozen);
struct TopOptions {
  std::string name;
  bool json = false;
  bool no_legend = false;
};
int cmd_top(Context& ctx, const TopOptions& options);
struct StatsOptions {
  std::vector<std::string> names;
  bool json = false;
  bool no_legend = false;
};
int cmd_stats(Context& ctx, const StatsOptions& options);
struct EventsOptions {
  std::string name;
  double interval = 5;  // seconds between usage lines
  bool stats = false;   // one usage line, then exit
};
int cmd_events(Context& ctx, const EventsOptions& options);

struct EnterOptions {
  std::string name;
  std::vector<std::string> command;  // empty: /bin/sh
  std::optional<bool> tty;           // unset: when stdin and stdout are terminals
  std::vector<std::string> env;      // KEY=VALUE
  std::string workdir;
};
int cmd_enter(Context& ctx, const EnterOptions& options);
// boxctl run (boxctl_run.cc): the command with box-run run's table of
// options, and what its parse fills in.
struct RunCommand {
  CLI::App* app = nullptr;
  RunOptionRows rows;
  std::string target;
  std::vector<std::string> command;
  bool dry_run = false;
};
std::unique_ptr<RunCommand> add_run_command(CLI::App& app);
// `args`: run's own words (after "run"). Returns the container's exit
// code, or ends by its signal.
int cmd_run(const RunCommand& run, const std::vector<std::string>& args);

int cmd_validate(const std::vector<std::string>& targets, bool json);
int cmd_version(Context& ctx, bool json);

int cmd_doctor(bool json);

}  // namespace box::boxctl
