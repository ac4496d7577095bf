// Parsers for the value syntaxes definitions use (sizes, durations, signals,
// modes, ports). Pure; each returns nullopt or an error text for bad input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/model/definition.h"
#include "core/sys/result.h"

namespace box {

// "512", "64K", "512M", "2G", "1T" (powers of 1024).
Result<uint64_t> parse_size(const std::string& text);

// A time span as systemd.time(7) reads it: "10s", "500ms", "1min 30s",
// "1h30min", "1.5s", "2 weeks", "90" (a number without a unit: seconds),
// terms summed; units us, ms, s, min (m), h, d, w, M (months), y and their
// long names ("seconds", "hr", "msec"...). Returns microseconds;
// "infinity" is kInfiniteDuration where `infinity` allows it. Errors say
// which part is wrong: a unit that is unknown, a sign, a missing number, a
// sum past what 64 bits of microseconds hold.
enum class Infinity { kRefused, kAllowed };
inline constexpr uint64_t kInfiniteDuration = UINT64_MAX;  // systemd's USEC_INFINITY
Result<uint64_t> parse_duration_usec(const std::string& text, Infinity infinity = Infinity::kRefused);

// "SIGTERM", "TERM", "sigterm", "15", "SIGRTMIN+3", "RTMIN+3", "RTMAX-2".
// Returns the number; `canonical` (if not null) receives signal_name() of
// it. Errors say what is wrong: an unknown name, a number out of range, a
// realtime offset past the last one.
Result<int> parse_signal(const std::string& text, std::string* canonical = nullptr);

// "SIGTERM", "SIGRTMIN+3" (systemd's spelling, realtime signals counted from
// SIGRTMIN); the number for anything else.
std::string signal_name(int signal);

// "0755", "755", "1777": octal permission bits.
Result<unsigned> parse_mode(const std::string& text);

// "8080:80", "8080:80/udp", "127.0.0.1:8080:80/tcp", "[::1]:8080:80".
// Host ports below 1024 are refused: a rootless box cannot bind them.
Result<PortMapping> parse_port(const std::string& text);

// "host port 8080/tcp is published twice" when `ports` already publishes
// the host port (address and protocol) of `port`; nullopt otherwise.
std::optional<std::string> port_published_twice(const std::vector<PortMapping>& ports,
                                                const PortMapping& port);

bool is_ip_address(const std::string& text);  // IPv4 or IPv6

// Non-negative decimal number that fits `max`.
Result<uint64_t> parse_number(const std::string& text, uint64_t max);

// "CAP_NET_ADMIN", "net_admin", "NET_ADMIN" -> "CAP_NET_ADMIN" (known to libcap).
Result<std::string> canonical_capability(const std::string& text);

// "nofile" -> RLIMIT_NOFILE.
Result<int> rlimit_resource(const std::string& name);
// RLIMIT_NOFILE -> "nofile" (the number for one without a name).
std::string rlimit_name(int resource);

// A resource limit's value: "N", "unlimited" (or "infinity"), "SOFT:HARD";
// soft and hard, RLIM_INFINITY (all ones) for unlimited.
Result<std::pair<uint64_t, uint64_t>> parse_rlimit(const std::string& text);

// "UID:GID" or "UID" (then GID = UID), numbers below 2^32-1.
Result<std::pair<uint32_t, uint32_t>> parse_user_ids(const std::string& text);

// A path inside the container: absolute, and no '..' (a target or working
// directory must not climb out of where it is).
Result<void> check_inside_path(const std::string& path);

// "ALL" (or "all") for every capability, else canonical_capability().
Result<std::string> capability_or_all(const std::string& text);

}  // namespace box
