#include "core/kube/yaml_field.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace box::kube {

Field::Field(YAML::Node node, std::string path, const std::string& file, YAML::Mark mark)
    : node_(std::move(node)), path_(std::move(path)), file_(&file), mark_(mark) {}

Field Field::root(const YAML::Node& node, const std::string& file, int first_line) {
  Field f(node, "", file, node.Mark());
  f.first_line_ = first_line;
  return f;
}

Field Field::child(YAML::Node node, std::string path, YAML::Mark mark) const {
  Field f(std::move(node), std::move(path), *file_, mark);
  f.first_line_ = first_line_;
  return f;
}

std::string Field::place() const {
  return *file_ + ":" + std::to_string(first_line_ + mark_.line + 1) + ":" +
         std::to_string(mark_.column + 1);
}

Error Field::error(const std::string& message) const {
  return Error(place() + ": " + (path_.empty() ? "" : path_ + ": ") + message);
}

Field Field::operator[](const std::string& key) const {
  const std::string path = path_.empty() ? key : path_ + "." + key;
  if (node_.IsMap())
    for (auto it = node_.begin(); it != node_.end(); ++it)
      if (it->first.IsScalar() && it->first.Scalar() == key)
        return child(it->second, path, it->second.IsNull() ? it->first.Mark() : it->second.Mark());
  return child(YAML::Node(YAML::NodeType::Undefined), path, mark_);
}

Result<void> Field::check_keys(std::initializer_list<const char*> read,
                               std::initializer_list<const char*> ignored) const {
  if (!present()) return {};
  if (!node_.IsMap()) return error("expected a mapping");
  auto known = [](std::initializer_list<const char*> list, const std::string& key) {
    return std::any_of(list.begin(), list.end(), [&](const char* k) { return key == k; });
  };
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
    if (known(read, key) || known(ignored, key)) continue;
    return child(it->second, path_.empty() ? key : path_ + "." + key, it->first.Mark())
        .error("not supported by box");
  }
  return {};
}

Result<std::string> Field::text() const {
  if (!present()) return error("missing");
  if (!node_.IsScalar()) return error("expected a single value");
  return node_.Scalar();
}

Result<std::string> Field::text_or(const std::string& fallback) const {
  if (!present()) return fallback;
  return text();
}

Result<bool> Field::boolean() const {
  auto t = text();
  if (!t) return t.error();
  if (*t == "true" || *t == "True" || *t == "TRUE") return true;
  if (*t == "false" || *t == "False" || *t == "FALSE") return false;
  return error("expected true or false, found '" + *t + "'");
}

Result<bool> Field::boolean_or(bool fallback) const {
  if (!present()) return fallback;
  return boolean();
}

Result<std::int64_t> Field::integer(std::int64_t min, std::int64_t max) const {
  auto t = text();
  if (!t) return t.error();
  std::string digits = *t;
  int base = 10;
  if (digits.rfind("0o", 0) == 0) {
    digits = digits.substr(2);
    base = 8;
  } else if (digits.size() > 1 && digits[0] == '0') {
    base = 8;  // YAML 1.1, as kubectl reads 0644
  }
  const bool ok = !digits.empty() && digits.size() <= 18 &&
                  std::all_of(digits.begin(), digits.end(),
                              [&](char c) { return c >= '0' && c < (base == 8 ? '8' : ':'); });
  if (!ok) return error("expected a whole number, found '" + *t + "'");
  const std::int64_t value = std::stoll(digits, nullptr, base);
  if (value < min || value > max)
    return error(*t + " is out of range (" + std::to_string(min) + ".." + std::to_string(max) +
                 ")");
  return value;
}

Result<std::vector<Field>> Field::items() const {
  std::vector<Field> out;
  if (!present()) return out;
  if (!node_.IsSequence()) return error("expected a list");
  for (std::size_t i = 0; i < node_.size(); ++i)
    out.push_back(child(node_[i], path_ + "[" + std::to_string(i) + "]",
                        node_[i].IsNull() ? mark_ : node_[i].Mark()));
  return out;
}

Result<std::vector<std::string>> Field::texts() const {
  auto list = items();
  if (!list) return list.error();
  std::vector<std::string> out;
  for (const auto& f : *list) {
    auto t = f.text();
    if (!t) return t.error();
    out.push_back(*t);
  }
  return out;
}

Result<std::vector<std::pair<std::string, Field>>> Field::members() const {
  std::vector<std::pair<std::string, Field>> out;
  if (!present()) return out;
  if (!node_.IsMap()) return error("expected a mapping");
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
    out.emplace_back(key, child(it->second, path_.empty() ? key : path_ + "." + key,
                                it->second.IsNull() ? it->first.Mark() : it->second.Mark()));
  }
  return out;
}

}  // namespace box::kube
