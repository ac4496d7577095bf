#include "core/model/expansion.h"

#include <cctype>

namespace box {
namespace {

constexpr const char* kKnownSpecifiers = "%h, %t, %U (and %% for a literal %)";
constexpr const char* kKnownVariables =
    "${HOME}, ${XDG_RUNTIME_DIR}, ${instance} (and $${ for a literal ${)";

Result<std::string> runtime_dir(const ExpansionContext& ctx, const std::string& what) {
  // Outside a session there is none, and guessing /run/user/UID would name a
  // directory nobody made.
  if (ctx.runtime_dir.empty())
    return Error(what + ": $XDG_RUNTIME_DIR is not set (there is no user session runtime dir)");
  return ctx.runtime_dir;
}

Result<std::string> specifier(char c, const ExpansionContext& ctx) {
  switch (c) {
    case 'h':
      return ctx.home;
    case 't':
      return runtime_dir(ctx, "'%t'");
    case 'U':
      return std::to_string(ctx.uid);
    default:
      return Error(std::string("unknown specifier '%") + c + "' (known: " + kKnownSpecifiers + ")");
  }
}

Result<std::string> variable(const std::string& name, const ExpansionContext& ctx) {
  if (name == "HOME") return ctx.home;
  if (name == "XDG_RUNTIME_DIR") return runtime_dir(ctx, "'${XDG_RUNTIME_DIR}'");
  if (name == "instance") {
    if (ctx.instance.empty())
      return Error("'${instance}' is only available in templates (NAME@.yaml)");
    return ctx.instance;
  }
  return Error("unknown variable '${" + name + "}' (known: " + kKnownVariables + ")");
}

}  // namespace

Result<std::string> expand(std::string_view text, const ExpansionContext& ctx) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (c == '%' && next == '%') {
      out += '%';
      ++i;
    } else if (c == '%' && std::isalpha(static_cast<unsigned char>(next))) {
      auto v = specifier(next, ctx);
      if (!v) return v.error();
      out += *v;
      ++i;
    } else if (c == '$' && next == '$' && i + 2 < text.size() && text[i + 2] == '{') {
      out += "${";
      i += 2;
    } else if (c == '$' && next == '{') {
      const std::size_t close = text.find('}', i + 2);
      if (close == std::string_view::npos)
        return Error("'${' without a closing '}' (write $${ for a literal ${)");
      auto v = variable(std::string(text.substr(i + 2, close - i - 2)), ctx);
      if (!v) return v.error();
      out += *v;
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_expansion(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') out += '%';
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') out += '$';
    out += text[i];
  }
  return out;
}

}  // namespace box
