#include "core/kube/play.h"

#include <algorithm>
#include <optional>
#include <set>
#include <tuple>

#include "core/kube/base64.h"
#include "core/kube/field_names.h"
#include "core/kube/image_reference.h"
#include "core/kube/quantity.h"
#include "core/kube/yaml_field.h"
#include "core/kube/yaml_stream.h"
#include "core/model/names.h"
#include "core/model/plain_path.h"
#include "core/model/pod.h"
#include "core/model/value_parsers.h"

namespace box::kube {
namespace {

// Fields of the Kubernetes objects box reads but that change nothing on
// one machine (docs/kube.md says why for each).
#define KUBE_IGNORED_METADATA                                                                    \
  "namespace", "labels", "annotations", "creationTimestamp", "uid", "resourceVersion",           \
      "generation", "managedFields", "ownerReferences", "finalizers", "selfLink"
#define KUBE_IGNORED_POD_SPEC                                                                    \
  "automountServiceAccountToken", "enableServiceLinks", "serviceAccountName", "serviceAccount", \
      "nodeName", "nodeSelector", "affinity", "tolerations", "schedulerName", "priority",        \
      "priorityClassName", "preemptionPolicy", "topologySpreadConstraints", "imagePullSecrets",  \
      "readinessGates"

// A ConfigMap's or a Secret's entries, decoded.
struct DataObject {
  std::map<std::string, std::string> entries;
  // A ConfigMap's binaryData keys: files only, never variables (the
  // kubelet takes variables from data alone).
  std::set<std::string> binary;
  bool secret = false;

  const std::string* variable(const std::string& key) const {
    auto it = entries.find(key);
    return it == entries.end() || binary.count(key) ? nullptr : &it->second;
  }
};

struct Objects {
  std::map<std::string, DataObject> config_maps, secrets;
};

// What a Pod's volume is on this machine.
struct Volume {
  enum class Kind { kHostPath, kDirectory, kTmpfs, kFiles } kind = Kind::kDirectory;
  std::string source;  // absolute host path (all but kTmpfs)
  std::string dir;     // kFiles: relative to the pod's directory ("volumes/NAME")
  std::string size;    // kTmpfs
  bool readonly = false;
  bool secret = false;
};

struct PodSpecContext {
  std::string pod;    // the pod's name
  bool host_network = false;
  std::optional<std::uint32_t> run_as_user, run_as_group;
  bool run_as_non_root = false;
  std::optional<SeccompMode> seccomp;
};

// The most one value may expand to. Each variable may name the ones
// before it twice or more, so a few lines of YAML could double a value
// thirty times (the kube_play fuzz target ran out of memory on that).
constexpr std::size_t kMaxExpandedSize = 128 * 1024;

// Kubernetes' $(VAR) references in env values, command and args: replaced
// by the variable when it is defined before, left as they are otherwise;
// $$ is a literal $. Empty when the result would pass kMaxExpandedSize.
std::optional<std::string> expand_references(const std::string& text,
                                             const std::map<std::string, std::string>& vars) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (out.size() > kMaxExpandedSize) return std::nullopt;
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '$') {
      out += '$';
      ++i;
    } else if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '(') {
      const auto close = text.find(')', i + 2);
      if (close == std::string::npos) {
        out += text.substr(i);
        break;
      }
      const auto it = vars.find(text.substr(i + 2, close - i - 2));
      out += it == vars.end() ? text.substr(i, close - i + 1) : it->second;
      i = close;
    } else {
      out += text[i];
    }
  }
  return out;
}

// A relative path below a volume (items[].path, subPath): no "..", no
// empty or "." component.
Result<std::string> relative_path(const Field& where) {
  auto text = where.text();
  if (!text) return text.error();
  if (text->empty() || (*text)[0] == '/')
    return where.error("'" + *text + "' must be a relative path");
  if (!is_plain_path(*text))
    return where.error("'" + *text + "' must not have empty, '.' or '..' components");
  return *text;
}

// An absolute path with no "." or ".." component and no "//".
bool is_clean_absolute(const std::string& path) {
  if (path.empty() || path[0] != '/') return false;
  return path == "/" || is_plain_path(std::string_view(path).substr(1));
}

class Planner {
 public:
  Planner(const PlayContext& ctx, const Objects& objects) : ctx_(ctx), objects_(objects) {}

  Result<PlayPod> pod(const Field& metadata, const Field& spec, const std::string& kind);

 private:
  Result<void> pod_spec(const Field& spec);
  Result<void> volumes(const Field& spec);
  Result<void> volume(const Field& v);
  Result<Volume> data_volume(const Field& source, bool secret, const std::string& volume_name);
  Result<PlayBox> container(const Field& c, bool alone);
  std::string pod_file() const;
  Result<void> env(const Field& c, image::DefinitionDraft& d, bool& secret,
                   std::map<std::string, std::string>& vars);
  Result<void> ports(const Field& c, std::vector<std::string>& published);
  Result<void> resources(const Field& c, image::DefinitionDraft& d);
  Result<void> security(const Field& sc, image::DefinitionDraft& d, const ImageFacts& image,
                        bool& read_only);
  Result<void> mounts(const Field& c, image::DefinitionDraft& d, bool& secret);
  Result<const ImageFacts*> image_of(const Field& image);
  Result<const DataObject*> data_object(const Field& name, bool secret, bool optional);

  const PlayContext& ctx_;
  const Objects& objects_;
  PlayPod out_;
  PodSpecContext pod_;
  std::map<std::string, Volume> volumes_;
  std::map<std::string, int> volume_users_;
  std::string hostname_;
  std::vector<std::string> dns_;
  std::optional<RestartPolicy> restart_;
  std::string grace_;
  std::vector<std::string> groups_;
  std::map<std::string, std::string> host_namespaces_;
  std::vector<std::string> pod_ports_;  // a box pod's: every member's hostPorts
};

