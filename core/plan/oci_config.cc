#include "core/plan/oci_config.h"

#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace box::oci {
namespace {
using nlohmann::json;

// A field of the wrong type or range, named by its path in the document.
struct FieldError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void bad(const std::string& field, const std::string& want) {
  throw FieldError("'" + field + "': expected " + want);
}

// Reads fields of one JSON object, each named by its path for errors.
class Reader {
 public:
  Reader(const json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object()) bad(path_.empty() ? "(top)" : path_, "an object");
  }
  std::string field(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  const json* get(const std::string& key) const {
    auto it = j_.find(key);
    return it == j_.end() || it->is_null() ? nullptr : &*it;
  }
  std::string str(const std::string& key, std::string fallback = "") const {
    const json* v = get(key);
    if (!v) return fallback;
    if (!v->is_string()) bad(field(key), "a string");
    return v->get<std::string>();
  }
  bool boolean(const std::string& key) const {
    const json* v = get(key);
    if (!v) return false;
    if (!v->is_boolean()) bad(field(key), "true or false");
    return v->get<bool>();
  }
  template <typename T>
  std::optional<T> number(const std::string& key) const {
    const json* v = get(key);
    if (!v) return std::nullopt;
    return number_of<T>(*v, field(key));
  }
  std::vector<std::string> strings(const std::string& key) const {
    std::vector<std::string> out;
    const json* v = get(key);
    if (!v) return out;
    if (!v->is_array()) bad(field(key), "a list of strings");
    for (std::size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string()) bad(field(key) + "[" + std::to_string(i) + "]", "a string");
      out.push_back((*v)[i].get<std::string>());
    }
    return out;
  }
  // Each element of the list `key` as a Reader.
  template <typename F>
  void each(const std::string& key, F&& f) const {
    const json* v = get(key);
    if (!v) return;
    if (!v->is_array()) bad(field(key), "a list");
    for (std::size_t i = 0; i < v->size(); ++i)
      f(Reader((*v)[i], field(key) + "[" + std::to_string(i) + "]"));
  }
  std::optional<Reader> object(const std::string& key) const {
    const json* v = get(key);
    if (!v) return std::nullopt;
    return Reader(*v, field(key));
  }
  const json& raw() const { return j_; }

  template <typename T>
  static T number_of(const json& v, const std::string& field) {
    // nlohmann converts out-of-range floats with undefined behaviour and
    // wraps negative numbers: only whole numbers in T's range pass.
    constexpr auto lo = std::numeric_limits<T>::min();
    constexpr auto hi = std::numeric_limits<T>::max();
    const std::string range = "a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
    if (v.is_number_unsigned()) {
      if (v.get<std::uint64_t>() > static_cast<std::uint64_t>(hi)) bad(field, range);
      return static_cast<T>(v.get<std::uint64_t>());
    }
    if (v.is_number_integer()) {
      const auto n = v.get<std::int64_t>();
      if (n < 0 && !std::numeric_limits<T>::is_signed) bad(field, range);
      if constexpr (std::numeric_limits<T>::is_signed) {
        if (n < static_cast<std::int64_t>(lo) || n > static_cast<std::int64_t>(hi)) bad(field, range);
      }
      return static_cast<T>(n);
    }
    bad(field, range);
  }

 private:
  const json& j_;
  std::string path_;
};

std::vector<Hook> read_hooks(const Reader& hooks, const std::string& key) {
  std::vector<Hook> out;
  hooks.each(key, [&](const Reader& h) {
    Hook hook;
    hook.path = h.str("path");
    if (hook.path.empty() || hook.path[0] != '/') bad(h.field("path"), "an absolute path");
    hook.args = h.strings("args");
    hook.env = h.strings("env");
    hook.timeout = h.number<int>("timeout");
    if (hook.timeout && *hook.timeout <= 0) bad(h.field("timeout"), "a number of seconds above 0");
    out.push_back(std::move(hook));
  });
  return out;
}

std::vector<IdMapping> read_mappings(const Reader& l, const std::string& key) {
  std::vector<IdMapping> out;
  l.each(key, [&](const Reader& m) {
    IdMapping id;
    id.container_id = m.number<std::uint32_t>("containerID").value_or(0);
    id.host_id = m.number<std::uint32_t>("hostID").value_or(0);
    id.size = m.number<std::uint32_t>("size").value_or(0);
    if (id.size == 0) bad(m.field("size"), "a number of ids above 0");
    out.push_back(id);
  });
  return out;
}

Capabilities read_capabilities(const Reader& c) {
  Capabilities caps;
  caps.bounding = c.strings("bounding");
  caps.effective = c.strings("effective");
  caps.permitted = c.strings("permitted");
  caps.inheritable = c.strings("inheritable");
  caps.ambient = c.strings("ambient");
  return caps;
}

