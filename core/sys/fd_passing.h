// Passing one descriptor over a Unix socket (SCM_RIGHTS) with a one-byte
// message: the container's child hands the supervisor its FUSE connection,
// `boxctl enter` hands the caller the container's terminal.
#pragma once

#include <sys/types.h>

namespace box {

// Sends the byte `tag` with `fd` attached, retrying on EINTR, never raising
// SIGPIPE. Returns 1, or -1 with errno set. Async-signal-safe: children
// between clone and exec use it.
ssize_t send_fd(int socket, int fd, char tag = 0);

// Receives one byte and at most one descriptor (close-on-exec), retrying on
// EINTR. Returns what recvmsg did (1, 0 at end of file, -1 with errno);
// `*fd` is the descriptor, or -1 when the message carried none.
ssize_t receive_fd(int socket, int* fd, char* tag = nullptr);

}  // namespace box