Result<const ImageFacts*> Planner::image_of(const Field& field) {
  auto ref = field.text();
  if (!ref) return ref.error();
  auto named = [&](const std::string& name) -> const ImageFacts* {
    for (const auto& i : ctx_.images)
      if (i.name == name) return &i;
    return nullptr;
  };
  for (const auto& [given, name] : ctx_.image_names)
    if (given == *ref || same_image(given, *ref)) {
      if (const auto* i = named(name)) return i;
      return field.error("image '" + *ref + "': --image names '" + name +
                         "', which is not an installed image (boxctl images)");
    }
  for (const auto& i : ctx_.images)
    if (same_image(i.reference, *ref)) return &i;
  if (const auto* i = named(repository_name(*ref))) {
    out_.notes.push_back(field.place() + ": image '" + *ref + "' is the installed image '" +
                         i->name + "' (" + (i->source.empty() ? "installed" : i->source) +
                         "), by its name; --image " + *ref + "=NAME names another");
    return i;
  }
  return field.error("image '" + *ref +
                     "' is not installed in box: install it ('boxctl install docker://" + *ref +
                     "'), or give it with --image " + *ref +
                     "=oci-archive:FILE (or =NAME of an installed image)");
}

Result<const DataObject*> Planner::data_object(const Field& name_field, bool secret,
                                               bool optional) {
  auto name = name_field.text();
  if (!name) return name.error();
  const auto& table = secret ? objects_.secrets : objects_.config_maps;
  auto it = table.find(*name);
  if (it != table.end()) return &it->second;
  if (optional) return static_cast<const DataObject*>(nullptr);
  return name_field.error(std::string("no ") + (secret ? "Secret" : "ConfigMap") + " '" + *name +
                          "' in " + ctx_.file + " (box reads them from the same file)");
}

Result<PlayPod> Planner::pod(const Field& metadata, const Field& spec, const std::string& kind) {
  auto name = metadata["name"].text();
  if (!name) return name.error();
  if (auto ok = check_plain_name(*name, "a Pod's name"); !ok)
    return metadata["name"].error(ok.error().message());
  out_.name = *name;
  out_.kind = kind;
  pod_.pod = *name;
  if (auto r = pod_spec(spec); !r) return r.error();
  auto containers = spec["containers"].items();
  if (!containers) return containers.error();
  if (containers->empty()) return spec["containers"].error("a Pod needs a container");
  std::set<std::string> names;
  for (const auto& c : *containers) {
    auto cname = c["name"].text();
    if (!cname) return cname.error();
    if (!names.insert(*cname).second)
      return c["name"].error("a second container named '" + *cname + "'");
  }
  const bool alone = containers->size() == 1;
  for (const auto& c : *containers) {
    auto box = container(c, alone);
    if (!box) return box.error();
    if (!alone) box->draft.pod = out_.name;
    out_.boxes.push_back(std::move(*box));
  }
  if (!alone) out_.pod_file = pod_file();
  return std::move(out_);
}

