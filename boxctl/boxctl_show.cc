// boxctl list, status, logs: reading state (from box-manager) and logs
// (from the user's journal, through journalctl).
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <map>
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

// The SessionBus/SystemBus properties (dev.boxctl.box1.xml): whether the
// box has the bus at all, and each grant (level, name, rule).
using BusReach =
    sdbus::Struct<bool, std::vector<sdbus::Struct<std::string, std::string, std::string>>>;
constexpr std::pair<const char*, const char*> kBuses[] = {{"SessionBus", "session_bus"},
                                                         {"SystemBus", "system_bus"}};

// "talk org.a.B, own org.c.D, call org.e.*=*@/org/e"; "" when not given.
std::string bus_reach_line(const BusReach& reach) {
  if (!std::get<0>(reach)) return "";
  std::string line;
  for (const auto& g : std::get<1>(reach)) {
    const std::string& rule = std::get<2>(g);
    line += (line.empty() ? "" : ", ") + std::get<0>(g) + " " + std::get<1>(g) +
            (rule.empty() ? "" : "=" + rule);
  }
  return "through its proxy: " + (line.empty() ? std::string("the bus driver only") : line);
}

nlohmann::json bus_reach_json(const BusReach& reach) {
  if (!std::get<0>(reach)) return nullptr;
  nlohmann::json grants = nlohmann::json::array();
  for (const auto& g : std::get<1>(reach))
    grants.push_back(
        {{"level", std::get<0>(g)}, {"name", std::get<1>(g)}, {"rule", std::get<2>(g)}});
  return grants;
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
  // Each box's pod, from the pods' member lists.
  auto pods = ctx.manager().ListPods();
  std::map<std::string, std::string> pod_of;
  for (const auto& p : pods)
    for (const auto& member : std::get<5>(p)) pod_of[member] = std::get<0>(p);
  auto pod_cell = [&](const std::string& name) {
    auto it = pod_of.find(name);
    return it == pod_of.end() ? std::string() : it->second;
  };
  if (options.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : rows) {
      out.push_back({{"name", std::get<0>(r)},
                     {"unit", unit_name(std::get<0>(r))},
                     {"description", std::get<1>(r)},
                     {"state", std::get<2>(r)},
                     {"sub_state", std::get<3>(r)},
                     {"error", std::get<4>(r)},
                     {"object_path", std::string(std::get<5>(r))},
                     {"pod", pod_cell(std::get<0>(r))}});
    }
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  const bool color = manager::color_wanted(STDOUT_FILENO);
  // The POD column only where some box is in a pod.
  const bool pod_column = !pod_of.empty();
  std::vector<std::vector<Cell>> table;
  if (!options.no_legend) {
    table.push_back({{"NAME", Color::kBold}, {"STATE", Color::kBold}, {"SUB", Color::kBold}});
    if (pod_column) table.back().push_back({"POD", Color::kBold});
    table.back().push_back({"DESCRIPTION", Color::kBold});
  }
  for (const auto& r : rows) {
    const std::string& state = std::get<2>(r);
    const std::string& error = std::get<4>(r);
    table.push_back({{std::get<0>(r)}, {state, manager::state_color(state)}, {std::get<3>(r)}});
    if (pod_column) table.back().push_back({pod_cell(std::get<0>(r))});
    table.back().push_back(
        {error.empty() ? std::get<1>(r) : error, error.empty() ? Color::kNone : Color::kRed});
  }
  if (rows.empty() && pods.empty()) {
    if (options.no_legend) return kExitOk;
    std::cerr << "No containers: put NAME.yaml in ~/.config/box/containers/ "
                 "(see 'boxctl validate FILE').\n";
    return kExitOk;
  }
  if (!rows.empty()) std::cout << manager::format_table(table, color);
  // The pods themselves, under the boxes, for people (a script reads
  // ListPods or --json).
  if (pods.empty() || options.no_legend) return kExitOk;
  std::vector<std::vector<Cell>> pod_table = {{{"POD", Color::kBold},
                                               {"STATE", Color::kBold},
                                               {"SUB", Color::kBold},
                                               {"BOXES", Color::kBold},
                                               {"DESCRIPTION", Color::kBold}}};
  for (const auto& p : pods) {
    const std::string& state = std::get<2>(p);
    const std::string& error = std::get<4>(p);
    std::string members;
    for (const auto& m : std::get<5>(p)) members += (members.empty() ? "" : ",") + m;
    pod_table.push_back({{std::get<0>(p)},
                         {state, manager::state_color(state)},
                         {std::get<3>(p)},
                         {members.empty() ? "-" : members},
                         {error.empty() ? std::get<1>(p) : error,
                          error.empty() ? Color::kNone : Color::kRed}});
  }
  if (!rows.empty()) std::cout << "\n";
  std::cout << manager::format_table(pod_table, color);
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
  const bool paused = property<bool>(props, "Paused");
  if (options.json) {
    nlohmann::json out = {{"name", property<std::string>(props, "Name")},
                          {"unit", unit},
                          {"description", property<std::string>(props, "Description")},
                          {"state", state},
                          {"sub_state", sub},
                          {"error", error},
                          {"main_pid", pid},
                          {"paused", paused},
                          {"since_usec", since},
                          {"exit_status", property<int32_t>(props, "ExitStatus")},
                          {"definition_path", property<std::string>(props, "DefinitionPath")},
                          {"rootfs", property<std::string>(props, "Rootfs")},
                          {"image", property<std::string>(props, "Image")},
                          {"autostart", property<std::string>(props, "Autostart")},
                          {"next_start", property<std::string>(props, "NextStart")}};
    for (const auto& [prop, key] : kBuses) out[key] = bus_reach_json(property<BusReach>(props, prop));
    out["devices"] = property<std::vector<std::string>>(props, "Devices");
    out["keep_groups"] = property<bool>(props, "KeepGroups");
    out["session"] = property<std::vector<std::string>>(props, "SessionSockets");
    out["app_id"] = property<std::string>(props, "AppId");
    out["pod"] = property<std::string>(props, "Pod");
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
  if (paused) state_line += manager::paint(", paused", Color::kYellow, color);
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
  if (auto pod = property<std::string>(props, "Pod"); !pod.empty())
    fields.push_back({{"Pod:"}, {pod + " (" + pod_unit_name(pod) + ")"}});
  fields.push_back({{"Autostart:"}, {property<std::string>(props, "Autostart")}});
  if (auto app_id = property<std::string>(props, "AppId"); !app_id.empty())
    fields.push_back({{"App id:"}, {app_id + " (/.flatpak-info)"}});
  // Only a box that has a bus says so: the others have none at all.
  for (const auto& [prop, label] : {std::pair{"SessionBus", "Session bus:"},
                                    std::pair{"SystemBus", "System bus:"}})
    if (auto line = bus_reach_line(property<BusReach>(props, prop)); !line.empty())
      fields.push_back({{label}, {line}});
  // The same for the session's sockets, the host's devices and groups.
  std::string session;
  for (const auto& s : property<std::vector<std::string>>(props, "SessionSockets"))
    session += (session.empty() ? "" : ", ") + s;
  if (!session.empty()) fields.push_back({{"Session:"}, {session + " (sockets, read-only)"}});
  std::string devices;
  for (const auto& d : property<std::vector<std::string>>(props, "Devices"))
    devices += (devices.empty() ? "" : ", ") + d;
  if (!devices.empty()) fields.push_back({{"Devices:"}, {devices}});
  if (property<bool>(props, "KeepGroups"))
    fields.push_back({{"Host groups:"}, {"kept (keep_groups: your supplementary groups)"}});
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
