// Which cgroup controllers the user manager can give its units: MemoryMax=,
// TasksMax= and CPUWeight= do nothing without them (systemd accepts the
// settings and silently skips them), e.g. on a hybrid-cgroup host where the
// cgroup2 tree has no controllers. The generator warns instead.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace box::generator {

// The user manager's cgroup ("/user.slice/.../user@1000.service") from the
// text of /proc/self/cgroup of a process inside it; nullopt when the
// process is not under a user@UID.service.
std::optional<std::string> user_manager_cgroup(std::string_view proc_self_cgroup);

// "cpu memory pids\n" -> {"cpu", "memory", "pids"}.
std::set<std::string> parse_controllers(std::string_view cgroup_controllers);

// The live answer for this process; nullopt when it cannot tell.
std::optional<std::set<std::string>> user_manager_controllers();

}  // namespace box::generator
