#include "core/model/definition_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <set>

#include "core/model/app_id.h"
#include "core/model/definition_rules.h"
#include "core/model/expansion.h"
#include "core/model/value_parsers.h"
#include "core/model/yaml_keys.h"

namespace box {
namespace {

using Node = YAML::Node;

// Where each top-level key was last set, for errors that involve two keys.
using Locations = std::map<Key, std::string>;

// What a definition's files got wrong, all of it: a key's error does not
// stop the others being read (a file is fixed in one round, not one round
// an error), and a key that could not be read is never blamed again by a
// rule that would read its default in its place.
struct Findings {
  std::vector<std::string> errors;
  std::set<Key> unreadable;
};

// Applies one YAML document's keys to a Definition. Every error names the
// node: "file:line:column: 'key': problem".
class FragmentParser {
 public:
  FragmentParser(const std::string& file, const LoadContext& ctx, Definition& def, Locations& loc,
                 Findings& findings)
      : file_(file),
        ctx_(ctx),
        def_(def),
        loc_(loc),
        findings_(findings),
        values_(file, [&ctx](const std::string& text) {
          return expand(text, ExpansionContext{ctx.home, ctx.runtime_dir, ctx.uid, ctx.instance});
        }) {}

  // Applies every key it can read; what it cannot goes into the findings.
  void apply(const Node& root);

  // What reads a key that does not take a name (kHandlers below).
  using Handler = Result<void> (FragmentParser::*)(const Node&, const std::string&);
  Result<void> on_description(const Node& n, const std::string& key);
  Result<void> on_rootfs(const Node& n, const std::string& key);
  Result<void> on_image(const Node& n, const std::string& key);
  Result<void> on_command(const Node& n, const std::string& key);
  Result<void> on_user(const Node& n, const std::string& key);
  Result<void> on_groups(const Node& n, const std::string& key);
  Result<void> on_keep_groups(const Node& n, const std::string& key) {
    return set_boolean(n, key, def_.keep_groups);
  }
  Result<void> on_env(const Node& n, const std::string& key);
  Result<void> on_workdir(const Node& n, const std::string& key);
  Result<void> on_hostname(const Node& n, const std::string& key);
  Result<void> on_umask(const Node& n, const std::string& key);
  Result<void> on_rlimits(const Node& n, const std::string& key);
  Result<void> on_namespaces(const Node& n, const std::string& key);
  Result<void> on_ports(const Node& n, const std::string& key);
  Result<void> on_dns(const Node& n, const std::string& key);
  Result<void> on_pod(const Node& n, const std::string& key);
  Result<void> on_mounts(const Node& n, const std::string& key);
  Result<void> on_devices(const Node& n, const std::string& key);
  Result<void> on_capabilities(const Node& n, const std::string& key);
  Result<void> on_notify(const Node& n, const std::string& key) {
    return set_boolean(n, key, def_.notify);
  }
  Result<void> on_stop(const Node& n, const std::string& key);
  Result<void> on_after(const Node& n, const std::string& key) {
    return set_box_names(n, key, def_.after);
  }
  Result<void> on_requires(const Node& n, const std::string& key) {
    return set_box_names(n, key, def_.requires_);
  }
  Result<void> on_network_online(const Node& n, const std::string& key) {
    return set_boolean(n, key, def_.network_online);
  }
  Result<void> on_resources(const Node& n, const std::string& key);
  Result<void> on_session(const Node& n, const std::string& key);
  Result<void> on_session_bus(const Node& n, const std::string& key) {
    return set_bus_rules(n, key, def_.session_bus);
  }
  Result<void> on_system_bus(const Node& n, const std::string& key) {
    return set_bus_rules(n, key, def_.system_bus);
  }
  Result<void> on_app_id(const Node& n, const std::string& key);

 private:
  Result<void> apply_key(Key k, const Node& n, const std::string& key);

  Error error(const Node& n, const std::string& key, const std::string& what) const {
    return values_.error(n, key, what);
  }
  Error expected(const Node& n, const std::string& key, const std::string& what) const {
    return values_.expected(n, key, what);
  }

  // Scalars, with specifiers and variables expanded (expansion.h).
  Result<std::string> str(const Node& n, const std::string& key);
  Result<std::string> path(const Node& n, const std::string& key);
  Result<std::string> inside_path(const Node& n, const std::string& key);
  Result<bool> boolean(const Node& n, const std::string& key);
  Result<std::vector<std::string>> str_list(const Node& n, const std::string& key);
  template <typename T>
  Result<T> choice(const Node& n, const std::string& key, Choices<T> table);
  // Keys whose value is one name of an enum's table, or a bool.
  template <Named E>
  Result<void> set_choice(const Node& n, const std::string& key, E& field);
  Result<void> set_boolean(const Node& n, const std::string& key, bool& field);
  template <typename T>
  Result<T> parsed(const Node& n, const std::string& key,
                   const std::function<Result<T>(const std::string&)>& parse);
  Result<void> check_map_keys(const Node& n, const std::string& key,
                              const std::vector<std::string>& allowed);
  // A mapping of NAME: value (env, rlimits) into `list`, in file order: a
  // fragment's entry replaces the main file's of the same name in its
  // place, a new name goes last. `make` gets the name and the value's text.
  template <typename T>
  Result<void> name_map(
      const Node& n, const std::string& key, std::vector<T>& list,
      const std::function<Result<void>(const std::string&)>& check_name,
      const std::function<Result<T>(const std::string&, const std::string&)>& make);

