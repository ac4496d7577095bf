// How the generator tells the user about a definition. A user generator's
// stderr is the user manager's: on a normal host that is user@UID.service's
// journal stream (system journal, tagged "systemd"); on box's test bed it is
// a systemd-cat stream. Neither is where someone looks for "why is my box
// missing". So messages about a definition go to the journal natively, with
// SYSLOG_IDENTIFIER=box-user-generator (journalctl --user -t
// box-user-generator) and USER_UNIT=box@NAME.service, which makes them part
// of that unit's log: `systemctl --user status box@NAME` shows them.
#pragma once

#include <string>

#include "generator/generator.h"

namespace box::generator {

enum class ReportTo {
  kJournal,  // run by systemd: native journal entries (stderr if the journal is unreachable)
  kStderr,   // run by hand, --dry-run, or stderr is a terminal
};

// Logs everything in `v` worth telling: the error of a skipped definition,
// warnings, overrides and masks.
void report_verdict(const Verdict& v, ReportTo to);

// A message not about one definition (bad arguments, an output dir that
// cannot be written).
void report_error(const std::string& message, ReportTo to);

}  // namespace box::generator
