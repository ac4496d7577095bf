// boxctl pause, resume, top, stats, events: a running box's own cgroup,
// through box-manager's Pause, Resume, Top and Stats (docs/dbus-api.md).
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "boxctl/boxctl.h"
#include "boxctl/output.h"
#include "bus/errors.h"

namespace box::boxctl {
namespace {

using manager::Cell;
using Stats = std::map<std::string, uint64_t>;

std::string mebibytes(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fMiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

std::string of_limit(const Stats& s, const char* used, const char* limit,
                     std::string (*show)(uint64_t)) {
  auto u = s.find(used);
  if (u == s.end()) return "-";
  auto l = s.find(limit);
  return show(u->second) + (l == s.end() ? "" : " / " + show(l->second));
}

std::string count(uint64_t n) { return std::to_string(n); }

std::string cpu_seconds(const Stats& s) {
  auto it = s.find("cpu_usage_ns");
  if (it == s.end()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fs", static_cast<double>(it->second) / 1e9);
  return buf;
}

nlohmann::json stats_json(const Stats& s) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : s) j[k] = v;
  return j;
}

void print_line(const nlohmann::json& j) {
  std::cout << j.dump() << "\n";
  std::cout.flush();
}

}  // namespace

int cmd_pause(Context& ctx, const std::vector<std::string>& names, bool frozen) {
  int worst = kExitOk;
  for (const auto& name : names) {
    try {
      if (frozen)
        ctx.manager().Pause(name);
      else
        ctx.manager().Resume(name);
    } catch (const sdbus::Error& e) {
      int code = ctx.report(e);
      if (worst == kExitOk) worst = code;
    }
  }
  return worst;
}

int cmd_top(Context& ctx, const TopOptions& options) {
  auto rows = ctx.manager().Top(options.name);
  if (options.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : rows)
      out.push_back({{"pid", std::get<0>(r)},
                     {"host_pid", std::get<1>(r)},
                     {"uid", std::get<2>(r)},
                     {"command", std::get<3>(r)}});
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  std::vector<std::vector<Cell>> table;
  if (!options.no_legend) table.push_back({{"PID"}, {"HOST PID"}, {"UID"}, {"COMMAND"}});
  for (const auto& r : rows)
    table.push_back({{std::to_string(std::get<0>(r))},
                     {std::to_string(std::get<1>(r))},
                     {std::to_string(std::get<2>(r))},
                     {std::get<3>(r)}});
  std::cout << manager::format_table(table, false);
  return kExitOk;
}

int cmd_stats(Context& ctx, const StatsOptions& options) {
  nlohmann::json out = nlohmann::json::object();
  std::vector<std::vector<Cell>> table;
  if (!options.no_legend) table.push_back({{"NAME"}, {"CPU"}, {"MEMORY"}, {"PIDS"}});
  int worst = kExitOk;
  for (const auto& name : options.names) {
    try {
      Stats s = ctx.manager().Stats(name);
      out[name] = stats_json(s);
      table.push_back({{name},
                       {cpu_seconds(s)},
                       {of_limit(s, "memory_bytes", "memory_limit_bytes", mebibytes)},
                       {of_limit(s, "pids", "pids_limit", count)}});
    } catch (const sdbus::Error& e) {
      int code = ctx.report(e);
      if (worst == kExitOk) worst = code;
    }
  }
  if (options.json)
    std::cout << out.dump(2) << "\n";
  else if (table.size() > (options.no_legend ? 0u : 1u))
    std::cout << manager::format_table(table, false);
  return worst;
}

int cmd_events(Context& ctx, const EventsOptions& options) {
  if (!(options.interval > 0))
    throw Failure{kExitUsage, "events: --interval must be more than 0 seconds"};
  const std::string& name = options.name;
  if (options.stats) {
    print_line({{"type", "stats"}, {"name", name}, {"data", stats_json(ctx.manager().Stats(name))}});
    return kExitOk;
  }
  // Until the box stops: its state when it changes, and its usage every
  // interval, one JSON object per line.
  std::string last_state;
  bool last_paused = false;
  int failed_reads = 0;
  for (bool first = true;; first = false) {
    auto props = ctx.manager().container_properties(name);
    const auto state = manager::property<std::string>(props, "State");
    const bool paused = manager::property<bool>(props, "Paused");
    if (first || state != last_state || paused != last_paused)
      print_line({{"type", "state"}, {"name", name}, {"state", state}, {"paused", paused}});
    last_state = state;
    last_paused = paused;
    // A stopping box is still followed: its end is the "inactive" (or
    // "failed") line a reader waits for.
    const bool alive = state == "active" || state == "reloading" || state == "activating" ||
                       state == "deactivating";
    if (!alive) {
      if (first) throw sdbus::Error(manager::kNotRunning, "container '" + name + "' is not running");
      return kExitOk;
    }
    try {
      print_line({{"type", "stats"}, {"name", name}, {"data", stats_json(ctx.manager().Stats(name))}});
      failed_reads = 0;
    } catch (const sdbus::Error& e) {
      // A box that stops takes its cgroup away while its unit may still
      // read active: its end comes next round. An error that outlasts
      // three rounds of an active box is the answer.
      if (e.getName() != manager::kNotRunning && ++failed_reads >= 3) throw;
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(options.interval));
  }
}

}  // namespace box::boxctl
