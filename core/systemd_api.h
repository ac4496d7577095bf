// libsystemd, loaded on first use. box-run's fast path (`box-run run`) never
// talks to a service manager or the journal, and linking libsystemd would
// make every start pay for loading and relocating it and its dependencies
// (libgcrypt, liblzma, libzstd, liblz4...): most of a run's startup cost.
#pragma once

#include <string>

namespace box::systemd_api {

// sd_notify(0, state); no-op (returns 0) without $NOTIFY_SOCKET or without
// libsystemd.
int notify(const std::string& state);

// sd_journal_send with these fields; returns <0 when it could not send.
int journal_send(const std::string& message, int priority, const std::string& identifier,
                 const std::string& box_name, const std::string& user_unit);

}  // namespace box::systemd_api
