#include "core/plan/oci_cgroups.h"

#include <algorithm>
#include <climits>
#include <nlohmann/json.hpp>

#include "core/sys/text_fields.h"

namespace box {
namespace {

using nlohmann::json;

// Lexically clean, as runc's CleanPath: "." and empty parts dropped, ".."
// never climbs above the start (so a relative path cannot leave its base).
std::string clean_path(const std::string& path) {
  std::vector<std::string_view> parts;
  for (auto p : split_nonempty(path, "/")) {
    if (p == ".") continue;
    if (p == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(p);
  }
  std::string out;
  for (auto p : parts) out += "/" + std::string(p);
  return out;  // "" for the root itself
}

std::string join(const std::string& a, const std::string& clean_b) {
  std::string base = a;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  if (base == "/") base.clear();
  return base + clean_b;
}

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return path.substr(0, slash);
}

// The user manager's cgroup in `own` (".../user@UID.service"), or "".
std::string user_manager_cgroup(const std::string& own, uid_t uid) {
  const std::string unit = "/user@" + std::to_string(uid) + ".service";
  auto at = own.find(unit + "/");
  if (at == std::string::npos) {
    if (own.size() >= unit.size() && own.compare(own.size() - unit.size(), unit.size(), unit) == 0)
      return own;
    return "";
  }
  return own.substr(0, at + unit.size());
}

// One resource field, mapped to a write or to a warning.
class Planner {
 public:
  Planner(const CgroupControllers& c, CgroupResourcePlan& out) : c_(c), out_(out) {}

  // `v1_file`/`v2_file` empty: that side cannot express the field.
  void add(const std::string& where, const std::string& v1_controller, const std::string& v1_file,
           const std::string& v1_value, const std::string& v2_controller,
           const std::string& v2_file, const std::string& v2_value) {
    if (!v1_file.empty() && c_.v1.count(v1_controller)) {
      out_.writes.push_back({v1_controller, false, v1_file, v1_value});
    } else if (!v2_file.empty() && c_.v2.count(v2_controller)) {
      out_.writes.push_back({v2_controller, true, v2_file, v2_value});
    } else if (v1_file.empty()) {
      warn(where + ": not applied: cgroup v2 only, and this host has no '" + v2_controller +
           "' controller in cgroup v2");
    } else if (v2_file.empty()) {
      warn(where + ": not applied: cgroup v1 only, and this host has no v1 '" + v1_controller +
           "' controller");
    } else {
      warn(where + ": not applied: this host has no '" + v1_controller + "' controller");
    }
  }
  void warn(std::string w) { out_.warnings.push_back(std::move(w)); }
  bool v1_has(const std::string& c) const { return c_.v1.count(c) > 0; }
  bool v2_has(const std::string& c) const { return c_.v2.count(c) > 0; }

