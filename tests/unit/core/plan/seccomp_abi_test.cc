// Every rule of the default seccomp filter, tried for real through each
// entry point a 64-bit process has into the kernel: the x86-64 `syscall`
// instruction, the i386 one (`int $0x80`, which 64-bit processes may use on
// kernels with IA32 emulation), and x32 (`syscall` with __X32_SYSCALL_BIT in
// the number, which the filter sees even where the kernel has no x32 ABI).
// A filter that covered only one architecture would let the call through
// the others.
//
// How a denial is told from the kernel's own refusal: each call is made in
// a child that first loads a probe filter answering exactly that (ABI,
// number) with an errno no call returns (kProbe), then box's filter. Filters
// run newest first and the first of the highest precedence wins, so the
// call comes back with EPERM when box's filter denies it and with kProbe
// when box's filter lets it through; nothing is ever executed. The control,
// the probe alone, must answer kProbe for every call: the call did enter
// through that ABI with that number (the probe matched both), so a filter
// that let it pass would be seen.
#include <errno.h>
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "core/plan/seccomp_filter.h"
#include "core/plan/seccomp_programs.h"
#include "tests/unit/core/plan/syscall_abi/syscall_numbers.h"

namespace box {
namespace {
using testing::SyscallNumbers;

// An errno no system call returns by itself (the largest SECCOMP_RET_ERRNO
// accepts is 4095; an exit status holds 255).
constexpr int kProbe = 222;

enum class Abi { kX86_64, kI386, kX32 };
const char* abi_name(Abi abi) {
  return abi == Abi::kX86_64 ? "x86-64" : abi == Abi::kI386 ? "i386" : "x32";
}

struct Args {
  long a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0;
};

// The raw entry points: the return value is -errno on failure.
long syscall_64(long nr, const Args& a) {
  long ret;
  register long r10 asm("r10") = a.a3;
  register long r8 asm("r8") = a.a4;
  asm volatile("syscall"
               : "=a"(ret)
               : "a"(nr), "D"(a.a0), "S"(a.a1), "d"(a.a2), "r"(r10), "r"(r8)
               : "rcx", "r11", "memory");
  return ret;
}

long syscall_int80(long nr, const Args& a) {
  long ret;
  // i386 arguments: ebx, ecx, edx, esi, edi. The compat entry may not keep
  // r8-r11 for a 64-bit caller.
  asm volatile("int $0x80"
               : "=a"(ret)
               : "a"(nr), "b"(a.a0), "c"(a.a1), "d"(a.a2), "S"(a.a3), "D"(a.a4)
               : "r8", "r9", "r10", "r11", "memory");
  return static_cast<int>(ret);  // eax, sign-extended
}

long call(Abi abi, long nr, const Args& a) {
  return abi == Abi::kI386 ? syscall_int80(nr, a) : syscall_64(nr, a);
}

// A filter answering kProbe to exactly this call: (arch, nr). x32 calls
// come in as AUDIT_ARCH_X86_64 with the x32 bit in the number.
std::vector<sock_filter> probe_filter(Abi abi, long nr) {
  const uint32_t arch = abi == Abi::kI386 ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64;
  return {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nr), 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | kProbe),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
}

// The errno the call came back with in a child under the probe and, unless
// null, box's `filter`; 0 when it succeeded (it never should), -SIG when
// the child was killed by SIG, -1000 when a filter could not be loaded.
int answer(Abi abi, long nr, const Args& args, const SeccompProgram* filter) {
  std::vector<sock_filter> probe = probe_filter(abi, nr);
  pid_t pid = fork();
  if (pid == 0) {
    sock_fprog fprog{static_cast<unsigned short>(probe.size()), probe.data()};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(250);
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) != 0) _exit(251);
    if (filter && load_seccomp(*filter) != 0) _exit(252);
    long r = call(abi, nr, args);
    _exit(r < 0 && r > -256 ? static_cast<int>(-r) : 0);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return -2000;
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  const int code = WEXITSTATUS(status);
  return code >= 250 && code <= 252 ? -1000 : code;
}

std::string describe(int e) {
  if (e == kProbe) return "let through (the probe answered)";
  if (e == EPERM) return "EPERM";
  if (e == ENOSYS) return "ENOSYS";
  if (e == -1000) return "a filter did not load";
  if (e < 0) return "killed by signal " + std::to_string(-e);
  return "errno " + std::to_string(e);
}

// One call to make, and what box's filter must answer in a variant.
struct Case {
  std::string name;  // as in syscall_names.def
  std::string what;  // "keyctl", "socket(AF_VSOCK)"
  Args args;
  int (*expected)(const SeccompOptions&);
};

int denied(const SeccompOptions&) { return EPERM; }
int allowed(const SeccompOptions&) { return kProbe; }
int denied_with_shared_pids(const SeccompOptions& o) { return o.deny_ptrace ? EPERM : kProbe; }
int denied_without_userns(const SeccompOptions& o) {
  return o.allow_user_namespaces ? kProbe : EPERM;
}
int absent_without_userns(const SeccompOptions& o) {
  return o.allow_user_namespaces ? kProbe : ENOSYS;
}