// pods/NAME.yaml of a Pod of several containers: what they share, which a
// member may not set.
std::string Planner::pod_file() const {
  YAML::Emitter out;
  auto key = [&](PodKey k) -> YAML::Emitter& {
    return out << YAML::Key << pod_key_name(k) << YAML::Value;
  };
  out << YAML::BeginMap;
  key(PodKey::kDescription) << YAML::DoubleQuoted << out_.kind + " " + pod_.pod + " (boxctl play kube)";
  if (pod_.host_network) {
    key(PodKey::kNetwork) << to_string(NetworkMode::kHost);
  } else {
    // A Pod's network is its own: the pod's default, `private`.
    auto list = [&](PodKey k, const std::vector<std::string>& items) {
      if (items.empty()) return;
      key(k) << YAML::Flow << YAML::BeginSeq;
      for (const auto& i : items) out << YAML::DoubleQuoted << i;
      out << YAML::EndSeq;
    };
    list(PodKey::kPorts, pod_ports_);
    list(PodKey::kDns, dns_);
    key(PodKey::kHostname) << YAML::DoubleQuoted << hostname_;
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

Result<void> Planner::pod_spec(const Field& spec) {
  if (auto r = spec.check_keys({"containers", "volumes", "restartPolicy", "hostname",
                                "hostNetwork", "hostPID", "hostIPC", "dnsPolicy", "dnsConfig",
                                "securityContext", "terminationGracePeriodSeconds"},
                               {KUBE_IGNORED_POD_SPEC});
      !r)
    return r;
  auto host_network = spec["hostNetwork"].boolean_or(false);
  if (!host_network) return host_network.error();
  pod_.host_network = *host_network;
  for (auto [key, kind] : {std::pair{"hostPID", "pid"}, std::pair{"hostIPC", "ipc"}}) {
    auto host = spec[key].boolean_or(false);
    if (!host) return host.error();
    if (!*host) continue;
    const auto& allowed = ctx_.allow_host_namespaces;
    if (std::find(allowed.begin(), allowed.end(), kind) == allowed.end())
      return spec[key].error(std::string("true shares your ") + kind +
                             " namespace with the Pod, which an image may not do without your "
                             "consent either: --allow-host-namespace " + kind + " allows it");
    host_namespaces_[kind] = "host";
  }
  auto hostname = spec["hostname"].text_or(pod_.pod);
  if (!hostname) return hostname.error();
  if (auto ok = check_hostname(*hostname); !ok) return spec["hostname"].error(ok.error().message());
  hostname_ = *hostname;
  auto policy = spec["restartPolicy"].text_or("Always");
  if (!policy) return policy.error();
  restart_ = restart_of_policy(*policy);
  if (!restart_)
    return spec["restartPolicy"].error("expected one of " + std::string(restart_policies()) +
                                       ", found '" + *policy + "'");
  if (spec["terminationGracePeriodSeconds"].present()) {
    auto grace = spec["terminationGracePeriodSeconds"].integer(0, 1 << 30);
    if (!grace) return grace.error();
    grace_ = std::to_string(*grace) + "s";
  }
  auto dns_policy = spec["dnsPolicy"].text_or("ClusterFirst");
  if (!dns_policy) return dns_policy.error();
  const Field dns_config = spec["dnsConfig"];
  if (auto r = dns_config.check_keys({"nameservers"}); !r) return r;
  auto nameservers = dns_config["nameservers"].texts();
  if (!nameservers) return nameservers.error();
  if (*dns_policy == "None") {
    if (nameservers->empty())
      return spec["dnsPolicy"].error("None needs dnsConfig.nameservers");
  } else if (*dns_policy != "ClusterFirst" && *dns_policy != "Default" &&
             *dns_policy != "ClusterFirstWithHostNet") {
    return spec["dnsPolicy"].error("expected ClusterFirst, Default, ClusterFirstWithHostNet or "
                                   "None, found '" + *dns_policy + "'");
  }
  for (const auto& n : *nameservers)
    if (!is_ip_address(n))
      return dns_config["nameservers"].error("'" + n + "' is not an IP address");
  dns_ = *nameservers;
  if (!dns_.empty() && pod_.host_network)
    return dns_config.error("a Pod on the host's network uses the host's name servers");

  const Field sc = spec["securityContext"];
  if (auto r = sc.check_keys({"runAsUser", "runAsGroup", "runAsNonRoot", "supplementalGroups",
                              "seccompProfile"});
      !r)
    return r;
  if (sc["runAsUser"].present()) {
    auto u = sc["runAsUser"].integer(0, 0xfffffffe);
    if (!u) return u.error();
    pod_.run_as_user = static_cast<std::uint32_t>(*u);
  }
  if (sc["runAsGroup"].present()) {
    auto g = sc["runAsGroup"].integer(0, 0xfffffffe);
    if (!g) return g.error();
    pod_.run_as_group = static_cast<std::uint32_t>(*g);
  }
  auto non_root = sc["runAsNonRoot"].boolean_or(false);
  if (!non_root) return non_root.error();
  pod_.run_as_non_root = *non_root;
  auto groups = sc["supplementalGroups"].items();
  if (!groups) return groups.error();
  for (const auto& g : *groups) {
    auto gid = g.integer(0, 0xfffffffe);
    if (!gid) return gid.error();
    groups_.push_back(std::to_string(*gid));
  }
  if (sc["seccompProfile"].present()) {
    const Field p = sc["seccompProfile"];
    if (auto r = p.check_keys({"type"}); !r) return r;
    auto type = p["type"].text();
    if (!type) return type.error();
    pod_.seccomp = seccomp_of_profile(*type);
    if (!pod_.seccomp)
      return p["type"].error("'" + *type + "': box has RuntimeDefault and Unconfined");
  }
  return volumes(spec);
}

Result<void> Planner::volumes(const Field& spec) {
  // How many containers mount each volume: a Memory emptyDir of one
  // container is a tmpfs of its own.
  auto containers = spec["containers"].items();
  if (!containers) return containers.error();
  for (const auto& c : *containers) {
    auto mounts = c["volumeMounts"].items();
    if (!mounts) return mounts.error();
    std::set<std::string> seen;
    for (const auto& m : *mounts) {
      auto n = m["name"].text();
      if (n && seen.insert(*n).second) ++volume_users_[*n];
    }
  }
  auto list = spec["volumes"].items();
  if (!list) return list.error();
  for (const auto& v : *list)
    if (auto r = volume(v); !r) return r;
  return {};
}

Result<Volume> Planner::data_volume(const Field& source, bool secret,
                                    const std::string& volume_name) {
  const char* name_key = secret ? "secretName" : "name";
  if (auto r = source.check_keys({name_key, "items", "defaultMode", "optional"}); !r)
    return r.error();
  auto optional = source["optional"].boolean_or(false);
  if (!optional) return optional.error();
  auto object = data_object(source[name_key], secret, *optional);
  if (!object) return object.error();
  unsigned mode = 0644;
  if (source["defaultMode"].present()) {
    auto m = source["defaultMode"].integer(0, 0777);
    if (!m) return m.error();
    mode = static_cast<unsigned>(*m);
  }
  Volume vol;
  vol.kind = Volume::Kind::kFiles;
  vol.dir = "volumes/" + volume_name;
  vol.source = ctx_.kube_dir + "/" + pod_.pod + "/" + vol.dir;
  vol.readonly = true;
  vol.secret = secret;
  out_.file_dirs.push_back(vol.dir);
  auto items = source["items"].items();
  if (!items) return items.error();
  auto write = [&](const std::string& path, const std::string& content, unsigned file_mode) {
    out_.files.push_back({"volumes/" + volume_name + "/" + path, content, file_mode});
  };
  if (!*object) return vol;  // optional and missing: an empty directory
  if (items->empty()) {
    for (const auto& [key, content] : (*object)->entries) write(key, content, mode);
    return vol;
  }
  for (const auto& item : *items) {
    if (auto r = item.check_keys({"key", "path", "mode"}); !r) return r.error();
    auto key = item["key"].text();
    if (!key) return key.error();
    auto path = relative_path(item["path"]);
    if (!path) return path.error();
    unsigned item_mode = mode;
    if (item["mode"].present()) {
      auto m = item["mode"].integer(0, 0777);
      if (!m) return m.error();
      item_mode = static_cast<unsigned>(*m);
    }
    auto it = (*object)->entries.find(*key);
    if (it == (*object)->entries.end()) {
      if (*optional) continue;
      return item["key"].error("'" + *key + "' is not a key of that " +
                               (secret ? "Secret" : "ConfigMap"));
    }
    write(*path, it->second, item_mode);
  }
  return vol;
}

Result<void> Planner::volume(const Field& v) {
  static constexpr const char* kSources[] = {"hostPath", "emptyDir", "configMap", "secret",
                                             "persistentVolumeClaim"};
  if (auto r = v.check_keys({"name", "hostPath", "emptyDir", "configMap", "secret",
                             "persistentVolumeClaim"});
      !r)
    return r;
  auto name = v["name"].text();
  if (!name) return name.error();
  if (!is_valid_plain_name(*name) || name->find('.') != std::string::npos)
    return v["name"].error("'" + *name + "' is not a volume name box can use (letters, digits, "
                           "'-', '_')");
  if (volumes_.count(*name)) return v["name"].error("a second volume named '" + *name + "'");
  int sources = 0;
  for (const char* s : kSources) sources += v[s].present() ? 1 : 0;
  if (sources != 1)
    return v.error("expected one of hostPath, emptyDir, configMap, secret, "
                   "persistentVolumeClaim");
  Volume vol;
  if (v["hostPath"].present()) {
    const Field hp = v["hostPath"];
    if (auto r = hp.check_keys({"path", "type"}); !r) return r;
    auto path = hp["path"].text();
    if (!path) return path.error();
    auto type = hp["type"].text_or("");
    if (!type) return type.error();
    if (!is_clean_absolute(*path))
      return hp["path"].error("'" + *path + "' must be an absolute path without '.' or '..'");
    if (path->rfind(ctx_.data_home + "/", 0) != 0)
      return hp["path"].error("'" + *path + "' is outside your data directory (" +
                              ctx_.data_home +
                              "): a Pod may only use host paths below it; copy or move the "
                              "data there, or bind it in the box's definition yourself");
    static constexpr const char* kTypes[] = {"", "Directory", "DirectoryOrCreate", "File",
                                             "FileOrCreate"};
    if (std::find(std::begin(kTypes), std::end(kTypes), *type) == std::end(kTypes))
      return hp["type"].error("'" + *type + "' is not supported by box (Directory, "
                              "DirectoryOrCreate, File, FileOrCreate)");
    vol.kind = Volume::Kind::kHostPath;
    vol.source = *path;
    out_.host_paths.push_back({*path, *type, hp["path"].place() + ": " + hp["path"].path()});
  } else if (v["emptyDir"].present() || v["emptyDir"].is_map()) {
    const Field ed = v["emptyDir"];
    if (auto r = ed.check_keys({"medium", "sizeLimit"}); !r) return r;
    auto medium = ed["medium"].text_or("");
    if (!medium) return medium.error();
    if (*medium != "" && *medium != "Memory")
      return ed["medium"].error("'" + *medium + "': box has \"\" and Memory");
    std::string size;
    if (ed["sizeLimit"].present()) {
      auto s = ed["sizeLimit"].text();
      if (!s) return s.error();
      auto bytes = parse_quantity(*s);
      if (!bytes) return ed["sizeLimit"].error(bytes.error().message());
      size = std::to_string(*bytes);
    }
    if (*medium == "Memory" && volume_users_[*name] <= 1) {
      vol.kind = Volume::Kind::kTmpfs;
      vol.size = size;
    } else {
      vol.kind = Volume::Kind::kDirectory;
      vol.source = ctx_.kube_dir + "/" + pod_.pod + "/volumes/" + *name;
      out_.dirs.push_back("volumes/" + *name);
    }
  } else if (v["configMap"].present()) {
    auto d = data_volume(v["configMap"], false, *name);
    if (!d) return d.error();
    vol = *d;
  } else if (v["secret"].present()) {
    auto d = data_volume(v["secret"], true, *name);
    if (!d) return d.error();
    vol = *d;
  } else {
    const Field pvc = v["persistentVolumeClaim"];
    if (auto r = pvc.check_keys({"claimName", "readOnly"}); !r) return r;
    auto claim = pvc["claimName"].text();
    if (!claim) return claim.error();
    if (!is_valid_plain_name(*claim))
      return pvc["claimName"].error("'" + *claim + "' is not a claim name box can use");
    auto ro = pvc["readOnly"].boolean_or(false);
    if (!ro) return ro.error();
    vol.kind = Volume::Kind::kDirectory;
    vol.source = claim_dir(ctx_.kube_dir, *claim);
    vol.readonly = *ro;
    if (std::find(out_.claims.begin(), out_.claims.end(), *claim) == out_.claims.end())
      out_.claims.push_back(*claim);
  }
  volumes_[*name] = vol;
  return {};
}

Result<PlayBox> Planner::container(const Field& c, bool alone) {
  if (auto r = c.check_keys({"name", "image", "command", "args", "workingDir", "env", "envFrom",
                             "ports", "resources", "securityContext", "volumeMounts", "stdin",
                             "tty", "readinessProbe", "livenessProbe", "startupProbe"},
                            {"imagePullPolicy", "terminationMessagePath",
                             "terminationMessagePolicy", "resizePolicy", "stdinOnce"});
      !r)
    return r.error();
  auto cname = c["name"].text();
  if (!cname) return cname.error();
  PlayBox box;
  box.name = alone ? pod_.pod : pod_.pod + "-" + *cname;
  if (auto ok = check_plain_name(box.name, "the box name '" + box.name + "' of container");
      !ok)
    return c["name"].error(ok.error().message());
  auto& d = box.draft;
  d.description = (out_.kind + " " + pod_.pod) + (alone ? "" : ", container " + *cname) +
                  " (boxctl play kube)";

  for (const char* flag : {"stdin", "tty"}) {
    auto on = c[flag].boolean_or(false);
    if (!on) return on.error();
    if (*on) return c[flag].error("true is not supported by box (no terminal for a service)");
  }
  for (const char* probe : {"readinessProbe", "livenessProbe", "startupProbe"}) {
    if (!c[probe].present()) continue;
    if (!ctx_.ignore_probes)
      return c[probe].error("not supported by box (a box is ready once its command runs); "
                            "--ignore-probes plays the Pod without its probes");
    out_.notes.push_back(c[probe].place() + ": " + c[probe].path() + " left out (--ignore-probes)");
  }

  auto image = image_of(c["image"]);
  if (!image) return image.error();
  const ImageFacts& facts = **image;
  d.image = facts.name;

  std::map<std::string, std::string> vars;
  if (auto r = env(c, d, box.secret, vars); !r) return r.error();

  // command replaces the Entrypoint, args the Cmd (Kubernetes' rule).
  auto command = c["command"].texts();
  if (!command) return command.error();
  auto args = c["args"].texts();
  if (!args) return args.error();
  const bool has_command = c["command"].present(), has_args = c["args"].present();
  if (!has_command && !facts.config_known && !facts.pending)
    return c["image"].error("the record of image '" + facts.name +
                            "' has no Entrypoint and Cmd (installed by an older box): give "
                            "the container a command, or install the image again");
  std::vector<std::string> argv = has_command ? *command : facts.entrypoint;
  if (has_args)
    argv.insert(argv.end(), args->begin(), args->end());
  else if (!has_command)
    argv.insert(argv.end(), facts.cmd.begin(), facts.cmd.end());
  for (auto& a : argv) {
    auto expanded = expand_references(a, vars);
    if (!expanded || expanded->size() > kMaxExpandedSize)
      return c.error("an argument expands to more than " + std::to_string(kMaxExpandedSize) +
                     " bytes through $(VAR) references");
    a = std::move(*expanded);
  }
  if (argv.empty() && !facts.pending)
    return c.error("nothing to run: no command or args, and image '" + facts.name +
                   "' has no Entrypoint or Cmd");
  d.command = argv;

  auto workdir = c["workingDir"].text_or(facts.workdir);
  if (!workdir) return workdir.error();
  if (!workdir->empty() && *workdir != "/") {
    if (auto ok = check_inside_path(*workdir); !ok)
      return c["workingDir"].error(ok.error().message());
    d.workdir = *workdir;
  }

  bool read_only = false;
  if (auto r = security(c["securityContext"], d, facts, read_only); !r) return r.error();
  if (read_only) d.rootfs_writes = RootfsWrites::kReadonly;
  if (auto r = resources(c, d); !r) return r.error();
  if (auto r = mounts(c, d, box.secret); !r) return r.error();

  // The network keys: the box's own, or (a member) its pod's.
  if (auto r = ports(c, alone ? d.ports : pod_ports_); !r) return r.error();
  if (alone) {
    d.network = pod_.host_network ? NetworkMode::kHost : NetworkMode::kPrivate;
    if (!pod_.host_network) d.hostname = hostname_;
    d.dns = dns_;
  }
  d.restart = restart_;
  if (!grace_.empty()) d.stop_timeout = grace_;
  d.groups = groups_;
  d.namespaces = host_namespaces_;
  return box;
}

Result<void> Planner::env(const Field& c, image::DefinitionDraft& d, bool& secret,
                          std::map<std::string, std::string>& vars) {
  const ImageFacts* facts = nullptr;
  for (const auto& i : ctx_.images)
    if (i.name == d.image) facts = &i;
  if (facts)
    for (const auto& [name, value] : facts->env) d.set_env(name, value);
  auto set = [&](const std::string& name, const std::string& value) {
    d.set_env(name, value);
    vars[name] = value;
  };
  auto from = c["envFrom"].items();
  if (!from) return from.error();
  for (const auto& f : *from) {
    if (auto r = f.check_keys({"configMapRef", "secretRef", "prefix"}); !r) return r;
    auto prefix = f["prefix"].text_or("");
    if (!prefix) return prefix.error();
    const bool is_secret = f["secretRef"].present();
    const Field ref = is_secret ? f["secretRef"] : f["configMapRef"];
    if (!ref.present()) return f.error("expected configMapRef or secretRef");
    if (auto r = ref.check_keys({"name", "optional"}); !r) return r;
    auto optional = ref["optional"].boolean_or(false);
    if (!optional) return optional.error();
    auto object = data_object(ref["name"], is_secret, *optional);
    if (!object) return object.error();
    if (!*object) continue;
    secret = secret || is_secret;
    for (const auto& [key, value] : (*object)->entries)
      if ((*object)->variable(key)) set(*prefix + key, value);
  }
  auto list = c["env"].items();
  if (!list) return list.error();
  for (const auto& e : *list) {
    if (auto r = e.check_keys({"name", "value", "valueFrom"}); !r) return r;
    auto name = e["name"].text();
    if (!name) return name.error();
    if (name->empty() || name->find('=') != std::string::npos)
      return e["name"].error("'" + *name + "' is not a variable name");
    if (!e["valueFrom"].present()) {
      auto value = e["value"].text_or("");
      if (!value) return value.error();
      auto expanded = expand_references(*value, vars);
      if (!expanded || expanded->size() > kMaxExpandedSize)
        return e["value"].error("expands to more than " + std::to_string(kMaxExpandedSize) +
                                " bytes through $(VAR) references");
      set(*name, std::move(*expanded));
      continue;
    }
    const Field from_field = e["valueFrom"];
    if (auto r = from_field.check_keys({"configMapKeyRef", "secretKeyRef"}); !r) return r;
    const bool is_secret = from_field["secretKeyRef"].present();
    const Field ref = is_secret ? from_field["secretKeyRef"] : from_field["configMapKeyRef"];
    if (!ref.present()) return from_field.error("expected configMapKeyRef or secretKeyRef");
    if (auto r = ref.check_keys({"name", "key", "optional"}); !r) return r;
    auto optional = ref["optional"].boolean_or(false);
    if (!optional) return optional.error();
    auto key = ref["key"].text();
    if (!key) return key.error();
    auto object = data_object(ref["name"], is_secret, *optional);
    if (!object) return object.error();
    if (!*object) continue;
    const std::string* value = (*object)->variable(*key);
    if (!value) {
      if (*optional) continue;
      return ref["key"].error("'" + *key + "' is not a key of that " +
                              (is_secret ? "Secret's data" : "ConfigMap's data"));
    }
    secret = secret || is_secret;
    set(*name, *value);
  }
  return {};
}

Result<void> Planner::ports(const Field& c, std::vector<std::string>& published) {
  auto list = c["ports"].items();
  if (!list) return list.error();
  for (const auto& p : *list) {
    if (auto r = p.check_keys({"containerPort", "hostPort", "hostIP", "protocol", "name"}); !r)
      return r;
    auto container_port = p["containerPort"].integer(1, 65535);
    if (!container_port) return container_port.error();
    auto protocol = p["protocol"].text_or("TCP");
    if (!protocol) return protocol.error();
    auto proto = box_protocol(*protocol);
    if (!proto) return p["protocol"].error("'" + *protocol + "': box has TCP and UDP");
    // A port without hostPort is only declared: Kubernetes publishes none.
    if (!p["hostPort"].present() || pod_.host_network) continue;
    auto host_port = p["hostPort"].integer(1, 65535);
    if (!host_port) return host_port.error();
    auto ip = p["hostIP"].text_or("");
    if (!ip) return ip.error();
    std::string host = ip->empty() ? "" : (ip->find(':') != std::string::npos ? "[" + *ip + "]" : *ip) + ":";
    const std::string text = host + std::to_string(*host_port) + ":" +
                             std::to_string(*container_port) + "/" + *proto;
    auto mapping = parse_port(text);
    if (!mapping) return p.error(mapping.error().message());
    // One host port, one container of the Pod (the kubelet refuses the
    // second as well).
    for (const auto& other : published) {
      auto o = parse_port(other);
      if (o && o->host_port == mapping->host_port && o->protocol == mapping->protocol &&
          (o->host_ip == mapping->host_ip || o->host_ip.empty() || mapping->host_ip.empty()))
        return p["hostPort"].error(std::to_string(*host_port) + "/" + *protocol +
                                   " is published twice in the Pod");
    }
    published.push_back(text);
  }
  return {};
}

Result<void> Planner::resources(const Field& c, image::DefinitionDraft& d) {
  const Field r = c["resources"];
  if (auto k = r.check_keys({"limits", "requests"}); !k) return k;
  if (auto k = r["limits"].check_keys({"memory"}); !k) {
    return r["limits"]["cpu"].present()
               ? r["limits"]["cpu"].error("not supported by box (it has no CPU quota, only a "
                                          "weight: resources.requests.cpu)")
               : k;
  }
  if (auto k = r["requests"].check_keys({"cpu", "memory"}); !k) return k;
  if (r["limits"]["memory"].present()) {
    auto text = r["limits"]["memory"].text();
    if (!text) return text.error();
    auto bytes = parse_quantity(*text);
    if (!bytes) return r["limits"]["memory"].error(bytes.error().message());
    d.resources["memory"] = std::to_string(*bytes);
  }
  if (r["requests"]["cpu"].present()) {
    auto text = r["requests"]["cpu"].text();
    if (!text) return text.error();
    auto millis = parse_millicores(*text);
    if (!millis) return r["requests"]["cpu"].error(millis.error().message());
    d.resources["cpu_weight"] = std::to_string(cpu_weight_of_millicores(*millis));
  }
  return {};
}

Result<void> Planner::security(const Field& sc, image::DefinitionDraft& d,
                               const ImageFacts& image, bool& read_only) {
  if (auto r = sc.check_keys({"capabilities", "runAsUser", "runAsGroup", "runAsNonRoot",
                              "readOnlyRootFilesystem", "allowPrivilegeEscalation", "privileged",
                              "seccompProfile", "procMount"});
      !r)
    return r;
  auto privileged = sc["privileged"].boolean_or(false);
  if (!privileged) return privileged.error();
  if (*privileged)
    return sc["privileged"].error("true is not supported by box (a box has only what you have)");
  auto escalation = sc["allowPrivilegeEscalation"].boolean_or(false);
  if (!escalation) return escalation.error();
  if (*escalation)
    return sc["allowPrivilegeEscalation"].error(
        "true is not supported by box (it always sets no_new_privs)");
  auto proc = sc["procMount"].text_or("Default");
  if (!proc) return proc.error();
  if (*proc != "Default") return sc["procMount"].error("'" + *proc + "': box has Default");
  auto ro = sc["readOnlyRootFilesystem"].boolean_or(false);
  if (!ro) return ro.error();
  read_only = *ro;

  const Field caps = sc["capabilities"];
  if (auto r = caps.check_keys({"add", "drop"}); !r) return r;
  for (const char* which : {"add", "drop"}) {
    auto list = caps[which].texts();
    if (!list) return list.error();
    for (const auto& name : *list) {
      auto canonical = capability_or_all(name);
      if (!canonical) return caps[which].error(canonical.error().message());
      (std::string(which) == "add" ? d.cap_add : d.cap_drop).push_back(*canonical);
    }
  }

  std::optional<SeccompMode> seccomp = pod_.seccomp;
  if (sc["seccompProfile"].present()) {
    const Field p = sc["seccompProfile"];
    if (auto r = p.check_keys({"type"}); !r) return r;
    auto type = p["type"].text();
    if (!type) return type.error();
    seccomp = seccomp_of_profile(*type);
    if (!seccomp) return p["type"].error("'" + *type + "': box has RuntimeDefault and Unconfined");
  }
  if (seccomp && *seccomp != SeccompMode::kDefault) d.seccomp = seccomp;

  // The ids: the container's, else the Pod's, else the image's USER.
  std::optional<std::uint32_t> uid = pod_.run_as_user, gid = pod_.run_as_group;
  for (auto [key, id] : {std::pair{"runAsUser", &uid}, std::pair{"runAsGroup", &gid}}) {
    if (!sc[key].present()) continue;
    auto v = sc[key].integer(0, 0xfffffffe);
    if (!v) return v.error();
    *id = static_cast<std::uint32_t>(*v);
  }
  std::uint32_t image_uid = 0, image_gid = 0;
  if (!image.user.empty()) {
    auto ids = parse_user_ids(image.user);
    if (ids) std::tie(image_uid, image_gid) = *ids;
  }
  // A uid of its own without a group: the image user's group when it is
  // that user, else 0, as container runtimes do without the image's
  // /etc/passwd at hand.
  const std::uint32_t final_uid = uid.value_or(image_uid);
  const std::uint32_t final_gid = gid ? *gid : (!uid || *uid == image_uid ? image_gid : 0);
  auto non_root = sc["runAsNonRoot"].boolean_or(pod_.run_as_non_root);
  if (!non_root) return non_root.error();
  if (*non_root && final_uid == 0)
    return sc.error("runAsNonRoot is true, and the container would run as root (uid 0)");
  if (final_uid != 0 || final_gid != 0)
    d.user = std::to_string(final_uid) + ":" + std::to_string(final_gid);
  return {};
}

Result<void> Planner::mounts(const Field& c, image::DefinitionDraft& d, bool& secret) {
  auto list = c["volumeMounts"].items();
  if (!list) return list.error();
  for (const auto& m : *list) {
    if (auto r = m.check_keys({"name", "mountPath", "readOnly", "subPath"}); !r) return r;
    auto name = m["name"].text();
    if (!name) return name.error();
    auto it = volumes_.find(*name);
    if (it == volumes_.end())
      return m["name"].error("no volume '" + *name + "' in the Pod's volumes");
    const Volume& vol = it->second;
    auto target = m["mountPath"].text();
    if (!target) return target.error();
    if (auto ok = check_inside_path(*target); !ok) return m["mountPath"].error(ok.error().message());
    auto ro = m["readOnly"].boolean_or(false);
    if (!ro) return ro.error();
    image::DraftMount dm;
    dm.target = *target;
    if (vol.kind == Volume::Kind::kTmpfs) {
      if (m["subPath"].present())
        return m["subPath"].error("a Memory emptyDir of one container is a tmpfs: no subPath");
      dm.type = MountType::kTmpfs;
      dm.size = vol.size;
    } else {
      dm.type = MountType::kBind;
      dm.source = vol.source;
      if (m["subPath"].present()) {
        auto sub = relative_path(m["subPath"]);
        if (!sub) return sub.error();
        dm.source += "/" + *sub;
        // A file (or a directory of files) the volume has: a missing one
        // would be an empty directory made at the mount's source.
        const std::string wanted = vol.dir + "/" + *sub;
        if (vol.kind == Volume::Kind::kFiles &&
            std::none_of(out_.files.begin(), out_.files.end(), [&](const PlayFile& f) {
              return f.path == wanted || f.path.rfind(wanted + "/", 0) == 0;
            }))
          return m["subPath"].error("'" + *sub + "' is not a file of volume '" + *name + "'");
      }
      dm.readonly = *ro || vol.readonly;
    }
    secret = secret || vol.secret;
    d.mounts.push_back(dm);
  }
  return {};
}

// A ConfigMap or a Secret: its entries, decoded.
Result<DataObject> read_data_object(const Field& doc, bool secret) {
  auto keys = secret ? doc.check_keys({"apiVersion", "kind", "metadata", "data", "stringData",
                                       "type"},
                                      {"immutable"})
                     : doc.check_keys({"apiVersion", "kind", "metadata", "data", "binaryData"},
                                      {"immutable"});
  if (!keys) return keys.error();
  DataObject object;
  object.secret = secret;
  auto data = doc["data"].members();
  if (!data) return data.error();
  for (const auto& [key, value] : *data) {
    auto text = value.text();
    if (!text) return text.error();
    if (secret) {
      auto bytes = decode_base64(*text);
      if (!bytes) return value.error("not base64 (a Secret's data is; stringData takes text)");
      object.entries[key] = *bytes;
    } else {
      object.entries[key] = *text;
    }
  }
  auto more = doc[secret ? "stringData" : "binaryData"].members();
  if (!more) return more.error();
  for (const auto& [key, value] : *more) {
    auto text = value.text();
    if (!text) return text.error();
    if (object.entries.count(key) && !secret)
      return value.error("'" + key + "' is in data as well");
    if (secret) {
      object.entries[key] = *text;  // stringData wins, as the API server merges it
    } else {
      auto bytes = decode_base64(*text);
      if (!bytes) return value.error("not base64 (binaryData is)");
      object.entries[key] = *bytes;
      object.binary.insert(key);
    }
  }
  for (const auto& [key, value] : object.entries) {
    const bool ok = !key.empty() && key != "." && key != ".." &&
                    key.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789-_.") == std::string::npos;
    if (!ok) return doc["data"].error("'" + key + "' is not a key name (letters, digits, -, _, .)");
  }
  return object;
}

struct Document {
  Field root;
  std::string kind;
};

Result<std::vector<Document>> documents(const std::vector<StreamDocument>& nodes,
                                        const std::string& file) {
  std::vector<Document> out;
  for (const auto& [node, first_line] : nodes) {
    if (node.IsNull()) continue;
    Field root = Field::root(node, file, first_line);
    if (!root.is_map()) return root.error("expected a Kubernetes object (a mapping)");
    auto kind = root["kind"].text();
    if (!kind) return kind.error();
    auto api = root["apiVersion"].text();
    if (!api) return api.error();
    static const std::map<std::string, std::string> kVersions = {
        {"Pod", "v1"}, {"ConfigMap", "v1"}, {"Secret", "v1"},
        {"PersistentVolumeClaim", "v1"}, {"Deployment", "apps/v1"}};
    auto it = kVersions.find(*kind);
    if (it == kVersions.end())
      return root["kind"].error("'" + *kind + "' is not supported by box (Pod, Deployment, "
                                "ConfigMap, Secret, PersistentVolumeClaim)");
    if (*api != it->second)
      return root["apiVersion"].error("'" + *api + "': box reads " + *kind + " of " + it->second);
    if (auto r = root["metadata"].check_keys({"name"}, {KUBE_IGNORED_METADATA}); !r)
      return r.error();
    if (!root["metadata"]["name"].present())
      return root["metadata"].error("the object needs metadata.name");
    if (auto name = root["metadata"]["name"].text(); !name) return name.error();
    out.push_back({root, *kind});
  }
  return out;
}

// The Pod spec of a Pod, or of a Deployment's template (a Deployment's own
// fields checked on the way).
Result<Field> pod_spec_of(const Document& d) {
  const Field spec = d.root["spec"];
  if (!spec.present()) return d.root.error("the " + d.kind + " needs spec");
  if (d.kind == "Pod") return spec;
  if (auto r = spec.check_keys({"replicas", "template", "selector"},
                               {"strategy", "revisionHistoryLimit", "progressDeadlineSeconds",
                                "minReadySeconds", "paused"});
      !r)
    return r.error();
  if (spec["replicas"].present()) {
    auto replicas = spec["replicas"].integer(0, 1 << 30);
    if (!replicas) return replicas.error();
    if (*replicas != 1)
      return spec["replicas"].error(std::to_string(*replicas) +
                                    ": box runs one copy of a Pod (replicas: 1)");
  }
  const Field tmpl = spec["template"];
  if (!tmpl.present()) return spec.error("a Deployment needs spec.template");
  if (auto r = tmpl.check_keys({"metadata", "spec"}); !r) return r.error();
  if (auto r = tmpl["metadata"].check_keys({}, {KUBE_IGNORED_METADATA, "name"}); !r)
    return r.error();
  const Field pod = tmpl["spec"];
  if (!pod.present()) return tmpl.error("a Deployment needs spec.template.spec");
  auto policy = pod["restartPolicy"].text_or("Always");
  if (!policy) return policy.error();
  if (*policy != "Always") return pod["restartPolicy"].error("a Deployment's Pods restart Always");
  return pod;
}

Result<std::vector<StreamDocument>> load_all(const std::string& yaml, const std::string& file) {
  try {
    return load_documents(yaml);
  } catch (const YAML::Exception& e) {
    return Error(file + ":" + std::to_string(e.mark.line + 1) + ":" +
                 std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

}  // namespace

std::string claim_dir(const std::string& kube_dir, const std::string& claim) {
  return kube_dir + "/claims/" + claim;
}

Result<PlayPlan> plan_play(const std::string& yaml, const PlayContext& ctx) {
  auto nodes = load_all(yaml, ctx.file);
  if (!nodes) return nodes.error();
  auto docs = documents(*nodes, ctx.file);
  if (!docs) return docs.error();
  Objects objects;
  for (const auto& d : *docs) {
    const std::string name = d.root["metadata"]["name"].text().value();
    if (d.kind == "ConfigMap" || d.kind == "Secret") {
      const bool secret = d.kind == "Secret";
      auto object = read_data_object(d.root, secret);
      if (!object) return object.error();
      auto& table = secret ? objects.secrets : objects.config_maps;
      if (!table.emplace(name, std::move(*object)).second)
        return d.root["metadata"]["name"].error("a second " + d.kind + " named '" + name + "'");
    } else if (d.kind == "PersistentVolumeClaim") {
      // The claim's data is a directory: its spec asks for nothing box can give.
      if (auto r = d.root.check_keys({"apiVersion", "kind", "metadata", "spec"}, {"status"}); !r)
        return r.error();
      const Field spec = d.root["spec"];
      if (auto r = spec.check_keys({"accessModes", "resources", "storageClassName", "volumeMode"});
          !r)
        return r.error();
      auto mode = spec["volumeMode"].text_or("Filesystem");
      if (!mode) return mode.error();
      if (*mode != "Filesystem") return spec["volumeMode"].error("'" + *mode + "': box has Filesystem");
    }
  }
  PlayPlan plan;
  std::set<std::string> names;
  for (const auto& d : *docs) {
    if (d.kind != "Pod" && d.kind != "Deployment") continue;
    if (auto r = d.root.check_keys({"apiVersion", "kind", "metadata", "spec"}, {"status"}); !r)
      return r.error();
    auto spec = pod_spec_of(d);
    if (!spec) return spec.error();
    Planner planner(ctx, objects);
    auto pod = planner.pod(d.root["metadata"], *spec, d.kind);
    if (!pod) return pod.error();
    for (const auto& b : pod->boxes)
      if (!names.insert(b.name).second)
        return d.root["metadata"]["name"].error("a second box named '" + b.name + "' in " +
                                                ctx.file);
    plan.pods.push_back(std::move(*pod));
  }
  if (plan.pods.empty()) return Error(ctx.file + ": no Pod or Deployment to play");
  return plan;
}

Result<std::vector<std::string>> played_names(const std::string& yaml, const std::string& file) {
  auto nodes = load_all(yaml, file);
  if (!nodes) return nodes.error();
  std::vector<std::string> names;
  for (const auto& [node, first_line] : *nodes) {
    if (!node.IsMap()) continue;
    Field root = Field::root(node, file, first_line);
    auto kind = root["kind"].text_or("");
    if (!kind || (*kind != "Pod" && *kind != "Deployment")) continue;
    auto name = root["metadata"]["name"].text();
    if (!name) return name.error();
    if (auto ok = check_plain_name(*name, "a Pod's name"); !ok)
      return root["metadata"]["name"].error(ok.error().message());
    names.push_back(*name);
  }
  if (names.empty()) return Error(file + ": no Pod or Deployment in it");
  return names;
}

}  // namespace box::kube
