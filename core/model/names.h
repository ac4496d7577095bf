// Names people give to containers and images, and the host name a
// container gets by default. Names become unit instance names
// (box@NAME.service), file and directory names, so they are restricted to
// characters that need no escaping anywhere. Pure.
//
// A name part is letters, digits, '-', '_', '.', starts with a letter or
// digit, and is at most 64 characters long. Where each shape is allowed:
// - a container: a plain name ("etcd", from etcd.yaml) or an instance of a
//   template ("web@blue": web@.yaml with ${instance} = "blue");
// - an image (`image:`, `boxctl install`'s name, which names the image as
//   well as the definition) and a template's base ("web" of web@.yaml): a
//   plain name only, as nothing instantiates them.
#pragma once

#include <optional>
#include <string>

#include "core/sys/result.h"

namespace box {

inline constexpr std::size_t kMaxNamePart = 64;

// Ok, or what is wrong with `name` as a container name, starting with the
// name: "container name 'a@b@c' has more than one '@' ...".
Result<void> check_container_name(const std::string& name);

// Ok, or what is wrong with `name` as a plain name (no '@'). `what` starts
// the message: "image name" gives "image name 'x@y' cannot contain '@' ...".
Result<void> check_plain_name(const std::string& name, const std::string& what);

bool is_valid_container_name(const std::string& name);
bool is_valid_plain_name(const std::string& name);

struct ContainerName {
  std::string base;      // "web"
  std::string instance;  // "blue"; empty for a plain name
};

// The parts of a valid container name; nullopt for an invalid one.
std::optional<ContainerName> split_container_name(const std::string& name);

// Linux's limit on a host name (HOST_NAME_MAX); also what the `hostname`
// key accepts.
inline constexpr std::size_t kMaxHostname = 64;

// Letters, digits, '-' and '.', at most kMaxHostname, not starting with
// '-' or '.' (what `hostname:` accepts).
bool is_valid_hostname(const std::string& hostname);
// The same, with what is wrong: "'-x' is not a valid host name (letters, ...)".
Result<void> check_hostname(const std::string& hostname);

// The host name of a container whose definition sets none: its name made
// into one DNS label (RFC 1123), so that resolvers and tools that check
// host names accept it: '@' (of an instance), '_' and '.' become '-', and
// the result is cut to 63 characters with no '-' at its end.
// "etcd" -> "etcd", "web@blue" -> "web-blue", "my_db.v2" -> "my-db-v2".
std::string default_hostname(const std::string& container_name);

// The unit of a container: "box@NAME.service" (NAME needs no escaping).
std::string unit_name(const std::string& container);

// The container a unit name belongs to ("box@NAME.service" -> "NAME");
// nullopt for any other unit.
std::optional<std::string> container_of_unit(const std::string& unit);

// The unit of a pod: "box-pod@NAME.service"; and back (nullopt for any
// other unit).
std::string pod_unit_name(const std::string& pod);
std::optional<std::string> pod_of_unit(const std::string& unit);

}  // namespace box