  Result<MountSpec> mount(const Node& n, const std::string& key);

  Result<void> set_box_names(const Node& n, const std::string& key,
                             std::vector<std::string>& field);
  Result<void> set_bus_rules(const Node& n, const std::string& key,
                             std::optional<BusRules>& field);

  const std::string& file_;
  const LoadContext& ctx_;
  Definition& def_;
  Locations& loc_;
  Findings& findings_;
  YamlValues values_;  // scalars with the session's specifiers expanded
};

// The keys that do not take a name, and their handlers.
constexpr std::pair<Key, FragmentParser::Handler> kHandlers[] = {
    {Key::kDescription, &FragmentParser::on_description},
    {Key::kRootfs, &FragmentParser::on_rootfs},
    {Key::kImage, &FragmentParser::on_image},
    {Key::kCommand, &FragmentParser::on_command},
    {Key::kUser, &FragmentParser::on_user},
    {Key::kGroups, &FragmentParser::on_groups},
    {Key::kKeepGroups, &FragmentParser::on_keep_groups},
    {Key::kEnv, &FragmentParser::on_env},
    {Key::kWorkdir, &FragmentParser::on_workdir},
    {Key::kHostname, &FragmentParser::on_hostname},
    {Key::kUmask, &FragmentParser::on_umask},
    {Key::kRlimits, &FragmentParser::on_rlimits},
    {Key::kNamespaces, &FragmentParser::on_namespaces},
    {Key::kPorts, &FragmentParser::on_ports},
    {Key::kDns, &FragmentParser::on_dns},
    {Key::kPod, &FragmentParser::on_pod},
    {Key::kMounts, &FragmentParser::on_mounts},
    {Key::kDevices, &FragmentParser::on_devices},
    {Key::kCapabilities, &FragmentParser::on_capabilities},
    {Key::kNotify, &FragmentParser::on_notify},
    {Key::kStop, &FragmentParser::on_stop},
    {Key::kAfter, &FragmentParser::on_after},
    {Key::kRequires, &FragmentParser::on_requires},
    {Key::kNetworkOnline, &FragmentParser::on_network_online},
    {Key::kResources, &FragmentParser::on_resources},
    {Key::kSession, &FragmentParser::on_session},
    {Key::kSessionBus, &FragmentParser::on_session_bus},
    {Key::kSystemBus, &FragmentParser::on_system_bus},
    {Key::kAppId, &FragmentParser::on_app_id},
};

// Every key of the schema is read once: by kHandlers or into its field.
constexpr bool one_reader_a_key() {
  for (std::size_t i = 0; i < kKeyCount; ++i) {
    const Key key = static_cast<Key>(i);
    int readers = 0;
    for (const auto& entry : kHandlers) readers += entry.first == key;
    for_each_named_field([&](Key named, auto) { readers += named == key; });
    if (readers != 1) return false;
  }
  return true;
}
static_assert(one_reader_a_key(), "a key of the schema has no reader, or two");

Result<void> FragmentParser::apply_key(Key k, const Node& n, const std::string& key) {
  std::optional<Result<void>> named;
  for_each_named_field([&](Key field_key, auto field) {
    if (field_key == k) named = set_choice(n, key, def_.*field);
  });
  if (named) return *named;
  for (const auto& [handled, handler] : kHandlers)
    if (handled == k) return (this->*handler)(n, key);
  return error(n, key, "no reader for this key");  // not reached: one_reader_a_key()
}

void FragmentParser::apply(const Node& root) {
  if (root.IsNull()) return;  // an empty fragment changes nothing
  KeyReader<Key> reader;
  reader.find = find_key;
  reader.unknown = [](const std::string& name) {
    std::vector<std::string> known;
    for (const auto& spec : definition_keys()) known.push_back(spec.name);
    return "unknown key '" + name + "' (" + suggest_key(name, known) + ")";
  };
  reader.read = [this](Key k, const Node& n, const std::string& key) { return apply_key(k, n, key); };
  reader.done = [this](Key k, bool read, const std::string& where) {
    if (!read) {
      findings_.unreadable.insert(k);
      return;
    }
    findings_.unreadable.erase(k);  // a later fragment set it after all
    loc_[k] = where;
  };
  read_top_level_keys(root, file_, findings_.errors, reader);
}

Result<std::string> FragmentParser::str(const Node& n, const std::string& key) {
  return values_.str(n, key);
}

Result<std::string> FragmentParser::path(const Node& n, const std::string& key) {
  auto s = str(n, key);
  if (!s) return s;
  std::string p = *s;
  if (p == "~" || p.rfind("~/", 0) == 0) p = ctx_.home + p.substr(1);
  if (p.empty() || p.front() != '/')
    return error(n, key, "expected an absolute path or one starting with '~/', found '" + *s + "'");
  return p;
}

// Paths inside the container: absolute, and no '..' (a target must not
// climb out of where it is mounted).
Result<std::string> FragmentParser::inside_path(const Node& n, const std::string& key) {
  auto s = str(n, key);
  if (!s) return s;
  if (auto r = check_inside_path(*s); !r) return error(n, key, r.error().message());
  return s;
}

Result<bool> FragmentParser::boolean(const Node& n, const std::string& key) {
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
  }
  return error(n, key,
               "expected true or false, found " +
                   (n.IsScalar() ? "'" + n.Scalar() + "'" : std::string(yaml_kind(n))));
}

Result<std::vector<std::string>> FragmentParser::str_list(const Node& n, const std::string& key) {
  return values_.str_list(n, key);
}

template <typename T>
Result<T> FragmentParser::choice(const Node& n, const std::string& key, Choices<T> table) {
  return values_.choice(n, key, table);
}

template <Named E>
Result<void> FragmentParser::set_choice(const Node& n, const std::string& key, E& field) {
  auto v = choice(n, key, choices<E>());
  if (!v) return v.error();
  field = *v;
  return {};
}

Result<void> FragmentParser::set_boolean(const Node& n, const std::string& key, bool& field) {
  auto v = boolean(n, key);
  if (!v) return v.error();
  field = *v;
  return {};
}

template <typename T>
Result<T> FragmentParser::parsed(const Node& n, const std::string& key,
                                 const std::function<Result<T>(const std::string&)>& parse) {
  auto s = str(n, key);
  if (!s) return s.error();
  auto v = parse(*s);
  if (!v) return error(n, key, v.error().message());
  return v;
}

Result<void> FragmentParser::check_map_keys(const Node& n, const std::string& key,
                                            const std::vector<std::string>& allowed) {
  for (const auto& kv : n) {
    const std::string k = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
      return Error(yaml_where(file_, kv.first.Mark()) + ": '" + key + "': unknown key '" + k + "' (" +
                   suggest_key(k, allowed) + ")");
  }
  return {};
}

const std::string& entry_name(const std::pair<std::string, std::string>& e) { return e.first; }
const std::string& entry_name(const RlimitSpec& e) { return e.name; }

template <typename T>
Result<void> FragmentParser::name_map(
    const Node& n, const std::string& key, std::vector<T>& list,
    const std::function<Result<void>(const std::string&)>& check_name,
    const std::function<Result<T>(const std::string&, const std::string&)>& make) {
  for (const auto& kv : n) {
    auto name = str(kv.first, key);
    if (!name) return name.error();
    if (auto r = check_name(*name); !r) return error(kv.first, key, r.error().message());
    auto entry = parsed<T>(kv.second, key + "." + *name,
                           [&](const std::string& value) { return make(*name, value); });
    if (!entry) return entry.error();
    auto it =
        std::find_if(list.begin(), list.end(), [&](const T& e) { return entry_name(e) == *name; });
    if (it != list.end()) {
      *it = std::move(*entry);
    } else {
      list.push_back(std::move(*entry));
    }
  }
  return {};
}

Result<void> FragmentParser::on_description(const Node& n, const std::string& key) {
  auto v = values_.single_line(n, key);
  if (!v) return v.error();
  def_.description = *v;
  return {};
}

Result<void> FragmentParser::on_rootfs(const Node& n, const std::string& key) {
  auto v = path(n, key);
  if (!v) return v.error();
  def_.rootfs = *v;
  def_.image.clear();
  loc_.erase(Key::kImage);
  return {};
}

Result<void> FragmentParser::on_image(const Node& n, const std::string& key) {
  auto v = str(n, key);
  if (!v) return v.error();
  // An image is installed under its own name: never a template instance.
  if (auto r = check_plain_name(*v, "image name"); !r) return error(n, key, r.error().message());
  def_.image = *v;
  def_.rootfs = ctx_.data_home + "/box/images/" + *v + "/rootfs";
  loc_.erase(Key::kRootfs);
  return {};
}

Result<void> FragmentParser::on_command(const Node& n, const std::string& key) {
  auto v = str_list(n, key);
  if (!v) return v.error();
  if (v->empty()) return error(n, key, "must not be empty");
  if (v->front().empty()) return error(n, key, "the program name must not be empty");
  def_.command = std::move(*v);
  return {};
}

Result<void> FragmentParser::on_user(const Node& n, const std::string& key) {
  auto ids = parsed<std::pair<uint32_t, uint32_t>>(n, key, parse_user_ids);
  if (!ids) return ids.error();
  def_.uid = static_cast<uid_t>(ids->first);
  def_.gid = static_cast<gid_t>(ids->second);
  return {};
}

Result<void> FragmentParser::on_groups(const Node& n, const std::string& key) {
  if (!n.IsSequence()) return expected(n, key, "a list of group ids");
  def_.groups.clear();
  for (std::size_t i = 0; i < n.size(); ++i) {
    auto g = parsed<uint64_t>(n[i], key + "[" + std::to_string(i) + "]",
                              [](const std::string& t) { return parse_number(t, 0xfffffffe); });
    if (!g) return g.error();
    def_.groups.push_back(static_cast<gid_t>(*g));
  }
  return {};
}

Result<void> FragmentParser::on_env(const Node& n, const std::string& key) {
  if (!n.IsMap()) return expected(n, key, "a mapping of NAME: value");
  auto check = [](const std::string& name) -> Result<void> {
    if (name.empty() || name.find('=') != std::string::npos)
      return Error("invalid variable name '" + name + "' (empty or contains '=')");
    return {};
  };
  return name_map<std::pair<std::string, std::string>>(
      n, key, def_.env, check, [](const std::string& name, const std::string& value) {
        return std::pair{name, value};
      });
}

Result<void> FragmentParser::on_workdir(const Node& n, const std::string& key) {
  auto v = inside_path(n, key);
  if (!v) return v.error();
  def_.workdir = *v;
  return {};
}

Result<void> FragmentParser::on_hostname(const Node& n, const std::string& key) {
  auto v = values_.hostname(n, key);
  if (!v) return v.error();
  def_.hostname = *v;
  return {};
}

Result<void> FragmentParser::on_app_id(const Node& n, const std::string& key) {
  auto v = str(n, key);
  if (!v) return v.error();
  if (auto r = check_app_id(*v); !r) return error(n, key, r.error().message());
  def_.app_id = *v;
  return {};
}

Result<void> FragmentParser::on_umask(const Node& n, const std::string& key) {
  auto v = parsed<unsigned>(n, key, parse_mode);
  if (!v) return v.error();
  if (*v > 0777) return error(n, key, "a umask has only permission bits (at most 0777)");
  def_.umask = *v;
  return {};
}

Result<void> FragmentParser::on_rlimits(const Node& n, const std::string& key) {
  if (!n.IsMap()) return expected(n, key, "a mapping of NAME: N or \"SOFT:HARD\"");
  auto check = [](const std::string& name) -> Result<void> {
    if (auto resource = rlimit_resource(name); !resource) return resource.error();
    return {};
  };
  return name_map<RlimitSpec>(
      n, key, def_.rlimits, check,
      [](const std::string& name, const std::string& text) -> Result<RlimitSpec> {
        auto limits = parse_rlimit(text);
        if (!limits) return limits.error();
        return RlimitSpec{name, rlimit_resource(name).value(), limits->first, limits->second};
      });
}

Result<void> FragmentParser::on_namespaces(const Node& n, const std::string& key) {
  if (!n.IsMap()) return expected(n, key, "a mapping such as {pid: private, ipc: host}");
  std::vector<std::string> kinds;
  for (const auto& kind : namespace_kinds()) kinds.push_back(kind.name);
  auto r = check_map_keys(n, key, kinds);
  if (!r) return r;
  for (const auto& kv : n) {
    const std::string ns = kv.first.Scalar();
    auto v = choice(kv.second, key + "." + ns, namespace_states());
    if (!v) return v.error();
    def_.namespaces.*(parse_choice(namespace_kinds(), ns).value()) = *v;
  }
  return {};
}

Result<void> FragmentParser::on_ports(const Node& n, const std::string& key) {
  auto v = values_.ports(n, key);
  if (!v) return v.error();
  def_.ports = std::move(*v);
  return {};
}

Result<void> FragmentParser::on_dns(const Node& n, const std::string& key) {
  auto v = values_.ip_addresses(n, key);
  if (!v) return v.error();
  def_.dns = std::move(*v);
  return {};
}

Result<void> FragmentParser::on_pod(const Node& n, const std::string& key) {
  auto v = str(n, key);
  if (!v) return v.error();
  // A pod is one file of its own: no template instances.
  if (auto r = check_plain_name(*v, "pod name"); !r) return error(n, key, r.error().message());
  def_.pod = *v;
  return {};
}

Result<MountSpec> FragmentParser::mount(const Node& n, const std::string& key) {
  if (!n.IsMap()) return expected(n, key, "a mapping with 'type' and 'target'");
  const Node type_node = n["type"];
  if (!type_node)
    return error(n, key, "missing 'type' (" + choice_names<MountType>(", ", " or ") + ")");
  auto type = choice(type_node, key + ".type", choices<MountType>());
  if (!type) return type.error();
  static const std::map<MountSpec::Type, std::vector<std::string>> allowed = {
      {MountSpec::Type::kBind, {"type", "source", "target", "readonly", "optional"}},
      {MountSpec::Type::kTmpfs, {"type", "target", "size", "mode"}},
      {MountSpec::Type::kDir, {"type", "target", "mode"}},
      {MountSpec::Type::kSymlink, {"type", "target", "link"}},
      {MountSpec::Type::kFile, {"type", "target", "content", "mode"}},
  };
  auto r = check_map_keys(n, key, allowed.at(*type));
  if (!r) return r.error();
  MountSpec m;
  m.type = *type;
  auto need = [&](const char* k) -> Result<Node> {
    Node v = n[k];
    if (!v) return error(n, key, std::string("missing '") + k + "'");
    return v;
  };
  auto target_node = need("target");
  if (!target_node) return target_node.error();
  auto target = inside_path(*target_node, key + ".target");
  if (!target) return target.error();
  m.target = *target;
  if (m.target == "/") return error(*target_node, key + ".target", "cannot mount over '/'");
  for (const auto& kv : n) {
    const std::string k = kv.first.Scalar();
    const std::string sub = key + "." + k;
    if (k == "source") {
      auto v = path(kv.second, sub);
      if (!v) return v.error();
      m.source = *v;
    } else if (k == "readonly" || k == "optional") {
      auto v = boolean(kv.second, sub);
      if (!v) return v.error();
      (k == "readonly" ? m.readonly : m.optional) = *v;
    } else if (k == "size") {
      auto v = parsed<uint64_t>(kv.second, sub, parse_size);
      if (!v) return v.error();
      m.size = *v;
    } else if (k == "mode") {
      auto v = parsed<unsigned>(kv.second, sub, parse_mode);
      if (!v) return v.error();
      m.mode = *v;
    } else if (k == "link") {
      auto v = str(kv.second, sub);
      if (!v) return v.error();
      if (v->empty()) return error(kv.second, sub, "must not be empty");
      m.link = *v;
    } else if (k == "content") {
      auto v = str(kv.second, sub);
      if (!v) return v.error();
      if (v->size() > (1 << 20)) return error(kv.second, sub, "larger than 1 MiB");
      m.content = *v;
    }
  }
  if (m.type == MountSpec::Type::kBind && m.source.empty())
    return error(n, key, "missing 'source' (the host path to bind)");
  if (m.type == MountSpec::Type::kSymlink && m.link.empty())
    return error(n, key, "missing 'link' (what the symlink points to)");
  return m;
}

Result<void> FragmentParser::on_mounts(const Node& n, const std::string& key) {
  if (!n.IsSequence()) return expected(n, key, "a list of mounts");
  if (n.size() > 256) return error(n, key, "more than 256 mounts");
  // A fragment's list replaces the main file's, as in systemd drop-ins with
  // a reset: a shipped definition's mounts are not half-inherited.
  def_.mounts.clear();
  def_.mount_locations.clear();
  // Each entry's error, not only the first: apply() sees the key failed.
  for (std::size_t i = 0; i < n.size(); ++i) {
    auto m = mount(n[i], key + "[" + std::to_string(i) + "]");
    if (!m) {
      findings_.errors.push_back(m.error().message());
      continue;
    }
    const Node source = n[i]["source"];
    def_.mount_locations.push_back(yaml_where(file_, (source ? source : n[i]).Mark()));
    def_.mounts.push_back(std::move(*m));
  }
  return {};
}

Result<void> FragmentParser::on_devices(const Node& n, const std::string& key) {
  if (!n.IsSequence())
    return expected(n, key, "a list of device names (" + device_name_list() +
                                ") or paths under /dev");
  if (n.size() > 256) return error(n, key, "more than 256 devices");
  // Replaced as a whole by a fragment, as `mounts` is.
  def_.devices.clear();
  def_.device_locations.clear();
  // Each entry's error, not only the first: apply() sees the key failed.
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string sub = key + "[" + std::to_string(i) + "]";
    auto text = str(n[i], sub);
    if (!text) {
      findings_.errors.push_back(text.error().message());
      continue;
    }
    auto device = parse_device(*text);
    if (!device) {
      findings_.errors.push_back(error(n[i], sub, device.error().message()).message());
      continue;
    }
    auto same = std::find_if(def_.devices.begin(), def_.devices.end(),
                             [&](const DeviceSpec& d) { return d.path == device->path; });
    if (same != def_.devices.end()) {
      findings_.errors.push_back(
          error(n[i], sub,
                "'" + device->path + "' is named twice (also as '" + same->name + "')")
              .message());
      continue;
    }
    def_.device_locations.push_back(yaml_where(file_, n[i].Mark()));
    def_.devices.push_back(std::move(*device));
  }
  return {};
}

