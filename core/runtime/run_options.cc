#include "core/runtime/run_options.h"

#include "core/model/definition_rules.h"
#include "core/model/value_parsers.h"

namespace box {
namespace {

using Apply = std::function<Result<void>(Definition&, const std::string&)>;

// An option for the key K that takes a name: one of `table` (by default
// all of the key's names), stored in the key's field.
template <Key K, typename E = NamedFieldType<K>>
RunOption named(const char* name, const char* help, Choices<E> table = choices<E>()) {
  Apply apply = [table](Definition& d, const std::string& v) -> Result<void> {
    auto c = parse_choice(table, v);
    if (!c) return c.error();
    d.*named_field<K>() = *c;
    return {};
  };
  return {name, choice_names(table, "|"), K, help, std::move(apply)};
}

// `init: systemd` needs what the loader makes of a definition for it (its
// stop signal SIGRTMIN+3, /sbin/init as the command): box-run start offers
// it, `run` takes the other inits.
Choices<InitMode> run_inits() {
  static const auto table = [] {
    std::vector<Choice<InitMode>> out;
    for (const auto& c : choices<InitMode>())
      if (c.value != InitMode::kSystemd) out.push_back(c);
    return out;
  }();
  return table;
}

Result<void> bind_mount(Definition& d, const std::string& v, bool readonly) {
  auto colon = v.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == v.size())
    return Error("expected SRC:DST, found '" + v + "'");
  MountSpec m;
  m.source = v.substr(0, colon);
  m.target = v.substr(colon + 1);
  m.readonly = readonly;
  if (auto r = check_inside_path(m.target); !r) return r;
  d.mounts.push_back(std::move(m));
  return {};
}

Result<void> tmpfs(Definition& d, const std::string& v) {
  if (auto r = check_inside_path(v); !r) return r;
  MountSpec m;
  m.type = MountType::kTmpfs;
  m.target = v;
  d.mounts.push_back(std::move(m));
  return {};
}

Result<void> env(Definition& d, const std::string& v) {
  auto eq = v.find('=');
  if (eq == std::string::npos || eq == 0) return Error("expected NAME=VALUE, found '" + v + "'");
  d.env.emplace_back(v.substr(0, eq), v.substr(eq + 1));
  return {};
}

Result<void> user(Definition& d, const std::string& v) {
  auto ids = parse_user_ids(v);
  if (!ids) return ids.error();
  d.uid = static_cast<uid_t>(ids->first);
  d.gid = static_cast<gid_t>(ids->second);
  return {};
}

// Checked here, as the definition's `hostname:` is, rather than failing
// late at sethostname inside the new namespaces.
Result<void> hostname(Definition& d, const std::string& v) {
  if (auto r = check_hostname(v); !r) return r;
  d.hostname = v;
  return {};
}

Result<void> workdir(Definition& d, const std::string& v) {
  if (auto r = check_inside_path(v); !r) return r;
  d.workdir = v;
  return {};
}

Result<void> capability(Definition& d, const std::string& v, bool add) {
  auto c = capability_or_all(v);
  if (!c) return c.error();
  if (add && *c == "ALL")
    d.capabilities.add_all = true;
  else
    (add ? d.capabilities.add : d.capabilities.drop).push_back(*c);
  return {};
}

Result<void> share(Definition& d, const std::string& v) {
  auto kind = parse_choice(namespace_kinds(), v);
  if (!kind) return kind.error();
  d.namespaces.*(*kind) = false;
  return {};
}

Result<void> publish(Definition& d, const std::string& v) {
  auto port = parse_port(v);
  if (!port) return port.error();
  d.ports.push_back(*port);
  return {};
}

// The option to blame for a rule of the definition its key breaks.
std::string option_for(Key key) {
  for (const auto& o : run_options())
    if (o.key == key) return o.name;
  return key_name(key);
}

}  // namespace

const std::vector<RunOption>& run_options() {
  static const std::vector<RunOption> options = {
      named<Key::kNetwork>("--network", "network namespace (default: host)"),
      {"--publish", "[IP:]HOST:CONTAINER[/tcp|/udp]", Key::kPorts,
       "publish a port (with --network private)", publish},
      {"--writable", "", Key::kRootfsWrites,
       "writes go to a throw-away overlay (default: read-only)",
       [](Definition& d, const std::string&) -> Result<void> {
         d.rootfs_writes = RootfsWrites::kOverlay;
         return {};
       }},
      named<Key::kOverlayDriver>("--overlay-driver", "who mounts that overlay (default: auto)"),
      {"--bind", "SRC:DST", Key::kMounts, "bind a host path",
       [](Definition& d, const std::string& v) { return bind_mount(d, v, false); }},
      {"--ro-bind", "SRC:DST", Key::kMounts, "bind a host path read-only",
       [](Definition& d, const std::string& v) { return bind_mount(d, v, true); }},
      {"--tmpfs", "DST", Key::kMounts, "a fresh tmpfs", tmpfs},
      {"--env", "NAME=VALUE", Key::kEnv, "add to the (otherwise clean) environment", env},
      {"--user", "UID[:GID]", Key::kUser, "ids inside (default 0:0)", user},
      named<Key::kUserns>("--userns", "id mapping (default: single, no helpers)"),
      {"--hostname", "NAME", Key::kHostname, "host name (default: run)", hostname},
      {"--workdir", "DIR", Key::kWorkdir, "working directory inside (default: /)", workdir},
      named<Key::kInit>("--init", "PID 1 (default: the command)", run_inits()),
      {"--cap-add", "CAP", Key::kCapabilities, "add a capability (ALL: every one)",
       [](Definition& d, const std::string& v) { return capability(d, v, true); }},
      {"--cap-drop", "CAP", Key::kCapabilities, "drop a capability (ALL: every one)",
       [](Definition& d, const std::string& v) { return capability(d, v, false); }},
      named<Key::kSeccomp>("--seccomp", "the syscall filter (default: default)"),
      {"--share", choice_names(namespace_kinds(), "|"), Key::kNamespaces,
       "use the host's namespace of that kind", share},
  };
  return options;
}

Definition run_defaults() {
  Definition def;
  def.name = "run";
  def.userns = UsernsMode::kSingle;
  def.rootfs_writes = RootfsWrites::kReadonly;
  return def;
}

Result<void> check_run_definition(const Definition& def, bool overlay_driver_set) {
  if (overlay_driver_set && def.rootfs_writes != RootfsWrites::kOverlay)
    return Error("--overlay-driver: only with --writable (the rootfs is read-only)");
  // The definition's own rules, said with the options that set each key.
  if (auto broken = check_definition(def))
    return Error(option_for(broken->key) + ": " + broken->message + " (see --network and --share)");
  return {};
}

}  // namespace box
