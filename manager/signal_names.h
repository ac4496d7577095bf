// Signal names as people type them: "TERM", "SIGTERM", "15", "RTMIN+3",
// "SIGRTMIN+3", "RTMAX-2". Pure.
#pragma once

#include <optional>
#include <string>

namespace box::manager {

std::optional<int> parse_signal(const std::string& text);

// "SIGTERM", "SIGRTMIN+3"; the number when it has no name.
std::string signal_name(int signal);

}  // namespace box::manager
