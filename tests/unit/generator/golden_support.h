// Shared by the golden and the systemd-analyze tests: where the golden cases
// live and how a case is run. Header-only: tests/ compiles *_test.cc only.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "generator/generator.h"

namespace box::generator {

// A file's whole content; empty when it cannot be read.
inline std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::filesystem::path golden_dir() {
  return std::filesystem::path(BOX_SOURCE_DIR) / "tests/unit/generator/golden";
}

inline std::vector<std::string> golden_cases() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(golden_dir()))
    if (e.is_directory()) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// A case's search path: its user/, etc/, share/ subdirs when it has any
// (highest priority first), else the case dir itself.
inline std::vector<std::string> golden_search_dirs(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  for (const char* level : {"user", "etc", "share"})
    if (std::filesystem::is_directory(dir / level)) out.push_back((dir / level).string());
  if (out.empty()) out.push_back(dir.string());
  return out;
}

// Fixed facts of the machine, so output depends on the definitions only.
inline GeneratorInput golden_input(const std::filesystem::path& dir) {
  GeneratorInput in;
  in.search_dirs = golden_search_dirs(dir);
  in.context = {"/home/u", "/home/u/.local/share", ""};
  in.template_unit = "/usr/lib/systemd/user/box@.service";
  // A case's pods are in its pods/ subdir (the resolver ignores a
  // directory without .yaml.d among the definitions).
  in.pod_search_dirs = {(dir / "pods").string()};
  in.pod_template_unit = "/usr/lib/systemd/user/box-pod@.service";
  in.cgroup_controllers = std::set<std::string>{"cpu", "memory", "pids"};
  return in;
}

inline void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
}

// The --dry-run text, then one line per verdict (and per warning), with the
// case's location replaced by "CASE" so the text does not depend on where
// the source tree is.
inline std::string golden_output(const std::filesystem::path& dir) {
  const GeneratorOutput out = plan_output(golden_input(dir));
  std::string text = describe_output(out);
  for (const auto& v : out.verdicts) {
    text += "## " + std::string(v.pod ? "pod " : "") + v.name + ": " +
            (v.ok ? "ok" : "invalid: " + v.message) + "\n";
    for (const auto& w : v.warnings) text += "##   warning: " + w + "\n";
    for (const auto& o : v.overridden) text += "##   overrides " + o + "\n";
    if (v.kind == Verdict::Kind::kMasked || v.kind == Verdict::Kind::kMaskedPod)
      text += "##   masked by " + v.path + "\n";
  }
  replace_all(text, dir.string(), "CASE");
  return text;
}

}  // namespace box::generator
