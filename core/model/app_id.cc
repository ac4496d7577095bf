#include "core/model/app_id.h"

#include <cctype>

#include "core/model/definition.h"

namespace box {

Result<void> check_app_id(std::string_view id) {
  const std::string text(id);
  if (id.empty()) return Error("empty application id (expected one like org.example.App)");
  if (id.size() > 255) return Error("application id longer than 255 characters");
  const std::size_t last_dot = id.rfind('.');
  if (last_dot == std::string_view::npos)
    return Error("application id '" + text + "' needs at least two elements (org.example.App)");
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = id.find('.', start);
    const std::string_view element =
        id.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (element.empty()) return Error("application id '" + text + "' has an empty element");
    if (std::isdigit(static_cast<unsigned char>(element.front())))
      return Error("application id '" + text + "': an element starts with a digit ('" +
                   std::string(element) + "')");
    const bool last = start > last_dot;
    for (char c : element) {
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') continue;
      if (c == '-' && last) continue;
      if (c == '-')
        return Error("application id '" + text +
                     "': '-' is allowed in the last element only (xdg-desktop-portal refuses "
                     "it elsewhere; write '_')");
      return Error("application id '" + text + "' contains '" + std::string(1, c) +
                   "' (letters, digits, '_', '.' and '-' in the last element only)");
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return {};
}

std::string app_info_text(const Definition& def) {
  std::string out = "[Application]\nname=" + def.app_id + "\n";
  if (def.network != NetworkMode::kNone) out += "\n[Context]\nshared=network;\n";
  if (def.session_bus) {
    const BusRules& rules = *def.session_bus;
    std::string policy;
    for (const auto& [level, names] : {std::pair{"see", &rules.see}, std::pair{"talk", &rules.talk},
                                       std::pair{"own", &rules.own}})
      for (const auto& name : *names) policy += name + "=" + level + "\n";
    if (!policy.empty()) out += "\n[Session Bus Policy]\n" + policy;
  }
  return out;
}

}  // namespace box
