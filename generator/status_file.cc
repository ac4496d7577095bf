#include "generator/status_file.h"

#include "core/model/generator_status.h"
#include "generator/unit_text.h"

namespace box::generator {

namespace {

const char* kind_name(Verdict::Kind k) {
  switch (k) {
    case Verdict::Kind::kContainer: return "container";
    case Verdict::Kind::kTemplate: return "template";
    case Verdict::Kind::kMasked: return "masked";
    case Verdict::Kind::kProblem: return "problem";
    case Verdict::Kind::kPod: return "pod";
    case Verdict::Kind::kMaskedPod: return "masked-pod";
  }
  return "?";
}

}  // namespace

std::string status_json(const std::vector<Verdict>& verdicts) {
  std::vector<GeneratorStatusEntry> entries;
  for (const auto& v : verdicts) {
    GeneratorStatusEntry e;
    e.name = v.name;
    e.kind = kind_name(v.kind);
    e.ok = v.ok;
    if (v.kind == Verdict::Kind::kContainer) e.unit = unit_name(v.name);
    if (v.kind == Verdict::Kind::kPod) e.unit = pod_unit_name(v.name);
    e.path = v.path;
    e.fragments = v.fragments;
    e.overrides = v.overridden;
    e.error = v.message;
    e.warnings = v.warnings;
    entries.push_back(std::move(e));
  }
  return format_generator_status(entries);
}

}  // namespace box::generator
