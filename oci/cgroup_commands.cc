// The commands that work on a container's cgroup: pause, resume, ps,
// events and update, with runc's flags and output.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/plan/oci_cgroups.h"
#include "core/runtime/oci_cgroup.h"
#include "core/sys/spawn.h"
#include "core/sys/text_fields.h"
#include "oci/commands.h"
#include "oci/container_state.h"

namespace box::oci {
namespace {

using nlohmann::json;

// The container, which must be alive and have a cgroup.
Result<Locked> open_with_cgroup(const StateStore& store, const std::string& id, const char* doing) {
  auto c = open_container(store, id);
  if (!c) return c.error();
  Status st = store.status(c->record);
  if (st == Status::kStopped || st == Status::kCreating)
    return Error("cannot " + std::string(doing) + " container '" + id + "': it is " + status_name(st));
  if (c->record.cgroups.empty())
    return Error("cannot " + std::string(doing) + " container '" + id +
                 "': it has no cgroup (box-oci created it without a delegated cgroup; see its "
                 "create warning)");
  return c;
}

// runc's update flags as a linux.resources object.
Result<json> resources_from_flags(const UpdateOptions& o) {
  json r = json::object();
  auto size = [&](const std::string& flag, const std::string& v, const char* a, const char* b) -> Result<void> {
    if (v.empty()) return {};
    auto n = parse_memory_size(v);
    if (!n) return n.error().wrap("--" + flag);
    r[a][b] = *n;
    return {};
  };
  auto integer = [&](const std::string& flag, const std::string& v, const char* a, const char* b,
                     bool is_signed) -> Result<void> {
    if (v.empty()) return {};
    char* end = nullptr;
    errno = 0;
    long long n = std::strtoll(v.c_str(), &end, 10);
    if (errno != 0 || end == v.c_str() || *end != '\0' || (!is_signed && n < 0))
      return Error("--" + flag + ": '" + v + "' is not " + (is_signed ? "an integer" : "a number"));
    r[a][b] = n;
    return {};
  };
  Result<void> steps[] = {
      size("memory", o.memory, "memory", "limit"),
      size("memory-reservation", o.memory_reservation, "memory", "reservation"),
      size("memory-swap", o.memory_swap, "memory", "swap"),
      size("kernel-memory", o.kernel_memory, "memory", "kernel"),
      size("kernel-memory-tcp", o.kernel_memory_tcp, "memory", "kernelTCP"),
      integer("cpu-shares", o.cpu_shares, "cpu", "shares", false),
      integer("cpu-quota", o.cpu_quota, "cpu", "quota", true),
      integer("cpu-period", o.cpu_period, "cpu", "period", false),
      integer("cpu-rt-period", o.cpu_rt_period, "cpu", "realtimePeriod", false),
      integer("cpu-rt-runtime", o.cpu_rt_runtime, "cpu", "realtimeRuntime", true),
      integer("pids-limit", o.pids_limit, "pids", "limit", true),
      integer("blkio-weight", o.blkio_weight, "blockIO", "weight", false),
  };
  for (auto& s : steps)
    if (!s) return s.error();
  if (!o.cpuset_cpus.empty()) r["cpu"]["cpus"] = o.cpuset_cpus;
  if (!o.cpuset_mems.empty()) r["cpu"]["mems"] = o.cpuset_mems;
  return r;
}

Result<std::string> read_all(int fd, const std::string& what) {
  std::string text;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("read " + what);
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > (16u << 20)) return Error(what + ": larger than 16 MiB");
  }
  return text;
}

}  // namespace

int pause(const Globals& g, Log& log, const std::string& id) {
  StateStore store = store_of(g);
  auto c = open_with_cgroup(store, id, "pause");
  if (!c) return fail(log, c.error());
  if (store.status(c->record) != Status::kRunning)
    return fail(log, Error("container '" + id + "' is " + status_name(store.status(c->record)) +
                           ": only a running container pauses"));
  auto frozen = freeze_cgroup(c->record.cgroups, true);
  return frozen ? 0 : fail(log, frozen.error().wrap("pause container '" + id + "'"));
}

int resume(const Globals& g, Log& log, const std::string& id) {
  StateStore store = store_of(g);
  auto c = open_with_cgroup(store, id, "resume");
  if (!c) return fail(log, c.error());
  if (store.status(c->record) != Status::kPaused)
    return fail(log, Error("container '" + id + "' is not paused"));
  auto thawed = freeze_cgroup(c->record.cgroups, false);
  return thawed ? 0 : fail(log, thawed.error().wrap("resume container '" + id + "'"));
}

