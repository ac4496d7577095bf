// One logger: stderr, with sd-daemon "<N>" priority prefixes when stderr is
// connected to the journal (systemd sets $JOURNAL_STREAM for that), so
// `systemctl --user status` shows errors as errors.
#pragma once

#include <string>

namespace box {

enum class LogLevel { kError = 3, kWarning = 4, kNotice = 5, kInfo = 6, kDebug = 7 };

void log_set_program(const char* name);

// Attributes messages to a container's unit. When stderr is the journal,
// messages are then sent natively with USER_UNIT=box@NAME.service and
// BOX_NAME=NAME: `systemctl --user status` and `journalctl --user -u` match
// USER_UNIT by the sender's (kernel-supplied) uid, so a message written just
// before the process exits is still shown for the unit. journald attributes
// stream lines by reading the sender's cgroup from /proc, which fails once
// the sender is gone.
void log_set_container(const std::string& name, const std::string& unit);
void log_message(LogLevel level, const std::string& message);

inline void log_error(const std::string& m) { log_message(LogLevel::kError, m); }
inline void log_warning(const std::string& m) { log_message(LogLevel::kWarning, m); }
inline void log_info(const std::string& m) { log_message(LogLevel::kInfo, m); }

}  // namespace box
