#include "core/runtime/oci_cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "core/sys/cgroup.h"
#include "core/sys/small_file.h"
#include "core/sys/text_fields.h"

namespace box {
namespace {

using nlohmann::json;

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string read_or_empty(const std::string& path) {
  auto text = read_small_file(path);
  return text ? trimmed(*text) : std::string();
}

// The directory of the v1 hierarchy carrying `controller`.
std::string v1_dir(const CgroupDirs& dirs, const std::string& controller) {
  for (const auto& [key, dir] : dirs) {
    if (key.empty()) continue;
    for (auto c : split_nonempty(key, ","))
      if (c == controller) return dir;
  }
  return "";
}

std::string v2_dir(const CgroupDirs& dirs) {
  auto it = dirs.find("");
  return it == dirs.end() ? "" : it->second;
}

// The existing cgroups above `dir`, nearest first, up to the hierarchy's
// root (the last directory with a cgroup.procs).
std::vector<std::string> ancestors(const std::string& dir) {
  std::vector<std::string> out;  // nearest first
  std::string cur = dir;
  for (;;) {
    auto slash = cur.rfind('/');
    if (slash == std::string::npos || slash == 0) break;
    cur = cur.substr(0, slash);
    if (::access((cur + "/cgroup.procs").c_str(), F_OK) != 0) break;
    out.push_back(cur);
  }
  return out;
}

bool optional_file(const std::string& file) {
  for (const char* prefix : {"memory.kmem.", "memory.memsw.", "blkio.weight", "blkio.leaf_weight",
                             "io.weight", "memory.swap.", "cpu.rt_"})
    if (file.rfind(prefix, 0) == 0) return true;
  return false;
}

unsigned long long num_or_zero(const std::string& text) {
  auto v = parse_unsigned(text);
  return v ? *v : 0;
}

std::map<std::string, unsigned long long> key_values(const std::string& text) {
  std::map<std::string, unsigned long long> out;
  for (auto line : text_lines(text)) {
    auto f = split_nonempty(line, " ");
    if (f.size() == 2) out[std::string(f[0])] = num_or_zero(std::string(f[1]));
  }
  return out;
}

}  // namespace

Result<std::vector<CgroupHierarchy>> host_cgroup_hierarchies() {
  auto mountinfo = read_small_file("/proc/self/mountinfo", 8 << 20);
  if (!mountinfo) return mountinfo.error();
  auto self = read_small_file("/proc/self/cgroup");
  if (!self) return self.error();
  return parse_cgroup_hierarchies(*mountinfo, *self);
}

CgroupControllers cgroup_controllers(const CgroupDirs& dirs) {
  CgroupControllers c;
  for (const auto& [key, dir] : dirs) {
    if (key.empty()) continue;
    for (auto name : split_nonempty(key, ","))
      if (name.rfind("name=", 0) != 0) c.v1.emplace(name);
  }
  const std::string v2 = v2_dir(dirs);
  if (!v2.empty()) {
    // The nearest existing ancestor (the container's dir may not exist yet).
    std::string cur = v2;
    while (!cur.empty() && ::access((cur + "/cgroup.controllers").c_str(), R_OK) != 0)
      cur = cur.substr(0, cur.rfind('/'));
    const std::string listed = read_or_empty(cur + "/cgroup.controllers");
    for (auto name : split_nonempty(listed, " ")) c.v2.emplace(name);
  }
  return c;
}

Result<void> create_cgroup_dirs(const CgroupDirs& dirs) {
  for (const auto& [key, dir] : dirs) {
    // Parents first, so cpuset's values can be copied down level by level.
    std::vector<std::string> chain = {dir};
    for (std::string cur = dir;;) {
      auto slash = cur.rfind('/');
      if (slash == std::string::npos || slash == 0) break;
      cur = cur.substr(0, slash);
      if (::access(cur.c_str(), F_OK) == 0) break;
      chain.push_back(cur);
    }
    const bool cpuset = !v1_dir({{key, dir}}, "cpuset").empty();
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      if (::mkdir(it->c_str(), 0755) != 0 && errno != EEXIST)
        return Error::from_errno("create cgroup '" + *it + "'");
      if (!cpuset) continue;
      const std::string parent = it->substr(0, it->rfind('/'));
      for (const char* file : {"/cpuset.cpus", "/cpuset.mems"}) {
        if (!read_or_empty(*it + file).empty()) continue;
        if (auto w = write_control_file(*it + file, read_or_empty(parent + file)); !w) return w.error();
      }
    }
  }
  return {};
}

