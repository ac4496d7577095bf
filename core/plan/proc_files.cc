#include "core/plan/proc_files.h"

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
    }
  }
  if (!have_uid || !have_gid || !have_bnd) return Error("no Uid, Gid or CapBnd line");
  return st;
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

}  // namespace box
