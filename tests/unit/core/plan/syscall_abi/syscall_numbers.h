// System call numbers of the three x86 entry points a 64-bit process can
// use, read from the kernel's uapi headers (asm/unistd_64.h, unistd_32.h,
// unistd_x32.h), not from libseccomp: the seccomp ABI test checks the
// filter libseccomp built against the kernel's own numbering. Each header
// is compiled in a translation unit of its own, as their macros clash.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace box::testing {

// Name -> number (x32 numbers carry __X32_SYSCALL_BIT); a call the ABI does
// not have is absent. Only the names of syscall_names.def.
using SyscallNumbers = std::map<std::string, long>;
SyscallNumbers x86_64_syscall_numbers();
SyscallNumbers i386_syscall_numbers();
SyscallNumbers x32_syscall_numbers();

// The names of syscall_names.def.
std::vector<std::string> abi_test_syscall_names();

// One entry of the tables: `expansion` is what __NR_<name> expanded to in
// that header, as text ("288", "(__X32_SYSCALL_BIT + 250)"), or
// "__NR_<name>" itself where the header does not define it.
void add_syscall_number(SyscallNumbers& out, const char* name, const char* expansion);

}  // namespace box::testing
