#include "core/runtime/pod_join.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "core/model/names.h"
#include "core/model/pod_record.h"
#include "core/plan/pod_plan.h"
#include "core/plan/proc_files.h"
#include "core/sys/small_file.h"

namespace box {
namespace {

// The field of the facts that holds the namespace of kind `name`.
std::string* path_of(PodFacts& facts, const std::string& name) {
  if (name == "user") return &facts.user_ns;
  if (name == "net") return &facts.net_ns;
  if (name == "ipc") return &facts.ipc_ns;
  if (name == "uts") return &facts.uts_ns;
  return nullptr;
}

std::string words(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : " ") + n;
  return out;
}

}  // namespace

Result<JoinedPod> find_running_pod(const PodDefinition& pod, const std::string& member,
                                   const std::string& runtime_dir, PodLookup lookup) {
  const std::string unit = pod_unit_name(pod.name);
  const auto kinds = pod_namespace_names(pod_namespaces(pod));
  JoinedPod out;
  out.facts.pod = pod;
  // What a start says when there is nothing to join; a plan only names
  // the namespaces the holder would keep.
  auto not_running = [&](const std::string& why) -> Result<JoinedPod> {
    if (lookup == PodLookup::kJoin)
      return Error("pod '" + pod.name + "' is not running (" + why +
                   "): start it with 'systemctl --user start " + unit + "' (a start of " +
                   unit_name(member) + " through systemd starts it first)");
    for (const auto& kind : kinds)
      *path_of(out.facts, kind) = "pod '" + pod.name + "' " + kind + " namespace (not running)";
    return std::move(out);
  };
  if (runtime_dir.empty())
    return not_running("its record is kept in $XDG_RUNTIME_DIR, which is not set");
  const std::string path = pod_record_dir(runtime_dir) + "/" + pod.name;
  UniqueFd record(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!record.valid()) {
    if (errno == ENOENT) return not_running("there is no record '" + path + "'");
    return Error::from_errno("open the record of pod '" + pod.name + "', '" + path + "'");
  }
  // box-run pod holds the lock for as long as it runs: a record we can
  // lock is what a killed one left.
  if (::flock(record.get(), LOCK_SH | LOCK_NB) == 0)
    return not_running("its record '" + path + "' was left by a box-run that is gone");
  if (errno != EWOULDBLOCK) return Error::from_errno("check the lock of '" + path + "'");
  // The file we hold, not whatever is at `path` by now.
  auto text = read_small_file_at(AT_FDCWD, "/proc/self/fd/" + std::to_string(record.get()), path,
                                 4096);
  if (!text) return text.error();
  if (text->empty()) return not_running("it is still starting: its record is not written yet");
  auto rec = parse_pod_record(*text);
  if (!rec) return rec.error().wrap("'" + path + "'");

  const std::string proc = "/proc/" + std::to_string(rec->holder);
  const std::string holder = "its holder (pid " + std::to_string(rec->holder) + ")";
  UniqueFd dir(::open(proc.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return not_running(holder + " is gone");
  // What we open through `dir` from here on is that process's, or fails.
  auto same_holder = [&]() {
    auto stat = read_small_file_at(dir.get(), "stat", proc + "/stat", 4096);
    auto start = stat ? parse_start_time(*stat) : std::nullopt;
    return start && *start == rec->holder_start_time;
  };
  if (!same_holder()) return not_running(holder + " is gone; the pid names another process now");
  if (rec->namespaces != kinds)
    return Error("pod '" + pod.name + "' runs with the namespaces " + words(rec->namespaces) +
                 " and its file now asks for " + words(kinds) + ": restart it ('systemctl --user "
                 "restart " + unit + "') to run it as " + pod.source_path + " says");
  for (const auto& kind : kinds) {
    UniqueFd ns(::openat(dir.get(), ("ns/" + kind).c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns.valid())
      return Error::from_errno("open the " + kind + " namespace of pod '" + pod.name + "' (" +
                               holder + ")");
    *path_of(out.facts, kind) = "/proc/self/fd/" + std::to_string(ns.get());
    out.namespaces.push_back(std::move(ns));
  }
  if (!same_holder()) return not_running(holder + " ended while it was joined");
  // "deny" where box-run pod mapped the single id itself.
  auto setgroups = read_small_file_at(dir.get(), "setgroups", proc + "/setgroups", 64);
  if (!setgroups) return setgroups.error();
  out.facts.setgroups_allowed = setgroups->rfind("allow", 0) == 0;
  out.facts.running = true;
  out.facts.holder = rec->holder;
  return out;
}

}  // namespace box
