#include "core/model/generator_status.h"

#include <nlohmann/json.hpp>

namespace box {
namespace {

using Json = nlohmann::ordered_json;  // keys in the order written: stable diffs

const char* const kKinds[] = {"container", "template", "masked", "problem", "pod", "masked-pod"};

bool known_kind(const std::string& k) {
  for (const char* known : kKinds)
    if (k == known) return true;
  return false;
}

}  // namespace

std::string generator_status_path(const std::string& runtime_dir) {
  return runtime_dir.empty() ? "" : runtime_dir + "/box/generator-status.json";
}

std::string format_generator_status(const std::vector<GeneratorStatusEntry>& entries) {
  Json list = Json::array();
  for (const auto& v : entries) {
    Json e;
    e["name"] = v.name;
    e["kind"] = v.kind;
    e["ok"] = v.ok;
    if (!v.unit.empty()) e["unit"] = v.unit;
    e["path"] = v.path;
    if (!v.fragments.empty()) e["fragments"] = v.fragments;
    if (!v.overrides.empty()) e["overrides"] = v.overrides;
    if (!v.error.empty()) e["error"] = v.error;
    if (!v.warnings.empty()) e["warnings"] = v.warnings;
    list.push_back(std::move(e));
  }
  Json doc;
  doc["version"] = kGeneratorStatusVersion;
  doc["generator"] = "box-user-generator";
  doc["definitions"] = std::move(list);
  // File names need not be UTF-8; replace what is not rather than throw.
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

Result<std::vector<GeneratorStatusEntry>> parse_generator_status(std::string_view text) {
  Json doc = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Error("not valid JSON");
  if (!doc.is_object()) return Error("expected a JSON object");
  auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_integer())
    return Error("no \"version\"");
  if (*version != kGeneratorStatusVersion)
    return Error("version " + version->dump() + ", this box reads version " +
                 std::to_string(kGeneratorStatusVersion));
  auto list = doc.find("definitions");
  if (list == doc.end() || !list->is_array()) return Error("no \"definitions\" list");
  std::vector<GeneratorStatusEntry> out;
  for (const auto& e : *list) {
    const std::string where = "definitions[" + std::to_string(out.size()) + "]";
    if (!e.is_object()) return Error(where + ": not an object");
    auto text_of = [&](const char* key, bool required, std::string& into) -> Result<void> {
      auto it = e.find(key);
      if (it == e.end()) {
        if (required) return Error(where + ": no \"" + key + "\"");
        return {};
      }
      if (!it->is_string()) return Error(where + ": \"" + key + "\" is not a string");
      into = it->get<std::string>();
      return {};
    };
    auto list_of = [&](const char* key, std::vector<std::string>& into) -> Result<void> {
      auto it = e.find(key);
      if (it == e.end()) return {};
      if (!it->is_array()) return Error(where + ": \"" + key + "\" is not a list");
      for (const auto& s : *it) {
        if (!s.is_string()) return Error(where + ": \"" + key + "\" holds a non-string");
        into.push_back(s.get<std::string>());
      }
      return {};
    };
    GeneratorStatusEntry v;
    for (auto r : {text_of("name", true, v.name), text_of("kind", true, v.kind),
                   text_of("path", true, v.path), text_of("unit", false, v.unit),
                   text_of("error", false, v.error), list_of("fragments", v.fragments),
                   list_of("overrides", v.overrides), list_of("warnings", v.warnings)})
      if (!r) return r.error();
    auto ok = e.find("ok");
    if (ok == e.end() || !ok->is_boolean()) return Error(where + ": no boolean \"ok\"");
    v.ok = ok->get<bool>();
    if (!known_kind(v.kind)) return Error(where + ": unknown kind '" + v.kind + "'");
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace box
