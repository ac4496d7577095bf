// One logger: stderr, with sd-daemon "<N>" priority prefixes when stderr is
// connected to the journal (systemd sets $JOURNAL_STREAM for that), so
// `systemctl --user status` shows errors as errors.
#pragma once

#include <string>

namespace box {

enum class LogLevel { kError = 3, kWarning = 4, kNotice = 5, kInfo = 6, kDebug = 7 };

void log_set_program(const char* name);
void log_message(LogLevel level, const std::string& message);

inline void log_error(const std::string& m) { log_message(LogLevel::kError, m); }
inline void log_warning(const std::string& m) { log_message(LogLevel::kWarning, m); }
inline void log_info(const std::string& m) { log_message(LogLevel::kInfo, m); }

}  // namespace box
