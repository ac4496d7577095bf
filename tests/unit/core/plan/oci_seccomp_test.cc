// The config's seccomp profile, compiled by libseccomp: what podman and
// containerd write is accepted; a wrong field is named.
#include <gtest/gtest.h>

#include "core/plan/oci_seccomp.h"

namespace box::oci {
namespace {

TEST(OciSeccomp, CompilesAnAllowListWithArgumentsAndUnknownNames) {
  auto c = compile_oci_seccomp(R"({
    "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
    "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
    "syscalls": [
      {"names": ["read", "write", "exit_group", "not_a_syscall_anywhere"], "action": "SCMP_ACT_ALLOW"},
      {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]},
      {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}
    ]})");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_GT(c->program.instructions.size(), 10u);
  ASSERT_EQ(c->notes.size(), 1u);
  EXPECT_NE(c->notes[0].find("'not_a_syscall_anywhere' is unknown"), std::string::npos);
}

TEST(OciSeccomp, WrongFieldsAreNamed) {
  EXPECT_EQ(compile_oci_seccomp(R"({"defaultAction": "SCMP_ACT_NOPE"})").error().message(),
            "'linux.seccomp.defaultAction': unknown action 'SCMP_ACT_NOPE'");
  EXPECT_EQ(compile_oci_seccomp(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 7, "value": 0, "op": "SCMP_CMP_EQ"}]}]})")
                .error()
                .message(),
            "'linux.seccomp.syscalls[0].args[0].index': expected 0 to 5");
  EXPECT_EQ(compile_oci_seccomp(R"({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_Z80"]})")
                .error()
                .message(),
            "'linux.seccomp.architectures[0]': unknown architecture 'SCMP_ARCH_Z80'");
  EXPECT_NE(compile_oci_seccomp(R"({"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/x"})")
                .error()
                .message()
                .find("listenerPath"),
            std::string::npos);
}

}  // namespace
}  // namespace box::oci