void read_process(const Reader& p, Process& out) {
  out.terminal = p.boolean("terminal");
  if (auto size = p.object("consoleSize")) {
    out.console_height = size->number<std::uint32_t>("height").value_or(0);
    out.console_width = size->number<std::uint32_t>("width").value_or(0);
    if (out.console_height > 0xffff) bad(size->field("height"), "at most 65535 rows");
    if (out.console_width > 0xffff) bad(size->field("width"), "at most 65535 columns");
  }
  if (auto user = p.object("user")) {
    out.uid = user->number<std::uint32_t>("uid").value_or(0);
    out.gid = user->number<std::uint32_t>("gid").value_or(0);
    out.umask = user->number<std::uint32_t>("umask");
    if (const json* g = user->get("additionalGids")) {
      if (!g->is_array()) bad(user->field("additionalGids"), "a list of group ids");
      for (std::size_t i = 0; i < g->size(); ++i)
        out.additional_gids.push_back(Reader::number_of<std::uint32_t>(
            (*g)[i], user->field("additionalGids") + "[" + std::to_string(i) + "]"));
    }
  }
  out.args = p.strings("args");
  if (out.args.empty()) bad(p.field("args"), "a non-empty list of strings");
  out.env = p.strings("env");
  out.cwd = p.str("cwd", "/");
  if (out.cwd.empty() || out.cwd[0] != '/') bad(p.field("cwd"), "an absolute path");
  if (auto caps = p.object("capabilities")) out.capabilities = read_capabilities(*caps);
  p.each("rlimits", [&](const Reader& r) {
    Rlimit lim;
    lim.type = r.str("type");
    lim.hard = r.number<std::uint64_t>("hard").value_or(0);
    lim.soft = r.number<std::uint64_t>("soft").value_or(0);
    out.rlimits.push_back(lim);
  });
  out.no_new_privileges = p.boolean("noNewPrivileges");
  out.oom_score_adj = p.number<int>("oomScoreAdj");
  out.apparmor_profile = p.str("apparmorProfile");
  out.selinux_label = p.str("selinuxLabel");
}

void read_linux(const Reader& l, Config& out) {
  l.each("namespaces", [&](const Reader& n) {
    out.namespaces.push_back({n.str("type"), n.str("path")});
  });
  out.uid_mappings = read_mappings(l, "uidMappings");
  out.gid_mappings = read_mappings(l, "gidMappings");
  l.each("devices", [&](const Reader& d) {
    Device dev;
    dev.path = d.str("path");
    dev.type = d.str("type");
    dev.major = d.number<std::int64_t>("major").value_or(0);
    dev.minor = d.number<std::int64_t>("minor").value_or(0);
    dev.file_mode = d.number<std::uint32_t>("fileMode");
    dev.uid = d.number<std::uint32_t>("uid");
    dev.gid = d.number<std::uint32_t>("gid");
    out.devices.push_back(std::move(dev));
  });
  if (const json* s = l.get("sysctl")) {
    if (!s->is_object()) bad(l.field("sysctl"), "an object of strings");
    for (const auto& [k, v] : s->items()) {
      if (!v.is_string()) bad(l.field("sysctl") + "." + k, "a string");
      out.sysctl[k] = v.get<std::string>();
    }
  }
  out.masked_paths = l.strings("maskedPaths");
  out.readonly_paths = l.strings("readonlyPaths");
  out.rootfs_propagation = l.str("rootfsPropagation");
  out.cgroups_path = l.str("cgroupsPath");
  out.mount_label = l.str("mountLabel");
  if (const json* sc = l.get("seccomp")) out.seccomp_json = sc->dump();
  if (const json* r = l.get("resources")) out.resources_json = r->dump();
}

}  // namespace

Result<Config> read_config(std::string_view text, const std::string& what) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    return Error(what + ": invalid JSON: " + e.what());
  }
  Config c;
  try {
    Reader top(j, "");
    c.oci_version = top.str("ociVersion");
    if (c.oci_version.empty()) bad("ociVersion", "the runtime-spec version (\"1.0.2\")");
    auto process = top.object("process");
    if (!process) bad("process", "the process to run");
    read_process(*process, c.process);
    auto root = top.object("root");
    if (!root) bad("root", "an object with the rootfs 'path'");
    c.root_path = root->str("path");
    if (c.root_path.empty()) bad("root.path", "the rootfs directory");
    c.root_readonly = root->boolean("readonly");
    c.hostname = top.str("hostname");
    c.domainname = top.str("domainname");
    top.each("mounts", [&](const Reader& m) {
      Mount mount;
      mount.destination = m.str("destination");
      if (mount.destination.empty() || mount.destination[0] != '/')
        bad(m.field("destination"), "an absolute path");
      mount.type = m.str("type");
      mount.source = m.str("source");
      mount.options = m.strings("options");
      c.mounts.push_back(std::move(mount));
    });
    if (auto hooks = top.object("hooks")) {
      c.hooks.prestart = read_hooks(*hooks, "prestart");
      c.hooks.create_runtime = read_hooks(*hooks, "createRuntime");
      c.hooks.create_container = read_hooks(*hooks, "createContainer");
      c.hooks.start_container = read_hooks(*hooks, "startContainer");
      c.hooks.poststart = read_hooks(*hooks, "poststart");
      c.hooks.poststop = read_hooks(*hooks, "poststop");
    }
    if (const json* a = top.get("annotations")) {
      if (!a->is_object()) bad("annotations", "an object of strings");
      for (const auto& [k, v] : a->items()) {
        if (!v.is_string()) bad("annotations." + k, "a string");
        c.annotations[k] = v.get<std::string>();
      }
    }
    if (auto l = top.object("linux")) read_linux(*l, c);
  } catch (const FieldError& e) {
    return Error(what + ": " + e.what());
  } catch (const json::exception& e) {
    return Error(what + ": " + e.what());
  }
  return c;
}

}  // namespace box::oci

namespace box::oci {

Result<Process> read_process(std::string_view text, const std::string& what) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return Error(what + ": invalid JSON: " + e.what());
  }
  Process p;
  try {
    read_process(Reader(j, ""), p);
  } catch (const FieldError& e) {
    return Error(what + ": " + e.what());
  } catch (const nlohmann::json::exception& e) {
    return Error(what + ": " + e.what());
  }
  return p;
}

}  // namespace box::oci
