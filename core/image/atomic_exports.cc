#include "core/image/atomic_exports.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "core/image/layer_unpack.h"

namespace box::image {
namespace {

bool ident_start(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9'); }

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// "FOO=bar \"BAZ=a b\"" -> [FOO=bar, BAZ=a b] (systemd's Environment= quoting).
std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  char quote = 0;
  bool in_word = false;
  for (char c : s) {
    if (quote) {
      if (c == quote)
        quote = 0;
      else
        cur += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) out.push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (in_word) out.push_back(cur);
  return out;
}

}  // namespace

Result<std::string> substitute(std::string_view text, const TemplateValues& values,
                               const std::string& what) {
  std::string out;
  out.reserve(text.size());
  int line = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') ++line;
    if (c != '$') {
      out += c;
      continue;
    }
    std::string where = what + ":" + std::to_string(line);
    if (i + 1 < text.size() && text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    std::string name;
    std::size_t end;
    if (i + 1 < text.size() && text[i + 1] == '{') {
      end = text.find('}', i + 2);
      if (end == std::string_view::npos) return Error(where + ": '${' without a closing '}'");
      name = std::string(text.substr(i + 2, end - i - 2));
      bool ok = !name.empty() && ident_start(name[0]);
      for (char n : name) ok = ok && ident_char(n);
      if (!ok) return Error(where + ": invalid variable name '${" + name + "}'");
    } else {
      end = i + 1;
      while (end < text.size() && ident_char(text[end])) ++end;
      name = std::string(text.substr(i + 1, end - i - 1));
      if (name.empty() || !ident_start(name[0]))
        return Error(where +
                     ": '$' not followed by a variable name (write '$$' for a literal '$')");
      --end;
    }
    auto it = values.find(name);
    if (it == values.end())
      return Error(where + ": unreplaced variable $" + name + " (give it a value with --set " +
                   name + "=VALUE)");
    out += it->second;
    i = end;
  }
  return out;
}

Result<AtomicManifest> parse_atomic_manifest(std::string_view text, const std::string& what) {
  AtomicManifest m;
  try {
    auto j = nlohmann::json::parse(text);
    if (!j.is_object()) return Error(what + ": expected a JSON object");
    auto strings = [&](const char* key, std::map<std::string, std::string>& out) -> Result<void> {
      if (!j.contains(key)) return {};
      if (!j[key].is_object()) return Error(what + ": '" + key + "': expected a mapping");
      for (const auto& [k, v] : j[key].items()) {
        if (v.is_string())
          out[k] = v.get<std::string>();
        else if (v.is_number() || v.is_boolean())
          out[k] = v.dump();
        else if (v.is_null())
          out[k] = "";
        else
          return Error(what + ": '" + key + "." + k + "': expected a string");
      }
      return {};
    };
    auto d = strings("defaultValues", m.default_values);
    if (!d) return d.error();
    auto r = strings("renameFiles", m.rename_files);
    if (!r) return r.error();
    m.no_container_service = j.value("noContainerService", false);
  } catch (const nlohmann::json::exception& e) {
    return Error(what + ": invalid JSON: " + e.what());
  }
  return m;
}

TemplateValues merge_values(const TemplateValues& defaults, const TemplateValues& set,
                            const TemplateValues& forced) {
  TemplateValues v = defaults;
  for (const auto& [k, x] : set) v[k] = x;
  for (const auto& [k, x] : forced) v[k] = x;
  return v;
}

Result<void> apply_service_template(std::string_view unit_text, const std::string& exec_start,
                                    const std::string& exec_stop, DefinitionDraft& d,
                                    std::vector<std::string>& warnings, const std::string& what) {
  std::istringstream in{std::string(unit_text)};
  std::string raw, section;
  int line_no = 0;
  auto warn = [&](int n, const std::string& line, const std::string& why) {
    warnings.push_back(what + ":" + std::to_string(n) + ": '" + line + "': " + why);
  };
  while (std::getline(in, raw)) {
    int n = ++line_no;
    // Continuation lines, as systemd joins them.
    while (!raw.empty() && raw.back() == '\\') {
      raw.pop_back();
      std::string next;
      if (!std::getline(in, next)) break;
      ++line_no;
      raw += " " + next;
    }
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') return Error(what + ":" + std::to_string(n) + ": bad section header");
      section = line.substr(1, line.size() - 2);
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string::npos)
      return Error(what + ":" + std::to_string(n) + ": expected KEY=VALUE, found '" + line + "'");
    std::string key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));

