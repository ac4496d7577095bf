// The capability sets a box starts from, by name (docs/definitions.md,
// `capabilities`): the run plan turns them into numbers, `boxctl generate
// kube` writes them out. Pure.
#pragma once

#include <span>

namespace box {

// What container runtimes grant by default (podman's and docker's set):
// enough for a root process to manage files and drop to other users,
// nothing that reaches the kernel's wider state. All are relative to the
// user namespace, never the host.
std::span<const char* const> default_capabilities();

// What an inner systemd (`init: systemd`, which starts from every
// capability) does not get unless its definition adds it.
std::span<const char* const> capabilities_not_for_systemd();

}  // namespace box