Result<void> FragmentParser::on_capabilities(const Node& n, const std::string& key) {
  CapabilitySpec spec;
  auto names = [&](const Node& list, const std::string& sub,
                   std::vector<std::string>& out) -> Result<void> {
    auto v = str_list(list, sub);
    if (!v) return v.error();
    for (std::size_t i = 0; i < v->size(); ++i) {
      auto c = capability_or_all((*v)[i]);
      if (!c) return error(list[i], sub, c.error().message());
      out.push_back(*c);
    }
    return {};
  };
  if (n.IsSequence()) {
    // The short form: a list of capabilities to add ([ALL] for all).
    auto r = names(n, key, spec.add);
    if (!r) return r;
  } else if (n.IsMap()) {
    auto r = check_map_keys(n, key, {"add", "drop"});
    if (!r) return r;
    if (n["add"]) {
      r = names(n["add"], key + ".add", spec.add);
      if (!r) return r;
    }
    if (n["drop"]) {
      r = names(n["drop"], key + ".drop", spec.drop);
      if (!r) return r;
    }
  } else {
    return expected(n, key, "{add: [...], drop: [...]} or a list such as [ALL]");
  }
  auto all = std::find(spec.add.begin(), spec.add.end(), "ALL");
  if (all != spec.add.end()) {
    spec.add_all = true;
    spec.add.erase(all);
  }
  for (const auto& a : spec.add)
    if (std::find(spec.drop.begin(), spec.drop.end(), a) != spec.drop.end())
      return error(n, key, a + " is both added and dropped");
  def_.capabilities = std::move(spec);
  return {};
}

