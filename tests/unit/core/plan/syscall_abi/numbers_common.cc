#include <cstdlib>
#include <string>
#include <vector>

#include "tests/unit/core/plan/syscall_abi/syscall_numbers.h"

namespace box::testing {

void add_syscall_number(SyscallNumbers& out, const char* name, const char* expansion) {
  const std::string text = expansion;
  if (text.rfind("__NR_", 0) == 0) return;  // not defined: the ABI has no such call
  constexpr long kX32Bit = 0x40000000;
  // "(__X32_SYSCALL_BIT + N)" in unistd_x32.h, a plain number elsewhere.
  const auto plus = text.find('+');
  const bool x32 = text.find("__X32_SYSCALL_BIT") != std::string::npos;
  const long nr =
      std::strtol(text.c_str() + (plus == std::string::npos ? 0 : plus + 1), nullptr, 10);
  out[name] = x32 ? (kX32Bit | nr) : nr;
}

std::vector<std::string> abi_test_syscall_names() {
  std::vector<std::string> names;
#define BOX_SYSCALL(name) names.push_back(#name);
#include "tests/unit/core/plan/syscall_abi/syscall_names.def"
#undef BOX_SYSCALL
  return names;
}

}  // namespace box::testing
