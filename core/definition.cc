#include "definition.h"

#include <string_view>

namespace box {

namespace {

bool is_valid_name_part(std::string_view part) {
  if (part.empty() || part.size() > 64) return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(part.front())) return false;
  for (char c : part) {
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

}  // namespace

std::optional<ContainerName> split_container_name(const std::string& name) {
  const auto at = name.find('@');
  if (at == std::string::npos) {
    if (!is_valid_name_part(name)) return std::nullopt;
    return ContainerName{name, ""};
  }
  // One '@' at most: the instance part may not contain another.
  std::string_view base(name.data(), at), instance(name.data() + at + 1, name.size() - at - 1);
  if (!is_valid_name_part(base) || !is_valid_name_part(instance)) return std::nullopt;
  return ContainerName{std::string(base), std::string(instance)};
}

bool is_valid_container_name(const std::string& name) {
  return split_container_name(name).has_value();
}

const char* to_string(InitMode m) {
  switch (m) {
    case InitMode::kNone:
      return "none";
    case InitMode::kTiny:
      return "tiny";
    case InitMode::kSystemd:
      return "systemd";
  }
  return "?";
}

const char* to_string(UsernsMode m) {
  switch (m) {
    case UsernsMode::kAuto:
      return "auto";
    case UsernsMode::kSingle:
      return "single";
    case UsernsMode::kKeepId:
      return "keep-id";
  }
  return "?";
}

const char* to_string(NetworkMode m) {
  switch (m) {
    case NetworkMode::kHost:
      return "host";
    case NetworkMode::kNone:
      return "none";
    case NetworkMode::kPrivate:
      return "private";
  }
  return "?";
}

const char* to_string(RootfsWrites m) {
  switch (m) {
    case RootfsWrites::kOverlay:
      return "overlay";
    case RootfsWrites::kPersistent:
      return "persistent";
    case RootfsWrites::kReadonly:
      return "readonly";
    case RootfsWrites::kDirect:
      return "direct";
  }
  return "?";
}

const char* to_string(SeccompMode m) {
  return m == SeccompMode::kDefault ? "default" : "unconfined";
}

const char* to_string(Autostart m) {
  switch (m) {
    case Autostart::kNo:
      return "no";
    case Autostart::kLogin:
      return "login";
    case Autostart::kSession:
      return "session";
  }
  return "?";
}

const char* to_string(RestartPolicy m) {
  switch (m) {
    case RestartPolicy::kNo:
      return "no";
    case RestartPolicy::kOnFailure:
      return "on-failure";
    case RestartPolicy::kOnAbnormal:
      return "on-abnormal";
    case RestartPolicy::kOnAbort:
      return "on-abort";
    case RestartPolicy::kAlways:
      return "always";
  }
  return "?";
}

}  // namespace box
