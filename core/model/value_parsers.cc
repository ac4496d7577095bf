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

namespace {

// systemd.time(7)'s units, as systemd 252 spells them; a month is 30.44
// days and a year 365.25 days, as there.
constexpr uint64_t kUsecPerSec = 1'000'000ULL;
constexpr Choice<uint64_t> kTimeUnits[] = {
    {"usec", 1ULL},
    {"us", 1ULL},
    {"\u00b5s", 1ULL},  // MICRO SIGN
    {"\u03bcs", 1ULL},  // GREEK SMALL LETTER MU
    {"msec", 1000ULL},
    {"ms", 1000ULL},
    {"seconds", kUsecPerSec},
    {"second", kUsecPerSec},
    {"sec", kUsecPerSec},
    {"s", kUsecPerSec},
    {"minutes", 60 * kUsecPerSec},
    {"minute", 60 * kUsecPerSec},
    {"min", 60 * kUsecPerSec},
    {"m", 60 * kUsecPerSec},
    {"hours", 3600 * kUsecPerSec},
    {"hour", 3600 * kUsecPerSec},
    {"hr", 3600 * kUsecPerSec},
    {"h", 3600 * kUsecPerSec},
    {"days", 86400 * kUsecPerSec},
    {"day", 86400 * kUsecPerSec},
    {"d", 86400 * kUsecPerSec},
    {"weeks", 604800 * kUsecPerSec},
    {"week", 604800 * kUsecPerSec},
    {"w", 604800 * kUsecPerSec},
    {"months", 2629800 * kUsecPerSec},
    {"month", 2629800 * kUsecPerSec},
    {"M", 2629800 * kUsecPerSec},
    {"years", 31557600 * kUsecPerSec},
    {"year", 31557600 * kUsecPerSec},
    {"y", 31557600 * kUsecPerSec},
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
// A unit is letters (and the UTF-8 bytes of the micro sign).
bool is_unit_char(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80;
}

}  // namespace

Result<uint64_t> parse_duration_usec(const std::string& text, Infinity infinity) {
  const std::string example = " (such as 10s, 1min 30s, 500ms, 1.5h)";
  std::size_t first = 0, last = text.size();
  while (first < last && is_space(text[first])) ++first;
  while (last > first && is_space(text[last - 1])) --last;
  const std::string trimmed = text.substr(first, last - first);
  if (trimmed.empty()) return Error("expected a duration" + example + ", found nothing");
  if (trimmed == "infinity") {
    if (infinity == Infinity::kAllowed) return kInfiniteDuration;
    return Error("'infinity' is not a duration here: give a finite one" + example);
  }
  const auto bad = [&](const std::string& why) {
    return Error("'" + text + "' is not a duration: " + why);
  };
  const uint64_t kMax = std::numeric_limits<uint64_t>::max() - 1;  // the last is infinity
  const auto add = [&](uint64_t& total, uint64_t v) {
    if (total > kMax - v) return false;
    total += v;
    return true;
  };
  uint64_t total = 0;
  std::size_t i = 0;
  while (i < trimmed.size()) {
    if (trimmed[i] == '-') return bad("a duration cannot be negative");
    const bool point_first =
        trimmed[i] == '.' && i + 1 < trimmed.size() && is_digit(trimmed[i + 1]);  // ".5s"
    if (!is_digit(trimmed[i]) && !point_first) {
      std::size_t end = i;
      while (end < trimmed.size() && !is_space(trimmed[end]) && !is_digit(trimmed[end])) ++end;
      return bad("expected a number, found '" + trimmed.substr(i, end - i) + "'");
    }
    // NUMBER[.FRACTION] [UNIT]; spaces between parts and between terms.
    std::size_t int_end = i;
    while (int_end < trimmed.size() && is_digit(trimmed[int_end])) ++int_end;
    const std::string whole = trimmed.substr(i, int_end - i);
    std::string fraction;
    std::size_t at = int_end;
    if (at < trimmed.size() && trimmed[at] == '.') {
      ++at;
      while (at < trimmed.size() && is_digit(trimmed[at])) fraction += trimmed[at++];
      if (fraction.empty()) return bad("expected digits after '" + whole + ".'");
    }
    while (at < trimmed.size() && is_space(trimmed[at])) ++at;
    std::size_t unit_end = at;
    while (unit_end < trimmed.size() && is_unit_char(trimmed[unit_end])) ++unit_end;
    const std::string unit = trimmed.substr(at, unit_end - at);
    uint64_t factor = kUsecPerSec;  // a number without a unit is seconds, as systemd reads it
    if (!unit.empty()) {
      auto found = parse_choice(Choices<uint64_t>(kTimeUnits), unit);
      if (!found) return bad("unknown unit '" + unit + "' (use us, ms, s, min, h, d, w, M or y)");
      factor = *found;
    }
    if (unit_end < trimmed.size() && !is_space(trimmed[unit_end]) &&
        !is_digit(trimmed[unit_end]))
      return bad("unexpected '" + trimmed.substr(unit_end, 1) + "' after '" +
                 trimmed.substr(i, unit_end - i) + "'");
    const std::string term = trimmed.substr(i, unit_end - i);
    auto n = whole.empty() ? Result<uint64_t>(0) : parse_number(whole, kMax / factor);
    if (!n || !add(total, *n * factor))
      return bad("'" + term + "' is too long (at most 584542 years)");
    // The fraction, to the microsecond; finer digits are dropped, as
    // systemd drops them.
    uint64_t place = factor / 10;
    for (char c : fraction) {
      if (place == 0) break;
      if (!add(total, static_cast<uint64_t>(c - '0') * place))
        return bad("'" + term + "' is too long (at most 584542 years)");
      place /= 10;
    }
    i = unit_end;
    while (i < trimmed.size() && is_space(trimmed[i])) ++i;
  }
  return total;
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

std::optional<std::string> port_published_twice(const std::vector<PortMapping>& ports,
                                                const PortMapping& port) {
  for (const auto& other : ports)
    if (other.host_port == port.host_port && other.protocol == port.protocol &&
        other.host_ip == port.host_ip)
      return "host port " + std::to_string(port.host_port) + "/" + port.protocol +
             " is published twice";
  return std::nullopt;
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
