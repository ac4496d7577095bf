#include "core/image/oci_runtime.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

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
// own /proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys, so these are
// expected and not worth a warning. A rootless runtime cannot mount sysfs
// outside a network namespace of its own and binds the host's instead:
// `runc spec --rootless` writes /sys as type "none" with "rbind" from
// /sys; that too is the standard /sys, not a bind to copy over box's own.
bool is_standard_mount(const std::string& dest, const std::string& type, const std::string& source,
                       bool bind) {
  static const std::set<std::string> kDest = {"/proc",       "/dev", "/dev/pts",      "/dev/shm",
                                              "/dev/mqueue", "/sys", "/sys/fs/cgroup"};
  static const std::set<std::string> kTypes = {"proc",   "sysfs",  "devpts",
                                               "mqueue", "cgroup", "cgroup2"};
  if (!kDest.count(dest)) return false;
  return kTypes.count(type) || type == "tmpfs" || (bind && (type == "bind" || source == dest));
}

// mount(8)'s "65536k" -> a definition size, "65536K".
std::string size_text(std::string s) {
  if (!s.empty() && std::string("kmgt").find(s.back()) != std::string::npos)
    s.back() = static_cast<char>(std::toupper(static_cast<unsigned char>(s.back())));
  return s;
}

// A number that does not fit the field it is read into. nlohmann's get<>
// converts a float out of the target's range with undefined behaviour
// (found by tests/fuzz/oci_runtime_fuzz: "limit": 5.3e34) and wraps a
// negative number into a huge unsigned one: both are refused by name.
struct FieldError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void bad_number(const json& v, const std::string& field, const std::string& want) {
  std::string text = v.dump();
  if (text.size() > 40) text = text.substr(0, 40) + "...";
  throw FieldError("'" + field + "': expected " + want + ", not " + text);
}

std::uint64_t unsigned_field(const json& v, const std::string& field, std::uint64_t max) {
  if (!v.is_number_unsigned() || v.get<std::uint64_t>() > max)
    bad_number(v, field, "a whole number from 0 to " + std::to_string(max));
  return v.get<std::uint64_t>();
}

std::int64_t signed_field(const json& v, const std::string& field) {
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (v.is_number_unsigned() ? v.get<std::uint64_t>() > kMax : !v.is_number_integer())
    bad_number(v, field, "a whole number");
  return v.get<std::int64_t>();
}

// Ids are 32 bits; (uid_t)-1 means "no change" to the kernel, never an id.
constexpr std::uint64_t kMaxId = 0xfffffffeULL;
constexpr std::uint64_t kMaxU32 = 0xffffffffULL;
constexpr std::uint64_t kMaxU64 = ~std::uint64_t{0};

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

using Warn = std::function<void(const std::string& field, const std::string& why)>;

// The capabilities an inner systemd gets from box (run_plan.cc) leave
// these out: they cannot work in a user namespace, and systemd reads them
// as "may do" and starts units that only fail (docs/systemd-containers.md).
const std::vector<std::string> kNotForSystemd = {"SYS_RAWIO", "SYS_MODULE", "SYS_TIME"};

// The bounding set as `capabilities: {add, drop}` relative to box's
// default set. For init: systemd, box's own set for an inner systemd is
// kept: a bundle's set made for one program (runc's has three) leaves
// systemd without what it mounts and switches users with, and a full one
// brings back kNotForSystemd; either is said in a note.
void translate_bounding(const std::vector<std::string>& bounding, bool systemd,
                        const std::string& field, DefinitionDraft& d, const Warn& warn) {
  if (!systemd) {
    const auto& def = default_capabilities();
    for (const auto& cap : bounding)
      if (!has(def, cap)) d.cap_add.push_back(cap);
    for (const auto& cap : def)
      if (!has(bounding, cap)) d.cap_drop.push_back(cap);
    return;
  }
  std::string left_out;
  for (const auto& cap : kNotForSystemd)
    if (has(bounding, cap)) left_out += (left_out.empty() ? "" : ", ") + cap;
  std::string why =
      "init: systemd gets box's set for an inner systemd (every capability of its "
      "user namespace but SYS_RAWIO, SYS_MODULE and SYS_TIME), not the bundle's " +
      std::to_string(bounding.size());
  if (!left_out.empty())
    why += "; left out: " + left_out +
           " (they cannot work in a user namespace, and systemd would start units that fail "
           "with them: debugfs mounts, modprobe@, systemd-timesyncd)";
  if (!has(bounding, "SYS_ADMIN"))
    why +=
        "; the bundle's set has no SYS_ADMIN, without which systemd cannot mount its file "
        "systems and exits";
  warn(field, why + ". Narrow it with 'capabilities: {drop: [...]}'");
}