Result<void> FragmentParser::on_stop(const Node& n, const std::string& key) {
  if (!n.IsMap()) return expected(n, key, "a mapping such as {signal: SIGTERM, timeout: 10s}");
  auto r = check_map_keys(n, key, {"signal", "timeout"});
  if (!r) return r;
  if (n["signal"]) {
    std::string canonical;
    auto sig = parsed<int>(n["signal"], key + ".signal",
                           [&](const std::string& t) { return parse_signal(t, &canonical); });
    if (!sig) return sig.error();
    if (*sig == SIGKILL || *sig == SIGSTOP)
      return error(n["signal"], key + ".signal",
                   canonical + " cannot be forwarded (it would stop box-run, not the container)");
    def_.stop.signal = *sig;
    def_.stop.signal_name = canonical;
    def_.stop.signal_set = true;
  }
  if (n["timeout"]) {
    // infinity: systemd waits for the stop as long as it takes
    // (TimeoutStopSec=infinity).
    auto t = parsed<uint64_t>(n["timeout"], key + ".timeout", [](const std::string& text) {
      return parse_duration_usec(text, Infinity::kAllowed);
    });
    if (!t) return t.error();
    if (*t == 0) return error(n["timeout"], key + ".timeout", "must be more than 0");
    def_.stop.timeout_usec = *t;
  }
  return {};
}

