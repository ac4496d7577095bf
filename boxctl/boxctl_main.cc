// boxctl: the command line for box. Most commands are requests to
// box-manager over D-Bus (which the session bus starts on demand); doctor,
// validate and run work without it. This file is the table of commands;
// each group lives in its own boxctl_*.cc.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "boxctl/boxctl.h"
#include "boxctl/boxctl_install.h"
#include "boxctl/boxctl_kube.h"
#include "boxctl/suggest.h"

namespace {

using namespace box::boxctl;

CLI::Option* name_arg(CLI::App* cmd, std::string& name) {
  return cmd->add_option("NAME", name, "Container name (the definition file's name)")->required();
}

// systemctl's --no-pager, where its users type it: boxctl pages only 'logs'.
void add_no_pager(CLI::App* cmd) {
  cmd->add_flag("--no-pager")
      ->description("Accepted, as systemctl takes it (this command never pages)");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "boxctl: rootless containers run by systemd --user.\n"
      "Exit codes: 0 ok, 1 failure, 2 usage, 3 invalid definition, 4 no such "
      "container, 5 not running, 6 no session bus or user manager.",
      "boxctl"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "boxctl " BOX_VERSION);

  // `boxctl enter NAME -- CMD...`: what follows "--" is the command, never
  // boxctl's options.
  std::vector<std::string> args(argv + 1, argv + argc);
  std::vector<std::string> after_dashes;
  bool has_dashes = false;
  if (!args.empty() && args[0] == "enter") {
    for (std::size_t i = 1; i < args.size(); ++i) {
      if (args[i] == "--") {
        after_dashes.assign(args.begin() + static_cast<long>(i) + 1, args.end());
        args.resize(i);
        has_dashes = true;
        break;
      }
    }
  }

  bool json = false;
  auto* doctor = app.add_subcommand(
      "doctor", "Check this machine for what box needs, and say how to fix what is missing");
  doctor->add_flag("--json", json, "Print JSON for scripts");

  ListOptions list_opts;
  auto* list = app.add_subcommand("list", "List containers and their state");
  list->add_flag("--json", list_opts.json, "Print JSON for scripts");
  list->add_flag("-q,--quiet", list_opts.quiet, "Print only the names");
  list->add_flag("--no-legend", list_opts.no_legend, "No header line, no hint when there is none");
  add_no_pager(list);

  StatusOptions status_opts;
  auto* status =
      app.add_subcommand("status", "Show a container's state, definition and last log lines");
  name_arg(status, status_opts.name);
  status->add_flag("--json", status_opts.json, "Print JSON for scripts (no log lines)");
  status->add_option("-n,--lines", status_opts.lines, "Log lines to show (0: none)")
      ->capture_default_str();
  // As systemctl status takes them; status has no legend, and its log
  // lines are never paged.
  status->add_flag("--no-legend")
      ->description("Accepted, as systemctl status accepts it (no legend to drop)");
  add_no_pager(status);

  std::vector<std::string> names;
  auto control = [&](const char* cmd, const char* help) {
    auto* sub = app.add_subcommand(cmd, help);
    sub->add_option("NAME", names, "Container names")->required();
    return sub;
  };
  auto* start = control("start", "Start containers (box@NAME.service) and wait until they run");
  auto* stop = control("stop", "Stop containers and wait until they stopped");
  auto* restart = control("restart", "Restart containers and wait");
  auto* enable = control("enable", "Start containers with the user manager (autostart at login)");
  auto* disable = control("disable", "Stop starting containers with the user manager");

  std::string name, signal, signal_arg;
  auto* kill = app.add_subcommand("kill", "Send a signal to a container's PID 1 (through box-run)");
  name_arg(kill, name);
  // `boxctl kill sys SIGRTMIN+3` as well as `boxctl kill -s SIGRTMIN+3 sys`.
  auto* signal_pos = kill->add_option("SIGNAL", signal_arg,
                                      "Signal name or number (default TERM: SIGTERM, TERM, KILL, "
                                      "HUP, 9, SIGRTMIN+3, RTMIN+3...)");
  auto* signal_opt = kill->add_option("-s,--signal", signal, "The signal, as an option");
  kill->footer("Usage: boxctl kill NAME [SIGNAL]  (or -s SIGNAL NAME)");

  auto* reload =
      app.add_subcommand("reload", "Reload the user manager and re-read all definitions");

  auto* pause = control("pause", "Freeze every process of running containers (their cgroup)");
  auto* resume = control("resume", "Thaw paused containers");
  TopOptions top_opts;
  auto* top = app.add_subcommand("top", "List a running container's processes");
  name_arg(top, top_opts.name);
  top->add_flag("--json", top_opts.json, "Print JSON for scripts");
  top->add_flag("--no-legend", top_opts.no_legend, "No header line");
  StatsOptions stats_opts;
  auto* stats = app.add_subcommand("stats", "Show running containers' CPU time, memory and processes");
  stats->add_option("NAME", stats_opts.names, "Container names")->required();
  stats->add_flag("--json", stats_opts.json, "Print JSON for scripts");
  stats->add_flag("--no-legend", stats_opts.no_legend, "No header line");
  EventsOptions events_opts;
  auto* events = app.add_subcommand(
      "events", "Print a running container's state changes and usage as JSON lines until it stops");
  name_arg(events, events_opts.name);
  events->add_option("--interval", events_opts.interval, "Seconds between usage lines")
      ->capture_default_str();
  events->add_flag("--stats", events_opts.stats, "Print one usage line and exit");

