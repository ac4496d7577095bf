#include "signal_names.h"

#include <csignal>
#include <cstring>

namespace box::manager {
namespace {

std::optional<int> number(const std::string& text) {
  if (text.empty() || text.size() > 3) return std::nullopt;
  int n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace

std::optional<int> parse_signal(const std::string& text) {
  if (auto n = number(text)) {
    if (*n >= 1 && *n <= SIGRTMAX) return n;
    return std::nullopt;
  }
  std::string name = text;
  for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (name.rfind("SIG", 0) == 0) name = name.substr(3);
  if (name.rfind("RTMIN", 0) == 0 || name.rfind("RTMAX", 0) == 0) {
    const bool from_min = name[4] == 'N';
    std::string rest = name.substr(5);
    int offset = 0;
    if (!rest.empty()) {
      if (rest[0] != (from_min ? '+' : '-')) return std::nullopt;
      auto n = number(rest.substr(1));
      if (!n) return std::nullopt;
      offset = *n;
    }
    int sig = from_min ? SIGRTMIN + offset : SIGRTMAX - offset;
    if (sig < SIGRTMIN || sig > SIGRTMAX) return std::nullopt;
    return sig;
  }
  for (int sig = 1; sig < SIGRTMIN; ++sig) {
    const char* abbrev = sigabbrev_np(sig);
    if (abbrev && name == abbrev) return sig;
  }
  return std::nullopt;
}

std::string signal_name(int signal) {
  if (signal >= SIGRTMIN && signal <= SIGRTMAX) {
    int off = signal - SIGRTMIN;
    return off == 0 ? "SIGRTMIN" : "SIGRTMIN+" + std::to_string(off);
  }
  const char* abbrev = sigabbrev_np(signal);
  return abbrev ? std::string("SIG") + abbrev : std::to_string(signal);
}

}  // namespace box::manager