std::vector<Case> cases() {
  std::vector<Case> out;
  for (std::string_view name : default_denied_syscalls())
    out.push_back({std::string(name), std::string(name), {}, denied});
  for (const char* name :
       {"ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "process_madvise"})
    out.push_back({name, name, {}, denied_with_shared_pids});
  // The rules that look at an argument: the denied value, and a neighbour
  // the filter lets through.
  out.push_back({"ioctl", "ioctl(TIOCSTI)", {0, TIOCSTI}, denied});
  out.push_back({"ioctl", "ioctl(TIOCSTI | 1<<32)", {0, (1L << 32) | TIOCSTI}, denied});
  out.push_back({"ioctl", "ioctl(TCGETS)", {0, TCGETS}, allowed});
  out.push_back({"socket", "socket(AF_VSOCK)", {AF_VSOCK, SOCK_STREAM}, denied});
  out.push_back({"socket", "socket(AF_ALG)", {AF_ALG, SOCK_SEQPACKET}, denied});
  out.push_back({"socket", "socket(AF_UNIX)", {AF_UNIX, SOCK_STREAM}, allowed});
  out.push_back({"unshare", "unshare(CLONE_NEWUSER)", {CLONE_NEWUSER}, denied_without_userns});
  out.push_back({"unshare", "unshare(CLONE_NEWUTS)", {CLONE_NEWUTS}, allowed});
  out.push_back(
      {"clone", "clone(CLONE_NEWUSER)", {CLONE_NEWUSER | SIGCHLD}, denied_without_userns});
  out.push_back({"clone", "clone(SIGCHLD)", {SIGCHLD}, allowed});
  out.push_back({"clone3", "clone3", {}, absent_without_userns});
  // A call no rule names: every ABI's calls still pass (x32 included: the
  // filter knows that architecture and does not kill on it).
  out.push_back({"getpid", "getpid", {}, allowed});
  return out;
}

struct AbiTable {
  Abi abi;
  SyscallNumbers numbers;
};

std::vector<AbiTable> abis() {
  return {{Abi::kX86_64, testing::x86_64_syscall_numbers()},
          {Abi::kI386, testing::i386_syscall_numbers()},
          {Abi::kX32, testing::x32_syscall_numbers()}};
}

// The table of calls covers the filter's: a call added to the filter and
// not here would go untested.
TEST(SeccompAbi, EveryDeniedCallIsInTheTable) {
  const auto names = testing::abi_test_syscall_names();
  const std::set<std::string> listed(names.begin(), names.end());
  for (std::string_view name : default_denied_syscalls())
    EXPECT_TRUE(listed.count(std::string(name)))
        << name << " is denied but not in tests/unit/core/plan/syscall_abi/syscall_names.def";
  // And every name is a call of at least one ABI (a typo would be absent
  // from all three headers and silently never tried).
  const auto tables = abis();
  for (const auto& name : names) {
    bool somewhere = false;
    for (const auto& t : tables) somewhere = somewhere || t.numbers.count(name);
    EXPECT_TRUE(somewhere) << name << " is in no ABI's header";
  }
  // What the headers say, checked on a few well-known numbers.
  EXPECT_EQ(tables[0].numbers.at("keyctl"), 250);
  EXPECT_EQ(tables[1].numbers.at("keyctl"), 288);
  EXPECT_EQ(tables[2].numbers.at("keyctl"), 0x40000000 | 250);
  EXPECT_EQ(tables[1].numbers.at("vm86"), 166);
  EXPECT_EQ(tables[0].numbers.count("vm86"), 0u);
}

// The control: with the probe alone, every call of every ABI reaches a
// filter with its own architecture and number.
TEST(SeccompAbi, EveryCallReachesAFilterThroughEachAbi) {
  int tried = 0;
  for (const auto& t : abis())
    for (const auto& c : cases()) {
      auto nr = t.numbers.find(c.name);
      if (nr == t.numbers.end()) continue;
      ++tried;
      EXPECT_EQ(answer(t.abi, nr->second, c.args, nullptr), kProbe)
          << abi_name(t.abi) << " " << c.what << " (" << nr->second << ") did not reach the probe";
    }
  EXPECT_GT(tried, 3 * 30);
}

// Box's filter, each variant, each ABI: EPERM (or ENOSYS for clone3) where
// a rule applies, through untouched where none does.
TEST(SeccompAbi, TheFilterAnswersEveryRuleOnEveryAbi) {
  const auto tables = abis();
  const auto all = cases();
  for (int v = 0; v < kSeccompVariants; ++v) {
    const SeccompOptions options = seccomp_variant_options(v);
    const SeccompProgram& filter = default_seccomp_program(options);
    for (const auto& t : tables)
      for (const auto& c : all) {
        auto nr = t.numbers.find(c.name);
        if (nr == t.numbers.end()) continue;
        const int want = c.expected(options);
        const int got = answer(t.abi, nr->second, c.args, &filter);
        EXPECT_EQ(got, want) << "variant " << v << " (user namespaces "
                             << (options.allow_user_namespaces ? "allowed" : "denied")
                             << ", ptrace " << (options.deny_ptrace ? "denied" : "allowed")
                             << "): " << abi_name(t.abi) << " " << c.what << " (" << nr->second
                             << "): " << describe(got) << ", expected " << describe(want);
      }
  }
}

}  // namespace
}  // namespace box
