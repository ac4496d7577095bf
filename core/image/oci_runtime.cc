#include "image/oci_runtime.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

namespace box::image {
namespace {
using nlohmann::json;

std::string strip_cap(const std::string& c) { return c.rfind("CAP_", 0) == 0 ? c.substr(4) : c; }

// RLIMIT_NOFILE -> nofile
std::string rlimit_name(const std::string& type) {
  std::string n = type.rfind("RLIMIT_", 0) == 0 ? type.substr(7) : type;
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
  return n;
}

std::string limit_text(std::uint64_t v) {
  return v == ~std::uint64_t{0} ? "unlimited" : std::to_string(v);
}

// Mounts every runtime sets up for the container itself: box provides its
// own /proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, so these are expected
// and not worth a warning.
bool is_standard_mount(const std::string& dest, const std::string& type) {
  static const std::set<std::string> kDest = {"/proc",       "/dev", "/dev/pts",      "/dev/shm",
                                              "/dev/mqueue", "/sys", "/sys/fs/cgroup"};
  static const std::set<std::string> kTypes = {"proc",   "sysfs",  "devpts",
                                               "mqueue", "cgroup", "cgroup2"};
  return kDest.count(dest) && (kTypes.count(type) || type == "tmpfs" || type == "bind");
}

// mount(8)'s "65536k" -> a definition size, "65536K".
std::string size_text(std::string s) {
  if (!s.empty() && std::string("kmgt").find(s.back()) != std::string::npos)
    s.back() = static_cast<char>(std::toupper(static_cast<unsigned char>(s.back())));
  return s;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

const std::vector<std::string>& default_capabilities() {
  static const std::vector<std::string> kCaps = {
      "CHOWN",  "DAC_OVERRIDE", "FOWNER",           "FSETID",     "KILL",   "SETGID",
      "SETUID", "SETPCAP",      "NET_BIND_SERVICE", "SYS_CHROOT", "SETFCAP"};
  return kCaps;
}

Result<RuntimeTranslation> translate_runtime_config(std::string_view text, const std::string& what,
                                                    const std::string& bundle_dir) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    return Error(what + ": invalid JSON: " + e.what());
  }
  if (!j.is_object()) return Error(what + ": expected a JSON object");
  RuntimeTranslation t;
  DefinitionDraft& d = t.draft;
  auto warn = [&](const std::string& field, const std::string& why) {
    t.warnings.push_back(field + ": " + why);
  };

