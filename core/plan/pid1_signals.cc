#include "core/plan/pid1_signals.h"

#include <signal.h>

#include <string>

namespace box {

DefaultAction default_action(int sig) {
  switch (sig) {
    case SIGQUIT:
    case SIGILL:
    case SIGTRAP:
    case SIGABRT:
    case SIGBUS:
    case SIGFPE:
    case SIGSEGV:
    case SIGXCPU:
    case SIGXFSZ:
    case SIGSYS:
      return DefaultAction::kCoreDump;
    case SIGCHLD:
    case SIGURG:
    case SIGWINCH:
      return DefaultAction::kIgnore;
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
      return DefaultAction::kStop;
    case SIGCONT:
      return DefaultAction::kContinue;
    default:
      // SIGHUP, SIGINT, SIGKILL, SIGUSR1/2, SIGPIPE, SIGALRM, SIGTERM,
      // SIGSTKFLT, SIGIO, SIGPROF, SIGVTALRM, SIGPWR and every real-time
      // signal.
      return DefaultAction::kTerminate;
  }
}

namespace {

bool parse_hex(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 16) return false;
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return false;
    v = v << 4 | static_cast<uint64_t>(d);
  }
  out = v;
  return true;
}

}  // namespace

Result<SignalMasks> parse_signal_masks(std::string_view text) {
  SignalMasks m;
  int found = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = line.substr(0, colon), value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == '\t' || value.front() == ' ')) value.remove_prefix(1);
    uint64_t* slot = key == "SigBlk"   ? &m.blocked
                     : key == "SigIgn" ? &m.ignored
                     : key == "SigCgt" ? &m.caught
                                       : nullptr;
    if (!slot) continue;
    if (!parse_hex(value, *slot))
      return Error("malformed " + std::string(key) + " line: '" + std::string(line) + "'");
    ++found;
  }
  if (found != 3) return Error("no SigBlk, SigIgn and SigCgt lines");
  return m;
}

Pid1Fate pid1_fate(const SignalMasks& masks, int sig) {
  if (sig < 1 || sig > 64) return Pid1Fate::kNoEffect;
  const uint64_t bit = uint64_t{1} << (sig - 1);
  // SIGKILL and SIGSTOP from an ancestor namespace always reach init.
  if (sig == SIGKILL || sig == SIGSTOP) return Pid1Fate::kDelivered;
  if ((masks.caught | masks.blocked) & bit) return Pid1Fate::kDelivered;
  if (masks.ignored & bit) return Pid1Fate::kNoEffect;
  const DefaultAction action = default_action(sig);
  return action == DefaultAction::kTerminate || action == DefaultAction::kCoreDump
             ? Pid1Fate::kDropped
             : Pid1Fate::kNoEffect;
}

}  // namespace box
