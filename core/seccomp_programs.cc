#include "seccomp_programs.h"

namespace box {
namespace {
#include "seccomp_programs.inc"

SeccompProgram from(const sock_filter* begin, std::size_t n) {
  return SeccompProgram{std::vector<sock_filter>(begin, begin + n)};
}
}  // namespace

const SeccompProgram& default_seccomp_program(const SeccompOptions& options) {
  static const SeccompProgram plain =
      from(kDefaultFilter, sizeof kDefaultFilter / sizeof kDefaultFilter[0]);
  static const SeccompProgram with_userns = from(
      kDefaultFilterWithUserns, sizeof kDefaultFilterWithUserns / sizeof kDefaultFilterWithUserns[0]);
  return options.allow_user_namespaces ? with_userns : plain;
}

}  // namespace box
