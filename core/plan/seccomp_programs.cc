#include "core/plan/seccomp_programs.h"

#include <array>
#include <cstddef>
#include <iterator>

namespace box {
namespace {

struct FilterArray {
  const sock_filter* instructions;
  std::size_t size;
};

#include "core/plan/seccomp_programs.inc"

static_assert(std::size(kDefaultFilters) == kSeccompVariants);

}  // namespace

const SeccompProgram& default_seccomp_program(const SeccompOptions& options) {
  static const std::array<SeccompProgram, kSeccompVariants> programs = [] {
    std::array<SeccompProgram, kSeccompVariants> all;
    for (int v = 0; v < kSeccompVariants; ++v) {
      const FilterArray& f = kDefaultFilters[v];
      all[v].instructions.assign(f.instructions, f.instructions + f.size);
    }
    return all;
  }();
  return programs[seccomp_variant(options)];
}

}  // namespace box
