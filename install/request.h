// What install() and uninstall() refuse before they touch anything, told
// apart, so that a caller can answer a bad request differently from an
// install that failed (box-manager returns its own D-Bus error for each).
// install() and uninstall() make these same checks first.
#pragma once

#include <optional>
#include <string>

#include "core/sys/result.h"
#include "install/install.h"
#include "install/source.h"

namespace box::install {

enum class Refusal {
  kInvalidArgument,  // the source, the name or a --set key is malformed or names nothing
  kAlreadyExists,    // NAME is installed, or has a definition, and `replace` is off
  kNotInstalled,     // uninstall: no image installed under NAME
};

struct RequestCheck {
  std::optional<Refusal> refusal;  // set: refused, and `error` says why
  Error error;
  std::string name;  // the container name the request is for
  Source source;     // install: the source, classified

  bool ok() const { return !refusal.has_value(); }
};

// `cwd`: what a relative path in `source` is relative to; empty: a relative
// path is refused (box-manager does not know its caller's directory).
RequestCheck check_install_request(const InstallContext& ctx, const std::string& source,
                                   const InstallOptions& options, const std::string& cwd);

RequestCheck check_uninstall_request(const InstallContext& ctx, const std::string& name);

}  // namespace box::install
