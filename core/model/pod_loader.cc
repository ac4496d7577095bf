#include "core/model/pod_loader.h"

#include <yaml-cpp/yaml.h>

#include <iterator>
#include <set>

#include "core/model/names.h"
#include "core/model/value_parsers.h"
#include "core/model/yaml_keys.h"

namespace box {
namespace {

using Node = YAML::Node;

// Applies one file's keys to a pod; what it cannot read goes into `errors`.
class PodParser {
 public:
  PodParser(const std::string& file, PodDefinition& pod, std::vector<std::string>& errors,
            std::set<PodKey>& unreadable)
      : file_(file), pod_(pod), errors_(errors), unreadable_(unreadable), values_(file) {}

  void apply(const Node& root);

  using Handler = Result<void> (PodParser::*)(const Node&, const std::string&);
  Result<void> on_description(const Node& n, const std::string& key);
  Result<void> on_network(const Node& n, const std::string& key);
  Result<void> on_ports(const Node& n, const std::string& key);
  Result<void> on_dns(const Node& n, const std::string& key);
  Result<void> on_hostname(const Node& n, const std::string& key);
  Result<void> on_share(const Node& n, const std::string& key);
  Result<void> on_autostart(const Node& n, const std::string& key) {
    return set(values_.choice(n, key, choices<Autostart>()), pod_.autostart);
  }
  Result<void> on_userns(const Node& n, const std::string& key) {
    return set(values_.choice(n, key, choices<UsernsMode>()), pod_.userns);
  }

 private:
  // `field` = `value`, or its error.
  template <typename T>
  static Result<void> set(Result<T> value, T& field) {
    if (!value) return value.error();
    field = std::move(*value);
    return {};
  }

