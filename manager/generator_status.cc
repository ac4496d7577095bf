#include "generator_status.h"

#include <nlohmann/json.hpp>

namespace box::manager {
namespace {

using nlohmann::json;

std::string string_member(const json& entry, const char* key) {
  auto it = entry.find(key);
  return it != entry.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// nullopt: the entry does not say.
std::optional<bool> says_ok(const json& entry) {
  for (const char* key : {"ok", "valid"}) {
    auto it = entry.find(key);
    if (it != entry.end() && it->is_boolean()) return it->get<bool>();
  }
  for (const char* key : {"status", "state", "verdict"}) {
    std::string v = string_member(entry, key);
    if (v.empty()) continue;
    if (v == "ok" || v == "valid" || v == "written" || v == "generated") return true;
    if (v == "invalid" || v == "error" || v == "failed" || v == "rejected" || v == "skipped")
      return false;
  }
  return std::nullopt;
}

void add_entry(const std::string& name, const json& entry, GeneratorVerdicts& out) {
  if (name.empty() || !entry.is_object()) return;
  std::string message = string_member(entry, "error");
  if (message.empty()) message = string_member(entry, "message");
  auto ok = says_ok(entry);
  if (ok.value_or(message.empty())) return;
  out[name] = message.empty() ? "rejected by box-user-generator" : message;
}

}  // namespace

Result<GeneratorVerdicts> parse_generator_status(std::string_view text) {
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Error("not valid JSON");
  const json* list = nullptr;
  if (doc.is_array()) {
    list = &doc;
  } else if (doc.is_object()) {
    for (const char* key : {"definitions", "containers", "entries"}) {
      auto it = doc.find(key);
      if (it != doc.end() && (it->is_array() || it->is_object())) {
        doc = *it;
        break;
      }
    }
    if (doc.is_array()) list = &doc;
  } else {
    return Error("expected a JSON object or list");
  }
  GeneratorVerdicts out;
  if (list) {
    for (const auto& entry : *list)
      if (entry.is_object()) add_entry(string_member(entry, "name"), entry, out);
  } else {
    for (const auto& [name, entry] : doc.items()) add_entry(name, entry, out);
  }
  return out;
}

}  // namespace box::manager
