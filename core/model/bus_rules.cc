#include "core/model/bus_rules.h"

#include <cctype>

namespace box {
namespace {

bool name_char(char c, bool dash) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (dash && c == '-');
}

// "a.b.c": at least two elements, each non-empty, of name_char()s, not
// starting with a digit (the D-Bus specification's rules for bus names
// (dash: '-' allowed) and interface names).
Result<void> check_dotted(std::string_view text, bool dash, const std::string& what) {
  if (text.empty()) return Error("empty " + what);
  std::size_t elements = 0;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = text.find('.', start);
    const std::string_view element =
        text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (element.empty())
      return Error(what + " '" + std::string(text) + "' has an empty element");
    if (std::isdigit(static_cast<unsigned char>(element.front())))
      return Error(what + " '" + std::string(text) + "': an element starts with a digit ('" +
                   std::string(element) + "')");
    for (char c : element)
      if (!name_char(c, dash))
        return Error(what + " '" + std::string(text) + "' contains '" + std::string(1, c) +
                     "' (letters, digits, '_'" + (dash ? ", '-'" : "") + " and '.' only)");
    ++elements;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (elements < 2)
    return Error(what + " '" + std::string(text) + "' needs at least two elements (org.example)");
  return {};
}

bool strip_suffix(std::string_view& text, std::string_view suffix) {
  if (text.size() < suffix.size() || text.substr(text.size() - suffix.size()) != suffix)
    return false;
  text.remove_suffix(suffix.size());
  return true;
}

Result<void> check_object_path(std::string_view path, const std::string& rule) {
  std::string_view p = path;
  const bool subtree = strip_suffix(p, "/*");
  if (subtree && p.empty()) return {};  // "/*": every path
  if (p.empty() || p.front() != '/')
    return Error("rule '" + rule + "': the object path must start with '/'");
  if (p == "/") return {};
  std::size_t start = 1;
  for (;;) {
    const std::size_t slash = p.find('/', start);
    const std::string_view element =
        p.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (element.empty())
      return Error("rule '" + rule + "': the object path '" + std::string(path) +
                   "' has an empty element");
    for (char c : element)
      if (!name_char(c, false))
        return Error("rule '" + rule + "': the object path '" + std::string(path) +
                     "' contains '" + std::string(1, c) + "'");
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return {};
}

}  // namespace

std::vector<BusGrant> bus_grants(const BusRules& rules) {
  std::vector<BusGrant> out;
  for (const auto& [level, names] :
       {std::pair{"see", &rules.see}, std::pair{"talk", &rules.talk}, std::pair{"own", &rules.own}})
    for (const auto& name : *names) out.push_back({level, name, ""});
  for (const auto& [level, list] :
       {std::pair{"call", &rules.call}, std::pair{"broadcast", &rules.broadcast}})
    for (const auto& [name, each] : *list)
      for (const auto& rule : each) out.push_back({level, name, rule});
  return out;
}

Result<void> check_bus_name_pattern(std::string_view name) {
  std::string_view base = name;
  strip_suffix(base, ".*");
  if (!name.empty() && name.front() == ':')
    return Error("'" + std::string(name) +
                 "' is a unique name, which changes with each connection: give a well-known name");
  if (name.size() > 255) return Error("bus name longer than 255 characters");
  return check_dotted(base, true, "bus name");
}

Result<void> check_bus_rule(std::string_view rule) {
  const std::string text(rule);
  if (rule.empty()) return Error("empty rule (expected METHOD, @PATH or METHOD@PATH)");
  const std::size_t at = rule.find('@');
  std::string_view method = rule.substr(0, at);
  if (!method.empty() && method != "*") {
    std::string_view base = method;
    strip_suffix(base, ".*");
    auto ok = check_dotted(base, false, "interface or method");
    if (!ok) return ok.error().wrap("rule '" + text + "'");
  }
  if (at == std::string_view::npos) return {};
  if (at + 1 == rule.size()) return Error("rule '" + text + "': nothing after '@' (an object path)");
  return check_object_path(rule.substr(at + 1), text);
}

}  // namespace box
