// The generator pipeline, as quadlet has it: find definitions, load each with
// its drop-ins, translate the valid ones (unit_text.h), report and skip the
// broken ones; then write everything, or print it (--dry-run). Deciding what
// to write reads definitions only; writing touches the output dir only.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/model/definition_loader.h"
#include "core/sys/result.h"

namespace box::generator {

struct GeneratorInput {
  std::vector<std::string> search_dirs;
  LoadContext context;        // home and data dir; the instance is set per container
  std::string template_unit;  // the installed box@.service, target of .wants links
  // Where pods live (paths.h: pod_search_dirs) and the installed
  // box-pod@.service, target of a pod's autostart link.
  std::vector<std::string> pod_search_dirs{};
  std::string pod_template_unit{};
  // cgroup controllers the user manager can hand to its units ("memory",
  // "pids", "cpu"); nullopt when unknown (then no warning about resources).
  std::optional<std::set<std::string>> cgroup_controllers;
  // Threads loading definitions: 0 picks one per CPU (up to 8), 1 loads them
  // one after the other. The output is the same either way.
  unsigned jobs = 0;
};

// What the generator concluded about one definition, for the log and for
// $XDG_RUNTIME_DIR/box/generator-status.json.
struct Verdict {
  // kPod and kMaskedPod: a pod file (pods/NAME.yaml), or its mask; a
  // problem in a pods directory is a kProblem with `pod` set.
  enum class Kind { kContainer, kTemplate, kMasked, kProblem, kPod, kMaskedPod };
  std::string name;  // "etcd", "web@blue"; "web@" for a template with no instance
  Kind kind = Kind::kContainer;
  std::string path;  // main file (the mask, the bad file or dir)
  std::vector<std::string> fragments;
  std::vector<std::string> overridden;  // same-named files lower in the search path
  bool ok = false;
  std::string message;                  // why it was skipped
  std::vector<std::string> warnings;    // written, but something looks wrong
  bool pod = false;                     // about a pod's file (or a pods directory)
};

struct OutputFile {
  std::string path;  // relative to the output dir
  std::string content;
};

struct OutputLink {
  std::string path;    // relative to the output dir
  std::string target;  // absolute
};

struct GeneratorOutput {
  std::vector<OutputFile> files;  // sorted by path
  std::vector<OutputLink> links;  // sorted by path
  std::vector<Verdict> verdicts;  // sorted by name, a pod's after a box's of the same name
};

// Reads every definition in the search path and decides what to write.
GeneratorOutput plan_output(const GeneratorInput& input);

// Writes `out` under `dir`, each file and link atomically (temp + rename),
// so an overlapping run or a reader sees the old version or the new one.
// `jobs` as in GeneratorInput.
Result<void> write_output(const GeneratorOutput& out, const std::string& dir, unsigned jobs = 0);

// What --dry-run prints: every file with its path, then the links.
std::string describe_output(const GeneratorOutput& out);

}  // namespace box::generator
