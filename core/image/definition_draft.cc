#include "core/image/definition_draft.h"

#include <yaml-cpp/yaml.h>

#include "core/model/expansion.h"

namespace box::image {

void DefinitionDraft::set_env(const std::string& name, const std::string& value) {
  for (auto& [k, v] : env)
    if (k == name) {
      v = value;
      return;
    }
  env.emplace_back(name, value);
}

namespace {

// Where a draft holds each key it can hold, by the shape of the value. The
// keys a draft has no field for (notify, devices, ...) are never written.
constexpr std::pair<Key, std::string DefinitionDraft::*> kScalars[] = {
    {Key::kDescription, &DefinitionDraft::description},
    {Key::kRootfs, &DefinitionDraft::rootfs},
    {Key::kImage, &DefinitionDraft::image},
    {Key::kUser, &DefinitionDraft::user},
    {Key::kWorkdir, &DefinitionDraft::workdir},
    {Key::kHostname, &DefinitionDraft::hostname},
    {Key::kUmask, &DefinitionDraft::umask},
    {Key::kPod, &DefinitionDraft::pod},
};
constexpr std::pair<Key, std::vector<std::string> DefinitionDraft::*> kLists[] = {
    {Key::kCommand, &DefinitionDraft::command},
    {Key::kGroups, &DefinitionDraft::groups},
    {Key::kPorts, &DefinitionDraft::ports},
    {Key::kDns, &DefinitionDraft::dns},
};
// Keys that take a name (schema.h).
constexpr auto kNamedKeys =
    std::make_tuple(std::pair{Key::kInit, &DefinitionDraft::init},
                    std::pair{Key::kUserns, &DefinitionDraft::userns},
                    std::pair{Key::kNetwork, &DefinitionDraft::network},
                    std::pair{Key::kRootfsWrites, &DefinitionDraft::rootfs_writes},
                    std::pair{Key::kSeccomp, &DefinitionDraft::seccomp},
                    std::pair{Key::kRestart, &DefinitionDraft::restart},
                    std::pair{Key::kAutostart, &DefinitionDraft::autostart});

// Writes the keys of a draft in the order of definition_keys(). Values from
// images are double-quoted, so that whatever they hold stays one string,
// and escaped, so that the loader takes them literally ('%h' in an image's
// environment is not your home directory).
class DraftWriter {
 public:
  explicit DraftWriter(const DefinitionDraft& d) : d_(d) {}

  std::string write() {
    out_ << YAML::BeginMap;
    for (const auto& spec : definition_keys()) write_key(spec.key);
    out_ << YAML::EndMap;
    return out_.c_str();
  }

 private:
  using Special = void (DraftWriter::*)(Key);
  static const std::pair<Key, Special> kSpecial[];

  void write_key(Key k);

  template <Named E>
  void name(Key k, Key key, const std::optional<E>& value) {
    if (key == k && value) key_of(k) << YAML::DoubleQuoted << to_string(*value);
  }

  YAML::Emitter& key_of(Key k) { return out_ << YAML::Key << key_name(k) << YAML::Value; }

  void sequence(YAML::Emitter& out, const std::vector<std::string>& v, bool quoted) {
    out << YAML::Flow << YAML::BeginSeq;
    for (const auto& s : v) {
      if (quoted) {
        out << YAML::DoubleQuoted << escape_expansion(s);
      } else {
        out << s;
      }
    }
    out << YAML::EndSeq;
  }

  // NAME: value pairs, in a block or a flow ({...}) mapping.
  template <typename Pairs>
  void mapping(Key k, const Pairs& entries, bool flow, bool quoted) {
    if (entries.empty()) return;
    key_of(k);
    if (flow) out_ << YAML::Flow;
    out_ << YAML::BeginMap;
    for (const auto& [n, v] : entries) {
      out_ << YAML::Key << n << YAML::Value;
      if (quoted) {
        out_ << YAML::DoubleQuoted << escape_expansion(v);
      } else {
        out_ << v;
      }
    }
    out_ << YAML::EndMap;
  }

  void env(Key k) { mapping(k, d_.env, false, true); }
  void rlimits(Key k) { mapping(k, d_.rlimits, false, true); }
  void namespaces(Key k) { mapping(k, d_.namespaces, true, false); }
  void resources(Key k) { mapping(k, d_.resources, true, false); }

  void stop(Key k) {
    std::vector<std::pair<std::string, std::string>> stop;
    if (!d_.stop_signal.empty()) stop.emplace_back("signal", d_.stop_signal);
    if (!d_.stop_timeout.empty()) stop.emplace_back("timeout", d_.stop_timeout);
    mapping(k, stop, true, false);
  }

  void mounts(Key k) {
    if (d_.mounts.empty()) return;
    key_of(k) << YAML::BeginSeq;
    for (const auto& m : d_.mounts) {
      out_ << YAML::Flow << YAML::BeginMap;
      out_ << YAML::Key << "type" << YAML::Value << to_string(m.type);
      if (!m.source.empty())
        out_ << YAML::Key << "source" << YAML::Value << YAML::DoubleQuoted
             << escape_expansion(m.source);
      out_ << YAML::Key << "target" << YAML::Value << YAML::DoubleQuoted
           << escape_expansion(m.target);
      if (m.readonly) out_ << YAML::Key << "readonly" << YAML::Value << true;
      if (!m.size.empty()) out_ << YAML::Key << "size" << YAML::Value << m.size;
      if (!m.mode.empty())
        out_ << YAML::Key << "mode" << YAML::Value << YAML::DoubleQuoted << m.mode;
      out_ << YAML::EndMap;
    }
    out_ << YAML::EndSeq;
  }

  void capabilities(Key k) {
    if (d_.cap_add.empty() && d_.cap_drop.empty()) return;
    key_of(k) << YAML::BeginMap;
    for (const auto& [n, caps] : {std::pair{"add", &d_.cap_add}, std::pair{"drop", &d_.cap_drop}})
      if (!caps->empty()) sequence(out_ << YAML::Key << n << YAML::Value, *caps, false);
    out_ << YAML::EndMap;
  }

  const DefinitionDraft& d_;
  YAML::Emitter out_;
};

const std::pair<Key, DraftWriter::Special> DraftWriter::kSpecial[] = {
    {Key::kEnv, &DraftWriter::env},
    {Key::kRlimits, &DraftWriter::rlimits},
    {Key::kNamespaces, &DraftWriter::namespaces},
    {Key::kMounts, &DraftWriter::mounts},
    {Key::kCapabilities, &DraftWriter::capabilities},
    {Key::kStop, &DraftWriter::stop},
    {Key::kResources, &DraftWriter::resources},
};

void DraftWriter::write_key(Key k) {
  for (const auto& [key, field] : kScalars)
    if (key == k && !(d_.*field).empty())
      key_of(k) << YAML::DoubleQuoted << escape_expansion(d_.*field);
  for (const auto& [key, field] : kLists)
    if (key == k && !(d_.*field).empty()) sequence(key_of(k), d_.*field, true);
  std::apply([&](const auto&... entry) { (name(k, entry.first, d_.*entry.second), ...); },
             kNamedKeys);
  for (const auto& [key, special] : kSpecial)
    if (key == k) (this->*special)(k);
}

}  // namespace

std::string to_yaml(const DefinitionDraft& d, const std::vector<std::string>& header) {
  std::string text;
  for (const auto& h : header) text += h.empty() ? "#\n" : "# " + h + "\n";
  text += DraftWriter(d).write();
  text += "\n";
  return text;
}

}  // namespace box::image
