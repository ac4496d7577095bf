#include "core/model/value_parsers.h"

#include <arpa/inet.h>
#include <signal.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <limits>
#include <utility>

namespace box {
namespace {

bool all_digits(const std::string& s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

const std::pair<const char*, int> kSignals[] = {
    {"SIGHUP", SIGHUP},       {"SIGINT", SIGINT},   {"SIGQUIT", SIGQUIT},     {"SIGILL", SIGILL},
    {"SIGTRAP", SIGTRAP},     {"SIGABRT", SIGABRT}, {"SIGBUS", SIGBUS},       {"SIGFPE", SIGFPE},
    {"SIGKILL", SIGKILL},     {"SIGUSR1", SIGUSR1}, {"SIGSEGV", SIGSEGV},     {"SIGUSR2", SIGUSR2},
    {"SIGPIPE", SIGPIPE},     {"SIGALRM", SIGALRM}, {"SIGTERM", SIGTERM},     {"SIGCHLD", SIGCHLD},
    {"SIGCONT", SIGCONT},     {"SIGSTOP", SIGSTOP}, {"SIGTSTP", SIGTSTP},     {"SIGTTIN", SIGTTIN},
    {"SIGTTOU", SIGTTOU},     {"SIGURG", SIGURG},   {"SIGXCPU", SIGXCPU},     {"SIGXFSZ", SIGXFSZ},
    {"SIGVTALRM", SIGVTALRM}, {"SIGPROF", SIGPROF}, {"SIGWINCH", SIGWINCH},   {"SIGIO", SIGIO},
    {"SIGPWR", SIGPWR},       {"SIGSYS", SIGSYS},   {"SIGSTKFLT", SIGSTKFLT},
};

constexpr Choice<int> kRlimits[] = {
    {"as", RLIMIT_AS},           {"core", RLIMIT_CORE},         {"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},       {"fsize", RLIMIT_FSIZE},       {"locks", RLIMIT_LOCKS},
    {"memlock", RLIMIT_MEMLOCK}, {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE},   {"nproc", RLIMIT_NPROC},       {"rss", RLIMIT_RSS},
    {"rtprio", RLIMIT_RTPRIO},   {"rttime", RLIMIT_RTTIME},     {"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},
};

}  // namespace

bool is_ip_address(const std::string& text) {
  unsigned char buf[16];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

Result<uint64_t> parse_number(const std::string& text, uint64_t max) {
  if (!all_digits(text) || text.size() > 20)
    return Error("expected a non-negative number, found '" + text + "'");
  uint64_t v = 0;
  for (char c : text) {
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10)
      return Error("'" + text + "' is too large");
    v = v * 10 + d;
  }
  if (v > max) return Error("'" + text + "' is larger than " + std::to_string(max));
  return v;
}

Result<uint64_t> parse_size(const std::string& text) {
  // K, M, G, T: 1024 to the power of the suffix's place here.
  static const std::string kSuffixes = "KMGT";
  std::string digits = text;
  uint64_t factor = 1;
  const auto place = text.empty() ? std::string::npos
                                  : kSuffixes.find(static_cast<char>(
                                        std::toupper(static_cast<unsigned char>(text.back()))));
  if (place != std::string::npos) {
    factor = 1ULL << (10 * (place + 1));
    digits.pop_back();
  }
  auto n = parse_number(digits, std::numeric_limits<uint64_t>::max() / factor);
  if (!n)
    return Error("expected a size such as 512M (K, M, G, T: powers of 1024), found '" + text + "'");
  return *n * factor;
}

Result<uint64_t> parse_duration_usec(const std::string& text) {
  static const std::pair<const char*, uint64_t> kUnits[] = {
      {"ms", 1000ULL}, {"s", 1000000ULL}, {"min", 60000000ULL}, {"h", 3600000000ULL}};
  std::string digits = text;
  uint64_t factor = 1000000ULL;  // plain number: seconds, as systemd reads it
  for (const auto& [suffix, f] : kUnits) {
    std::size_t n = std::strlen(suffix);
    if (text.size() > n && text.compare(text.size() - n, n, suffix) == 0 &&
        std::isdigit(static_cast<unsigned char>(text[text.size() - n - 1]))) {
      digits = text.substr(0, text.size() - n);
      factor = f;
      break;
    }
  }
  auto v = parse_number(digits, std::numeric_limits<uint64_t>::max() / factor);
  if (!v) return Error("expected a duration such as 10s, 500ms, 2min or 1h, found '" + text + "'");
  return *v * factor;
}

Result<int> parse_signal(const std::string& text, std::string* canonical) {
  auto set = [&](int sig) -> Result<int> {
    if (canonical) *canonical = signal_name(sig);
    return sig;
  };
  const std::string rt_count = std::to_string(SIGRTMAX - SIGRTMIN);
  const std::string usage = "use a name such as SIGTERM, TERM or SIGRTMIN+3 (RTMIN+3), or a number";
  if (text.empty()) return Error("no signal given (" + usage + ")");
  if (all_digits(text)) {
    auto n = parse_number(text, 1000);
    if (n && *n >= 1 && *n < static_cast<uint64_t>(SIGRTMIN) && *n > 31)
      return Error("signal " + text + " is reserved by the C library (realtime signals are " +
                   std::to_string(SIGRTMIN) + " to " + std::to_string(SIGRTMAX) + ")");
    if (n && *n >= 1 && *n <= static_cast<uint64_t>(SIGRTMAX)) return set(static_cast<int>(*n));
    return Error("'" + text + "' is not a signal number (1 to 31, or " + std::to_string(SIGRTMIN) +
                 " to " + std::to_string(SIGRTMAX) + ")");
  }
  std::string s = upper(text);
  if (s.rfind("SIG", 0) != 0) s = "SIG" + s;
  for (const auto& [name, num] : kSignals)
    if (s == name) return set(num);
  for (const char* base : {"SIGRTMIN", "SIGRTMAX"}) {
    const std::size_t n = std::strlen(base);
    if (s.compare(0, n, base) != 0) continue;
    const bool is_min = base[6] == 'I';
    if (s.size() == n) return set(is_min ? SIGRTMIN : SIGRTMAX);
    const char op = s[n];
    if (op != (is_min ? '+' : '-'))
      return Error("'" + text + "': count up from SIGRTMIN (SIGRTMIN+N) or down from SIGRTMAX " +
                   "(SIGRTMAX-N), N from 0 to " + rt_count);
    const std::string digits = s.substr(n + 1);
    auto off = all_digits(digits) ? parse_number(digits, 1000) : Result<uint64_t>(Error(""));
    if (!off) return Error("'" + text + "': expected a number after '" + op + "'");
    if (*off > static_cast<uint64_t>(SIGRTMAX - SIGRTMIN))
      return Error("'" + text + "' is outside the realtime signals: N goes from 0 to " + rt_count +
                   " in " + (is_min ? "SIGRTMIN+N" : "SIGRTMAX-N"));
    return set(is_min ? SIGRTMIN + static_cast<int>(*off) : SIGRTMAX - static_cast<int>(*off));
  }
  return Error("unknown signal '" + text + "' (" + usage + ")");
}

std::string signal_name(int sig) {
  for (const auto& [name, num] : kSignals)
    if (num == sig) return name;
  // systemd's spelling, which KillSignal= accepts.
  if (sig >= SIGRTMIN && sig <= SIGRTMAX) return "SIGRTMIN+" + std::to_string(sig - SIGRTMIN);
  return std::to_string(sig);
}

Result<unsigned> parse_mode(const std::string& text) {
  if (text.empty() || text.size() > 4 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '7'; }))
    return Error("expected an octal mode such as \"0755\", found '" + text + "'");
  return static_cast<unsigned>(std::stoul(text, nullptr, 8));
}

Result<PortMapping> parse_port(const std::string& text) {
  const std::string usage =
      "expected \"[IP:]HOSTPORT:CONTAINERPORT[/tcp|/udp]\", found '" + text + "'";
  PortMapping p;
  std::string rest = text;
  auto slash = rest.rfind('/');
  if (slash != std::string::npos) {
    p.protocol = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (p.protocol != "tcp" && p.protocol != "udp") return Error(usage);
  }
  // The IP part may be bracketed IPv6 ("[::1]:8080:80").
  std::string ip;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string::npos || close + 1 >= rest.size() || rest[close + 1] != ':')
      return Error(usage);
    ip = rest.substr(1, close - 1);
    rest = rest.substr(close + 2);
  } else if (std::count(rest.begin(), rest.end(), ':') == 2) {
    ip = rest.substr(0, rest.find(':'));
    rest = rest.substr(rest.find(':') + 1);
  }
  if (!ip.empty()) {
    if (!is_ip_address(ip))
      return Error("'" + ip + "' is not an IP address in port '" + text + "'");
    p.host_ip = ip;
  }
  auto colon = rest.find(':');
  if (colon == std::string::npos) return Error(usage);
  auto host = parse_number(rest.substr(0, colon), 65535);
  auto cont = parse_number(rest.substr(colon + 1), 65535);
  if (!host || !cont || *host == 0 || *cont == 0) return Error(usage);
  // Rootless: the host side is bound by the user, who cannot bind below 1024.
  if (*host < 1024)
    return Error("host port " + std::to_string(*host) +
                 " is privileged (below 1024) and cannot be bound without root; publish on a "
                 "port of 1024 or more (the container port may stay below 1024)");
  p.host_port = static_cast<uint16_t>(*host);
  p.container_port = static_cast<uint16_t>(*cont);
  return p;
}