Result<void> FragmentParser::set_box_names(const Node& n, const std::string& key,
                                           std::vector<std::string>& field) {
  auto v = str_list(n, key);
  if (!v) return v.error();
  // Any container, an instance of a template included ("db@blue").
  for (std::size_t i = 0; i < v->size(); ++i)
    if (auto r = check_container_name((*v)[i]); !r) return error(n[i], key, r.error().message());
  field = std::move(*v);
  return {};
}

Result<void> FragmentParser::on_resources(const Node& n, const std::string& key) {
  if (!n.IsMap()) return expected(n, key, "a mapping such as {memory: 512M, pids: 256}");
  auto r = check_map_keys(n, key, {"memory", "pids", "cpu_weight"});
  if (!r) return r;
  if (n["memory"]) {
    auto v = parsed<uint64_t>(n["memory"], key + ".memory", parse_size);
    if (!v) return v.error();
    def_.resources.memory = *v;
  }
  if (n["pids"]) {
    auto v = parsed<uint64_t>(n["pids"], key + ".pids",
                              [](const std::string& t) { return parse_number(t, 4194304); });
    if (!v) return v.error();
    def_.resources.pids = *v;
  }
  if (n["cpu_weight"]) {
    auto v = parsed<uint64_t>(n["cpu_weight"], key + ".cpu_weight",
                              [](const std::string& t) { return parse_number(t, 10000); });
    if (!v) return v.error();
    if (*v == 0) return error(n["cpu_weight"], key + ".cpu_weight", "must be 1..10000");
    def_.resources.cpu_weight = static_cast<uint32_t>(*v);
  }
  return {};
}

