#include "core/plan/proc_files.h"

#include <sys/resource.h>

#include <optional>
#include <utility>

#include "core/sys/text_fields.h"

namespace box {

std::vector<pid_t> parse_children(std::string_view text) {
  std::vector<pid_t> out;
  for (auto f : split_nonempty(text, " \t\n")) {
    auto v = parse_unsigned(f);
    if (v && *v > 0 && *v < (1u << 22)) out.push_back(static_cast<pid_t>(*v));
  }
  return out;
}

Result<ProcStatus> parse_proc_status(std::string_view text) {
  ProcStatus st;
  bool have_uid = false, have_gid = false, have_bnd = false;
  for (auto line : text_lines(text)) {
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto key = line.substr(0, colon);
    auto f = split_nonempty(line.substr(colon + 1), " \t");
    if (key == "Uid" || key == "Gid") {
      // real, effective, saved, filesystem: the effective one.
      auto v = f.size() >= 2 ? parse_unsigned(f[1]) : std::nullopt;
      if (!v) continue;
      if (key == "Uid")
        st.uid = static_cast<uid_t>(*v), have_uid = true;
      else
        st.gid = static_cast<gid_t>(*v), have_gid = true;
    } else if (key == "Groups") {
      for (auto g : f)
        if (auto v = parse_unsigned(g)) st.groups.push_back(static_cast<gid_t>(*v));
    } else if (key == "CapBnd" && f.size() == 1) {
      if (auto v = parse_unsigned(f[0], 16)) {
        st.cap_bounding = *v;
        have_bnd = true;
      }
    } else if (key == "NoNewPrivs" && f.size() == 1) {
      st.no_new_privs = f[0] == "1";
    } else if (key == "Seccomp" && f.size() == 1) {
      st.seccomp_filtered = f[0] == "2";
    } else if (key == "Name" && f.size() == 1) {
      st.name = std::string(f[0]);
    } else if (key == "NSpid" && !f.empty()) {
      if (auto v = parse_unsigned(f.back()); v && *v < (1u << 22)) st.ns_pid = static_cast<pid_t>(*v);
    }
  }
  if (!have_uid || !have_gid || !have_bnd) return Error("no Uid, Gid or CapBnd line");
  return st;
}

Result<std::vector<ProcLimit>> parse_proc_limits(std::string_view text) {
  // The kernel's names (fs/proc/base.c, lnames[]), by resource.
  static constexpr std::pair<const char*, int> kNames[] = {
      {"Max cpu time", RLIMIT_CPU},
      {"Max file size", RLIMIT_FSIZE},
      {"Max data size", RLIMIT_DATA},
      {"Max stack size", RLIMIT_STACK},
      {"Max core file size", RLIMIT_CORE},
      {"Max resident set", RLIMIT_RSS},
      {"Max processes", RLIMIT_NPROC},
      {"Max open files", RLIMIT_NOFILE},
      {"Max locked memory", RLIMIT_MEMLOCK},
      {"Max address space", RLIMIT_AS},
      {"Max file locks", RLIMIT_LOCKS},
      {"Max pending signals", RLIMIT_SIGPENDING},
      {"Max msgqueue size", RLIMIT_MSGQUEUE},
      {"Max nice priority", RLIMIT_NICE},
      {"Max realtime priority", RLIMIT_RTPRIO},
      {"Max realtime timeout", RLIMIT_RTTIME},
  };
  std::vector<ProcLimit> out;
  for (auto line : split_nonempty(text, "\n")) {
    for (const auto& [name, resource] : kNames) {
      const std::string_view n(name);
      // "Max open files" must not match "Max open files2": a space follows.
      if (line.size() <= n.size() || line.substr(0, n.size()) != n || line[n.size()] != ' ')
        continue;
      auto fields = split_nonempty(line.substr(n.size()), " ");
      auto value = [](std::string_view v) -> std::optional<std::uint64_t> {
        if (v == "unlimited") return UINT64_MAX;
        return parse_unsigned(v);
      };
      std::optional<std::uint64_t> soft, hard;
      if (fields.size() >= 2) soft = value(fields[0]), hard = value(fields[1]);
      if (!soft || !hard) return Error("cannot read the limits in '" + std::string(line) + "'");
      out.push_back({resource, *soft, *hard});
    }
  }
  if (out.empty()) return Error("no limits in it");
  return out;
}

std::vector<std::string> parse_environ(std::string_view data) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < data.size()) {
    std::size_t end = data.find('\0', start);
    if (end == std::string_view::npos) end = data.size();
    auto entry = data.substr(start, end - start);
    if (entry.find('=') != std::string_view::npos && entry.front() != '=') out.emplace_back(entry);
    start = end + 1;
  }
  return out;
}

std::optional<std::uint64_t> parse_start_time(std::string_view stat) {
  // The command name may hold spaces and parentheses: fields follow the last ')'.
  const auto close = stat.rfind(')');
  if (close == std::string_view::npos || close + 2 >= stat.size()) return std::nullopt;
  const auto fields = split_nonempty(stat.substr(close + 2), " \n");
  // fields[0] is the state (field 3), so field 22 is fields[19].
  if (fields.size() < 20 || fields[0] == "Z" || fields[0] == "X") return std::nullopt;
  auto start = parse_unsigned(fields[19]);
  if (!start || *start == 0) return std::nullopt;
  return start;
}

}  // namespace box
