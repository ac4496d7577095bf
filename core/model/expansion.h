// What a definition's strings may name of the user and the session:
// systemd's specifiers %h (home), %t (runtime dir), %U (uid), and the
// variables ${HOME}, ${XDG_RUNTIME_DIR} and, in templates, ${instance}.
// One function, used by the loader for every string of a definition, so the
// generator and box-run (both load through it, with the context paths.h
// builds from the same environment) expand alike. Pure.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "core/sys/result.h"

namespace box {

struct ExpansionContext {
  std::string home;         // %h, ${HOME}
  std::string runtime_dir;  // %t, ${XDG_RUNTIME_DIR}; empty: not in a session
  uid_t uid = 0;            // %U
  std::string instance;     // ${instance}; empty: not a template
};

// `text` with every specifier and variable replaced. `%%` is a literal `%`
// and `$${` a literal `${`; a `%` before anything but a letter or `%`
// stays as it is ("100% sure"). Errors say which specifier or variable is
// unknown or malformed and how to write it literally; the caller adds where.
Result<std::string> expand(std::string_view text, const ExpansionContext& ctx);

// `text` written so that expand() gives it back unchanged: for strings that
// are literal (what an image says), never specifiers.
std::string escape_expansion(std::string_view text);

}  // namespace box
