// The two things box says to systemd without D-Bus: readiness and status to
// the service manager (the sd_notify protocol) and structured log entries to
// the journal (the journal's native protocol). Both are datagrams on a unix
// socket whose format systemd documents as a stable interface for
// independent implementations (sd_notify(3) "NOTES"; systemd.io
// JOURNAL_NATIVE_PROTOCOL), and this is that: libsystemd is not loaded.
// Loading it for two sendmsg() calls cost every box-run under systemd about
// 1 ms and 140 KiB of private memory (relocating libsystemd and libgcrypt,
// liblzma, libzstd, liblz4...), most of a supervisor's own footprint.
#pragma once

#include <string>

namespace box::systemd_api {

// sd_notify(0, state) to `socket`, the service manager's $NOTIFY_SOCKET
// (a path, or "@name" for an abstract socket) as the caller read it: > 0
// when sent, 0 for an empty `socket`, -errno when it could not be sent.
int notify(const std::string& socket, const std::string& state);

// One journal entry with these fields; -errno when it could not be sent
// (no journal socket: the caller writes to stderr instead).
int journal_send(const std::string& message, int priority, const std::string& identifier,
                 const std::string& box_name, const std::string& user_unit);

// The datagram journal_send() sends (native protocol).
std::string journal_entry(const std::string& message, int priority, const std::string& identifier,
                          const std::string& box_name, const std::string& user_unit);

}  // namespace box::systemd_api
