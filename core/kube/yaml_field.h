// A node of a Kubernetes YAML document with its path ("spec.containers[0]
// .image") and its place in the file, for reading it strictly: every error
// is "FILE:LINE:COLUMN: PATH: what is wrong", and a mapping's keys are
// checked against what box reads and what it ignores, so an unknown or
// unsupported field is an error that names it. Pure.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/sys/result.h"

namespace box::kube {

class Field {
 public:
  Field(YAML::Node node, std::string path, const std::string& file, YAML::Mark mark);
  Field(const Field&) = default;
  // Never assigned: YAML::Node's assignment would change the document.
  Field& operator=(const Field&) = delete;
  // The root of a document whose first line is `first_line` (0-based) of
  // the file: its nodes' marks count from there (kube/yaml_stream.h).
  static Field root(const YAML::Node& node, const std::string& file, int first_line = 0);

  const std::string& path() const { return path_; }
  // "FILE:LINE:COLUMN" of the node (of its parent when it is missing).
  std::string place() const;
  // "FILE:LINE:COLUMN: PATH: message".
  Error error(const std::string& message) const;

  bool present() const { return node_.IsDefined() && !node_.IsNull(); }
  bool is_map() const { return node_.IsMap(); }
  bool is_sequence() const { return node_.IsSequence(); }

  // A member of a mapping ("spec" of the root): a missing one is not
  // present(), its errors at the mapping's place.
  Field operator[](const std::string& key) const;

  // The keys are those of `read` or `ignored`; any other is an error at
  // the key: "PATH.KEY: not supported by box". Not a mapping: "expected a
  // mapping".
  Result<void> check_keys(std::initializer_list<const char*> read,
                          std::initializer_list<const char*> ignored = {}) const;

  Result<std::string> text() const;                                // a scalar
  Result<std::string> text_or(const std::string& fallback) const;  // missing: fallback
  Result<bool> boolean() const;                                    // true/false
  Result<bool> boolean_or(bool fallback) const;
  // A whole number in [min, max]; YAML's 0644 (octal) as well as 420.
  Result<std::int64_t> integer(std::int64_t min, std::int64_t max) const;
  Result<std::vector<Field>> items() const;        // a sequence ("[i]" paths); missing: none
  Result<std::vector<std::string>> texts() const;  // a sequence of scalars
  // A mapping's members in file order; missing: none.
  Result<std::vector<std::pair<std::string, Field>>> members() const;

 private:
  // A node below this one, in the same document.
  Field child(YAML::Node node, std::string path, YAML::Mark mark) const;

  YAML::Node node_;
  std::string path_;
  const std::string* file_;
  YAML::Mark mark_;
  int first_line_ = 0;
};

}  // namespace box::kube