// Entry by entry, so that a drop-in can add one socket or take one away.
Result<void> FragmentParser::on_session(const Node& n, const std::string& key) {
  if (!n.IsMap()) return expected(n, key, "a mapping such as {wayland: true, pulseaudio: true}");
  std::vector<std::string> names;
  for (const auto& [name, field] : kSessionSocketKeys) names.emplace_back(name);
  auto r = check_map_keys(n, key, names);
  if (!r) return r;
  for (const auto& [name, field] : kSessionSocketKeys)
    if (n[name]) {
      r = set_boolean(n[name], key + "." + name, def_.session.*field);
      if (!r) return r;
    }
  return {};
}

Result<void> FragmentParser::set_bus_rules(const Node& n, const std::string& key,
                                           std::optional<BusRules>& field) {
  if (!n.IsMap())
    return expected(n, key, "a mapping such as {talk: [org.freedesktop.Notifications]} ({} for "
                            "the bus itself only)");
  auto r = check_map_keys(n, key, {"see", "talk", "own", "call", "broadcast"});
  if (!r) return r;
  BusRules rules;
  auto names = [&](const char* level, std::vector<std::string>& out) -> Result<void> {
    if (!n[level]) return {};
    const std::string sub = key + "." + level;
    auto v = str_list(n[level], sub);
    if (!v) return v.error();
    for (std::size_t i = 0; i < v->size(); ++i)
      if (auto ok = check_bus_name_pattern((*v)[i]); !ok)
        return error(n[level][i], sub, ok.error().message());
    out = std::move(*v);
    return {};
  };
  // NAME: RULE or NAME: [RULE...]
  auto rule_map = [&](const char* kind, std::vector<BusNameRules>& out) -> Result<void> {
    if (!n[kind]) return {};
    const Node m = n[kind];
    const std::string sub = key + "." + kind;
    if (!m.IsMap()) return expected(m, sub, "a mapping NAME: [RULE...] such as {org.example.App: ['*@/org/example/*']}");
    for (const auto& kv : m) {
      auto name = str(kv.first, sub);
      if (!name) return name.error();
      if (auto ok = check_bus_name_pattern(*name); !ok)
        return error(kv.first, sub, ok.error().message());
      const std::string item = sub + "." + *name;
      std::vector<std::string> list;
      if (kv.second.IsScalar()) {
        auto one = str(kv.second, item);
        if (!one) return one.error();
        list.push_back(*one);
      } else {
        auto many = str_list(kv.second, item);
        if (!many) return many.error();
        if (many->empty()) return error(kv.second, item, "no rule (give at least one, '*' for all)");
        list = std::move(*many);
      }
      for (std::size_t i = 0; i < list.size(); ++i)
        if (auto ok = check_bus_rule(list[i]); !ok)
          return error(kv.second.IsScalar() ? kv.second : kv.second[i], item,
                       ok.error().message());
      out.emplace_back(*name, std::move(list));
    }
    return {};
  };
  for (const auto& [level, list] : {std::pair{"see", &rules.see}, std::pair{"talk", &rules.talk},
                                    std::pair{"own", &rules.own}})
    if (auto ok = names(level, *list); !ok) return ok;
  for (const auto& [kind, list] :
       {std::pair{"call", &rules.call}, std::pair{"broadcast", &rules.broadcast}})
    if (auto ok = rule_map(kind, *list); !ok) return ok;
  // A fragment's rules replace the main file's, as a list of mounts does.
  field = std::move(rules);
  return {};
}