Result<std::vector<std::string>> apply_cgroup_writes(const CgroupDirs& dirs,
                                                     const std::vector<CgroupWrite>& writes) {
  std::vector<std::string> warnings;
  // cgroup2 controllers: enabled in every ancestor's subtree_control, from
  // the top down, as far as they are not already.
  std::set<std::string> unusable;
  const std::string v2 = v2_dir(dirs);
  std::set<std::string> wanted;
  for (const auto& w : writes)
    if (w.v2 && !w.controller.empty()) wanted.insert(w.controller);
  if (!wanted.empty() && !v2.empty()) {
    auto chain = ancestors(v2);
    std::reverse(chain.begin(), chain.end());
    for (const auto& c : wanted) {
      for (const auto& dir : chain) {
        const std::string subtree_control = read_or_empty(dir + "/cgroup.subtree_control");
        auto enabled = split_nonempty(subtree_control, " ");
        if (std::find(enabled.begin(), enabled.end(), c) != enabled.end()) continue;
        if (auto w = write_control_file(dir + "/cgroup.subtree_control", "+" + c); !w) {
          warnings.push_back("cgroup v2 controller '" + c + "' not applied: " + w.error().message() +
                             (w.error().errno_value() == EBUSY
                                  ? " (that cgroup has processes of its own; start box-oci from a "
                                    "cgroup whose parent is delegated, or give a cgroupsPath beside it)"
                                  : ""));
          unusable.insert(c);
          break;
        }
      }
    }
  }
  std::vector<const CgroupWrite*> retry;
  auto write_one = [&](const CgroupWrite& w, bool last_try) -> Result<void> {
    if (w.v2 && unusable.count(w.controller)) return {};
    const std::string dir = w.v2 ? v2 : v1_dir(dirs, w.controller);
    if (dir.empty()) {
      warnings.push_back(w.file + ": not applied: no cgroup for controller '" + w.controller + "'");
      return {};
    }
    const std::string path = dir + "/" + w.file;
    auto done = write_control_file(path, w.value);
    if (done) return {};
    const int err = done.error().errno_value();
    if (!last_try && (err == EINVAL || err == EBUSY)) {
      retry.push_back(&w);
      return {};
    }
    if (optional_file(w.file) && (err == ENOENT || err == EOPNOTSUPP || err == EINVAL)) {
      warnings.push_back(w.file + ": not applied: " + done.error().message());
      return {};
    }
    return done.error();
  };
  for (const auto& w : writes)
    if (auto r = write_one(w, false); !r) return r.error();
  for (const auto* w : std::vector<const CgroupWrite*>(retry))
    if (auto r = write_one(*w, true); !r) return r.error();
  return warnings;
}

Result<void> join_cgroup_dirs(const CgroupDirs& dirs, pid_t pid) {
  for (const auto& [key, dir] : dirs)
    if (auto joined = join_cgroup(dir, pid); !joined) return joined;
  return {};
}