 private:
  const CgroupControllers& c_;
  CgroupResourcePlan& out_;
};

std::string num(long long v) { return std::to_string(v); }
std::string unum(unsigned long long v) { return std::to_string(v); }

std::string dev_id(const json& d, const char* key) {
  if (!d.contains(key) || d[key].is_null()) return "*";
  long long v = d[key].get<long long>();
  return v < 0 ? "*" : num(v);
}

void plan_memory(const json& m, Planner& p) {
  const std::string at = "linux.resources.memory";
  const bool v2_side = !p.v1_has("memory") && p.v2_has("memory");
  long long limit = m.value("limit", 0LL);
  if (m.contains("limit"))
    p.add(at + ".limit", "memory", "memory.limit_in_bytes", num(limit), "memory", "memory.max",
          limit < 0 ? "max" : num(limit));
  if (m.contains("reservation")) {
    long long r = m["reservation"].get<long long>();
    p.add(at + ".reservation", "memory", "memory.soft_limit_in_bytes", num(r), "memory",
          "memory.low", r < 0 ? "max" : num(r));
  }
  if (m.contains("swap")) {
    long long swap = m["swap"].get<long long>();
    std::string v2;
    if (v2_side) {
      // The spec's swap is memory+swap (v1's memsw); v2 limits swap alone.
      if (swap < 0) {
        v2 = "max";
      } else if (swap > 0) {
        if (limit <= 0) {
          p.warn(at + ".swap: not applied: cgroup v2 needs memory.limit with it");
        } else if (swap < limit) {
          p.warn(at + ".swap: not applied: smaller than memory.limit");
        } else {
          v2 = num(swap - limit);
        }
      }
    }
    if (!v2_side || !v2.empty())
      p.add(at + ".swap", "memory", "memory.memsw.limit_in_bytes", num(swap), "memory",
            "memory.swap.max", v2);
  }
  if (m.contains("kernel"))
    p.add(at + ".kernel", "memory", "memory.kmem.limit_in_bytes", num(m["kernel"].get<long long>()),
          "memory", "", "");
  if (m.contains("kernelTCP"))
    p.add(at + ".kernelTCP", "memory", "memory.kmem.tcp.limit_in_bytes",
          num(m["kernelTCP"].get<long long>()), "memory", "", "");
  if (m.contains("swappiness"))
    p.add(at + ".swappiness", "memory", "memory.swappiness",
          unum(m["swappiness"].get<unsigned long long>()), "memory", "", "");
  if (m.value("disableOOMKiller", false))
    p.add(at + ".disableOOMKiller", "memory", "memory.oom_control", "1", "memory", "", "");
  if (m.contains("useHierarchy"))
    p.add(at + ".useHierarchy", "memory", "memory.use_hierarchy",
          m["useHierarchy"].get<bool>() ? "1" : "0", "memory", "", "");
}

void plan_cpu(const json& c, Planner& p) {
  const std::string at = "linux.resources.cpu";
  if (c.contains("shares")) {
    auto s = c["shares"].get<unsigned long long>();
    p.add(at + ".shares", "cpu", "cpu.shares", unum(s), "cpu", "cpu.weight",
          unum(cpu_shares_to_weight(s)));
  }
  const bool v1 = p.v1_has("cpu");
  if (v1) {
    // The period first: a quota is checked against the period in place.
    if (c.contains("period"))
      p.add(at + ".period", "cpu", "cpu.cfs_period_us", unum(c["period"].get<unsigned long long>()),
            "cpu", "", "");
    if (c.contains("quota"))
      p.add(at + ".quota", "cpu", "cpu.cfs_quota_us", num(c["quota"].get<long long>()), "cpu", "", "");
  } else if (c.contains("period") || c.contains("quota")) {
    long long quota = c.value("quota", -1LL);
    unsigned long long period = c.value("period", 100000ULL);
    p.add(at + ".quota", "cpu", "", "", "cpu", "cpu.max",
          (quota <= 0 ? std::string("max") : num(quota)) + " " + unum(period));
  }
  if (c.contains("realtimePeriod"))
    p.add(at + ".realtimePeriod", "cpu", "cpu.rt_period_us",
          unum(c["realtimePeriod"].get<unsigned long long>()), "cpu", "", "");
  if (c.contains("realtimeRuntime"))
    p.add(at + ".realtimeRuntime", "cpu", "cpu.rt_runtime_us",
          num(c["realtimeRuntime"].get<long long>()), "cpu", "", "");
  if (c.contains("idle"))
    p.add(at + ".idle", "cpu", "cpu.idle", num(c["idle"].get<long long>()), "cpu", "cpu.idle",
          num(c["idle"].get<long long>()));
  if (c.contains("cpus") && !c["cpus"].get<std::string>().empty())
    p.add(at + ".cpus", "cpuset", "cpuset.cpus", c["cpus"].get<std::string>(), "cpuset",
          "cpuset.cpus", c["cpus"].get<std::string>());
  if (c.contains("mems") && !c["mems"].get<std::string>().empty())
    p.add(at + ".mems", "cpuset", "cpuset.mems", c["mems"].get<std::string>(), "cpuset",
          "cpuset.mems", c["mems"].get<std::string>());
}

void plan_blkio(const json& b, Planner& p) {
  const std::string at = "linux.resources.blockIO";
  if (b.contains("weight")) {
    auto w = b["weight"].get<unsigned long long>();
    p.add(at + ".weight", "blkio", "blkio.weight", unum(w), "io", "io.weight",
          "default " + unum(blkio_weight_to_io_weight(w)));
  }
  if (b.contains("leafWeight"))
    p.add(at + ".leafWeight", "blkio", "blkio.leaf_weight",
          unum(b["leafWeight"].get<unsigned long long>()), "io", "", "");
  if (b.contains("weightDevice")) {
    std::size_t i = 0;
    for (const auto& d : b["weightDevice"]) {
      const std::string where = at + ".weightDevice[" + std::to_string(i++) + "]";
      const std::string id = dev_id(d, "major") + ":" + dev_id(d, "minor");
      if (d.contains("weight")) {
        auto w = d["weight"].get<unsigned long long>();
        p.add(where + ".weight", "blkio", "blkio.weight_device", id + " " + unum(w), "io",
              "io.weight", id + " " + unum(blkio_weight_to_io_weight(w)));
      }
      if (d.contains("leafWeight"))
        p.add(where + ".leafWeight", "blkio", "blkio.leaf_weight_device",
              id + " " + unum(d["leafWeight"].get<unsigned long long>()), "io", "", "");
    }
  }
  const std::pair<const char*, const char*> throttles[] = {
      {"throttleReadBpsDevice", "rbps"},
      {"throttleWriteBpsDevice", "wbps"},
      {"throttleReadIOPSDevice", "riops"},
      {"throttleWriteIOPSDevice", "wiops"}};
  const char* v1_files[] = {"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
                            "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"};
  for (std::size_t t = 0; t < 4; ++t) {
    if (!b.contains(throttles[t].first)) continue;
    std::size_t i = 0;
    for (const auto& d : b[throttles[t].first]) {
      const std::string where = at + "." + throttles[t].first + "[" + std::to_string(i++) + "]";
      const std::string id = dev_id(d, "major") + ":" + dev_id(d, "minor");
      auto rate = d.value("rate", 0ULL);
      p.add(where, "blkio", v1_files[t], id + " " + unum(rate), "io", "io.max",
            id + " " + throttles[t].second + "=" + (rate == 0 ? std::string("max") : unum(rate)));
    }
  }
}

void plan_devices(const json& devices, bool with_defaults,
                  const std::vector<std::string>& node_rules, Planner& p) {
  const std::string at = "linux.resources.devices";
  if (!p.v1_has("devices")) {
    if (!devices.empty())
      p.warn(at + ": not enforced: cgroup v2 filters devices with a BPF program, which box-oci "
                  "does not load (the container's /dev holds only the nodes its config names)");
    return;
  }
  std::size_t i = 0;
  for (const auto& d : devices) {
    const std::string type = d.value("type", std::string("a"));
    if (type != "a" && type != "b" && type != "c")
      throw std::invalid_argument(at + "[" + std::to_string(i) + "].type: '" + type +
                                  "' is not a, b or c");
    const std::string access = d.value("access", std::string("rwm"));
    const std::string rule = type + " " + dev_id(d, "major") + ":" + dev_id(d, "minor") + " " + access;
    p.add(at + "[" + std::to_string(i++) + "]", "devices",
          d.value("allow", false) ? "devices.allow" : "devices.deny", rule, "devices", "", "");
  }
  if (!with_defaults || devices.empty()) return;
  // What box's minimal /dev holds: null zero full random urandom tty,
  // console, ptmx and the pts nodes.
  for (const char* rule : {"c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
                           "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm"})
    p.add(at, "devices", "devices.allow", rule, "devices", "", "");
  // The nodes the config itself asks for in linux.devices.
  for (const auto& rule : node_rules) p.add("linux.devices", "devices", "devices.allow", rule, "devices", "", "");
}

}  // namespace

unsigned long long cpu_shares_to_weight(unsigned long long shares) {
  // runc's mapping of [2, 262144] onto [1, 10000].
  if (shares == 0) return 0;
  if (shares < 2) shares = 2;
  if (shares > 262144) shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

unsigned long long blkio_weight_to_io_weight(unsigned long long weight) {
  // [10, 1000] onto [1, 10000], as runc does.
  if (weight == 0) return 0;
  if (weight < 10) weight = 10;
  return 1 + (weight - 10) * 9999 / 990;
}

std::vector<CgroupHierarchy> parse_cgroup_hierarchies(std::string_view mountinfo,
                                                      std::string_view proc_self_cgroup) {
  struct Mount {
    std::string point;
    bool v2;
    std::vector<std::string> options;
  };
  std::vector<Mount> mounts;
  for (auto line : text_lines(mountinfo)) {
    auto dash = line.find(" - ");
    if (dash == std::string_view::npos) continue;
    auto before = split_nonempty(line.substr(0, dash), " ");
    auto after = split_nonempty(line.substr(dash + 3), " ");
    if (before.size() < 5 || after.size() < 3) continue;
    if (after[0] != "cgroup" && after[0] != "cgroup2") continue;
    Mount m{std::string(before[4]), after[0] == "cgroup2", {}};
    for (auto o : split_nonempty(after[2], ",")) m.options.emplace_back(o);
    mounts.push_back(std::move(m));
  }
  std::vector<CgroupHierarchy> out;
  for (auto line : text_lines(proc_self_cgroup)) {
    auto f = split_fields(line, ':', 3);
    if (!f) continue;
    const std::string controllers((*f)[1]);
    const bool v2 = (*f)[0] == "0" && controllers.empty();
    for (const auto& m : mounts) {
      if (m.v2 != v2) continue;
      bool all = true;
      for (auto c : split_nonempty(controllers, ","))
        all = all && std::find(m.options.begin(), m.options.end(), std::string(c)) != m.options.end();
      if (!all) continue;
      out.push_back({controllers, m.point, std::string((*f)[2])});
      break;
    }
  }
  return out;
}

Result<std::string> expand_systemd_slice(const std::string& slice) {
  const std::string suffix = ".slice";
  if (slice.size() <= suffix.size() || slice.compare(slice.size() - suffix.size(), suffix.size(), suffix) != 0 ||
      slice.find('/') != std::string::npos)
    return Error("'" + slice + "' is not a systemd slice name (NAME.slice)");
  const std::string name = slice.substr(0, slice.size() - suffix.size());
  if (name == "-") return std::string("/");  // the root slice
  std::string path, prefix;
  if (name.front() == '-' || name.back() == '-' || name.find("--") != std::string::npos)
    return Error("'" + slice + "' is not a valid systemd slice name (empty part between '-')");
  std::size_t start = 0;
  for (;;) {
    auto dash = name.find('-', start);
    prefix = name.substr(0, dash);
    path += "/" + prefix + suffix;
    if (dash == std::string::npos) break;
    start = dash + 1;
  }
  return path;
}

Result<std::map<std::string, std::string>> place_oci_cgroup(
    const std::vector<CgroupHierarchy>& hierarchies, const CgroupPlacementInput& in) {
  std::map<std::string, std::string> dirs;
  bool any_v1 = false;
  for (const auto& h : hierarchies) any_v1 = any_v1 || !h.controllers.empty();

  std::string systemd_inner;  // from the root (or the user manager's cgroup)
  if (in.systemd) {
    std::string slice, prefix = "box-oci", name = in.id;
    if (!in.cgroups_path.empty()) {
      auto parts = split_fields(in.cgroups_path, ':', 3);
      if (!parts || std::count(in.cgroups_path.begin(), in.cgroups_path.end(), ':') != 2)
        return Error("linux.cgroupsPath: '" + in.cgroups_path +
                     "' is not \"slice:prefix:name\", which --systemd-cgroup expects");
      slice = std::string((*parts)[0]);
      prefix = std::string((*parts)[1]);
      name = std::string((*parts)[2]);
    }
    if (slice.empty()) slice = in.rootless ? "user.slice" : "system.slice";
    auto slice_path = expand_systemd_slice(slice);
    if (!slice_path) return slice_path.error().wrap("linux.cgroupsPath");
    const std::string sfx = ".slice";
    std::string unit;
    if (name.size() > sfx.size() && name.compare(name.size() - sfx.size(), sfx.size(), sfx) == 0) {
      auto expanded = expand_systemd_slice(name);
      if (!expanded) return expanded.error().wrap("linux.cgroupsPath");
      systemd_inner = *expanded;
    } else {
      unit = (prefix.empty() ? "" : prefix + "-") + name + ".scope";
      systemd_inner = clean_path(*slice_path + "/" + unit);
    }
  }

  for (const auto& h : hierarchies) {
    const bool v2 = h.controllers.empty();
    if (in.rootless && !v2) continue;  // v1 trees belong to root
    std::string base, inner;
    if (in.systemd) {
      inner = systemd_inner;
      if (in.rootless) {
        base = user_manager_cgroup(h.own_path, in.uid);
        if (base.empty())
          return Error("--systemd-cgroup: this process is not under a systemd user manager "
                       "(no user@" + std::to_string(in.uid) + ".service in its cgroup '" +
                       h.own_path + "')");
      }
    } else {
      const std::string path = in.cgroups_path.empty() ? in.id : in.cgroups_path;
      inner = clean_path(path);
      if (path.front() != '/') {
        base = h.own_path;
        // runc on a pure cgroup2 host: beside its own cgroup, which has
        // processes and so cannot enable controllers for children.
        if (v2 && !any_v1 && !in.rootless) base = parent_of(h.own_path);
      }
    }
    if (inner.empty())
      return Error("linux.cgroupsPath: '" + in.cgroups_path + "' names the root cgroup");
    dirs[h.controllers] = join(h.mount, clean_path(base) + inner);
  }
  if (dirs.empty())
    return Error(in.rootless ? "no cgroup2 hierarchy for a rootless container"
                             : "no cgroup hierarchy mounted");
  return dirs;
}

Result<CgroupResourcePlan> plan_oci_resources(std::string_view resources_json,
                                              const CgroupControllers& controllers,
                                              bool with_device_defaults,
                                              const std::vector<std::string>& node_rules) {
  CgroupResourcePlan out;
  if (resources_json.empty()) return out;
  Planner p(controllers, out);
  try {
    json r = json::parse(resources_json);
    if (!r.is_object()) return Error("linux.resources: not an object");
    if (r.contains("devices")) plan_devices(r["devices"], with_device_defaults, node_rules, p);
    if (r.contains("memory")) plan_memory(r["memory"], p);
    if (r.contains("cpu")) plan_cpu(r["cpu"], p);
    if (r.contains("pids") && r["pids"].contains("limit")) {
      long long limit = r["pids"]["limit"].get<long long>();
      if (limit != 0) {
        const std::string v = limit > 0 ? num(limit) : "max";
        p.add("linux.resources.pids.limit", "pids", "pids.max", v, "pids", "pids.max", v);
      }
    }
    if (r.contains("blockIO")) plan_blkio(r["blockIO"], p);
    if (r.contains("hugepageLimits")) {
      std::size_t i = 0;
      for (const auto& h : r["hugepageLimits"]) {
        const std::string size = h.at("pageSize").get<std::string>();
        const std::string limit = unum(h.at("limit").get<unsigned long long>());
        p.add("linux.resources.hugepageLimits[" + std::to_string(i++) + "]", "hugetlb",
              "hugetlb." + size + ".limit_in_bytes", limit, "hugetlb", "hugetlb." + size + ".max",
              limit);
      }
    }
    if (r.contains("network")) {
      const json& n = r["network"];
      if (n.contains("classID"))
        p.add("linux.resources.network.classID", "net_cls", "net_cls.classid",
              unum(n["classID"].get<unsigned long long>()), "net_cls", "", "");
      if (n.contains("priorities")) {
        std::size_t i = 0;
        for (const auto& prio : n["priorities"])
          p.add("linux.resources.network.priorities[" + std::to_string(i++) + "]", "net_prio",
                "net_prio.ifpriomap",
                prio.at("name").get<std::string>() + " " + unum(prio.at("priority").get<unsigned long long>()),
                "net_prio", "", "");
      }
    }
    if (r.contains("rdma") && !r["rdma"].empty())
      p.warn("linux.resources.rdma: not applied (box-oci has no rdma support)");
    if (r.contains("unified")) {
      for (const auto& [file, value] : r["unified"].items()) {
        if (file.find('/') != std::string::npos || file.find('.') == std::string::npos)
          return Error("linux.resources.unified: '" + file + "' is not a cgroup v2 file name");
        const std::string controller = file.substr(0, file.find('.'));
        if (controller == "cgroup") {
          out.writes.push_back({"", true, file, value.get<std::string>()});
          continue;
        }
        p.add("linux.resources.unified." + file, controller, "", "", controller, file,
              value.get<std::string>());
      }
    }
  } catch (const json::exception& e) {
    return Error(std::string("linux.resources: ") + e.what());
  } catch (const std::invalid_argument& e) {
    return Error(e.what());
  }
  return out;
}

Result<long long> parse_memory_size(const std::string& text) {
  if (text == "-1") return -1LL;
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0) return Error("'" + text + "' is not a size (e.g. 512m, 1g, 1048576)");
  auto n = parse_unsigned(std::string_view(text).substr(0, digits));
  if (!n) return Error("'" + text + "': too large");
  std::string unit = text.substr(digits);
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!unit.empty() && unit.back() == 'b') unit.pop_back();
  if (!unit.empty() && unit.back() == 'i') unit.pop_back();
  static const std::map<std::string, int> shifts = {{"", 0}, {"k", 10}, {"m", 20}, {"g", 30}, {"t", 40}};
  auto s = shifts.find(unit);
  if (s == shifts.end()) return Error("'" + text + "': unknown unit (b, k, m, g, t)");
  if (*n > (static_cast<unsigned long long>(LLONG_MAX) >> s->second)) return Error("'" + text + "': too large");
  return static_cast<long long>(*n << s->second);
}

}  // namespace box