// Checks that involve several keys, once every fragment is applied.
void finish(Definition& def, const Locations& loc, const std::string& main_file,
            Findings& findings) {
  auto at = [&](Key key) {
    auto it = loc.find(key);
    return it != loc.end() ? it->second : main_file;
  };
  auto unreadable = [&](std::initializer_list<Key> keys) {
    for (Key k : keys)
      if (findings.unreadable.count(k)) return true;
    return false;
  };
  auto& errors = findings.errors;
  if (def.rootfs.empty() && !unreadable({Key::kRootfs, Key::kImage}))
    errors.push_back(main_file + ": missing required key 'rootfs' (or 'image')");
  if (def.command.empty()) {
    if (def.init != InitMode::kSystemd && !unreadable({Key::kCommand, Key::kInit}))
      errors.push_back(main_file +
                       ": missing required key 'command' (only init: systemd has a default)");
    if (def.init == InitMode::kSystemd) def.command = {"/sbin/init"};
  }
  if (def.init == InitMode::kSystemd && !def.stop.signal_set) {
    // systemd halts cleanly on SIGRTMIN+3; SIGTERM would make it re-exec.
    std::string name;
    def.stop.signal = parse_signal("SIGRTMIN+3", &name).value();
    def.stop.signal_name = name;
  }
  // A driver for an overlay that is not there would silently do nothing.
  if (loc.count(Key::kOverlayDriver) && def.rootfs_writes != RootfsWrites::kOverlay &&
      def.rootfs_writes != RootfsWrites::kPersistent && !unreadable({Key::kRootfsWrites}))
    errors.push_back(at(Key::kOverlayDriver) +
                     ": 'overlay_driver': only with 'rootfs_writes: overlay' or 'persistent' "
                     "(rootfs_writes is " +
                     to_string(def.rootfs_writes) + ")");
  std::set<Key> set;
  for (const auto& [key, place] : loc) set.insert(key);
  // A member's key that is its pod's is blamed for that alone ('ports' in
  // a member is not also "needs network: private").
  auto broken_rules = pod_member_violations(def, set);
  std::set<Key> pods_keys;
  for (const auto& v : broken_rules) pods_keys.insert(v.key);
  for (auto& v : definition_violations(def))
    if (!pods_keys.count(v.key)) broken_rules.push_back(std::move(v));
  for (const auto& broken : broken_rules) {
    if (findings.unreadable.count(broken.key)) continue;
    bool reads_unreadable = false;
    for (Key k : broken.also_reads) reads_unreadable |= findings.unreadable.count(k) > 0;
    if (reads_unreadable) continue;
    errors.push_back(at(broken.key) + ": '" + key_name(broken.key) + "': " + broken.message);
  }
}

