#include "core/runtime/bus_proxy.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <optional>
#include <utility>

#include "core/plan/bus_proxy_plan.h"
#include "core/runtime/proxy_root.h"
#include "core/sys/spawn.h"

namespace box {
namespace {

// xdg-dbus-proxy listens within milliseconds; this bounds one that hangs.
constexpr int kReadyTimeoutMs = 10'000;
constexpr int kStopGraceMs = 500;

// mkdir -p of the parents of `dir` (0700: the user's runtime dir's
// children), then `dir` itself.
Result<void> make_private_dir(const std::string& dir) {
  for (std::size_t slash = dir.find('/', 1); slash != std::string::npos;
       slash = dir.find('/', slash + 1)) {
    const std::string parent = dir.substr(0, slash);
    if (::mkdir(parent.c_str(), 0700) != 0 && errno != EEXIST)
      return Error::from_errno("create '" + parent + "'");
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return Error::from_errno("create '" + dir + "'");
  return {};
}

}  // namespace

BusProxy::BusProxy(BusProxy&& other) noexcept
    : process_(std::move(other.process_)),
      keep_alive_(std::move(other.keep_alive_)),
      dir_(std::exchange(other.dir_, {})),
      root_dir_(std::exchange(other.root_dir_, {})),
      sockets_(std::exchange(other.sockets_, {})) {}

Result<BusProxy> BusProxy::start(const RunPlan& plan) {
  BusProxy proxy;
  proxy.dir_ = plan.bus_proxy_dir;
  auto made = make_private_dir(proxy.dir_);
  if (!made) return made.error().wrap("prepare the bus proxy's directory");
  for (const auto& bus : plan.buses) {
    // One left by a box-run that was killed: the proxy would not bind over it.
    ::unlink(bus.socket.c_str());
    proxy.sockets_.push_back(bus.socket);
  }

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Error::from_errno("create a pipe for xdg-dbus-proxy");
  UniqueFd ready_read(fds[0]), ready_write(fds[1]);
  // Its own session, stdin /dev/null, stdout into stderr (the unit's
  // journal); it dies with the supervisor.
  SpawnSpec spec;
  spec.argv = bus_proxy_argv(plan.bus_proxy, plan.buses);
  // app_id: the proxy in a root of its own with /.flatpak-info, where the
  // portal looks for the caller it serves (proxy_root.h).
  std::optional<ProxyRoot> root;
  if (!plan.app_info.empty()) {
    proxy.root_dir_ = proxy.dir_ + "/root";
    auto prepared = prepare_proxy_root(proxy.root_dir_, plan.app_info);
    if (!prepared) return prepared.error().wrap("prepare the bus proxy's root");
    root = std::move(*prepared);
    spec.prepare = [&root](SpawnChild& child) { return enter_proxy_root(*root, child); };
  }
  spec.new_session = true;
  spec.stdout_fd = STDERR_FILENO;
  spec.pass_fds = {ready_write.get()};
  static_assert(kBusProxyReadyFd == 3, "pass_fds are numbered from 3");
  auto spawned = spawn(spec);
  if (!spawned) return spawned.error().wrap("start xdg-dbus-proxy");
  proxy.process_ = OwnedChild(*spawned, kStopGraceMs);
  ready_write.reset();

  auto failed = [&](const std::string& why) {
    proxy.stop();
    return Error("xdg-dbus-proxy (" + plan.bus_proxy + ") " + why);
  };
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kReadyTimeoutMs);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{ready_read.get(), POLLIN, 0};
    int r = ::poll(&p, 1, left.count() > 0 ? static_cast<int>(left.count()) : 0);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Error::from_errno("wait for xdg-dbus-proxy");
    if (r == 0)
      return failed("did not listen within " + std::to_string(kReadyTimeoutMs / 1000) + " s");
    char byte;
    ssize_t n = ::read(ready_read.get(), &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n == 1) break;
    // End of file: it exited (its own message is in the journal above).
    int status = 0;
    if (wait_for_exit(proxy.process_.pid(), kStopGraceMs, &status)) {
      proxy.process_.reaped();
      return failed(describe_status(status) + " before it listened");
    }
    return failed("closed its --fd without listening");
  }
  // Whoever the box runs as inside may be any of the user's mapped ids: the
  // socket is open to all, the directory (0700) to the user alone, and the
  // box reaches the socket through its bind only.
  for (const auto& socket : proxy.sockets_)
    if (::chmod(socket.c_str(), 0666) != 0)
      return failed(Error::from_errno("chmod '" + socket + "'").message());
  proxy.keep_alive_ = std::move(ready_read);
  return proxy;
}

std::string BusProxy::reaped(int status) {
  process_.reaped();
  return "bus proxy xdg-dbus-proxy " + describe_status(status) +
         ": the box has no message bus any more";
}

void BusProxy::stop() {
  keep_alive_.reset();  // xdg-dbus-proxy quits when its --fd closes
  process_.stop();
  for (const auto& socket : sockets_) ::unlink(socket.c_str());
  sockets_.clear();
  if (!root_dir_.empty()) ::rmdir(root_dir_.c_str());
  root_dir_.clear();
  if (!dir_.empty()) ::rmdir(dir_.c_str());
  dir_.clear();
}

}  // namespace box
