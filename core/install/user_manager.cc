#include "install/user_manager.h"

#include <systemd/sd-bus.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace box::install {
namespace {

constexpr const char* kDest = "org.freedesktop.systemd1";
constexpr const char* kPath = "/org/freedesktop/systemd1";
constexpr const char* kIface = "org.freedesktop.systemd1.Manager";
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

struct JobWait {
  std::string job;
  std::string result;
  bool done = false;
};

int on_job_removed(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* w = static_cast<JobWait*>(userdata);
  std::uint32_t id;
  const char *path, *unit, *result;
  if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0) return 0;
  if (w->job == path) {
    w->done = true;
    w->result = result;
  }
  return 0;
}

}  // namespace

// No user bus at all (no session): no user manager to reload or stop.
static bool no_user_bus(const Error& e) {
  int n = e.errno_value();
  return n == ENOENT || n == ECONNREFUSED || n == ENOMEDIUM;
}

Result<void> reload_user_manager() {
  Bus b;
  auto o = open_user_bus(b);
  if (!o && no_user_bus(o.error())) return {};
  if (!o) return o;
  sd_bus_error err = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  int r = sd_bus_call_method(b.bus, kDest, kPath, kIface, "Reload", &err, &reply, "");
  std::string msg = err.message ? err.message : "";
  sd_bus_error_free(&err);
  sd_bus_message_unref(reply);
  if (r < 0) return Error("reload the user manager: " + (msg.empty() ? strerror(-r) : msg));
  return {};
}

Result<void> stop_user_unit(const std::string& unit) {
  Bus b;
  auto o = open_user_bus(b);
  if (!o && no_user_bus(o.error())) return {};
  if (!o) return o;
  JobWait wait;
  sd_bus_slot* slot = nullptr;
  // Subscribe before asking, so the JobRemoved signal cannot be missed.
  int r =
      sd_bus_match_signal(b.bus, &slot, kDest, kPath, kIface, "JobRemoved", on_job_removed, &wait);
  if (r < 0) return Error::from_errno("subscribe to systemd job signals", -r);
  sd_bus_error err = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  r = sd_bus_call_method(b.bus, kDest, kPath, kIface, "StopUnit", &err, &reply, "ss", unit.c_str(),
                         "replace");
  std::string name = err.name ? err.name : "", msg = err.message ? err.message : "";
  sd_bus_error_free(&err);
  if (r < 0) {
    sd_bus_slot_unref(slot);
    if (name == "org.freedesktop.systemd1.NoSuchUnit" ||
        name == "org.freedesktop.systemd1.LoadFailed")
      return {};
    return Error("stop " + unit + ": " + (msg.empty() ? strerror(-r) : msg));
  }
  const char* job = nullptr;
  sd_bus_message_read(reply, "o", &job);
  wait.job = job ? job : "";
  sd_bus_message_unref(reply);
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  std::uint64_t deadline = static_cast<std::uint64_t>(now.tv_sec) * 1000000 +
                           static_cast<std::uint64_t>(now.tv_nsec) / 1000 + kJobTimeoutUsec;
  while (!wait.done) {
    r = sd_bus_process(b.bus, nullptr);
    if (r < 0) break;
    if (r > 0) continue;
    clock_gettime(CLOCK_MONOTONIC, &now);
    std::uint64_t t = static_cast<std::uint64_t>(now.tv_sec) * 1000000 +
                      static_cast<std::uint64_t>(now.tv_nsec) / 1000;
    if (t >= deadline) break;
    sd_bus_wait(b.bus, deadline - t);
  }
  sd_bus_slot_unref(slot);
  if (!wait.done) return Error("stop " + unit + ": no answer from systemd");
  if (wait.result != "done") return Error("stop " + unit + ": job " + wait.result);
  return {};
}

}  // namespace box::install
