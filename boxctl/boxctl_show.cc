// boxctl list, status, logs: reading state (from box-manager) and logs
// (from the user's journal, through journalctl).
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>

#include "boxctl/boxctl.h"
#include "boxctl/output.h"
#include "core/model/names.h"
#include "core/sys/spawn.h"

namespace box::boxctl {
namespace {

using manager::Cell;
using manager::Color;
using manager::property;

// journalctl --user -u UNIT ARGS...; the user manager's journal holds the
// container's output (the unit's stdout) and systemd's lines about it.
std::vector<std::string> journalctl_argv(const std::string& unit,
                                         const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {"journalctl", "--user", "-u", unit};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

[[noreturn]] void exec_argv(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execvp(args[0], args.data());
  int err = errno;
  std::cerr << "boxctl: cannot run " << argv[0] << ": " << std::strerror(err) << "\n";
  _exit(err == ENOENT ? 127 : 126);
}

int run_and_wait(const std::vector<std::string>& argv) {
  std::cout.flush();
  SpawnSpec spec;
  spec.argv = argv;
  spec.search_path = true;
  spec.stdin_fd = SpawnSpec::kInherit;
  spec.death_signal = 0;
  auto pid = spawn(spec);
  if (!pid) {
    std::cerr << "boxctl: " << pid.error().message() << "\n";
    return pid.error().errno_value() == ENOENT ? 127 : 126;
  }
  return wait_exit_code(*pid);
}

// The NextStart property (dev.boxctl.box1.xml) in words; "" for none.
std::string next_start_line(const std::string& next, const std::string& unit) {
  if (next == "unchanged") return "the definition this run started from";
  if (next == "changed")
    return "the changed definition ('systemctl --user restart " + unit + "' applies it now)";
  if (next == "fails") return "fails: the definition is now unusable (see Error); this run goes on";
  if (next == "unknown") return "unknown: no record of what this run started from";
  return next;
}

Color next_start_color(const std::string& next) {
  if (next == "changed") return Color::kYellow;
  if (next == "fails") return Color::kRed;
  return Color::kNone;
}

}  // namespace

int cmd_list(Context& ctx, const ListOptions& options) {
  auto rows = ctx.manager().ListContainers();
  if (options.quiet) {
    for (const auto& r : rows) std::cout << std::get<0>(r) << "\n";
    return kExitOk;
  }
  if (options.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : rows) {
      out.push_back({{"name", std::get<0>(r)},
                     {"unit", unit_name(std::get<0>(r))},
                     {"description", std::get<1>(r)},
                     {"state", std::get<2>(r)},
                     {"sub_state", std::get<3>(r)},
                     {"error", std::get<4>(r)},
                     {"object_path", std::string(std::get<5>(r))}});
    }
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  const bool color = manager::color_wanted(STDOUT_FILENO);
  std::vector<std::vector<Cell>> table;
  if (!options.no_legend)
    table.push_back({{"NAME", Color::kBold},
                     {"STATE", Color::kBold},
                     {"SUB", Color::kBold},
                     {"DESCRIPTION", Color::kBold}});
  for (const auto& r : rows) {
    const std::string& state = std::get<2>(r);
    const std::string& error = std::get<4>(r);
    table.push_back({{std::get<0>(r)},
                     {state, manager::state_color(state)},
                     {std::get<3>(r)},
                     {error.empty() ? std::get<1>(r) : error, error.empty() ? Color::kNone
                                                                             : Color::kRed}});
  }
  if (rows.empty()) {
    if (options.no_legend) return kExitOk;
    std::cerr << "No containers: put NAME.yaml in ~/.config/box/containers/ "
                 "(see 'boxctl validate FILE').\n";
    return kExitOk;
  }
  std::cout << manager::format_table(table, color);
  return kExitOk;
}

int cmd_status(Context& ctx, const StatusOptions& options) {
  auto props = ctx.manager().container_properties(options.name);
  const auto state = property<std::string>(props, "State");
  const auto sub = property<std::string>(props, "SubState");
  const auto unit = property<std::string>(props, "Unit");
  const auto since = property<uint64_t>(props, "Since");
  const auto pid = property<uint32_t>(props, "MainPID");
  const auto error = property<std::string>(props, "Error");
  if (options.json) {
    nlohmann::json out = {{"name", property<std::string>(props, "Name")},
                          {"unit", unit},
                          {"description", property<std::string>(props, "Description")},
                          {"state", state},
                          {"sub_state", sub},
                          {"error", error},
                          {"main_pid", pid},
                          {"since_usec", since},
                          {"exit_status", property<int32_t>(props, "ExitStatus")},
                          {"definition_path", property<std::string>(props, "DefinitionPath")},
                          {"rootfs", property<std::string>(props, "Rootfs")},
                          {"image", property<std::string>(props, "Image")},
                          {"autostart", property<std::string>(props, "Autostart")},
                          {"next_start", property<std::string>(props, "NextStart")}};
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }

  const bool color = manager::color_wanted(STDOUT_FILENO);
  const auto state_color = manager::state_color(state);
  std::string head = manager::paint("●", state_color, color) + " " + options.name;
  const auto description = property<std::string>(props, "Description");
  if (!description.empty()) head += " - " + description;
  std::cout << head << "\n";

  std::string state_line = manager::paint(state + (sub.empty() ? "" : " (" + sub + ")"),
                                          state_color, color);
  if (since > 0 && state != "invalid")
    state_line += " since " + manager::absolute_time(since) + "; " +
                  manager::relative_time(since, manager::now_usec());
  std::vector<std::vector<Cell>> fields = {{{"State:"}, {state_line}}};
  if (!error.empty()) fields.push_back({{"Error:"}, {manager::paint(error, Color::kRed, color)}});
  fields.push_back({{"Unit:"}, {unit}});
  fields.push_back({{"Definition:"}, {property<std::string>(props, "DefinitionPath")}});
  if (auto image = property<std::string>(props, "Image"); !image.empty())
    fields.push_back({{"Image:"}, {image}});
  if (auto rootfs = property<std::string>(props, "Rootfs"); !rootfs.empty())
    fields.push_back({{"Rootfs:"}, {rootfs}});
  fields.push_back({{"Autostart:"}, {property<std::string>(props, "Autostart")}});
  if (pid > 0) fields.push_back({{"Main PID:"}, {std::to_string(pid) + " (box-run)"}});
  const auto next = property<std::string>(props, "NextStart");
  if (!next.empty())
    fields.push_back({{"Next start:"},
                      {manager::paint(next_start_line(next, unit), next_start_color(next), color)}});
  if (pid == 0 && since > 0 && (state == "inactive" || state == "failed"))
    fields.push_back({{"Last exit:"}, {std::to_string(property<int32_t>(props, "ExitStatus"))}});
  // Labels right-aligned, as systemctl status does.
  std::size_t width = 0;
  for (const auto& f : fields) width = std::max(width, f[0].text.size());
  for (const auto& f : fields)
    std::cout << std::string(width - f[0].text.size() + 1, ' ') << f[0].text << " " << f[1].text
              << "\n";

  if (options.lines > 0) {
    std::cout << "\n";
    run_and_wait(journalctl_argv(unit, {"--no-pager", "--quiet", "-n",
                                        std::to_string(options.lines), "-o", "short"}));
  }
  return kExitOk;
}

int cmd_logs(Context& ctx, const LogsOptions& options) {
  // Through the manager, so a typo gets "no container named ..." rather
  // than an empty journal.
  auto props = ctx.manager().container_properties(options.name);
  std::vector<std::string> extra;
  if (options.follow) extra.push_back("--follow");
  if (options.lines >= 0) extra.insert(extra.end(), {"--lines", std::to_string(options.lines)});
  if (!options.since.empty()) extra.insert(extra.end(), {"--since", options.since});
  if (options.json) extra.insert(extra.end(), {"--output", "json"});
  if (options.no_pager || !::isatty(STDOUT_FILENO)) extra.push_back("--no-pager");
  std::cout.flush();
  exec_argv(journalctl_argv(property<std::string>(props, "Unit"), extra));
}

}  // namespace box::boxctl