  try {
    static const std::set<std::string> kKnownTop = {"ociVersion",  "process", "root",
                                                    "hostname",    "mounts",  "linux",
                                                    "annotations", "hooks",   "domainname"};
    for (const auto& [key, _] : j.items())
      if (!kKnownTop.count(key)) warn(key, "not supported by box (ignored)");

    // process
    if (!j.contains("process") || !j["process"].is_object())
      return Error(what + ": missing 'process' (box needs the command to run)");
    const json& p = j["process"];
    if (!p.contains("args") || !p["args"].is_array() || p["args"].empty())
      return Error(what + ": 'process.args': expected a non-empty list of strings");
    for (const auto& a : p["args"]) d.command.push_back(a.get<std::string>());
    if (p.contains("env"))
      for (const auto& e : p["env"]) {
        std::string s = e.get<std::string>();
        auto eq = s.find('=');
        if (eq == std::string::npos || eq == 0) {
          warn("process.env", "'" + s + "' is not NAME=value (ignored)");
          continue;
        }
        d.set_env(s.substr(0, eq), s.substr(eq + 1));
      }
    if (p.contains("cwd")) {
      std::string cwd = p["cwd"].get<std::string>();
      if (cwd != "/") d.workdir = cwd;
    }
    if (p.contains("user")) {
      const json& u = p["user"];
      std::uint64_t uid = u.value("uid", 0), gid = u.value("gid", 0);
      if (uid != 0 || gid != 0) d.user = std::to_string(uid) + ":" + std::to_string(gid);
      if (u.contains("additionalGids"))
        for (const auto& g : u["additionalGids"])
          d.groups.push_back(std::to_string(g.get<std::uint64_t>()));
      if (u.contains("umask")) {
        char buf[8];
        snprintf(buf, sizeof buf, "%04o",
                 static_cast<unsigned>(u["umask"].get<std::uint32_t>() & 0777));
        if (std::string(buf) != "0022") d.umask = buf;
      }
      if (u.contains("username")) warn("process.user.username", "Windows only (ignored)");
    }
    if (p.value("terminal", false))
      warn("process.terminal",
           "a service has no terminal: stdin is /dev/null and output goes to the journal");
    if (p.contains("capabilities")) {
      const json& c = p["capabilities"];
      std::vector<std::string> bounding;
      if (c.contains("bounding"))
        for (const auto& x : c["bounding"]) bounding.push_back(strip_cap(x.get<std::string>()));
      const auto& def = default_capabilities();
      for (const auto& cap : bounding)
        if (!has(def, cap)) d.cap_add.push_back(cap);
      for (const auto& cap : def)
        if (!has(bounding, cap)) d.cap_drop.push_back(cap);
      if (c.contains("ambient") && !c["ambient"].empty())
        warn("process.capabilities.ambient",
             "ambient capabilities are not supported: the command gets the bounding set as root "
             "inside, nothing as another user");
    }
    if (p.contains("rlimits"))
      for (const auto& r : p["rlimits"]) {
        std::string name = rlimit_name(r.at("type").get<std::string>());
        std::uint64_t soft = r.value("soft", std::uint64_t{0}),
                      hard = r.value("hard", std::uint64_t{0});
        d.rlimits.emplace_back(
            name, soft == hard ? limit_text(soft) : limit_text(soft) + ":" + limit_text(hard));
      }
    if (p.contains("noNewPrivileges") && !p["noNewPrivileges"].get<bool>())
      warn("process.noNewPrivileges", "false is not honoured: box always sets no_new_privs");
    for (const char* k : {"apparmorProfile", "selinuxLabel", "oomScoreAdj", "scheduler",
                          "ioPriority", "consoleSize", "execCPUAffinity"})
      if (p.contains(k)) warn(std::string("process.") + k, "not supported by box (ignored)");

    // root
    if (j.contains("root")) {
      t.root_path = j["root"].value("path", std::string("rootfs"));
      if (j["root"].value("readonly", false)) {
        d.rootfs_writes = "readonly";
      } else {
        warn("root.readonly",
             "false: writes to the root filesystem go to box's default overlay and "
             "are discarded at stop; set 'rootfs_writes: persistent' to keep them");
      }
    } else {
      t.root_path = "rootfs";
    }

    if (j.contains("hostname")) d.hostname = j["hostname"].get<std::string>();
    if (j.contains("domainname")) warn("domainname", "not supported by box (ignored)");

    // mounts
    if (j.contains("mounts"))
      for (const auto& m : j["mounts"]) {
        std::string dest = m.at("destination").get<std::string>();
        std::string type = m.value("type", std::string());
        std::string source = m.value("source", std::string());
        std::vector<std::string> opts;
        if (m.contains("options"))
          for (const auto& o : m["options"]) opts.push_back(o.get<std::string>());
        bool bind = type == "bind" || has(opts, "bind") || has(opts, "rbind");
        if (is_standard_mount(dest, type)) continue;
        if (bind) {
          DraftMount dm;
          dm.type = "bind";
          dm.source = (!source.empty() && source[0] == '/') ? source : bundle_dir + "/" + source;
          dm.target = dest;
          dm.readonly = has(opts, "ro");
          d.mounts.push_back(dm);
          for (const auto& o : opts)
            if (o != "bind" && o != "rbind" && o != "ro" && o != "rw" && o != "rprivate" &&
                o != "private" && o != "nosuid" && o != "nodev" && o != "noexec")
              warn("mounts[" + dest + "]", "option '" + o + "' not supported (ignored)");
        } else if (type == "tmpfs") {
          DraftMount dm;
          dm.type = "tmpfs";
          dm.target = dest;
          for (const auto& o : opts) {
            if (o.rfind("size=", 0) == 0)
              dm.size = size_text(o.substr(5));
            else if (o.rfind("mode=", 0) == 0)
              dm.mode = o.substr(5);
            else if (o != "nosuid" && o != "nodev" && o != "noexec" && o != "strictatime" &&
                     o != "rw")
              warn("mounts[" + dest + "]", "tmpfs option '" + o + "' not supported (ignored)");
          }
          d.mounts.push_back(dm);
        } else {
          warn("mounts[" + dest + "]",
               "type '" + type + "' cannot be mounted rootless by box (ignored)");
        }
      }

    // linux
    bool have_net = false, have_uts = false;
    if (j.contains("linux")) {
      const json& l = j["linux"];
      std::set<std::string> present;
      if (l.contains("namespaces"))
        for (const auto& ns : l["namespaces"]) {
          std::string type = ns.at("type").get<std::string>();
          present.insert(type);
          if (ns.contains("path"))
            warn("linux.namespaces[" + type + "]",
                 "joining an existing namespace is not supported "
                 "(a new one is created)");
        }
      have_net = present.count("network") > 0;
      have_uts = present.count("uts") > 0;
      for (const char* ns : {"pid", "ipc", "uts", "cgroup"})
        if (!present.count(ns)) d.namespaces[ns] = "host";
      if (have_net) d.network = "none";  // a new network namespace: loopback only
      if (!present.count("mount"))
        warn("linux.namespaces", "no mount namespace: box always uses one");
      auto maps = [&](const char* key) {
        if (!l.contains(key)) return std::string();
        std::uint64_t total = 0;
        for (const auto& m : l[key]) total += m.value("size", std::uint64_t{0});
        return std::to_string(total);
      };
      if (l.contains("uidMappings") || l.contains("gidMappings")) {
        std::string uids = maps("uidMappings");
        d.userns = (uids == "1") ? "single" : "auto";
        warn("linux.uidMappings",
             "host ids cannot be chosen rootless: box maps container root to "
             "you and, with 'userns: " +
                 d.userns + "', " +
                 (d.userns == "auto" ? "the rest to your /etc/subuid range" : "nothing else"));
      }
      if (l.contains("maskedPaths") && !l["maskedPaths"].empty())
        warn("linux.maskedPaths", std::to_string(l["maskedPaths"].size()) +
                                      " paths: box definitions have no key for masking (ignored)");
      if (l.contains("readonlyPaths") && !l["readonlyPaths"].empty())
        warn("linux.readonlyPaths", std::to_string(l["readonlyPaths"].size()) +
                                        " paths: box definitions have no key for them (ignored)");
      if (l.contains("resources")) {
        const json& r = l["resources"];
        if (r.contains("memory") && r["memory"].contains("limit"))
          d.resources["memory"] = std::to_string(r["memory"]["limit"].get<std::int64_t>());
        if (r.contains("pids") && r["pids"].contains("limit"))
          d.resources["pids"] = std::to_string(r["pids"]["limit"].get<std::int64_t>());
        if (r.contains("cpu") && r["cpu"].contains("shares")) {
          // The kernel's own shares -> weight conversion (cgroup v2).
          std::uint64_t shares = r["cpu"]["shares"].get<std::uint64_t>();
          shares = std::clamp<std::uint64_t>(shares, 2, 262144);
          d.resources["cpu_weight"] = std::to_string(1 + ((shares - 2) * 9999) / 262142);
        }
        for (const auto& [k, _] : r.items())
          if (k != "memory" && k != "pids" && k != "cpu" && k != "devices")
            warn("linux.resources." + k, "not supported by box (ignored)");
      }
      if (l.contains("seccomp"))
        warn("linux.seccomp", "the given filter is not used: box applies its default filter");
      if (l.contains("devices") && !l["devices"].empty())
        warn("linux.devices", "device nodes cannot be created rootless (ignored)");
      for (const char* k : {"sysctl", "cgroupsPath", "rootfsPropagation", "mountLabel", "intelRdt",
                            "personality", "timeOffsets"})
        if (l.contains(k)) warn(std::string("linux.") + k, "not supported by box (ignored)");
    }
    if (!d.hostname.empty() && !have_uts) {
      warn("hostname", "set without a uts namespace: ignored (the host's name is shared)");
      d.hostname.clear();
    }

    if (j.contains("hooks")) warn("hooks", "runtime hooks are not supported (ignored)");
    if (j.contains("annotations"))
      for (const auto& [k, v] : j["annotations"].items())
        if (v.is_string()) t.annotations[k] = v.get<std::string>();
    for (const char* k :
         {"org.opencontainers.image.description", "org.opencontainers.image.title"}) {
      auto it = t.annotations.find(k);
      if (it != t.annotations.end() && d.description.empty()) d.description = it->second;
    }
  } catch (const json::exception& e) {
    return Error(what + ": " + e.what());
  }
  // Description must be one line.
  std::replace_if(
      d.description.begin(), d.description.end(),
      [](char c) { return static_cast<unsigned char>(c) < 0x20; }, ' ');
  return t;
}

}  // namespace box::image
