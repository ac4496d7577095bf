#include "definition_loader.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

namespace box {
namespace {

// Errors point at the node that is wrong: "file:line:column: key: problem".
Error error_at(const std::string& file, const YAML::Mark& mark, const std::string& what) {
  if (mark.is_null()) return Error(file + ": " + what);
  return Error(file + ":" + std::to_string(mark.line + 1) + ":" +
               std::to_string(mark.column + 1) + ": " + what);
}

const char* node_kind(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    default: return "an undefined value";
  }
}

class Parser {
 public:
  Parser(const std::string& file, const std::string& home) : file_(file), home_(home) {}

  Result<std::string> string_value(const YAML::Node& n, const std::string& key) {
    if (!n.IsScalar())
      return error_at(file_, n.Mark(), "'" + key + "': expected a string, found " + node_kind(n));
    return n.Scalar();
  }

  Result<std::string> path_value(const YAML::Node& n, const std::string& key) {
    auto s = string_value(n, key);
    if (!s) return s;
    std::string p = *s;
    if (p == "~" || p.rfind("~/", 0) == 0) p = home_ + p.substr(1);
    if (p.empty() || p.front() != '/')
      return error_at(file_, n.Mark(),
                      "'" + key + "': expected an absolute path or one starting with '~/', found '" +
                          *s + "'");
    return p;
  }

  Result<std::vector<std::string>> string_list(const YAML::Node& n, const std::string& key) {
    if (!n.IsSequence())
      return error_at(file_, n.Mark(),
                      "'" + key + "': expected a list of strings, found " + node_kind(n));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n.size(); ++i) {
      auto item = string_value(n[i], key + "[" + std::to_string(i) + "]");
      if (!item) return item.error();
      out.push_back(*item);
    }
    return out;
  }

  Result<std::vector<std::pair<std::string, std::string>>> env_map(const YAML::Node& n) {
    if (!n.IsMap())
      return error_at(file_, n.Mark(),
                      std::string("'env': expected a mapping of NAME: value, found ") + node_kind(n));
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& kv : n) {
      auto key = string_value(kv.first, "env");
      if (!key) return key.error();
      if (key->empty() || key->find('=') != std::string::npos ||
          key->find('\0') != std::string::npos)
        return error_at(file_, kv.first.Mark(),
                        "'env': invalid variable name '" + *key + "' (empty or contains '=')");
      auto value = string_value(kv.second, "env." + *key);
      if (!value) return value.error();
      out.emplace_back(*key, *value);
    }
    return out;
  }

 private:
  const std::string& file_;
  const std::string& home_;
};

}  // namespace

Result<Definition> parse_definition(std::string_view yaml_text, const std::string& file,
                                    const std::string& name, const std::string& home) {
  if (!is_valid_container_name(name))
    return Error(file + ": invalid container name '" + name +
                 "': use letters, digits, '-', '_' and '.', starting with a letter or digit, "
                 "at most 64 characters");

  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return error_at(file, e.mark, e.msg);
  }
  if (!root.IsMap())
    return error_at(file, root.Mark(),
                    std::string("expected a mapping of keys at the top level, found ") +
                        node_kind(root));

  Definition def;
  def.name = name;
  def.source_path = file;
  Parser parse(file, home);
  std::set<std::string> seen;
  bool have_rootfs = false, have_command = false;

  try {
    for (const auto& kv : root) {
      const YAML::Node& key_node = kv.first;
      const YAML::Node& value = kv.second;
      if (!key_node.IsScalar()) return error_at(file, key_node.Mark(), "keys must be strings");
      const std::string key = key_node.Scalar();
      if (!seen.insert(key).second)
        return error_at(file, key_node.Mark(), "'" + key + "': duplicate key");

      if (key == "description") {
        auto v = parse.string_value(value, key);
        if (!v) return v.error();
        for (char c : *v)
          if (static_cast<unsigned char>(c) < 0x20)
            return error_at(file, value.Mark(), "'description': must be a single line");
        def.description = *v;
      } else if (key == "rootfs") {
        auto v = parse.path_value(value, key);
        if (!v) return v.error();
        def.rootfs = *v;
        have_rootfs = true;
      } else if (key == "command") {
        auto v = parse.string_list(value, key);
        if (!v) return v.error();
        if (v->empty()) return error_at(file, value.Mark(), "'command': must not be empty");
        def.command = std::move(*v);
        have_command = true;
      } else if (key == "env") {
        auto v = parse.env_map(value);
        if (!v) return v.error();
        def.env = std::move(*v);
      } else {
        // Typos must not silently do nothing.
        return error_at(file, key_node.Mark(),
                        "unknown key '" + key + "' (known: description, rootfs, command, env)");
      }
    }
  } catch (const YAML::Exception& e) {
    return error_at(file, e.mark, e.msg);
  }

  if (!have_rootfs) return error_at(file, root.Mark(), "missing required key 'rootfs'");
  if (!have_command) return error_at(file, root.Mark(), "missing required key 'command'");
  return def;
}

Result<Definition> load_definition_file(const std::string& path, const std::string& name,
                                        const std::string& home) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::from_errno("open '" + path + "'");
  std::string text;
  text.resize(kMaxDefinitionBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return Error::from_errno("read '" + path + "'");
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxDefinitionBytes)
    return Error(path + ": file larger than " + std::to_string(kMaxDefinitionBytes) + " bytes");
  return parse_definition(text, path, name, home);
}

}  // namespace box
