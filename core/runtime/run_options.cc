#include "core/runtime/run_options.h"

#include "core/model/definition_rules.h"
#include "core/model/names.h"
#include "core/model/value_parsers.h"

namespace box {
namespace {

using Apply = std::function<Result<void>(RunRequest&, const std::string&)>;

// Most options set the definition alone.
Apply on_def(std::function<Result<void>(Definition&, const std::string&)> f) {
  return [f = std::move(f)](RunRequest& r, const std::string& v) { return f(r.def, v); };
}

// An option for the key K that takes a name: one of `table` (by default
// all of the key's names), stored in the key's field.
template <Key K, typename E = NamedFieldType<K>>
RunOption named(const char* name, const char* help, Choices<E> table = choices<E>()) {
  Apply apply = [table](RunRequest& r, const std::string& v) -> Result<void> {
    auto c = parse_choice(table, v);
    if (!c) return c.error();
    r.def.*named_field<K>() = *c;
    if constexpr (K == Key::kOverlayDriver) r.overlay_driver_set = true;
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

// podman's -v SRC:DST[:ro|:rw].
Result<void> volume(Definition& d, const std::string& v) {
  std::string spec = v;
  bool readonly = false;
  for (const char* suffix : {":ro", ":rw"}) {
    if (spec.size() > 3 && spec.ends_with(suffix) && spec.find(':') < spec.size() - 3) {
      readonly = std::string(suffix) == ":ro";
      spec.resize(spec.size() - 3);
      break;
    }
  }
  auto r = bind_mount(d, spec, readonly);
  if (!r && r.error().message().starts_with("expected SRC:DST"))
    return Error("expected SRC:DST[:ro], found '" + v + "'");
  return r;
}

Result<void> tmpfs(Definition& d, const std::string& v) {
  if (auto r = check_inside_path(v); !r) return r;
  MountSpec m;
  m.type = MountType::kTmpfs;
  m.target = v;
  d.mounts.push_back(std::move(m));
  return {};
}

// podman's --device, by name or path (core/model/devices.h).
Result<void> device(Definition& d, const std::string& v) {
  auto spec = parse_device(v);
  if (!spec) return spec.error();
  for (const auto& other : d.devices)
    if (other.path == spec->path) return Error("'" + spec->path + "' is named twice");
  d.devices.push_back(std::move(*spec));
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

// "-v,--volume" -> "--volume": the name a rule's message gives.
std::string long_name(const std::string& names) { return names.substr(names.rfind(',') + 1); }

// The option to blame for a rule of the definition its key breaks: the
// last one given for it, as typed, else the table's.
std::string option_for(Key key, const std::map<Key, std::string>& typed) {
  if (auto given = typed.find(key); given != typed.end()) return given->second;
  for (const auto& o : run_options())
    if (o.key == key) return long_name(o.name);
  return key_name(key);
}

Result<void> flag(bool RunRequest::*field, RunRequest& r) {
  r.*field = true;
  return {};
}

}  // namespace

const std::vector<RunOption>& run_options() {
  static const std::vector<RunOption> options = {
      {"-i,--interactive", "", std::nullopt, "the command reads stdin (default: /dev/null)",
       [](RunRequest& r, const std::string&) { return flag(&RunRequest::interactive, r); },
       true},
      {"-t,--tty", "", std::nullopt,
       "the command gets a terminal (a pty, relayed to ours; with -i it takes our keys)",
       [](RunRequest& r, const std::string&) -> Result<void> {
         r.def.terminal = true;
         return {};
       }},
      {"--rm", "", std::nullopt,
       "a throw-away copy: an image whose writes persist starts as installed, its writes not kept",
       [](RunRequest& r, const std::string&) { return flag(&RunRequest::remove, r); },
       true},
      {"--name", "NAME", std::nullopt, "the run's name (default: run, or the image's)",
       [](RunRequest& r, const std::string& v) -> Result<void> {
         if (auto ok = check_container_name(v); !ok) return ok;
         r.name = v;
         return {};
       }},
      named<Key::kNetwork>("--network", "network namespace (default: host)"),
      {"-p,--publish", "[IP:]HOST:CONTAINER[/tcp|/udp]", Key::kPorts,
       "publish a port (with --network private)", on_def(publish)},
      {"--writable", "", Key::kRootfsWrites,
       "writes go to a throw-away overlay (default: read-only)",
       on_def([](Definition& d, const std::string&) -> Result<void> {
         d.rootfs_writes = RootfsWrites::kOverlay;
         return {};
       })},
      named<Key::kOverlayDriver>("--overlay-driver", "who mounts that overlay (default: auto)"),
      {"-v,--volume", "SRC:DST[:ro]", Key::kMounts, "bind a host path (read-only with :ro)",
       on_def(volume)},
      {"--bind", "SRC:DST", Key::kMounts, "bind a host path",
       on_def([](Definition& d, const std::string& v) { return bind_mount(d, v, false); })},
      {"--ro-bind", "SRC:DST", Key::kMounts, "bind a host path read-only",
       on_def([](Definition& d, const std::string& v) { return bind_mount(d, v, true); })},
      {"--tmpfs", "DST", Key::kMounts, "a fresh tmpfs", on_def(tmpfs)},
      {"--device", "NAME|PATH", Key::kDevices,
       "bind a host device at its own path (dri, snd, kvm, fuse, input, usb, or a path under /dev)",
       on_def(device)},
      {"-e,--env", "NAME=VALUE", Key::kEnv, "add to the (otherwise clean) environment",
       on_def(env)},
      {"-u,--user", "UID[:GID]", Key::kUser, "ids inside (default 0:0)", on_def(user)},
      named<Key::kUserns>("--userns", "id mapping (default: single, no helpers)"),
      {"--keep-groups", "", Key::kKeepGroups,
       "keep your supplementary groups (no setgroups; single keeps them anyway)",
       on_def([](Definition& d, const std::string&) -> Result<void> {
         d.keep_groups = true;
         return {};
       })},
      {"--hostname", "NAME", Key::kHostname, "host name (default: the run's name)",
       on_def(hostname)},
      {"-w,--workdir", "DIR", Key::kWorkdir, "working directory inside (default: /)",
       on_def(workdir)},
      named<Key::kInit>("--init", "PID 1 (default: the command)", run_inits()),
      {"--cap-add", "CAP", Key::kCapabilities, "add a capability (ALL: every one)",
       on_def([](Definition& d, const std::string& v) { return capability(d, v, true); })},
      {"--cap-drop", "CAP", Key::kCapabilities, "drop a capability (ALL: every one)",
       on_def([](Definition& d, const std::string& v) { return capability(d, v, false); })},
      named<Key::kSeccomp>("--seccomp", "the syscall filter (default: default)"),
      {"--share", choice_names(namespace_kinds(), "|"), Key::kNamespaces,
       "use the host's namespace of that kind", on_def(share)},
  };
  return options;
}

Result<void> apply_run_options(RunRequest& request, const std::vector<GivenRunOption>& given) {
  std::map<Key, std::string> typed;
  for (const auto& g : given) {
    if (auto r = g.option->apply(request, g.value); !r) return r.error().wrap(g.typed);
    if (g.option->key) typed[*g.option->key] = g.typed;
  }
  return check_run_definition(request.def, request.overlay_driver_set, typed);
}

Definition run_defaults() {
  Definition def;
  def.name = "run";
  def.userns = UsernsMode::kSingle;
  def.rootfs_writes = RootfsWrites::kReadonly;
  return def;
}

Result<void> check_run_definition(const Definition& def, bool overlay_driver_set,
                                  const std::map<Key, std::string>& typed) {
  if (overlay_driver_set && def.rootfs_writes != RootfsWrites::kOverlay)
    return Error("--overlay-driver: only with --writable (the rootfs is read-only)");
  // The definition's own rules, said with the options that set each key.
  if (auto broken = check_definition(def))
    return Error(option_for(broken->key, typed) + ": " + broken->message + " (see --network and --share)");
  return {};
}

}  // namespace box
