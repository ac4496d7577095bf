// The definition language's names, each spelled once: every top-level key
// (its name and what it holds) and one table of the names the keys that
// take a name take. As quadlet keeps its keys in one table, everything
// that speaks the language reads these: the loader dispatches on Key and
// parses names through the tables (a bad name's error lists the table),
// `box-run run` parses its options' values through them, the installers'
// DefinitionDraft writes the key names from here, to_string() gives the
// names for messages and unit files, and the docs tests check
// docs/definitions.md and box.yaml(5) against definition_keys(). Pure.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "core/sys/result.h"

namespace box {

// The values of the keys that take a name (docs/definitions.md).
enum class InitMode { kNone, kTiny, kSystemd };
enum class UsernsMode { kAuto, kSingle, kKeepId };
enum class NetworkMode { kHost, kNone, kPrivate };
enum class RootfsWrites { kOverlay, kPersistent, kReadonly, kDirect };
// Who mounts the overlay of rootfs_writes overlay/persistent: the kernel, with
// fuse-overlayfs where the kernel refuses (auto); or only one of them.
enum class OverlayDriver { kAuto, kKernel, kFuse };
enum class SeccompMode { kDefault, kUnconfined };
enum class Autostart { kNo, kLogin, kSession };
enum class RestartPolicy { kNo, kOnFailure, kOnAbnormal, kOnAbort, kAlways };
enum class MountType { kBind, kTmpfs, kDir, kSymlink, kFile };  // a mount's `type`

// One name of a table and what it stands for.
template <typename T>
struct Choice {
  const char* name = nullptr;
  T value{};
};
template <typename T>
using Choices = std::span<const Choice<T>>;

// The enums that have names.
using NamedValue = std::variant<InitMode, UsernsMode, NetworkMode, RootfsWrites, OverlayDriver,
                                SeccompMode, Autostart, RestartPolicy, MountType>;

// Every name of those enums and the value it stands for; an enum's names in
// the order the docs list them.
struct NameEntry {
  const char* name;
  NamedValue value;
};
inline constexpr NameEntry kNameTable[] = {
    {"none", InitMode::kNone},
    {"tiny", InitMode::kTiny},
    {"systemd", InitMode::kSystemd},
    {"auto", UsernsMode::kAuto},
    {"single", UsernsMode::kSingle},
    {"keep-id", UsernsMode::kKeepId},
    {"host", NetworkMode::kHost},
    {"none", NetworkMode::kNone},
    {"private", NetworkMode::kPrivate},
    {"overlay", RootfsWrites::kOverlay},
    {"persistent", RootfsWrites::kPersistent},
    {"readonly", RootfsWrites::kReadonly},
    {"direct", RootfsWrites::kDirect},
    {"auto", OverlayDriver::kAuto},
    {"kernel", OverlayDriver::kKernel},
    {"fuse", OverlayDriver::kFuse},
    {"default", SeccompMode::kDefault},
    {"unconfined", SeccompMode::kUnconfined},
    // yaml-cpp keeps a bare `no` as text (a YAML 1.1 reader would make it
    // false), so `autostart: no` and `restart: no` arrive as "no".
    {"no", Autostart::kNo},
    {"login", Autostart::kLogin},
    {"session", Autostart::kSession},
    {"no", RestartPolicy::kNo},
    {"on-failure", RestartPolicy::kOnFailure},
    {"on-abnormal", RestartPolicy::kOnAbnormal},
    {"on-abort", RestartPolicy::kOnAbort},
    {"always", RestartPolicy::kAlways},
    {"bind", MountType::kBind},
    {"tmpfs", MountType::kTmpfs},
    {"dir", MountType::kDir},
    {"symlink", MountType::kSymlink},
    {"file", MountType::kFile},
};

template <typename E, typename Variant>
inline constexpr bool kAlternativeOf = false;
template <typename E, typename... Ts>
inline constexpr bool kAlternativeOf<E, std::variant<Ts...>> = (std::is_same_v<E, Ts> || ...);

// An enum with names; for any other type choices() does not compile.
template <typename E>
concept Named = kAlternativeOf<E, NamedValue>;

// E's part of kNameTable, as a table of its own (made at compile time).
template <Named E>
inline constexpr auto kChoicesOf = [] {
  constexpr std::size_t count = [] {
    std::size_t n = 0;
    for (const auto& entry : kNameTable) n += std::holds_alternative<E>(entry.value);
    return n;
  }();
  std::array<Choice<E>, count> table{};
  std::size_t i = 0;
  // holds_alternative and get, not get_if: with -fsanitize=undefined, g++ 12
  // cannot evaluate get_if's null-pointer check in a constant expression.
  for (const auto& entry : kNameTable)
    if (std::holds_alternative<E>(entry.value)) table[i++] = {entry.name, std::get<E>(entry.value)};
  return table;
}();

template <Named E>
constexpr Choices<E> choices() {
  return kChoicesOf<E>;
}

// `namespaces:` maps each of these kinds to private (true: a namespace of
// the container's own) or host (false); `box-run run --share KIND` makes
// one host. (NamespaceChoice is in definition.h.)
struct NamespaceChoice;
Choices<bool NamespaceChoice::*> namespace_kinds();  // pid, ipc, uts, cgroup
Choices<bool> namespace_states();                    // private, host

// "none, tiny, systemd": the names of a table, for messages and docs;
// `last` goes before the last name ("none, tiny or systemd").
template <typename T>
std::string choice_names(Choices<T> table, std::string_view separator = ", ",
                         std::string_view last = {}) {
  std::string out;
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (i > 0) out += (i + 1 == table.size() && !last.empty()) ? last : separator;
    out += table[i].name;
  }
  return out;
}

