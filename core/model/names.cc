#include "core/model/names.h"

#include <cstdio>
#include <string_view>

namespace box {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// A character as a message shows it: 'x', or an escape for what would not
// print (a newline in a name must not break the message's line).
std::string shown(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02x", u);
  return buf;
}

// A name as a message quotes it: control characters escaped, long names cut.
std::string quoted(std::string_view name) {
  std::string out = "'";
  for (std::size_t i = 0; i < name.size() && i < 80; ++i) {
    const auto u = static_cast<unsigned char>(name[i]);
    out += (u >= 0x20 && u != 0x7f) ? std::string(1, name[i]) : shown(name[i]);
  }
  if (name.size() > 80) out += "...";
  return out + "'";
}

// What is wrong with one part of a name ("" when nothing); `part_what`
// names the part in the message ("the instance", or the whole name's
// description when it has one part).
std::string part_problem(std::string_view part, const std::string& part_what) {
  if (part.empty()) return part_what + " is empty";
  if (!is_alnum(part.front()))
    return part_what + " starts with " + shown(part.front()) + ": start with a letter or digit";
  for (char c : part)
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.')
      return part_what + " contains " + shown(c) + ": use letters, digits, '-', '_' and '.'";
  if (part.size() > kMaxNamePart)
    return part_what + " is " + std::to_string(part.size()) + " characters long (at most " +
           std::to_string(kMaxNamePart) + ")";
  return "";
}

}  // namespace

Result<void> check_plain_name(const std::string& name, const std::string& what) {
  const std::string subject = what + " " + quoted(name);
  if (name.empty()) return Error(what + " is empty");
  if (name.find('@') != std::string::npos)
    return Error(subject +
                 " cannot contain '@' (NAME@INSTANCE names an instance of a container "
                 "template, nothing else)");
  if (auto p = part_problem(name, subject); !p.empty()) return Error(p);
  return {};
}

Result<void> check_container_name(const std::string& name) {
  const std::string subject = "container name " + quoted(name);
  if (name.empty()) return Error("container name is empty");
  const auto at = name.find('@');
  if (at == std::string::npos) {
    if (auto p = part_problem(name, subject); !p.empty()) return Error(p);
    return {};
  }
  if (name.find('@', at + 1) != std::string::npos)
    return Error(subject + " has more than one '@' (an instance of a template is NAME@INSTANCE)");
  const std::string_view base(name.data(), at),
      instance(name.data() + at + 1, name.size() - at - 1);
  if (base.empty())
    return Error(subject + " has nothing before '@' (an instance of a template is NAME@INSTANCE)");
  if (instance.empty())
    return Error(subject + " names a template, not a container: give an instance, as in '" +
                 std::string(base) + "@INSTANCE'");
  if (auto p = part_problem(base, subject + ": the template name " + quoted(base)); !p.empty())
    return Error(p);
  if (auto p = part_problem(instance, subject + ": the instance " + quoted(instance)); !p.empty())
    return Error(p);
  return {};
}

bool is_valid_container_name(const std::string& name) { return check_container_name(name).ok(); }

bool is_valid_plain_name(const std::string& name) { return check_plain_name(name, "name").ok(); }

std::optional<ContainerName> split_container_name(const std::string& name) {
  if (!is_valid_container_name(name)) return std::nullopt;
  const auto at = name.find('@');
  if (at == std::string::npos) return ContainerName{name, ""};
  return ContainerName{name.substr(0, at), name.substr(at + 1)};
}

bool is_valid_hostname(const std::string& hostname) {
  if (hostname.empty() || hostname.size() > kMaxHostname) return false;
  if (hostname.front() == '-' || hostname.front() == '.') return false;
  for (char c : hostname)
    if (!is_alnum(c) && c != '-' && c != '.') return false;
  return true;
}

Result<void> check_hostname(const std::string& hostname) {
  if (is_valid_hostname(hostname)) return {};
  return Error("'" + hostname +
               "' is not a valid host name (letters, digits, '-' and '.', at most " +
               std::to_string(kMaxHostname) + " characters, not starting with '-' or '.')");
}

std::string default_hostname(const std::string& container_name) {
  // 63: the longest DNS label (RFC 1035), one under HOST_NAME_MAX.
  constexpr std::size_t kMaxLabel = 63;
  std::string out;
  for (char c : container_name) {
    if (out.size() == kMaxLabel) break;
    out += is_alnum(c) ? c : '-';
  }
  // A valid name starts with a letter or digit, so this stops before empty.
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

namespace {

constexpr const char* kUnitSuffix = ".service";

std::optional<std::string> instance_of(const std::string& unit, const std::string& prefix) {
  const std::string suffix = kUnitSuffix;
  if (unit.size() <= prefix.size() + suffix.size() || unit.compare(0, prefix.size(), prefix) != 0 ||
      unit.compare(unit.size() - suffix.size(), suffix.size(), suffix) != 0)
    return std::nullopt;
  return unit.substr(prefix.size(), unit.size() - prefix.size() - suffix.size());
}

}  // namespace

std::string unit_name(const std::string& container) { return "box@" + container + kUnitSuffix; }

std::optional<std::string> container_of_unit(const std::string& unit) {
  return instance_of(unit, "box@");
}

std::string pod_unit_name(const std::string& pod) { return "box-pod@" + pod + kUnitSuffix; }

std::optional<std::string> pod_of_unit(const std::string& unit) {
  return instance_of(unit, "box-pod@");
}

}  // namespace box
