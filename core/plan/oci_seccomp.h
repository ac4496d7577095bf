// An OCI config's linux.seccomp (the runtime-spec's JSON profile, as podman
// and containerd write it) compiled with libseccomp into the BPF program
// the executor loads. Pure: no filter is loaded here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/plan/seccomp_filter.h"
#include "core/sys/result.h"

namespace box::oci {

struct CompiledSeccomp {
  SeccompProgram program;
  // Parts of the profile not honoured (names this libseccomp does not know,
  // flags), one line each.
  std::vector<std::string> notes;
};

// `json` is the value of linux.seccomp; errors name the field
// ("'linux.seccomp.syscalls[3].action': ...").
Result<CompiledSeccomp> compile_oci_seccomp(std::string_view json);

}  // namespace box::oci