Result<std::string> canonical_capability(const std::string& text) {
  std::string s = upper(text);
  if (s.rfind("CAP_", 0) != 0) s = "CAP_" + s;
  cap_value_t v;
  std::string lower = s;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (cap_from_name(lower.c_str(), &v) != 0 || v < 0)
    return Error("unknown capability '" + text + "'");
  return s;
}

Result<int> rlimit_resource(const std::string& name) {
  const Choices<int> table = kRlimits;
  auto r = parse_choice(table, name);
  if (!r)
    return Error("unknown resource limit '" + name + "' (known: " + choice_names(table) + ")");
  return r;
}

Result<std::pair<uint64_t, uint64_t>> parse_rlimit(const std::string& text) {
  auto one = [](const std::string& t) -> Result<uint64_t> {
    if (t == "unlimited" || t == "infinity") return std::numeric_limits<uint64_t>::max();
    return parse_number(t, std::numeric_limits<uint64_t>::max() - 1);
  };
  auto colon = text.find(':');
  auto soft = one(text.substr(0, colon));
  auto hard = colon == std::string::npos ? soft : one(text.substr(colon + 1));
  if (!soft || !hard)
    return Error("expected N, \"unlimited\" or \"SOFT:HARD\", found '" + text + "'");
  if (*soft > *hard) return Error("the soft limit is above the hard limit in '" + text + "'");
  return std::pair{*soft, *hard};
}

Result<std::pair<uint32_t, uint32_t>> parse_user_ids(const std::string& text) {
  auto colon = text.find(':');
  auto uid = parse_number(text.substr(0, colon), 0xfffffffe);
  auto gid = colon == std::string::npos ? uid : parse_number(text.substr(colon + 1), 0xfffffffe);
  if (!uid || !gid) return Error("expected \"UID:GID\" or \"UID\" (numbers), found '" + text + "'");
  return std::pair{static_cast<uint32_t>(*uid), static_cast<uint32_t>(*gid)};
}

Result<void> check_inside_path(const std::string& path) {
  if (path.empty() || path.front() != '/')
    return Error("expected an absolute path inside the container, found '" + path + "'");
  std::size_t start = 0;
  while (start < path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (path.compare(start, end - start, "..") == 0)
      return Error("'..' is not allowed in '" + path + "'");
    start = end + 1;
  }
  return {};
}

Result<std::string> capability_or_all(const std::string& text) {
  if (text == "ALL" || text == "all") return std::string("ALL");
  return canonical_capability(text);
}

std::string rlimit_name(int resource) {
  for (const auto& [n, r] : kRlimits)
    if (r == resource) return n;
  return std::to_string(resource);
}

}  // namespace box