// The value a name stands for, or "expected one of none, tiny, systemd,
// found 'sysv'".
template <typename T>
Result<T> parse_choice(Choices<T> table, std::string_view text) {
  for (const auto& c : table)
    if (text == c.name) return c.value;
  return Error("expected one of " + choice_names(table) + ", found '" + std::string(text) + "'");
}

// The name of a value; "?" for one the table does not have.
template <typename T>
const char* choice_name(Choices<T> table, const T& value) {
  for (const auto& c : table)
    if (c.value == value) return c.name;
  return "?";
}

// The same for the enums, by their type.
template <Named E>
const char* to_string(E value) {
  return choice_name(choices<E>(), value);
}
template <Named E>
Result<E> parse_choice(std::string_view text) {
  return parse_choice(choices<E>(), text);
}
template <Named E>
std::string choice_names(std::string_view separator = ", ", std::string_view last = {}) {
  return choice_names(choices<E>(), separator, last);
}

// Every top-level key of a definition.
enum class Key {
  kDescription,
  kRootfs,
  kImage,
  kCommand,
  kInit,
  kUser,
  kGroups,
  kKeepGroups,
  kUserns,
  kEnv,
  kWorkdir,
  kHostname,
  kUmask,
  kRlimits,
  kNamespaces,
  kNetwork,
  kPorts,
  kDns,
  kPod,
  kRootfsWrites,
  kOverlayDriver,
  kMounts,
  kDevices,
  kCapabilities,
  kSeccomp,
  kNotify,
  kRestart,
  kStop,
  kAutostart,
  kAfter,
  kRequires,
  kNetworkOnline,
  kResources,
  kSession,
  kSessionBus,
  kSystemBus,
  kAppId,
};

inline constexpr std::size_t kKeyCount = static_cast<std::size_t>(Key::kAppId) + 1;  // the last

struct KeySpec {
  Key key;
  std::string name;  // as written: "rootfs_writes"
  // What its value is, as the type column of docs/definitions.md says it
  // (without the markup): "list of strings"; for a key that takes a name,
  // its names: "overlay, persistent, readonly, direct".
  std::string holds;
  std::vector<std::string> names;  // the names it takes, for a key that takes one
};

// Every key, in the order docs/definitions.md lists them.
const std::vector<KeySpec>& definition_keys();
const KeySpec& key_spec(Key key);
const std::string& key_name(Key key);
std::optional<Key> find_key(std::string_view name);

}  // namespace box
