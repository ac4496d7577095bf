// `boxctl install docker://REF`: box does not talk to registries itself
// (DESIGN.md); skopeo copies the image into an OCI layout, which is then
// installed as any `oci:DIR:TAG` is. The reference is passed to skopeo as
// it was given, so what skopeo makes of it (registries.conf's aliases,
// mirrors, insecure registries, credentials) is what the user gets.
#pragma once

#include <string>
#include <vector>

#include "core/sys/result.h"

namespace box::install {

inline constexpr const char* kRegistryPrefix = "docker://";

// "docker://REF"?
bool is_registry_source(const std::string& source);

// The container name a reference suggests: its last path component, its
// tag or digest dropped ("docker://docker.io/library/redis:7" -> "redis").
std::string name_from_reference(const std::string& source);

// What skopeo is run with: `skopeo copy SOURCE oci:LAYOUT:latest`.
std::vector<std::string> skopeo_copy_argv(const std::string& skopeo, const std::string& source,
                                          const std::string& layout);

// Copies `source` ("docker://REF") into the OCI layout `layout` (a new
// directory) with the skopeo found in `path` ($PATH's form), skopeo's
// progress lines on our stderr. An error says that skopeo is missing (and
// which package has it) or that the copy failed, with skopeo's exit status.
// `cancel_fd` (boxctl's signalfd of ^C, SIGTERM, SIGHUP; -1: none): once it
// is readable, skopeo is sent SIGTERM and reaped, and the error says the
// pull was cancelled. The fd is not read: the caller sees what came.
Result<void> pull_with_skopeo(const std::string& source, const std::string& layout,
                              const std::string& path, int cancel_fd = -1);

}  // namespace box::install
