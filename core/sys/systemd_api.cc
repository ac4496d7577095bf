#include "core/sys/systemd_api.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "core/sys/unique_fd.h"

namespace box::systemd_api {
namespace {

constexpr const char* kJournalSocket = "/run/systemd/journal/socket";

// "/path" or "@abstract" (systemd's spelling of a leading NUL).
bool unix_address(const char* path, sockaddr_un& addr, socklen_t& len) {
  const std::size_t n = std::strlen(path);
  if (n == 0 || n >= sizeof addr.sun_path || (path[0] != '/' && path[0] != '@')) return false;
  std::memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path, n);
  if (path[0] == '@') addr.sun_path[0] = '\0';
  len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + n + (path[0] == '@' ? 0 : 1));
  return true;
}

// One datagram to `path`; the descriptor `pass` (if >= 0) along with it.
int send_datagram(const char* path, const std::string& payload, int pass = -1) {
  sockaddr_un addr;
  socklen_t len;
  if (!unix_address(path, addr, len)) return -EINVAL;
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return -errno;
  iovec iov{const_cast<char*>(payload.data()), payload.size()};
  msghdr msg{};
  msg.msg_name = &addr;
  msg.msg_namelen = len;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  if (pass >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &pass, sizeof(int));
  }
  while (::sendmsg(fd.get(), &msg, MSG_NOSIGNAL) < 0) {
    if (errno != EINTR) return -errno;
  }
  return 1;
}

// KEY=value, or for a value with a newline the binary form: KEY, newline,
// the length as 64-bit little endian, the value, newline.
void append_field(std::string& out, const char* key, const std::string& value) {
  if (value.find('\n') == std::string::npos) {
    out.append(key).append("=").append(value).append("\n");
    return;
  }
  out.append(key).append("\n");
  std::uint64_t n = value.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out.append(value).append("\n");
}

// An entry too large for one datagram goes in a sealed memfd (the native
// protocol's way), sent alone.
int send_in_memfd(const std::string& payload) {
  UniqueFd mem(::memfd_create("box-journal", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!mem.valid()) return -errno;
  std::size_t done = 0;
  while (done < payload.size()) {
    ssize_t n = ::write(mem.get(), payload.data() + done, payload.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -errno;
    done += static_cast<std::size_t>(n);
  }
  if (::fcntl(mem.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
    return -errno;
  return send_datagram(kJournalSocket, std::string(), mem.get());
}

}  // namespace

int notify(const std::string& socket, const std::string& state) {
  if (socket.empty()) return 0;
  return send_datagram(socket.c_str(), state);
}

std::string journal_entry(const std::string& message, int priority, const std::string& identifier,
                          const std::string& box_name, const std::string& user_unit) {
  std::string entry;
  append_field(entry, "MESSAGE", message);
  append_field(entry, "PRIORITY", std::to_string(priority));
  append_field(entry, "SYSLOG_IDENTIFIER", identifier);
  append_field(entry, "BOX_NAME", box_name);
  append_field(entry, "USER_UNIT", user_unit);
  return entry;
}

int journal_send(const std::string& message, int priority, const std::string& identifier,
                 const std::string& box_name, const std::string& user_unit) {
  const std::string entry = journal_entry(message, priority, identifier, box_name, user_unit);
  int r = send_datagram(kJournalSocket, entry);
  if (r == -EMSGSIZE || r == -ENOBUFS) r = send_in_memfd(entry);
  return r;
}

}  // namespace box::systemd_api
