#include "status_file.h"

#include <nlohmann/json.hpp>

#include "unit_text.h"

namespace box::generator {

namespace {

const char* kind_name(Verdict::Kind k) {
  switch (k) {
    case Verdict::Kind::kContainer: return "container";
    case Verdict::Kind::kTemplate: return "template";
    case Verdict::Kind::kMasked: return "masked";
    case Verdict::Kind::kProblem: return "problem";
  }
  return "?";
}

}  // namespace

std::string status_file_path(const std::string& runtime_dir) {
  return runtime_dir.empty() ? "" : runtime_dir + "/box/generator-status.json";
}

std::string status_json(const std::vector<Verdict>& verdicts) {
  using Json = nlohmann::ordered_json;  // keys in the order written: stable diffs
  Json list = Json::array();
  for (const auto& v : verdicts) {
    Json e;
    e["name"] = v.name;
    e["kind"] = kind_name(v.kind);
    e["ok"] = v.ok;
    if (v.kind == Verdict::Kind::kContainer) e["unit"] = unit_name(v.name);
    e["path"] = v.path;
    if (!v.fragments.empty()) e["fragments"] = v.fragments;
    if (!v.overridden.empty()) e["overrides"] = v.overridden;
    if (!v.message.empty()) e["error"] = v.message;
    if (!v.warnings.empty()) e["warnings"] = v.warnings;
    list.push_back(std::move(e));
  }
  Json doc;
  doc["version"] = 1;
  doc["generator"] = "box-user-generator";
  doc["definitions"] = std::move(list);
  // File names need not be UTF-8; replace what is not rather than throw.
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace box::generator