std::vector<std::string> capability_list(const json& list) {
  std::vector<std::string> out;
  for (const auto& x : list) out.push_back(strip_cap(x.get<std::string>()));
  return out;
}

void translate_rlimits(const json& list, const std::string& field, DefinitionDraft& d) {
  for (const auto& r : list) {
    std::string name = rlimit_name(r.at("type").get<std::string>());
    auto bound = [&](const char* key) -> std::uint64_t {
      if (!r.contains(key)) return 0;
      return unsigned_field(r[key], field + "[" + name + "]." + key, kMaxU64);
    };
    const std::uint64_t soft = bound("soft"), hard = bound("hard");
    d.rlimits.emplace_back(
        name, soft == hard ? limit_text(soft) : limit_text(soft) + ":" + limit_text(hard));
  }
}

// The paths of systemd itself, and of an init that may be systemd or any
// other: the rootfs tells which.
const std::set<std::string> kSystemdPaths = {"/usr/lib/systemd/systemd", "/lib/systemd/systemd"};
const std::set<std::string> kInitPaths = {"/sbin/init", "/usr/sbin/init"};

// Whether the command is systemd, so that the box gets `init: systemd`.
bool runs_systemd(const std::string& program, const std::string& root_path,
                  const ResolveInRootfs& resolve, const Warn& warn) {
  if (kSystemdPaths.count(program)) return true;
  if (!kInitPaths.count(program)) return false;
  if (!resolve) {
    warn("process.args", "'" + program +
                             "' may be any init: init: none (set 'init: systemd' if "
                             "it is systemd)");
    return false;
  }
  const std::string target = resolve(root_path, program);
  if (target.empty()) {
    warn("process.args", "'" + program + "' is not in the rootfs: init: none");
    return false;
  }
  if (target.size() >= 8 && target.compare(target.size() - 8, 8, "/systemd") == 0) return true;
  warn("process.args", "'" + program + "' is not systemd (it leads to '" +
                           target.substr(target.rfind('/') + 1) + "'): init: none");
  return false;
}

}  // namespace

const std::vector<std::string>& default_capabilities() {
  static const std::vector<std::string> kCaps = {
      "CHOWN",  "DAC_OVERRIDE", "FOWNER",           "FSETID",     "KILL",   "SETGID",
      "SETUID", "SETPCAP",      "NET_BIND_SERVICE", "SYS_CHROOT", "SETFCAP"};
  return kCaps;
}