Result<std::vector<pid_t>> cgroup_pids(const CgroupDirs& dirs) {
  std::string top = v2_dir(dirs);
  if (top.empty() && !dirs.empty()) top = dirs.begin()->second;
  if (top.empty()) return Error("the container has no cgroup");
  std::vector<pid_t> pids;
  std::vector<std::string> stack = {top};
  while (!stack.empty()) {
    std::string cur = stack.back();
    stack.pop_back();
    auto text = read_small_file(cur + "/cgroup.procs");
    if (!text) return text.error();
    for (auto line : text_lines(*text))
      if (auto p = parse_unsigned(line)) pids.push_back(static_cast<pid_t>(*p));
    if (DIR* d = ::opendir(cur.c_str())) {
      while (dirent* e = ::readdir(d))
        if (e->d_type == DT_DIR && e->d_name[0] != '.') stack.push_back(cur + "/" + e->d_name);
      ::closedir(d);
    }
  }
  std::sort(pids.begin(), pids.end());
  pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
  return pids;
}

Result<void> freeze_cgroup(const CgroupDirs& dirs, bool frozen) {
  const std::string v2 = v2_dir(dirs);
  const std::string v1 = v1_dir(dirs, "freezer");
  if (!v2.empty() && ::access((v2 + "/cgroup.freeze").c_str(), W_OK) == 0) {
    if (auto w = write_control_file(v2 + "/cgroup.freeze", frozen ? "1" : "0"); !w) return w;
    // cgroup.events says "frozen 1" once every process has stopped.
    for (int i = 0; i < 500; ++i) {
      auto events = key_values(read_or_empty(v2 + "/cgroup.events"));
      if (events["frozen"] == (frozen ? 1U : 0U)) return {};
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return Error("'" + v2 + "' did not report frozen " + (frozen ? "1" : "0") + " within a second");
  }
  if (!v1.empty()) {
    const std::string want = frozen ? "FROZEN" : "THAWED";
    for (int i = 0; i < 500; ++i) {
      if (auto w = write_control_file(v1 + "/freezer.state", want); !w) return w;
      if (read_or_empty(v1 + "/freezer.state") == want) return {};
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return Error("'" + v1 + "/freezer.state' did not reach " + want + " within a second");
  }
  return Error("the container's cgroup has no freezer (neither cgroup.freeze nor a v1 freezer)");
}

bool cgroup_frozen(const CgroupDirs& dirs) {
  const std::string v2 = v2_dir(dirs);
  if (!v2.empty() && ::access((v2 + "/cgroup.freeze").c_str(), F_OK) == 0)
    return read_or_empty(v2 + "/cgroup.freeze") == "1";
  const std::string v1 = v1_dir(dirs, "freezer");
  return !v1.empty() && read_or_empty(v1 + "/freezer.state") == "FROZEN";
}

bool remove_cgroup_dirs(const CgroupDirs& dirs) {
  bool all = true;
  for (const auto& [key, dir] : dirs) all = remove_cgroup_tree(dir) && all;
  return all;
}

std::string cgroup_stats_json(const CgroupDirs& dirs) {
  json data = json::object();
  const std::string v2 = v2_dir(dirs);
  // cpu
  json cpu = {{"usage", json::object()}, {"throttling", json::object()}};
  if (std::string acct = v1_dir(dirs, "cpuacct"); !acct.empty()) {
    cpu["usage"]["total"] = num_or_zero(read_or_empty(acct + "/cpuacct.usage"));
    json percpu = json::array();
    const std::string usage_percpu = read_or_empty(acct + "/cpuacct.usage_percpu");
    for (auto v : split_nonempty(usage_percpu, " "))
      percpu.push_back(num_or_zero(std::string(v)));
    cpu["usage"]["percpu"] = percpu;
    // cpuacct.stat counts USER_HZ ticks.
    const unsigned long long ns_per_tick = 1000000000ULL / static_cast<unsigned long long>(::sysconf(_SC_CLK_TCK));
    auto st = key_values(read_or_empty(acct + "/cpuacct.stat"));
    cpu["usage"]["kernel"] = st["system"] * ns_per_tick;
    cpu["usage"]["user"] = st["user"] * ns_per_tick;
  } else if (!v2.empty()) {
    auto st = key_values(read_or_empty(v2 + "/cpu.stat"));
    cpu["usage"]["total"] = st["usage_usec"] * 1000;
    cpu["usage"]["kernel"] = st["system_usec"] * 1000;
    cpu["usage"]["user"] = st["user_usec"] * 1000;
  }
  std::string cpu_dir = v1_dir(dirs, "cpu");
  auto throttle = key_values(read_or_empty((cpu_dir.empty() ? v2 : cpu_dir) + "/cpu.stat"));
  cpu["throttling"] = {{"periods", throttle["nr_periods"]},
                       {"throttled_periods", throttle["nr_throttled"]},
                       {"throttled_time", cpu_dir.empty() ? throttle["throttled_usec"] * 1000
                                                          : throttle["throttled_time"]}};
  data["cpu"] = cpu;
  // memory
  json memory = json::object();
  if (std::string mem = v1_dir(dirs, "memory"); !mem.empty()) {
    auto entry = [&](const std::string& prefix) {
      return json{{"usage", num_or_zero(read_or_empty(mem + "/" + prefix + "usage_in_bytes"))},
                  {"max", num_or_zero(read_or_empty(mem + "/" + prefix + "max_usage_in_bytes"))},
                  {"failcnt", num_or_zero(read_or_empty(mem + "/" + prefix + "failcnt"))},
                  {"limit", num_or_zero(read_or_empty(mem + "/" + prefix + "limit_in_bytes"))}};
    };
    memory["usage"] = entry("memory.");
    memory["swap"] = entry("memory.memsw.");
    memory["kernel"] = entry("memory.kmem.");
    memory["kernelTCP"] = entry("memory.kmem.tcp.");
    memory["raw"] = key_values(read_or_empty(mem + "/memory.stat"));
  } else if (!v2.empty() && ::access((v2 + "/memory.current").c_str(), F_OK) == 0) {
    auto limit = read_or_empty(v2 + "/memory.max");
    memory["usage"] = {{"usage", num_or_zero(read_or_empty(v2 + "/memory.current"))},
                       {"limit", limit == "max" ? ~0ULL : num_or_zero(limit)},
                       {"failcnt", key_values(read_or_empty(v2 + "/memory.events"))["max"]}};
    memory["swap"] = {{"usage", num_or_zero(read_or_empty(v2 + "/memory.swap.current"))}};
    memory["raw"] = key_values(read_or_empty(v2 + "/memory.stat"));
  }
  data["memory"] = memory;
  // pids
  std::string pids_dir = v1_dir(dirs, "pids");
  if (pids_dir.empty() && ::access((v2 + "/pids.current").c_str(), F_OK) == 0) pids_dir = v2;
  if (!pids_dir.empty()) {
    auto limit = read_or_empty(pids_dir + "/pids.max");
    data["pids"] = {{"current", num_or_zero(read_or_empty(pids_dir + "/pids.current"))},
                    {"limit", limit == "max" ? 0 : num_or_zero(limit)}};
  } else {
    auto pids = cgroup_pids(dirs);
    data["pids"] = {{"current", pids ? pids->size() : 0}};
  }
  // hugetlb: usage per page size, from whichever side has it
  json hugetlb = json::object();
  const std::string hdir = v1_dir(dirs, "hugetlb").empty() ? v2 : v1_dir(dirs, "hugetlb");
  if (!hdir.empty()) {
    if (DIR* d = ::opendir(hdir.c_str())) {
      while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        const std::string pre = "hugetlb.";
        for (const char* suffix : {".usage_in_bytes", ".current"}) {
          const std::string sfx = suffix;
          if (name.rfind(pre, 0) == 0 && name.size() > pre.size() + sfx.size() &&
              name.compare(name.size() - sfx.size(), sfx.size(), sfx) == 0 &&
              name.find(".rsvd.") == std::string::npos) {
            const std::string size = name.substr(pre.size(), name.size() - pre.size() - sfx.size());
            hugetlb[size] = {{"usage", num_or_zero(read_or_empty(hdir + "/" + name))}};
          }
        }
      }
      ::closedir(d);
    }
  }
  data["hugetlb"] = hugetlb;
  data["blkio"] = json::object();
  return data.dump();
}

}  // namespace box
