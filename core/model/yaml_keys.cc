#include "core/model/yaml_keys.h"

#include <algorithm>

#include "core/model/value_parsers.h"

namespace box {
namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string yaml_where(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null()) return file;
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

const char* yaml_kind(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "an undefined value";
  }
}

std::string suggest_key(const std::string& key, std::vector<std::string> known) {
  std::sort(known.begin(), known.end());
  std::string best;
  std::size_t best_d = 3;
  for (const auto& k : known) {
    std::size_t d = edit_distance(key, k);
    if (d < best_d) best_d = d, best = k;
  }
  if (!best.empty()) return "did you mean '" + best + "'?";
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  return "known: " + list;
}

Error YamlValues::error(const YAML::Node& n, const std::string& key, const std::string& what) const {
  return Error(yaml_where(file_, n.Mark()) + ": '" + key + "': " + what);
}

Error YamlValues::expected(const YAML::Node& n, const std::string& key,
                           const std::string& what) const {
  return error(n, key, "expected " + what + ", found " + yaml_kind(n));
}

Result<std::string> YamlValues::str(const YAML::Node& n, const std::string& key) const {
  if (!n.IsScalar()) return expected(n, key, "a string");
  const std::string& s = n.Scalar();
  if (s.find('\0') != std::string::npos) return error(n, key, "contains a NUL character");
  if (!expand_) return s;
  auto expanded = expand_(s);
  if (!expanded) return error(n, key, expanded.error().message());
  return expanded;
}

Result<std::vector<std::string>> YamlValues::str_list(const YAML::Node& n,
                                                      const std::string& key) const {
  if (!n.IsSequence()) return expected(n, key, "a list of strings");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n.size(); ++i) {
    auto item = str(n[i], key + "[" + std::to_string(i) + "]");
    if (!item) return item.error();
    out.push_back(*item);
  }
  return out;
}

Result<std::string> YamlValues::single_line(const YAML::Node& n, const std::string& key) const {
  auto v = str(n, key);
  if (!v) return v;
  for (char c : *v)
    if (static_cast<unsigned char>(c) < 0x20) return error(n, key, "must be a single line");
  return v;
}

Result<std::string> YamlValues::hostname(const YAML::Node& n, const std::string& key) const {
  auto v = str(n, key);
  if (!v) return v;
  if (auto r = check_hostname(*v); !r) return error(n, key, r.error().message());
  return v;
}

Result<std::vector<PortMapping>> YamlValues::ports(const YAML::Node& n,
                                                   const std::string& key) const {
  if (!n.IsSequence()) return expected(n, key, "a list of \"HOSTPORT:CONTAINERPORT[/tcp|/udp]\"");
  std::vector<PortMapping> ports;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string sub = key + "[" + std::to_string(i) + "]";
    auto text = str(n[i], sub);
    if (!text) return text.error();
    auto p = parse_port(*text);
    if (!p) return error(n[i], sub, p.error().message());
    if (auto twice = port_published_twice(ports, *p)) return error(n[i], sub, *twice);
    ports.push_back(*p);
  }
  return ports;
}

Result<std::vector<std::string>> YamlValues::ip_addresses(const YAML::Node& n,
                                                          const std::string& key) const {
  auto v = str_list(n, key);
  if (!v) return v;
  for (std::size_t i = 0; i < v->size(); ++i)
    if (!is_ip_address((*v)[i])) return error(n[i], key, "'" + (*v)[i] + "' is not an IP address");
  return v;
}

}  // namespace box
