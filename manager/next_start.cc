#include "manager/next_start.h"

namespace box::manager {

std::string next_start_verdict(std::uint32_t main_pid, const std::optional<StartRecord>& record,
                               bool definition_loads,
                               const std::vector<DefinitionSource>& now_sources) {
  if (main_pid == 0) return "";
  if (!definition_loads) return "fails";
  if (!record || record->pid != static_cast<pid_t>(main_pid)) return "unknown";
  return same_sources(record->sources, now_sources) ? "unchanged" : "changed";
}

}  // namespace box::manager
