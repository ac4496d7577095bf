// The default seccomp filters, compiled at build time (seccomp_compile_main).
#pragma once

#include "core/plan/seccomp_filter.h"

namespace box {

const SeccompProgram& default_seccomp_program(const SeccompOptions& options);

}  // namespace box