Result<Node> parse_yaml(const DefinitionSource& src) {
  try {
    return YAML::Load(src.text);
  } catch (const YAML::Exception& e) {
    return Error(yaml_where(src.path, e.mark) + ": " + e.msg);
  }
}

}  // namespace

DefinitionCheck check_definition_sources(const std::vector<DefinitionSource>& sources,
                                         const std::string& name, const LoadContext& ctx) {
  const std::string main_file = sources.empty() ? name + ".yaml" : sources.front().path;
  DefinitionCheck check;
  if (auto r = check_container_name(name); !r) {
    check.errors.push_back(main_file + ": " + r.error().message());
    return check;
  }
  // An instance's name carries its ${instance}: "web@blue" -> "blue".
  LoadContext effective = ctx;
  if (effective.instance.empty()) effective.instance = split_container_name(name)->instance;
  Definition def;
  def.name = name;
  def.source_path = main_file;
  Locations loc;
  Findings findings;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    auto root = parse_yaml(sources[i]);
    if (!root) {
      // The rest of a file YAML cannot read is unknown: its keys would all
      // look missing.
      findings.errors.push_back(root.error().message());
      check.errors = std::move(findings.errors);
      return check;
    }
    if (i == 0 && root->IsNull()) {
      check.errors.push_back(main_file +
                             ": the definition is empty (it needs at least 'rootfs' and 'command')");
      return check;
    }
    FragmentParser(sources[i].path, effective, def, loc, findings).apply(*root);
    if (!root->IsNull() && !root->IsMap()) {
      // No key of this file was read: each would look missing.
      check.errors = std::move(findings.errors);
      return check;
    }
    if (i > 0) def.fragment_paths.push_back(sources[i].path);
  }
  finish(def, loc, main_file, findings);
  check.errors = std::move(findings.errors);
  def.key_locations = std::move(loc);
  if (!check.errors.empty()) {
    // What could be read, for the host's checks of the same round.
    check.partial = std::move(def);
    check.unreadable = std::move(findings.unreadable);
    return check;
  }
  check.definition = std::move(def);
  return check;
}

Result<Definition> parse_definition_sources(const std::vector<DefinitionSource>& sources,
                                            const std::string& name, const LoadContext& ctx) {
  return definition_or_first_error(check_definition_sources(sources, name, ctx));
}

Result<Definition> definition_or_first_error(DefinitionCheck check) {
  if (check.definition) return std::move(*check.definition);
  if (check.errors.empty()) return Error("no definition");  // not reached
  return Error(first_error_message(check.errors));
}

std::string first_error_message(const std::vector<std::string>& errors) {
  if (errors.empty()) return "";
  std::string message = errors.front();
  // One line for a unit's status and the generator's verdict; validate
  // prints them all.
  if (errors.size() > 1)
    message += " (and " + std::to_string(errors.size() - 1) + " more error" +
               (errors.size() > 2 ? "s" : "") + ": 'boxctl validate' lists them)";
  return message;
}

Result<Definition> parse_definition(std::string_view yaml_text, const std::string& file,
                                    const std::string& name, const std::string& home) {
  return parse_definition_sources({{file, std::string(yaml_text)}}, name,
                                  LoadContext{home, home + "/.local/share", ""});
}

Result<std::string> read_definition_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::from_errno("open '" + path + "'");
  // In chunks: sizing the buffer to the limit up front costs a 1 MiB memset
  // per file, which dominated a generator run over 1,000 definitions.
  std::string text;
  char chunk[16384];
  while (in.read(chunk, sizeof chunk), in.gcount() > 0) {
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxDefinitionBytes)
      return Error(path + ": file larger than " + std::to_string(kMaxDefinitionBytes) + " bytes");
  }
  if (in.bad()) return Error::from_errno("read '" + path + "'");
  return text;
}

Result<std::vector<DefinitionSource>> read_definition_sources(
    const std::string& path, const std::vector<std::string>& fragments) {
  std::vector<DefinitionSource> sources;
  for (const auto* p : {&path}) {
    auto text = read_definition_text(*p);
    if (!text) return text.error();
    sources.push_back({*p, std::move(*text)});
  }
  for (const auto& f : fragments) {
    auto text = read_definition_text(f);
    if (!text) return text.error();
    sources.push_back({f, std::move(*text)});
  }
  return sources;
}

Result<Definition> load_definition(const std::string& path,
                                   const std::vector<std::string>& fragments,
                                   const std::string& name, const LoadContext& ctx) {
  auto sources = read_definition_sources(path, fragments);
  if (!sources) return sources.error();
  return parse_definition_sources(*sources, name, ctx);
}

Result<Definition> load_definition_file(const std::string& path, const std::string& name,
                                        const std::string& home) {
  return load_definition(path, {}, name, LoadContext{home, home + "/.local/share", ""});
}

}  // namespace box
