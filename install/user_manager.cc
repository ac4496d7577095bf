#include "install/user_manager.h"

#include <systemd/sd-bus.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <vector>

namespace box::install {
namespace {

constexpr const char* kDest = "org.freedesktop.systemd1";
constexpr const char* kPath = "/org/freedesktop/systemd1";
constexpr const char* kIface = "org.freedesktop.systemd1.Manager";
constexpr std::uint64_t kCallTimeoutUsec = 120ull * 1000 * 1000;
constexpr std::uint64_t kJobTimeoutUsec = 120ull * 1000 * 1000;

struct Bus {
  sd_bus* bus = nullptr;
  ~Bus() { sd_bus_flush_close_unref(bus); }
};

Result<void> open_user_bus(Bus& b) {
  int r = sd_bus_open_user(&b.bus);
  if (r < 0)
    return Error::from_errno(
        "connect to the user bus (box needs a user session: $XDG_RUNTIME_DIR/bus)", -r);
  return {};
}

std::uint64_t now_usec() {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1000000 +
         static_cast<std::uint64_t>(now.tv_nsec) / 1000;
}

// How often a wait that can be cancelled looks at the flag: a signal that
// sets it just before sd_bus_wait() starts does not interrupt that wait.
constexpr std::uint64_t kCancelCheckUsec = 100 * 1000;

enum class Wait { kDone, kFailed, kCancelled };

// Runs the bus until `done()`, `deadline`, or `*cancel`. sd_bus_wait() fails
// with EINTR when a signal handler runs (as the caller's cancel handler
// does): without a cancel that is no reason to stop waiting for an answer
// already asked for.
Wait run_until(sd_bus* bus, const std::function<bool()>& done, std::uint64_t deadline,
               const std::atomic<bool>* cancel = nullptr) {
  while (!done()) {
    if (cancel && cancel->load()) return Wait::kCancelled;
    int r = sd_bus_process(bus, nullptr);
    if (r < 0) return Wait::kFailed;
    if (r > 0) continue;
    std::uint64_t t = now_usec();
    if (t >= deadline) return Wait::kFailed;
    std::uint64_t wait = deadline - t;
    if (cancel) wait = std::min(wait, kCancelCheckUsec);
    r = sd_bus_wait(bus, wait);
    if (r < 0 && r != -EINTR) return Wait::kFailed;
  }
  return Wait::kDone;
}

struct Reply {
  bool done = false;
  std::string error_name, error_message;
  int error_errno = 0;
  sd_bus_message* message = nullptr;  // owned; null on error
  ~Reply() { sd_bus_message_unref(message); }
};

int on_reply(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* reply = static_cast<Reply*>(userdata);
  reply->done = true;
  if (const sd_bus_error* e = sd_bus_message_get_error(m)) {
    reply->error_name = e->name ? e->name : "";
    reply->error_message = e->message ? e->message : "";
    reply->error_errno = sd_bus_message_get_errno(m);
  } else {
    reply->message = sd_bus_message_ref(m);
  }
  return 0;
}

// A method call of the systemd manager with string arguments. sd_bus_call()
// of sd-bus 252 gives up with EINTR when a signal arrives while it waits
// (the cancel handler of an install, ^C), which would skip the reload of a
// finished install; the call is sent once and its answer awaited here.
Result<void> call_manager(sd_bus* bus, const char* method, const std::vector<std::string>& args,
                          Reply& reply) {
  sd_bus_message* m = nullptr;
  int r = sd_bus_message_new_method_call(bus, &m, kDest, kPath, kIface, method);
  for (std::size_t i = 0; r >= 0 && i < args.size(); ++i)
    r = sd_bus_message_append_basic(m, 's', args[i].c_str());
  sd_bus_slot* slot = nullptr;
  if (r >= 0) r = sd_bus_call_async(bus, &slot, m, on_reply, &reply, kCallTimeoutUsec);
  sd_bus_message_unref(m);
  if (r < 0) return Error::from_errno(std::string("call ") + method + " of the user manager", -r);
  Wait answered = run_until(
      bus, [&] { return reply.done; }, now_usec() + kCallTimeoutUsec + 1000000);
  sd_bus_slot_unref(slot);
  if (answered != Wait::kDone) return Error(std::string(method) + ": no answer from the user manager");
  return {};
}

std::string reply_error(const Reply& reply) {
  if (!reply.error_message.empty()) return reply.error_message;
  return strerror(reply.error_errno ? reply.error_errno : EIO);
}

// Every job that ended since the subscription (ours may end before the
// reply naming it is read), by object path.
using JobsEnded = std::map<std::string, std::string>;

int on_job_removed(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* ended = static_cast<JobsEnded*>(userdata);
  std::uint32_t id;
  const char *path, *unit, *result;
  if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0) return 0;
  (*ended)[path] = result;
  return 0;
}

// No user bus at all (no session): no user manager to reload or stop.
bool no_user_bus(const Error& e) {
  int n = e.errno_value();
  return n == ENOENT || n == ECONNREFUSED || n == ENOMEDIUM;
}

}  // namespace

Result<void> reload_user_manager() {
  Bus b;
  auto o = open_user_bus(b);
  if (!o && no_user_bus(o.error())) return {};
  if (!o) return o;
  Reply reply;
  auto c = call_manager(b.bus, "Reload", {}, reply);
  if (!c) return c.error().wrap("reload the user manager");
  if (!reply.message) return Error("reload the user manager: " + reply_error(reply));
  return {};
}

Result<void> stop_user_unit(const std::string& unit, const std::atomic<bool>* cancel) {
  Bus b;
  auto o = open_user_bus(b);
  if (!o && no_user_bus(o.error())) return {};
  if (!o) return o;
  JobsEnded ended;
  sd_bus_slot* slot = nullptr;
  // Subscribe before asking, so the JobRemoved signal cannot be missed.
  int r =
      sd_bus_match_signal(b.bus, &slot, kDest, kPath, kIface, "JobRemoved", on_job_removed, &ended);
  if (r < 0) return Error::from_errno("subscribe to systemd job signals", -r);
  Reply reply;
  auto c = call_manager(b.bus, "StopUnit", {unit, "replace"}, reply);
  if (!c) {
    sd_bus_slot_unref(slot);
    return c.error().wrap("stop " + unit);
  }
  if (!reply.message) {
    sd_bus_slot_unref(slot);
    if (reply.error_name == "org.freedesktop.systemd1.NoSuchUnit" ||
        reply.error_name == "org.freedesktop.systemd1.LoadFailed")
      return {};
    return Error("stop " + unit + ": " + reply_error(reply));
  }
  const char* path = nullptr;
  sd_bus_message_read(reply.message, "o", &path);
  const std::string job = path ? path : "";
  Wait finished = run_until(
      b.bus, [&] { return ended.count(job) > 0; }, now_usec() + kJobTimeoutUsec, cancel);
  sd_bus_slot_unref(slot);
  // The job goes on in systemd: only the wait for it ends.
  if (finished == Wait::kCancelled) return Error("stop " + unit + ": cancelled");
  if (finished != Wait::kDone) return Error("stop " + unit + ": no answer from systemd");
  if (ended[job] != "done") return Error("stop " + unit + ": job " + ended[job]);
  return {};
}

}  // namespace box::install
