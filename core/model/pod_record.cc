#include "core/model/pod_record.h"

#include <algorithm>
#include <limits>

#include "core/sys/text_fields.h"

namespace box {
namespace {

constexpr std::string_view kMagic = "box-pod-record 1";
constexpr const char* kKinds[] = {"user", "net", "ipc", "uts"};

// `line`'s fields after `tag` (its first), or nothing when it is another line.
std::optional<std::vector<std::string_view>> fields_of(std::string_view line,
                                                        std::string_view tag) {
  auto fields = split_nonempty(line, " ");
  if (fields.empty() || fields.front() != tag) return std::nullopt;
  fields.erase(fields.begin());
  return fields;
}

template <typename T>
bool number(std::string_view text, T& out) {
  auto n = parse_unsigned(text);
  if (!n || *n == 0 || *n > static_cast<std::uint64_t>(std::numeric_limits<T>::max()))
    return false;
  out = static_cast<T>(*n);
  return true;
}

}  // namespace

std::string format_pod_record(const PodRecord& r) {
  std::string out(kMagic);
  out += "\npid " + std::to_string(r.pid) + "\n";
  out += "holder " + std::to_string(r.holder) + " " + std::to_string(r.holder_start_time) + "\n";
  out += "namespaces";
  for (const auto& kind : r.namespaces) out += " " + kind;
  return out + "\n";
}

Result<PodRecord> parse_pod_record(std::string_view text) {
  const auto lines = text_lines(text);
  if (lines.size() != 4 || lines[0] != kMagic || !text.ends_with('\n'))
    return Error("not a box pod record");
  PodRecord r;
  auto pid = fields_of(lines[1], "pid");
  if (!pid || pid->size() != 1 || !number((*pid)[0], r.pid)) return Error("pod record: no pid line");
  auto holder = fields_of(lines[2], "holder");
  if (!holder || holder->size() != 2 || !number((*holder)[0], r.holder) ||
      !number((*holder)[1], r.holder_start_time))
    return Error("pod record: no holder line");
  auto kinds = fields_of(lines[3], "namespaces");
  if (!kinds) return Error("pod record: no namespaces line");
  for (auto kind : *kinds) {
    if (std::find(std::begin(kKinds), std::end(kKinds), kind) == std::end(kKinds))
      return Error("pod record: unknown namespace '" + std::string(kind) + "'");
    r.namespaces.emplace_back(kind);
  }
  if (r.namespaces.empty() || r.namespaces.front() != "user")
    return Error("pod record: the user namespace is not the first");
  return r;
}

std::string pod_record_dir(const std::string& runtime_dir) { return runtime_dir + "/box/pods"; }

}  // namespace box
