// The documents of a YAML stream, each loaded on its own.
//
// yaml-cpp 0.7's LoadAll loops forever, allocating, on some malformed
// streams (a stray ',' where a node starts: the parser hands back an empty
// document without consuming the token; fixed upstream after 0.7, in
// yaml-cpp pull request 1319). play kube reads anyone's file, so the stream
// is cut at its document markers and each part goes through YAML::Load,
// which parses one document and stops.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace box::kube {

// Every document of `text`, in order; an empty one is a null node. Marks
// (line and column) are those of `text`. Throws YAML::Exception as
// YAML::LoadAll does.
std::vector<YAML::Node> load_documents(const std::string& text);

}  // namespace box::kube
