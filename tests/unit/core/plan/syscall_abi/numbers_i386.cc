// The i386 numbers (see syscall_numbers.h): this header and no other.
#include <asm/unistd_32.h>

#include "tests/unit/core/plan/syscall_abi/syscall_numbers.h"

#define BOX_STR(x) #x
#define BOX_XSTR(x) BOX_STR(x)
#define BOX_SYSCALL(name) add_syscall_number(out, #name, BOX_XSTR(__NR_##name));

namespace box::testing {

SyscallNumbers i386_syscall_numbers() {
  SyscallNumbers out;
#include "tests/unit/core/plan/syscall_abi/syscall_names.def"
  return out;
}

}  // namespace box::testing