  LogsOptions logs_opts;
  auto* logs = app.add_subcommand("logs", "Show a container's log (the user journal)");
  name_arg(logs, logs_opts.name);
  logs->add_flag("-f,--follow", logs_opts.follow, "Keep printing new lines");
  logs->add_option("-n,--lines", logs_opts.lines, "Show only the last N lines");
  logs->add_option("--since", logs_opts.since, "Show lines since a time, as journalctl reads it");
  logs->add_flag("--json", logs_opts.json, "journalctl's JSON output, one object per line");
  logs->add_flag("--no-pager", logs_opts.no_pager,
                 "Do not pipe into a pager (journalctl pages on a terminal otherwise)");

  EnterOptions enter_opts;
  bool tty = false, no_tty = false;
  auto* enter = app.add_subcommand(
      "enter", "Run a command (default /bin/sh) inside a running container's namespaces");
  name_arg(enter, enter_opts.name);
  enter->add_flag("-t,--tty", tty,
                  "Give the command a terminal (default: when stdin and stdout are one)");
  enter->add_flag("-T,--no-tty", no_tty, "Never give the command a terminal");
  enter->add_option("-e,--env", enter_opts.env, "Set KEY=VALUE in the command's environment")
      ->allow_extra_args(false);
  enter->add_option("-w,--workdir", enter_opts.workdir,
                    "Working directory inside (default: PID 1's)");
  enter->prefix_command();
  enter->footer("Usage: boxctl enter [OPTIONS] NAME [CMD [ARG...]]  (or NAME -- CMD...)");

  auto run = add_run_command(app);

  std::vector<std::string> files;
  auto* validate = app.add_subcommand(
      "validate", "Check definitions as start would and print every error: FILE, DIR or NAME");
  validate
      ->add_option("DEFINITION", files,
                   "A definition file (NAME.yaml), a directory of them (with a '/': ./DIR), or "
                   "a container's NAME")
      ->required();
  validate->add_flag("--json", json, "Print JSON for scripts");

  auto* version = app.add_subcommand("version", "Print the versions of boxctl and box-manager");
  version->add_flag("--json", json, "Print JSON for scripts");

  // install, uninstall, images: the image install code's commands.
  auto install_commands = add_install_commands(app);
  // generate kube, play kube.
  auto kube_commands = add_kube_commands(app);

  // An unknown command, which CLI11 would call "A subcommand is required":
  // said as such, with the commands it is nearest to.
  if (!args.empty() && !args[0].empty() && args[0][0] != '-') {
    std::vector<std::string> commands;
    for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
      commands.push_back(sub->get_name());
    if (std::find(commands.begin(), commands.end(), args[0]) == commands.end()) {
      complain("unknown command '" + args[0] + "'" + box::manager::did_you_mean(args[0], commands) +
               "; see 'boxctl --help'");
      return kExitUsage;
    }
  }

  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    // Only the error and a hint, never the whole help text.
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  if (auto rc = install_commands->run()) return *rc;
  if (auto rc = kube_commands->run()) return *rc;

  Context ctx;
  try {
    if (*doctor) return cmd_doctor(json);
    if (*list) return cmd_list(ctx, list_opts);
    if (*status) return cmd_status(ctx, status_opts);
    using box::manager::ManagerClient;
    if (*start) return cmd_control(ctx, &ManagerClient::start, names);
    if (*stop) return cmd_control(ctx, &ManagerClient::stop, names);
    if (*restart) return cmd_control(ctx, &ManagerClient::restart, names);
    if (*enable) return cmd_control(ctx, &ManagerClient::enable, names);
    if (*disable) return cmd_control(ctx, &ManagerClient::disable, names);
    if (*kill) {
      if (signal_pos->count() > 0 && signal_opt->count() > 0)
        throw Failure{kExitUsage, "kill: give the signal either as SIGNAL or with -s, not both"};
      return cmd_kill(ctx, name,
                      signal_pos->count() > 0   ? signal_arg
                      : signal_opt->count() > 0 ? signal
                                                : "TERM");
    }
    if (*reload) return cmd_reload(ctx);
    if (*pause) return cmd_pause(ctx, names, true);
    if (*resume) return cmd_pause(ctx, names, false);
    if (*top) return cmd_top(ctx, top_opts);
    if (*stats) return cmd_stats(ctx, stats_opts);
    if (*events) return cmd_events(ctx, events_opts);
    if (*logs) return cmd_logs(ctx, logs_opts);
    if (*enter) {
      enter_opts.command = enter->remaining();
      if (has_dashes) {
        if (!enter_opts.command.empty())
          throw Failure{kExitUsage, "enter: give the command either after NAME or after '--'"};
        enter_opts.command = after_dashes;
      }
      if (tty && no_tty) throw Failure{kExitUsage, "enter: --tty and --no-tty exclude each other"};
      if (tty) enter_opts.tty = true;
      if (no_tty) enter_opts.tty = false;
      return cmd_enter(ctx, enter_opts);
    }
    if (*run->app) {
      auto at = std::find(args.begin(), args.end(), "run");
      return cmd_run(*run, {at == args.end() ? at : at + 1, args.end()});
    }
    if (*validate) return cmd_validate(files, json);
    if (*version) return cmd_version(ctx, json);
  } catch (const Failure& f) {
    complain(f.message);
    return f.code;
  } catch (const sdbus::Error& e) {
    return ctx.report(e);
  }
  return kExitUsage;
}