  const std::string& file_;
  PodDefinition& pod_;
  std::vector<std::string>& errors_;
  std::set<PodKey>& unreadable_;
  YamlValues values_;  // scalars as written: pod files take no specifiers
};

// Every key of pod_keys() and what reads it.
constexpr std::pair<PodKey, PodParser::Handler> kHandlers[] = {
    {PodKey::kDescription, &PodParser::on_description},
    {PodKey::kNetwork, &PodParser::on_network},
    {PodKey::kPorts, &PodParser::on_ports},
    {PodKey::kDns, &PodParser::on_dns},
    {PodKey::kHostname, &PodParser::on_hostname},
    {PodKey::kShare, &PodParser::on_share},
    {PodKey::kAutostart, &PodParser::on_autostart},
    {PodKey::kUserns, &PodParser::on_userns},
};
static_assert(std::size(kHandlers) == static_cast<std::size_t>(PodKey::kUserns) + 1,
              "a pod key has no reader");

void PodParser::apply(const Node& root) {
  if (root.IsNull()) return;  // an empty fragment changes nothing
  KeyReader<PodKey> reader;
  reader.find = find_pod_key;
  reader.unknown = [](const std::string& name) {
    std::vector<std::string> known;
    for (const auto& spec : pod_keys()) known.push_back(spec.name);
    // A box's key in a pod file is a common slip: say where it goes.
    const std::string hint = find_key(name) ? ": a box's key, which goes in its definition" : "";
    return "unknown key '" + name + "' in a pod" + hint + " (" + suggest_key(name, known) + ")";
  };
  reader.read = [this](PodKey k, const Node& n, const std::string& key) -> Result<void> {
    for (const auto& [handled, handler] : kHandlers)
      if (handled == k) return (this->*handler)(n, key);
    return Error("no reader for '" + key + "'");  // not reached: kHandlers has every key
  };
  reader.done = [this](PodKey k, bool read, const std::string& where) {
    if (!read) {
      unreadable_.insert(k);
      return;
    }
    unreadable_.erase(k);  // a later fragment set it after all
    pod_.key_locations[k] = where;
  };
  read_top_level_keys(root, file_, errors_, reader);
}

Result<void> PodParser::on_description(const Node& n, const std::string& key) {
  return set(values_.single_line(n, key), pod_.description);
}

Result<void> PodParser::on_network(const Node& n, const std::string& key) {
  if (n.IsScalar() && n.Scalar() == to_string(NetworkMode::kNone))
    return values_.error(n, key,
                         "a pod's network is private or host: 'none' would leave its members a "
                         "loopback only (give each box 'network: none' instead)");
  return set(values_.choice(n, key, pod_network_modes()), pod_.network);
}

Result<void> PodParser::on_ports(const Node& n, const std::string& key) {
  return set(values_.ports(n, key), pod_.ports);
}

Result<void> PodParser::on_dns(const Node& n, const std::string& key) {
  return set(values_.ip_addresses(n, key), pod_.dns);
}

Result<void> PodParser::on_hostname(const Node& n, const std::string& key) {
  return set(values_.hostname(n, key), pod_.hostname);
}

Result<void> PodParser::on_share(const Node& n, const std::string& key) {
  auto v = values_.str_list(n, key);
  if (!v) return v.error();
  // Only what is listed: `share: []` shares the network alone.
  for (const auto& kind : pod_share_kinds()) pod_.*kind.value = false;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < v->size(); ++i) {
    const std::string& name = (*v)[i];
    if (name == "net" || name == "network")
      return values_.error(n[i], key, "the network namespace is always shared: list only " +
                                  choice_names(pod_share_kinds(), ", ", " or "));
    auto kind = parse_choice(pod_share_kinds(), name);
    if (!kind) return values_.error(n[i], key, kind.error().message());
    if (!seen.insert(name).second)
      return values_.error(n[i], key, "'" + name + "' is listed twice");
    pod_.**kind = true;
  }
  return {};
}

// The rules across keys, once every file is applied; a key that could not
// be read is not blamed again for its default.
void finish(const PodDefinition& pod, const std::set<PodKey>& unreadable, const std::string& main,
            std::vector<std::string>& errors) {
  auto at = [&](PodKey k) {
    auto it = pod.key_locations.find(k);
    return (it != pod.key_locations.end() ? it->second : main) + ": '" + pod_key_name(k) + "': ";
  };
  const bool network_known = !unreadable.count(PodKey::kNetwork);
  if (network_known && pod.network != NetworkMode::kPrivate) {
    if (!pod.ports.empty())
      errors.push_back(at(PodKey::kPorts) + "publishing ports needs 'network: private' (network is " +
                       to_string(pod.network) + ")");
    if (!pod.dns.empty())
      errors.push_back(at(PodKey::kDns) + "only with 'network: private' (network is " +
                       to_string(pod.network) + ")");
  }
  if (!pod.hostname.empty() && !pod.share_uts && !unreadable.count(PodKey::kShare))
    errors.push_back(at(PodKey::kHostname) +
                     "the pod's host name needs uts in 'share' (without it each member has "
                     "its own)");
}

}  // namespace

PodCheck check_pod_sources(const std::vector<DefinitionSource>& sources, const std::string& name) {
  const std::string main = sources.empty() ? name + ".yaml" : sources.front().path;
  PodCheck check;
  if (auto r = check_plain_name(name, "pod name"); !r) {
    check.errors.push_back(main + ": " + r.error().message());
    return check;
  }
  PodDefinition pod;
  pod.name = name;
  pod.source_path = main;
  std::set<PodKey> unreadable;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    Node root;
    try {
      root = YAML::Load(sources[i].text);
    } catch (const YAML::Exception& e) {
      check.errors.push_back(yaml_where(sources[i].path, e.mark) + ": " + e.msg);
      return check;
    }
    PodParser(sources[i].path, pod, check.errors, unreadable).apply(root);
    if (!root.IsNull() && !root.IsMap()) return check;
    if (i > 0) pod.fragment_paths.push_back(sources[i].path);
  }
  finish(pod, unreadable, main, check.errors);
  if (check.errors.empty()) check.pod = std::move(pod);
  return check;
}

Result<PodDefinition> parse_pod_sources(const std::vector<DefinitionSource>& sources,
                                        const std::string& name) {
  PodCheck check = check_pod_sources(sources, name);
  if (check.pod) return std::move(*check.pod);
  if (check.errors.empty()) return Error("no pod");  // not reached
  return Error(first_error_message(check.errors));
}

}  // namespace box
