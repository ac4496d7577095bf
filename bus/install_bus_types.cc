#include "bus/install_bus_types.h"

#include <cstdint>
#include <optional>
#include <vector>

#include "install/image_metadata.h"

namespace box::manager {
namespace {

using install::InstalledImage;
using install::InstallOptions;
using install::kImageCounts;
using install::kImageFlags;
using install::kImageLists;
using install::kImageTexts;
using Strings = std::vector<std::string>;
using Labels = std::map<std::string, std::string>;
using Changes = std::vector<std::map<std::string, std::string>>;

// An option's key and the member it sets: each named once, here, for both
// directions. (An image's keys are image.json's: install/image_metadata.h.)
template <typename T>
struct Option {
  const char* key;
  T InstallOptions::*member;
};

constexpr Option<bool> kOptionFlags[] = {
    {"replace", &InstallOptions::replace},
    {"dry_run", &InstallOptions::dry_run},
    {"allow_autostart", &InstallOptions::allow_autostart},
};
constexpr Option<Strings> kOptionLists[] = {
    {"allow_bind", &InstallOptions::allow_binds},
    {"allow_host_file", &InstallOptions::allow_host_files},
    {"allow_host_namespace", &InstallOptions::allow_host_namespaces},
};

template <typename T>
T get(const VariantMap& m, const std::string& key, T fallback = T{}) {
  auto it = m.find(key);
  if (it == m.end() || !it->second.containsValueOfType<T>()) return fallback;
  return it->second.get<T>();
}

// The value of option `key`, which must be of type T (`what` names it).
template <typename T>
Result<T> option_value(const std::string& key, const sdbus::Variant& value, const char* what) {
  if (!value.containsValueOfType<T>())
    return Error("option '" + key + "' must be " + what + ", not '" + value.peekValueType() + "'");
  return value.get<T>();
}

// Sets the member of `table` that option `key` names, if one does.
template <typename T, std::size_t N>
std::optional<Result<void>> set_member(const Option<T> (&table)[N], const char* what,
                                       const std::string& key, const sdbus::Variant& value,
                                       InstallOptions& out) {
  for (const auto& f : table) {
    if (key != f.key) continue;
    auto v = option_value<T>(key, value, what);
    if (!v) return Result<void>(v.error());
    out.*f.member = *v;
    return Result<void>();
  }
  return std::nullopt;
}

Result<void> read_option(const std::string& key, const sdbus::Variant& value, InstallOptions& out) {
  if (auto r = set_member(kOptionFlags, "a boolean (b)", key, value, out)) return *r;
  if (auto r = set_member(kOptionLists, "a list of strings (as)", key, value, out)) return *r;
  if (key == "set") {
    auto v = option_value<Labels>(key, value, "a dictionary of strings (a{ss})");
    if (!v) return v.error();
    for (const auto& kv : *v) out.set.push_back(kv);
    return {};
  }
  if (key == "origin") {
    auto v = option_value<std::string>(key, value, "a string (s)");
    if (!v) return v.error();
    out.origin = *v;
    return {};
  }
  if (key == "max_size") {
    auto v = option_value<std::uint64_t>(key, value, "a number of bytes (t)");
    if (!v) return v.error();
    if (*v == 0) return Error("option 'max_size' must be more than 0 bytes");
    out.max_size = *v;
    return {};
  }
  return Error("unknown option '" + key +
               "' (known: replace, set, max_size, dry_run, allow_bind, allow_host_file, "
               "allow_host_namespace, allow_autostart)");
}

}  // namespace

Result<install::InstallOptions> install_options_from(const VariantMap& options) {
  InstallOptions out;
  for (const auto& [key, value] : options) {
    auto r = read_option(key, value, out);
    if (!r) return r.error();
  }
  return out;
}

VariantMap install_options_to(const install::InstallOptions& options) {
  VariantMap out;
  for (const auto& f : kOptionFlags)
    if (options.*f.member) out[f.key] = sdbus::Variant(true);
  for (const auto& f : kOptionLists)
    if (!(options.*f.member).empty()) out[f.key] = sdbus::Variant(options.*f.member);
  if (!options.set.empty()) {
    Labels set;
    for (const auto& [k, v] : options.set) set[k] = v;  // a later --set wins
    out["set"] = sdbus::Variant(set);
  }
  if (options.max_size) out["max_size"] = sdbus::Variant(std::uint64_t{options.max_size});
  if (!options.origin.empty()) out["origin"] = sdbus::Variant(options.origin);
  return out;
}

VariantMap image_info(const install::InstalledImage& m) {
  VariantMap out;
  for (const auto& f : kImageTexts) out[f.key] = sdbus::Variant(m.*f.member);
  for (const auto& f : kImageFlags) out[f.key] = sdbus::Variant(m.*f.member);
  for (const auto& f : kImageLists) out[f.key] = sdbus::Variant(m.*f.member);
  for (const auto& f : kImageCounts) out[f.key] = sdbus::Variant(m.*f.member);
  out["labels"] = sdbus::Variant(m.labels);
  Changes changes;
  for (const auto& c : m.changes)
    changes.push_back({{"kind", c.kind}, {"path", c.path}, {"detail", c.detail}});
  out["changes"] = sdbus::Variant(changes);
  return out;
}

install::InstalledImage image_from_info(const VariantMap& info) {
  InstalledImage m;
  for (const auto& f : kImageTexts) m.*f.member = get<std::string>(info, f.key);
  for (const auto& f : kImageFlags) m.*f.member = get<bool>(info, f.key);
  for (const auto& f : kImageLists) m.*f.member = get<Strings>(info, f.key);
  for (const auto& f : kImageCounts) m.*f.member = get<std::uint64_t>(info, f.key);
  m.labels = get<Labels>(info, "labels");
  for (const auto& c : get<Changes>(info, "changes")) {
    auto at = [&](const char* k) {
      auto it = c.find(k);
      return it == c.end() ? std::string() : it->second;
    };
    m.changes.push_back({at("kind"), at("path"), at("detail")});
  }
  return m;
}

}  // namespace box::manager
