// Looks a helper program up in a $PATH value, as execvp would, but only in
// absolute directories: a relative entry would depend on the working
// directory.
#pragma once

#include <string>

namespace box {

// The first regular, executable `dir/name` for the absolute `dir`s of
// `path` (colon-separated); empty when there is none.
std::string find_program(const std::string& name, const std::string& path);

}  // namespace box
