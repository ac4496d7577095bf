#include "core/plan/box_processes.h"

#include <nlohmann/json.hpp>

#include "core/plan/proc_files.h"
#include "core/sys/id_map.h"

namespace box {

Result<BoxProcess> box_process(pid_t host_pid, std::string_view status, std::string_view uid_map,
                               std::string_view cmdline) {
  const std::string what = "/proc/" + std::to_string(host_pid);
  auto st = parse_proc_status(status);
  if (!st) return st.error().wrap(what + "/status");
  auto map = parse_id_map(uid_map);
  if (!map) return map.error().wrap(what + "/uid_map");
  BoxProcess p;
  p.host_pid = host_pid;
  p.pid = st->ns_pid ? st->ns_pid : host_pid;
  auto uid = id_inside(*map, static_cast<std::uint32_t>(st->uid));
  if (!uid) return uid.error().wrap(what);
  p.uid = static_cast<uid_t>(*uid);
  // NUL-separated arguments, the last one ended by a NUL too.
  std::string command(cmdline);
  while (!command.empty() && command.back() == '\0') command.pop_back();
  for (char& c : command)
    if (c == '\0') c = ' ';
  p.command = command.empty() ? "[" + st->name + "]" : command;
  return p;
}

std::map<std::string, std::uint64_t> box_stats(const std::string& stats_json) {
  std::map<std::string, std::uint64_t> out;
  auto j = nlohmann::json::parse(stats_json, nullptr, false);
  if (!j.is_object()) return out;
  auto number = [&](const nlohmann::json::json_pointer& at, const char* key) {
    if (j.contains(at) && j[at].is_number_unsigned()) out[key] = j[at].get<std::uint64_t>();
  };
  using ptr = nlohmann::json::json_pointer;
  number(ptr("/cpu/usage/total"), "cpu_usage_ns");
  number(ptr("/cpu/usage/user"), "cpu_user_ns");
  number(ptr("/cpu/usage/kernel"), "cpu_system_ns");
  number(ptr("/memory/usage/usage"), "memory_bytes");
  number(ptr("/pids/current"), "pids");
  // No limit is all ones (memory) or 0 (pids) there: absent here.
  if (j.contains(ptr("/memory/usage/limit")) && j[ptr("/memory/usage/limit")].is_number_unsigned()) {
    const auto limit = j[ptr("/memory/usage/limit")].get<std::uint64_t>();
    if (limit != 0 && limit < (std::uint64_t{1} << 62)) out["memory_limit_bytes"] = limit;
  }
  if (j.contains(ptr("/pids/limit")) && j[ptr("/pids/limit")].is_number_unsigned()) {
    const auto limit = j[ptr("/pids/limit")].get<std::uint64_t>();
    if (limit != 0) out["pids_limit"] = limit;
  }
  return out;
}

}  // namespace box
