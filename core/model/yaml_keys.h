// What the YAML loaders (definitions, pods) share: where a node is
// ("file:line:column"), what it is ("a list"), the key a mistyped one was
// meant to be, the one walk over a document's top-level keys with the
// errors every loader gives the same way, and the readers of the values
// both kinds of file take. Pure.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/model/definition.h"
#include "core/model/schema.h"
#include "core/sys/result.h"

namespace box {

// "file:line:column" (1-based) of `mark`; the file alone without one.
std::string yaml_where(const std::string& file, const YAML::Mark& mark);

// "nothing", "a scalar", "a list", "a mapping": for "expected X, found Y".
const char* yaml_kind(const YAML::Node& node);

// "did you mean 'command'?" for a near miss of one of `known`, else the
// list of them in alphabetical order ("known: a, b, c").
std::string suggest_key(const std::string& key, std::vector<std::string> known);

// How a loader reads the keys of its kind of file (Key for a definition,
// PodKey for a pod).
template <typename K>
struct KeyReader {
  // The key a name stands for; nullopt for an unknown name.
  std::function<std::optional<K>(const std::string& name)> find;
  // The error for an unknown name, after "file:line:column: ".
  std::function<std::string(const std::string& name)> unknown;
  // Reads one key's value; its error (it may also add errors itself).
  std::function<Result<void>(K key, const YAML::Node& value, const std::string& name)> read;
  // How a key went: read (at "file:line:column"), or not (a duplicate, an
  // error), so a rule does not blame it again for its default.
  std::function<void(K key, bool read, const std::string& where)> done;
};

// Walks the top-level mapping of one document of `file`: every key a
// string, each once, each known and read. Every problem is added to
// `errors` ("file:line:column: ..."), and one key's error does not stop the
// others being read (a file is fixed in one round, not one round an error).
template <typename K>
void read_top_level_keys(const YAML::Node& root, const std::string& file,
                         std::vector<std::string>& errors, const KeyReader<K>& reader) {
  if (!root.IsMap()) {
    errors.push_back(yaml_where(file, root.Mark()) +
                     ": expected a mapping of keys at the top level, found " + yaml_kind(root));
    return;
  }
  std::set<std::string> seen;
  for (const auto& kv : root) {
    const YAML::Node& key_node = kv.first;
    if (!key_node.IsScalar()) {
      errors.push_back(yaml_where(file, key_node.Mark()) + ": keys must be strings");
      continue;
    }
    const std::string name = key_node.Scalar();
    const std::optional<K> key = reader.find(name);
    if (!seen.insert(name).second) {
      errors.push_back(yaml_where(file, key_node.Mark()) + ": '" + name + "': duplicate key");
      if (key) reader.done(*key, false, "");
      continue;
    }
    if (!key) {
      // Typos must not silently do nothing.
      errors.push_back(yaml_where(file, key_node.Mark()) + ": " + reader.unknown(name));
      continue;
    }
    const std::size_t before = errors.size();
    Result<void> r;
    try {
      r = reader.read(*key, kv.second, name);
    } catch (const YAML::Exception& e) {
      r = Error(yaml_where(file, e.mark) + ": " + e.msg);
    }
    if (!r) errors.push_back(r.error().message());
    reader.done(*key, errors.size() == before, yaml_where(file, key_node.Mark()));
  }
}

}  // namespace box

namespace box {

// The values a definition's keys and a pod's both take, read from the
// nodes of one file; every error is "file:line:column: 'key': problem".
// The keys of both that take the same value (description, ports, dns,
// hostname) are read by the same code here.
class YamlValues {
 public:
  // Rewrites a scalar's text before it is used (a definition's
  // specifiers, expansion.h), or says what is wrong with it; none: as
  // written.
  using Expand = std::function<Result<std::string>(const std::string& text)>;

  explicit YamlValues(std::string file, Expand expand = {})
      : file_(std::move(file)), expand_(std::move(expand)) {}

  Error error(const YAML::Node& n, const std::string& key, const std::string& what) const;
  // "expected WHAT, found a list".
  Error expected(const YAML::Node& n, const std::string& key, const std::string& what) const;

  Result<std::string> str(const YAML::Node& n, const std::string& key) const;
  Result<std::vector<std::string>> str_list(const YAML::Node& n, const std::string& key) const;
  // One name of `table`, or an error listing the table.
  template <typename T>
  Result<T> choice(const YAML::Node& n, const std::string& key, Choices<T> table) const {
    if (!n.IsScalar()) return expected(n, key, "one of " + choice_names(table));
    auto v = parse_choice(table, n.Scalar());
    if (!v) return error(n, key, v.error().message());
    return v;
  }

  Result<std::string> single_line(const YAML::Node& n, const std::string& key) const;
  Result<std::string> hostname(const YAML::Node& n, const std::string& key) const;
  // "[IP:]HOSTPORT:CONTAINERPORT[/tcp|/udp]" each, no host port twice.
  Result<std::vector<PortMapping>> ports(const YAML::Node& n, const std::string& key) const;
  Result<std::vector<std::string>> ip_addresses(const YAML::Node& n, const std::string& key) const;

 private:
  std::string file_;
  Expand expand_;
};

}  // namespace box
