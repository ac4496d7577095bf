// Private networking, the pure half: what the container's /etc/resolv.conf
// and /etc/hosts say for each network mode, and the command lines of the
// user-mode network helpers (pasta from Debian's passt package, or
// slirp4netns) that give a private network namespace its way out. No
// syscalls here; core/runtime/network.* finds, starts and stops the helper.
// docs/networking.md describes the modes and what is generated.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/model/definition.h"
#include "core/plan/run_plan.h"
#include "core/sys/result.h"

namespace box {

// The name server a private box is given, whichever helper runs:
// slirp4netns answers DNS on .3 of its 10.0.2.0/24 network, and pasta is
// told to map the same address to the host's resolver (--dns-forward), so
// the plan (and /etc/resolv.conf) does not depend on which one is installed.
inline constexpr const char* kPrivateDnsAddress = "10.0.2.3";

// Where a file descriptor the helper inherits is placed in its process.
inline constexpr int kHelperReadyFd = 3;  // pasta: its PID file; slirp4netns: --ready-fd
inline constexpr int kHelperExitFd = 4;   // slirp4netns: --exit-fd (quits on EOF)

// The error when no helper is installed (`helper`: nullopt in the facts):
// what was looked for ($BOX_NETWORK_HELPER `preference`, or both) in `path`,
// and which Debian package to install.
std::string network_helper_missing(const std::string& preference, const std::string& path);

// pasta's -t/-u value for one published port: "[ADDR/]HOST:CONTAINER".
std::string pasta_port_spec(const PortMapping& port);

// pasta attached to the network (and user) namespace of `pid`, in the
// foreground (so it stays our child and dies with us), reporting readiness
// by writing its PID to descriptor kHelperReadyFd once the namespace is
// configured. Only the given ports are forwarded: pasta's defaults would
// otherwise publish every port the container listens on (-t/-u auto) and
// let the container reach the host's loopback services (-T/-U auto).
std::vector<std::string> pasta_argv(const std::string& program, pid_t pid,
                                    const std::vector<PortMapping>& ports);

// slirp4netns attached to `pid`'s namespaces with a tap0 interface
// (10.0.2.100/24, gateway 10.0.2.2, DNS 10.0.2.3), without access to the
// host's loopback. Ports are published afterwards through its API socket
// (empty `api_socket`: no socket, for a box without ports).
std::vector<std::string> slirp4netns_argv(const std::string& program, pid_t pid,
                                          const std::string& api_socket);

// The API request that publishes one port through slirp4netns (one JSON
// object per connection). slirp4netns forwards IPv4 host addresses only.
Result<std::string> slirp4netns_hostfwd_request(const PortMapping& port);

// slirp4netns's answer to a request: {"return": {...}} or {"error": {"desc": ...}}.
Result<void> check_slirp4netns_reply(const std::string& reply);

// The generated files (content only).
std::string resolv_conf_text(NetworkMode mode, const std::vector<std::string>& dns);
std::string hosts_text(const std::string& hostname);

// Adds /etc/resolv.conf and /etc/hosts to the plan's mount steps, as the
// network mode wants them: with the host's network the host's resolv.conf
// (bound read-only; a symlink is followed on the host side) and, when the
// box has a hostname of its own, a hosts file that resolves it (else the
// host's hosts file); with a network of its own, generated files. Each step
// is skipped when the rootfs cannot take it (no /etc, or a read-only rootfs
// without the file): the image's own file then stays.
void add_network_files(NetworkMode mode, const std::vector<std::string>& dns,
                       const std::string& hostname, std::vector<MountStep>& mounts);

}  // namespace box
