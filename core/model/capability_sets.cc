#include "core/model/capability_sets.h"

namespace box {
namespace {

constexpr const char* kDefault[] = {
    "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FOWNER",  "CAP_FSETID",           "CAP_KILL",
    "CAP_SETGID", "CAP_SETUID",       "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_SETFCAP"};

constexpr const char* kNotForSystemd[] = {"CAP_SYS_RAWIO", "CAP_SYS_MODULE", "CAP_SYS_TIME"};

}  // namespace

std::span<const char* const> default_capabilities() { return kDefault; }
std::span<const char* const> capabilities_not_for_systemd() { return kNotForSystemd; }

}  // namespace box
