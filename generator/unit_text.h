// Definition -> systemd unit text. Pure: same definition, same bytes; no
// file system, no environment. docs/generator.md lists what each key becomes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/definition.h"
#include "core/model/pod.h"
#include "core/model/names.h"  // unit_name

namespace box::generator {

// Contents of box@NAME.service.d/50-box.conf.
std::string dropin_text(const Definition& def);

// Contents of box-pod@NAME.service.d/50-box.conf for `pod` and its
// `members` (the boxes whose `pod:` names it, sorted).
std::string pod_dropin_text(const PodDefinition& pod, const std::vector<std::string>& members);

// Where autostart links box@NAME.service, relative to the generator dir:
// "default.target.wants" (login), "graphical-session.target.wants"
// (session), "" (no).
std::string autostart_wants_dir(Autostart autostart);

// A user manager has no network-online.target of its own (systemd 252 ships
// none for --user), so a box that asks for the network also orders after
// this unit, which waits for the system manager's network-online.target.
inline constexpr const char* kNetworkOnlineWaitUnit = "box-network-online.service";
std::string network_online_wait_unit_text();

// A value as systemd reads it back for Description= and SourcePath=: '%'
// doubled (specifiers), control characters as '?', an odd run of trailing
// backslashes made even (a line continuation otherwise).
std::string escape_unit_value(const std::string& value);

// 10000000 -> "10s", 90000000 -> "90s", 600000000 -> "10min": the largest
// unit that divides the value exactly, as systemd parses it back;
// kInfiniteDuration -> "infinity".
std::string format_timespan(uint64_t usec);

// 536870912 -> "512M": the largest 1024-power suffix that divides exactly.
std::string format_bytes(uint64_t bytes);

}  // namespace box::generator