Result<RuntimeTranslation> translate_runtime_config(std::string_view text, const std::string& what,
                                                    const std::string& bundle_dir,
                                                    const ResolveInRootfs& resolve) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    return Error(what + ": invalid JSON: " + e.what());
  }
  if (!j.is_object()) return Error(what + ": expected a JSON object");
  RuntimeTranslation t;
  DefinitionDraft& d = t.draft;
  const Warn warn = [&](const std::string& field, const std::string& why) {
    t.warnings.push_back(field + ": " + why);
  };

  try {
    static const std::set<std::string> kKnownTop = {"ociVersion",  "process", "root",
                                                    "hostname",    "mounts",  "linux",
                                                    "annotations", "hooks",   "domainname"};
    for (const auto& [key, _] : j.items())
      if (!kKnownTop.count(key)) warn(key, "not supported by box (ignored)");

    // root (where it is, first: the command may need a look into it)
    const bool root_readonly = j.contains("root") && j["root"].value("readonly", false);
    t.root_path = j.contains("root") ? j["root"].value("path", std::string("rootfs")) : "rootfs";

    // process
    if (!j.contains("process") || !j["process"].is_object())
      return Error(what + ": missing 'process' (box needs the command to run)");
    const json& p = j["process"];
    if (!p.contains("args") || !p["args"].is_array() || p["args"].empty())
      return Error(what + ": 'process.args': expected a non-empty list of strings");
    for (const auto& a : p["args"]) d.command.push_back(a.get<std::string>());
    const bool systemd = runs_systemd(d.command[0], t.root_path, resolve, warn);
    if (systemd) d.init = InitMode::kSystemd;
    // An inner systemd writes to /etc and /var at boot (logind's and
    // dbus's state, machine-id): on a read-only root those units fail and
    // the boot ends degraded, so it gets box's default overlay.
    if (root_readonly && !systemd) {
      d.rootfs_writes = RootfsWrites::kReadonly;
    } else if (root_readonly) {
      warn("root.readonly",
           "true: init: systemd writes to /etc and /var at boot: writes go to box's default "
           "overlay and are discarded at stop; set 'rootfs_writes: persistent' to keep them");
    } else {
      warn("root.readonly",
           "false: writes to the root filesystem go to box's default overlay and "
           "are discarded at stop; set 'rootfs_writes: persistent' to keep them");
    }
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
      const std::uint64_t uid = u.contains("uid") ? unsigned_field(u["uid"], "process.user.uid", kMaxId) : 0;
      const std::uint64_t gid = u.contains("gid") ? unsigned_field(u["gid"], "process.user.gid", kMaxId) : 0;
      if (uid != 0 || gid != 0) d.user = std::to_string(uid) + ":" + std::to_string(gid);
      if (u.contains("additionalGids"))
        for (const auto& g : u["additionalGids"])
          d.groups.push_back(
              std::to_string(unsigned_field(g, "process.user.additionalGids", kMaxId)));
      if (u.contains("umask")) {
        char buf[8];
        snprintf(buf, sizeof buf, "%04o",
                 static_cast<unsigned>(unsigned_field(u["umask"], "process.user.umask", kMaxU32) &
                                       0777));
        if (std::string(buf) != "0022") d.umask = buf;
      }
      if (u.contains("username")) warn("process.user.username", "Windows only (ignored)");
    }
    if (p.value("terminal", false))
      warn("process.terminal",
           "a service has no terminal: stdin is /dev/null and output goes to the journal");
    if (p.contains("capabilities")) {
      const json& c = p["capabilities"];
      translate_bounding(
          c.contains("bounding") ? capability_list(c["bounding"]) : std::vector<std::string>{},
          systemd, "process.capabilities.bounding", d, warn);
      if (c.contains("ambient") && !c["ambient"].empty())
        warn("process.capabilities.ambient",
             "ambient capabilities are not supported: the command gets the bounding set as root "
             "inside, nothing as another user");
    }
    if (p.contains("rlimits")) translate_rlimits(p["rlimits"], "process.rlimits", d);
    if (p.contains("noNewPrivileges") && !p["noNewPrivileges"].get<bool>())
      warn("process.noNewPrivileges", "false is not honoured: box always sets no_new_privs");
    for (const char* k : {"apparmorProfile", "selinuxLabel", "oomScoreAdj", "scheduler",
                          "ioPriority", "consoleSize", "execCPUAffinity"})
      if (p.contains(k)) warn(std::string("process.") + k, "not supported by box (ignored)");

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
        if (is_standard_mount(dest, type, source, bind)) continue;
        if (bind) {
          DraftMount dm;
          dm.type = MountType::kBind;
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
          dm.type = MountType::kTmpfs;
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
      for (const auto& kind : namespace_kinds()) {
        if (present.count(kind.name)) continue;
        // An inner systemd is PID 1 of its own pid namespace and manages
        // its own cgroup tree: start refuses it either without.
        if (systemd && (kind.name == std::string("pid") || kind.name == std::string("cgroup"))) {
          warn("linux.namespaces",
               std::string("no ") + kind.name + " namespace: init: systemd gets one of its own");
          continue;
        }
        d.namespaces[kind.name] = choice_name(namespace_states(), false);
      }
      if (have_net) d.network = NetworkMode::kNone;  // a new network namespace: loopback only
      if (!present.count("mount"))
        warn("linux.namespaces", "no mount namespace: box always uses one");
      auto maps = [&](const char* key) {
        if (!l.contains(key)) return std::string();
        std::uint64_t total = 0;
        for (const auto& m : l[key])
          if (m.contains("size"))
            total += unsigned_field(m["size"], std::string("linux.") + key + "[].size", kMaxU32);
        return std::to_string(total);
      };
      if (l.contains("uidMappings") || l.contains("gidMappings")) {
        std::string uids = maps("uidMappings");
        // An inner systemd runs services as other users (User=, DynamicUser=):
        // one id is not enough for it, whatever the bundle maps.
        d.userns = (uids == "1" && !systemd) ? UsernsMode::kSingle : UsernsMode::kAuto;
        if (uids == "1" && systemd)
          warn("linux.uidMappings",
               "one id: init: systemd gets 'userns: auto' (its services run "
               "as other users)");
        warn("linux.uidMappings",
             std::string("host ids cannot be chosen rootless: box maps container root to "
                         "you and, with 'userns: ") +
                 to_string(*d.userns) + "', " +
                 (d.userns == UsernsMode::kAuto ? "the rest to your /etc/subuid range"
                                                : "nothing else"));
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
          d.resources["memory"] =
              std::to_string(signed_field(r["memory"]["limit"], "linux.resources.memory.limit"));
        if (r.contains("pids") && r["pids"].contains("limit"))
          d.resources["pids"] =
              std::to_string(signed_field(r["pids"]["limit"], "linux.resources.pids.limit"));
        if (r.contains("cpu") && r["cpu"].contains("shares")) {
          // The kernel's own shares -> weight conversion (cgroup v2).
          std::uint64_t shares =
              unsigned_field(r["cpu"]["shares"], "linux.resources.cpu.shares", kMaxU64);
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
      // The layout before runtime-spec 1.0 (ociVersion 0.x): the bounding
      // set and the rlimits under linux, not process.
      if (l.contains("capabilities")) {
        if (p.contains("capabilities"))
          warn("linux.capabilities", "the pre-1.0 place, beside process.capabilities (ignored)");
        else
          translate_bounding(capability_list(l["capabilities"]), systemd, "linux.capabilities", d,
                             warn);
      }
      if (l.contains("rlimits")) {
        if (p.contains("rlimits"))
          warn("linux.rlimits", "the pre-1.0 place, beside process.rlimits (ignored)");
        else
          translate_rlimits(l["rlimits"], "linux.rlimits", d);
      }
      static const std::set<std::string> kTranslated = {
          "namespaces", "uidMappings", "gidMappings", "maskedPaths",  "readonlyPaths",
          "resources",  "seccomp",     "devices",     "capabilities", "rlimits"};
      for (const auto& [k, _] : l.items())
        if (!kTranslated.count(k)) warn("linux." + k, "not supported by box (ignored)");
    }
    if (!d.hostname.empty() && !have_uts) {
      warn("hostname", "set without a uts namespace: ignored (the host's name is shared)");
      d.hostname.clear();
    }

    // `"hooks": {}` (or empty lists) asks for nothing.
    if (j.contains("hooks")) {
      if (!j["hooks"].is_object()) warn("hooks", "expected an object (ignored)");
      for (const auto& [k, list] : j["hooks"].items())
        if (!list.empty()) warn("hooks." + k, "runtime hooks are not supported (ignored)");
    }
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
  } catch (const FieldError& e) {
    return Error(what + ": " + e.what());
  }
  // Description must be one line.
  std::replace_if(
      d.description.begin(), d.description.end(),
      [](char c) { return static_cast<unsigned char>(c) < 0x20; }, ' ');
  return t;
}

}  // namespace box::image
