// Build-time tool: compiles the default seccomp filters with libseccomp and
// writes them as C++ arrays, so box-run loads a ready BPF program instead of
// spending most of its start-up in libseccomp.
//   box-seccomp-compile OUTPUT.inc
#include <cstdio>
#include <fstream>
#include <iostream>

#include "core/plan/seccomp_filter.h"

namespace {

bool emit(std::ostream& out, int variant) {
  auto prog = box::build_default_seccomp(box::seccomp_variant_options(variant));
  if (!prog) {
    std::cerr << "box-seccomp-compile: " << prog.error().message() << "\n";
    return false;
  }
  out << "const sock_filter kDefaultFilter" << variant << "[] = {\n";
  for (const auto& i : prog->instructions) {
    char line[96];
    std::snprintf(line, sizeof line, "    {0x%04x, %u, %u, 0x%08x},\n", i.code, i.jt, i.jf, i.k);
    out << line;
  }
  out << "};\n";
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: box-seccomp-compile OUTPUT.inc\n";
    return 2;
  }
  std::ofstream out(argv[1], std::ios::trunc);
  out << "// Generated at build time by box-seccomp-compile. Do not edit.\n";
  for (int v = 0; v < box::kSeccompVariants; ++v)
    if (!emit(out, v)) return 1;
  // Indexed by box::seccomp_variant().
  out << "const FilterArray kDefaultFilters[] = {\n";
  for (int v = 0; v < box::kSeccompVariants; ++v)
    out << "    {kDefaultFilter" << v << ", std::size(kDefaultFilter" << v << ")},\n";
  out << "};\n";
  return out ? 0 : 1;
}
