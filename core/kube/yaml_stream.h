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

// A document of a stream: its nodes' marks count lines from its own
// start, which is line `first_line` (0-based) of the stream.
struct StreamDocument {
  YAML::Node node;
  int first_line = 0;
};

// Every document of `text`, in order; an empty one is a null node. Throws
// YAML::Exception as YAML::LoadAll does, its mark the stream's line.
std::vector<StreamDocument> load_documents(const std::string& text);

}  // namespace box::kube