    if (section == "Unit" && key == "Description") {
      d.description = value;
    } else if (section == "Unit" && (key == "Documentation" || key == "SourcePath")) {
      // informational only
    } else if (section == "Service" && key == "ExecStart") {
      if (value != exec_start)
        warn(n, line,
             "box runs the container itself (box-run start); the command comes from "
             "config.json.template (ignored)");
    } else if (section == "Service" && key == "ExecStop") {
      if (value != exec_stop)
        warn(n, line, "box stops the container with its stop signal (ignored)");
    } else if (section == "Service" && key == "Restart") {
      if (auto policy = parse_choice<RestartPolicy>(value))
        d.restart = *policy;
      else
        warn(n, line, "box supports Restart= " + choice_names<RestartPolicy>());
    } else if (section == "Service" && key == "TimeoutStopSec") {
      bool digits = !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
      d.stop_timeout = digits ? value + "s" : value;
    } else if (section == "Service" && key == "KillSignal") {
      d.stop_signal = value;
    } else if (section == "Service" && key == "Environment") {
      for (const auto& w : split_words(value)) {
        auto e = w.find('=');
        if (e == std::string::npos || e == 0) {
          warn(n, line, "'" + w + "' is not NAME=value (ignored)");
          continue;
        }
        d.set_env(w.substr(0, e), w.substr(e + 1));
      }
    } else if (section == "Service" &&
               (key == "Type" || key == "PIDFile" || key == "WorkingDirectory" ||
                key == "RemainAfterExit" || key == "NotifyAccess" || key == "KillMode")) {
      // box@.service decides these: the supervisor is Type=notify and
      // forwards signals; WorkingDirectory=$DESTDIR was runc's bundle dir.
    } else if (section == "Install" && key == "WantedBy") {
      for (const auto& target : split_words(value)) {
        if (target == "multi-user.target" || target == "default.target")
          d.autostart = Autostart::kLogin;
        else if (target == "graphical.target" || target == "graphical-session.target")
          d.autostart = Autostart::kSession;
        else
          warn(n, line,
               "only default.target, multi-user.target and graphical targets map to "
               "'autostart' (ignored)");
      }
    } else {
      warn(n, line, "no box equivalent (ignored)");
    }
  }
  return {};
}

Result<std::vector<TmpfilesEntry>> parse_tmpfiles(std::string_view text, const std::string& what) {
  std::vector<TmpfilesEntry> out;
  std::istringstream in{std::string(text)};
  std::string raw;
  int n = 0;
  while (std::getline(in, raw)) {
    ++n;
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    auto words = split_words(line);
    if (words.size() < 2)
      return Error(what + ":" + std::to_string(n) + ": expected 'TYPE PATH [MODE ...]'");
    TmpfilesEntry e;
    e.type = words[0];
    e.path = words[1];
    e.mode = words.size() > 2 ? words[2] : "-";
    e.raw = line;
    e.fields = words;
    e.line = n;
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::string> hostfs_destination(const std::string& path, const UserLocations& where) {
  auto parts = split_entry_path(path);
  if (!parts) return parts.error();
  if (parts->empty()) return Error("hostfs: empty path");
  std::string whole;
  for (const auto& p : *parts) whole += "/" + p;
  const std::string& conf = where.conf_directory;
  if (!conf.empty() && whole.size() > conf.size() + 1 && whole.compare(0, conf.size(), conf) == 0 &&
      whole[conf.size()] == '/')
    return whole;
  std::size_t i = 0;
  std::string base;
  if ((*parts)[0] == "etc") {
    base = conf;
    i = 1;
  } else if ((*parts)[0] == "usr") {
    i = 1;
    if (i < parts->size() && (*parts)[i] == "local") ++i;
    if (i >= parts->size()) return Error("hostfs: '" + path + "' is a directory, not a file");
    const std::string& top = (*parts)[i];
    if (top == "bin" || top == "sbin")
      base = where.home + "/.local/bin";
    else if (top == "lib" || top == "lib64")
      base = where.home + "/.local/lib";
    else if (top == "libexec")
      base = where.home + "/.local/libexec";
    else if (top == "share")
      base = where.data_home;
    else
      base.clear();
    ++i;
  }
  if (base.empty() || i >= parts->size())
    return Error("hostfs: no per-user place for '/" + path +
                 "' (box installs hostfs files under usr/, usr/local/, etc/ and $CONF_DIRECTORY "
                 "only)");
  std::string out = base;
  for (; i < parts->size(); ++i) out += "/" + (*parts)[i];
  return out;
}

}  // namespace box::image
