#include "core/image/definition_draft.h"

#include <yaml-cpp/yaml.h>

namespace box::image {

void DefinitionDraft::set_env(const std::string& name, const std::string& value) {
  for (auto& [k, v] : env)
    if (k == name) {
      v = value;
      return;
    }
  env.emplace_back(name, value);
}

std::string to_yaml(const DefinitionDraft& d, const std::vector<std::string>& header) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  auto scalar = [&](const char* key, const std::string& v) {
    if (!v.empty()) out << YAML::Key << key << YAML::Value << YAML::DoubleQuoted << v;
  };
  auto list = [&](const char* key, const std::vector<std::string>& v) {
    if (v.empty()) return;
    out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const auto& s : v) out << YAML::DoubleQuoted << s;
    out << YAML::EndSeq;
  };
  scalar("description", d.description);
  scalar("image", d.image);
  scalar("rootfs", d.rootfs);
  list("command", d.command);
  if (!d.env.empty()) {
    out << YAML::Key << "env" << YAML::Value << YAML::BeginMap;
    for (const auto& [k, v] : d.env)
      out << YAML::Key << k << YAML::Value << YAML::DoubleQuoted << v;
    out << YAML::EndMap;
  }
  scalar("workdir", d.workdir);
  scalar("user", d.user);
  list("groups", d.groups);
  scalar("umask", d.umask);
  scalar("userns", d.userns);
  scalar("hostname", d.hostname);
  scalar("network", d.network);
  list("ports", d.ports);
  if (!d.namespaces.empty()) {
    out << YAML::Key << "namespaces" << YAML::Value << YAML::Flow << YAML::BeginMap;
    for (const auto& [k, v] : d.namespaces) out << YAML::Key << k << YAML::Value << v;
    out << YAML::EndMap;
  }
  scalar("rootfs_writes", d.rootfs_writes);
  if (!d.mounts.empty()) {
    out << YAML::Key << "mounts" << YAML::Value << YAML::BeginSeq;
    for (const auto& m : d.mounts) {
      out << YAML::Flow << YAML::BeginMap;
      out << YAML::Key << "type" << YAML::Value << m.type;
      if (!m.source.empty())
        out << YAML::Key << "source" << YAML::Value << YAML::DoubleQuoted << m.source;
      out << YAML::Key << "target" << YAML::Value << YAML::DoubleQuoted << m.target;
      if (m.readonly) out << YAML::Key << "readonly" << YAML::Value << true;
      if (!m.size.empty()) out << YAML::Key << "size" << YAML::Value << m.size;
      if (!m.mode.empty())
        out << YAML::Key << "mode" << YAML::Value << YAML::DoubleQuoted << m.mode;
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  if (!d.cap_add.empty() || !d.cap_drop.empty()) {
    out << YAML::Key << "capabilities" << YAML::Value << YAML::BeginMap;
    if (!d.cap_add.empty()) {
      out << YAML::Key << "add" << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (const auto& c : d.cap_add) out << c;
      out << YAML::EndSeq;
    }
    if (!d.cap_drop.empty()) {
      out << YAML::Key << "drop" << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (const auto& c : d.cap_drop) out << c;
      out << YAML::EndSeq;
    }
    out << YAML::EndMap;
  }
  if (!d.rlimits.empty()) {
    out << YAML::Key << "rlimits" << YAML::Value << YAML::BeginMap;
    for (const auto& [k, v] : d.rlimits)
      out << YAML::Key << k << YAML::Value << YAML::DoubleQuoted << v;
    out << YAML::EndMap;
  }
  scalar("seccomp", d.seccomp);
  scalar("restart", d.restart);
  if (!d.stop_signal.empty() || !d.stop_timeout.empty()) {
    out << YAML::Key << "stop" << YAML::Value << YAML::Flow << YAML::BeginMap;
    if (!d.stop_signal.empty()) out << YAML::Key << "signal" << YAML::Value << d.stop_signal;
    if (!d.stop_timeout.empty()) out << YAML::Key << "timeout" << YAML::Value << d.stop_timeout;
    out << YAML::EndMap;
  }
  scalar("autostart", d.autostart);
  if (!d.resources.empty()) {
    out << YAML::Key << "resources" << YAML::Value << YAML::Flow << YAML::BeginMap;
    for (const auto& [k, v] : d.resources) out << YAML::Key << k << YAML::Value << v;
    out << YAML::EndMap;
  }
  out << YAML::EndMap;

  std::string text;
  for (const auto& h : header) text += h.empty() ? "#\n" : "# " + h + "\n";
  text += out.c_str();
  text += "\n";
  return text;
}

}  // namespace box::image