int ps(const Globals& g, Log& log, const std::string& id, const std::string& format,
       const std::vector<std::string>& ps_args) {
  StateStore store = store_of(g);
  auto c = open_with_cgroup(store, id, "list the processes of");
  if (!c) return fail(log, c.error());
  auto pids = cgroup_pids(c->record.cgroups);
  if (!pids) return fail(log, pids.error());
  if (format == "json") {
    std::cout << json(*pids).dump() << "\n";
    return 0;
  }
  // As runc: the ps(1) table, its lines kept for the container's pids.
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return fail(log, Error::from_errno("pipe"));
  UniqueFd read_end(out[0]), write_end(out[1]);
  SpawnSpec spec;
  spec.argv = {"ps"};
  spec.argv.insert(spec.argv.end(), ps_args.begin(), ps_args.end());
  if (ps_args.empty()) spec.argv.push_back("-ef");
  spec.search_path = true;
  spec.stdout_fd = write_end.get();
  auto child = spawn(spec);
  if (!child) return fail(log, child.error());
  write_end = UniqueFd();
  auto text = read_all(read_end.get(), "the output of ps");
  int status = 0;
  while (::waitpid(*child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!text) return fail(log, text.error());
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return fail(log, Error("ps " + (ps_args.empty() ? std::string("-ef") : ps_args.front()) +
                           " failed (exit status " + std::to_string(WEXITSTATUS(status)) + ")"));
  auto lines = text_lines(*text);
  if (lines.empty()) return fail(log, Error("ps printed nothing"));
  auto header = split_nonempty(lines[0], " ");
  std::size_t column = header.size();
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == "PID") column = i;
  if (column == header.size()) return fail(log, Error("ps printed no PID column"));
  std::cout << lines[0] << "\n";
  for (std::size_t i = 1; i < lines.size(); ++i) {
    auto fields = split_nonempty(lines[i], " ");
    if (fields.size() <= column) continue;
    auto pid = parse_unsigned(fields[column]);
    if (pid && std::binary_search(pids->begin(), pids->end(), static_cast<pid_t>(*pid)))
      std::cout << lines[i] << "\n";
  }
  return 0;
}

int events(const Globals& g, Log& log, const std::string& id, bool stats, double interval_seconds) {
  StateStore store = store_of(g);
  CgroupDirs dirs;
  Record record;
  {
    auto c = open_with_cgroup(store, id, "read the events of");
    if (!c) return fail(log, c.error());
    record = c->record;
    dirs = c->record.cgroups;
  }  // no lock held while streaming: delete must still work
  if (interval_seconds <= 0) return fail(log, Error("--interval must be positive"));
  auto one = [&] {
    std::cout << "{\"type\":\"stats\",\"id\":" << json(id).dump()
              << ",\"data\":" << cgroup_stats_json(dirs) << "}" << std::endl;
  };
  if (stats) {
    one();
    return 0;
  }
  for (;;) {
    Status st = store.status(record);
    if (st == Status::kStopped || ::access(dirs.begin()->second.c_str(), F_OK) != 0) return 0;
    one();
    std::this_thread::sleep_for(std::chrono::duration<double>(interval_seconds));
  }
}

int update(const Globals& g, Log& log, const std::string& id, const UpdateOptions& o) {
  json resources = json::object();
  if (!o.resources_file.empty()) {
    std::string text;
    if (o.resources_file == "-") {
      auto in = read_all(0, "stdin");
      if (!in) return fail(log, in.error());
      text = *in;
    } else {
      UniqueFd fd(::open(o.resources_file.c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd.valid()) return fail(log, Error::from_errno("open '" + o.resources_file + "'"));
      auto in = read_all(fd.get(), "'" + o.resources_file + "'");
      if (!in) return fail(log, in.error());
      text = *in;
    }
    try {
      resources = json::parse(text);
    } catch (const json::exception& e) {
      return fail(log, Error("'" + (o.resources_file == "-" ? std::string("stdin") : o.resources_file) +
                             "': not JSON: " + e.what()));
    }
  }
  auto flags = resources_from_flags(o);
  if (!flags) return fail(log, flags.error());
  // Single flags win over the file, as in runc.
  for (const auto& [section, values] : flags->items())
    for (const auto& [key, value] : values.items()) resources[section][key] = value;

  StateStore store = store_of(g);
  auto c = open_with_cgroup(store, id, "update");
  if (!c) return fail(log, c.error());
  // Device rules are the container's own; an update does not add the
  // defaults again (they are in place since create).
  auto plan = plan_oci_resources(resources.dump(), cgroup_controllers(c->record.cgroups), false);
  if (!plan) return fail(log, plan.error());
  for (const auto& w : plan->warnings) log.warn(w);
  auto written = apply_cgroup_writes(c->record.cgroups, plan->writes);
  if (!written) return fail(log, written.error().wrap("update container '" + id + "'"));
  for (const auto& w : *written) log.warn(w);
  return 0;
}

}  // namespace box::oci
