#include "core/runtime/network.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "core/sys/child_wait.h"
#include "core/sys/find_program.h"
#include "core/sys/spawn.h"

namespace box {
namespace {

// pasta configures a namespace in well under 100 ms; this bounds a helper
// that hangs instead of failing.
constexpr int kReadyTimeoutMs = 10'000;
constexpr int kApiTimeoutMs = 5'000;
constexpr int kStopGraceMs = 500;

int remaining_ms(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// Sends one request over the slirp4netns API socket and returns its answer.
Result<std::string> api_call(const std::string& socket_path, const std::string& request) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Error::from_errno("create a socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, socket_path.c_str());  // length checked by the caller
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return Error::from_errno("connect to '" + socket_path + "'");
  for (std::size_t done = 0; done < request.size();) {
    ssize_t n = ::send(fd.get(), request.data() + done, request.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("send to '" + socket_path + "'");
    done += static_cast<std::size_t>(n);
  }
  // slirp4netns answers once the request is complete.
  ::shutdown(fd.get(), SHUT_WR);
  std::string reply;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kApiTimeoutMs);
  for (;;) {
    pollfd p{fd.get(), POLLIN, 0};
    int r = ::poll(&p, 1, remaining_ms(deadline));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Error::from_errno("wait for slirp4netns");
    if (r == 0)
      return Error("slirp4netns did not answer within " + std::to_string(kApiTimeoutMs / 1000) +
                   " s");
    char buf[1024];
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("read from '" + socket_path + "'");
    if (n == 0) return reply;
    reply.append(buf, static_cast<std::size_t>(n));
    if (reply.size() > 64 * 1024) return Error("slirp4netns answered too much");
  }
}

}  // namespace

Result<void> check_tun_device(const std::string& device) {
  // Both helpers create the container's interface through this device, as
  // us: it must be open to users (udev's default rules make it 0666).
  int fd = ::open(device.c_str(), O_RDWR | O_CLOEXEC);
  if (fd >= 0) {
    ::close(fd);
    return {};
  }
  const int err = errno;
  std::string hint;
  if (err == EACCES || err == EPERM) {
    struct stat st {};
    char mode[8] = "?";
    std::string owner = "?";
    if (::stat(device.c_str(), &st) == 0) {
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
      owner = st.st_uid == 0 ? "root" : "uid " + std::to_string(st.st_uid);
    }
    hint = " (mode " + std::string(mode) + ", owner " + owner +
           ", and it does not open for reading and writing as you; udev's default rules make it "
           "0666: 'chmod 0666 " +
           device + "' as root)";
  } else if (err == ENOENT || err == ENODEV || err == ENXIO) {
    hint = " (load the tun module: 'modprobe tun' as root)";
  }
  return Error::from_errno("private networking needs '" + device + "'" + hint, err);
}

Result<std::optional<NetworkHelperSpec>> find_network_helper(const std::string& pref,
                                                             const std::string& path,
                                                             const std::string& tun_device) {
  auto tun = check_tun_device(tun_device);
  if (!tun) return tun.error();
  if (!pref.empty() && pref.front() == '/') {
    // An explicit program; its name says which command line it takes.
    const std::string base = pref.substr(pref.rfind('/') + 1);
    NetworkHelperSpec spec{NetworkHelperKind::kPasta, pref};
    if (base.find("slirp4netns") != std::string::npos) {
      spec.kind = NetworkHelperKind::kSlirp4netns;
    } else if (base.find("pasta") == std::string::npos) {
      return Error("BOX_NETWORK_HELPER='" + pref +
                   "': cannot tell whether it is pasta or slirp4netns (its name must contain one)");
    }
    if (::access(pref.c_str(), X_OK) != 0)
      return Error::from_errno("BOX_NETWORK_HELPER='" + pref + "'");
    return std::optional<NetworkHelperSpec>(spec);
  }
  if (!pref.empty() && pref != "pasta" && pref != "slirp4netns")
    return Error("BOX_NETWORK_HELPER='" + pref +
                 "': expected pasta, slirp4netns or the absolute path of one of them");
  for (auto kind : {NetworkHelperKind::kPasta, NetworkHelperKind::kSlirp4netns}) {
    if (!pref.empty() && pref != to_string(kind)) continue;
    std::string program = find_program(to_string(kind), path);
    if (!program.empty()) return std::optional<NetworkHelperSpec>(NetworkHelperSpec{kind, program});
  }
  return std::optional<NetworkHelperSpec>();
}

Result<NetworkHelper> NetworkHelper::start(const NetworkHelperSpec& spec,
                                           const std::string& api_socket, pid_t pid,
                                           const std::vector<PortMapping>& ports) {
  const std::string name = to_string(spec.kind);
  // Everything the child needs is prepared here: after fork it only moves
  // descriptors and execs.
  std::vector<std::string> requests;
  if (spec.kind == NetworkHelperKind::kSlirp4netns && !api_socket.empty()) {
    for (const auto& p : ports) {
      auto request = slirp4netns_hostfwd_request(p);
      if (!request) return request.error();
      requests.push_back(std::move(*request));
    }
    const std::string dir = api_socket.substr(0, api_socket.rfind('/'));
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
      return Error::from_errno("create '" + dir + "'");
    ::unlink(api_socket.c_str());  // one left by a supervisor that was killed
  }
  std::vector<std::string> args = spec.kind == NetworkHelperKind::kPasta
                                      ? pasta_argv(spec.program, pid, ports)
                                      : slirp4netns_argv(spec.program, pid, api_socket);

  int ready_fds[2], exit_fds[2] = {-1, -1};
  if (::pipe2(ready_fds, O_CLOEXEC) != 0) return Error::from_errno("create a pipe for " + name);
  UniqueFd ready_read(ready_fds[0]), ready_write(ready_fds[1]);
  UniqueFd exit_read, exit_write;
  if (spec.kind == NetworkHelperKind::kSlirp4netns) {
    if (::pipe2(exit_fds, O_CLOEXEC) != 0) return Error::from_errno("create a pipe for " + name);
    exit_read.reset(exit_fds[0]);
    exit_write.reset(exit_fds[1]);
  }
  // Its own session: a Ctrl-C at `box-run run`'s terminal is for the
  // container, which the supervisor forwards it to, not for the helper.
  // stdin is /dev/null; stdout joins stderr (ours: the unit's journal) so
  // nothing mixes into a `box-run run` command's output. It dies with the
  // supervisor, however that ends.
  SpawnSpec child_spec;
  child_spec.argv = args;
  child_spec.new_session = true;
  child_spec.stdout_fd = STDERR_FILENO;
  child_spec.pass_fds = {ready_write.get()};  // kHelperReadyFd
  if (exit_read.valid()) child_spec.pass_fds.push_back(exit_read.get());  // kHelperExitFd
  static_assert(kHelperReadyFd == 3 && kHelperExitFd == 4, "pass_fds are numbered from 3");
  auto spawned = spawn(child_spec);
  if (!spawned) return spawned.error().wrap("start " + name);
  const pid_t child = *spawned;

  NetworkHelper helper;
  helper.kind_ = spec.kind;
  helper.process_ = OwnedChild(child, kStopGraceMs);
  helper.exit_fd_ = std::move(exit_write);
  ready_write.reset();
  exit_read.reset();

  // Ready: pasta writes its PID file, slirp4netns writes to --ready-fd.
  // EOF first means it exited (its message is on stderr above ours).
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kReadyTimeoutMs);
  auto failed = [&](const std::string& why) {
    helper.stop();
    return Error(name + " (" + spec.program + ") " + why);
  };
  for (;;) {
    pollfd p{ready_read.get(), POLLIN, 0};
    int r = ::poll(&p, 1, remaining_ms(deadline));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Error::from_errno("wait for " + name);
    if (r == 0)
      return failed("did not configure the network within " +
                    std::to_string(kReadyTimeoutMs / 1000) + " s");
    char buf[64];
    ssize_t n = ::read(ready_read.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n > 0) break;
    // EOF: it closed the pipe, normally by exiting.
    int status = 0;
    if (wait_for_exit(child, kStopGraceMs, &status)) {
      helper.process_.reaped();
      return failed(describe_status(status) + " before the network was configured");
    }
    return failed("closed its readiness pipe without configuring the network");
  }

  for (std::size_t i = 0; i < requests.size(); ++i) {
    const PortMapping& p = ports[i];
    const std::string what = "publish port " + (p.host_ip.empty() ? "" : p.host_ip + ":") +
                             std::to_string(p.host_port) + ":" + std::to_string(p.container_port) +
                             "/" + p.protocol + " through slirp4netns";
    auto reply = api_call(api_socket, requests[i]);
    Result<void> ok = reply ? check_slirp4netns_reply(*reply) : Result<void>(reply.error());
    if (!ok) {
      ::unlink(api_socket.c_str());
      helper.stop();
      return ok.error().wrap(what);
    }
  }
  // Nothing else may change the box's ports: the socket goes (slirp4netns
  // keeps serving what it already has).
  if (!api_socket.empty()) ::unlink(api_socket.c_str());
  return helper;
}

std::string NetworkHelper::reaped(int status) {
  process_.reaped();
  exit_fd_.reset();
  return std::string("network helper ") + to_string(kind_) + " " + describe_status(status) +
         ": the container has no network any more";
}

void NetworkHelper::stop() {
  exit_fd_.reset();  // slirp4netns quits on EOF by itself
  process_.stop();
}

}  // namespace box
