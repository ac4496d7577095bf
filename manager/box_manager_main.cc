// box-manager: the D-Bus service dev.boxctl.box1 on the user's session bus,
// started on demand by bus activation (box-manager.service), gone again once
// idle. It keeps no state of its own, so exiting loses nothing.
//
//   box-manager [--idle-timeout SECONDS]     (or $BOX_MANAGER_IDLE_TIMEOUT;
//                                              0 = never exit; default 60)
#include <limits.h>
#include <poll.h>
#include <sdbus-c++/sdbus-c++.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "bus/bus_names.h"
#include "bus/systemd_client.h"
#include "core/model/generator_status.h"
#include "core/model/paths.h"
#include "core/runtime/instance_lock.h"
#include "core/sys/log.h"
#include "install/debris.h"
#include "install/install.h"
#include "manager/activity.h"
#include "manager/container_object.h"
#include "manager/container_registry.h"
#include "manager/install_jobs.h"
#include "manager/manager_object.h"

namespace {

constexpr int kDefaultIdleSeconds = 60;

// A program installed beside box-manager (in <libexec>/box/).
std::string beside_me(const std::string& program) {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return program;
  std::string exe(buf, static_cast<std::size_t>(n));
  return exe.substr(0, exe.find_last_of('/') + 1) + program;
}

std::optional<int> parse_seconds(const std::string& text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  for (char c : text)
    if (c < '0' || c > '9') return std::nullopt;
  return std::stoi(text);
}

// Every incoming method call, whatever the object: its sender is a client
// until it leaves the bus. sd-bus runs match callbacks before the object
// dispatch, and the bus only delivers calls addressed to us, so this sees
// exactly our own traffic (property reads included).
constexpr const char* kCallsToUs = "type='method_call'";
// A connection left the bus: its unique name lost its owner.
constexpr const char* kClientsLeaving =
    "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
    "member='NameOwnerChanged',arg2=''";

int serve(std::chrono::seconds idle_timeout) {
  auto dirs = box::user_dirs_from_environment();
  if (!dirs) {
    box::log_error(dirs.error().message());
    return 1;
  }
  auto install_context = box::install::context_from_environment(beside_me("box-run"));
  if (!install_context) {
    box::log_error(install_context.error().message());
    return 1;
  }
  // What install workers killed before they could clean up left (their
  // PIDs are gone); before the bus, while this process has no other child.
  auto debris = box::install::remove_install_debris(*install_context);
  for (const auto& path : debris.removed)
    box::log_info("removed '" + path + "', left by an interrupted install");
  for (const auto& message : debris.errors)
    box::log_warning("cannot remove what an interrupted install left: " + message);
  // Start records of supervisors that were killed (their lock is free).
  if (!dirs->runtime_dir.empty())
    for (const auto& name :
         box::remove_stale_instance_files(box::instance_lock_dir(dirs->runtime_dir)))
      box::log_info("removed the start record of box '" + name + "', left by a killed box-run");

  using box::manager::Activity;
  auto connection = sdbus::createSessionBusConnection();
  Activity activity;
  auto calls = connection->addMatch(
      kCallsToUs, [&](sdbus::Message& m) { activity.client_called(m.getSender()); });
  // Set once the objects exist (a client may leave before that).
  std::function<void(const std::string&)> on_client_gone;
  auto leaving = connection->addMatch(kClientsLeaving, [&](sdbus::Message& m) {
    std::string name, old_owner, new_owner;
    m >> name >> old_owner >> new_owner;
    activity.client_gone(name);
    if (on_client_gone) on_client_gone(name);
  });

  const std::string status_file = box::generator_status_path(dirs->runtime_dir);
  box::manager::ContainerRegistry registry(
      box::definition_search_dirs(*dirs), box::load_context(*dirs), status_file,
      dirs->runtime_dir.empty() ? "" : box::instance_lock_dir(dirs->runtime_dir));
  box::manager::SystemdClient systemd(*connection);
  systemd.watch_units();
  box::manager::Snapshot snapshot(registry, systemd);
  box::manager::InstallJobs jobs(beside_me("box-install-worker"));
  box::manager::ManagerObject manager(*connection, registry, systemd, snapshot, activity,
                                      *install_context, jobs);
  on_client_gone = [&](const std::string& name) { manager.client_gone(name); };
  // Take the name only once the objects are ready, so the first
  // (activating) call never finds the name without the object.
  connection->requestName(box::manager::kBusName);

  bool releasing = false;
  for (;;) {
    while (connection->processPendingRequest()) snapshot.clear();
    snapshot.clear();

    const auto now = Activity::Clock::now();
    if (releasing) {
      // Calls that reached us before the name was given back have been
      // answered (or are still running: then wait for them).
      if (!activity.busy()) break;
    } else if (idle_timeout.count() > 0 && !activity.busy() &&
               now >= activity.idle_deadline(idle_timeout)) {
      // Give the name back first: calls sent from now on start a new
      // instance through activation; those already queued to us are
      // answered before we exit.
      box::log_info("idle for " + std::to_string(idle_timeout.count()) + " s, exiting");
      connection->releaseName(box::manager::kBusName);
      releasing = true;
      continue;
    }

    auto poll_data = connection->getEventLoopPollData();
    int timeout_ms = poll_data.getPollTimeout();
    if (!releasing && idle_timeout.count() > 0 && !activity.busy()) {
      auto left =
          std::chrono::ceil<std::chrono::milliseconds>(activity.idle_deadline(idle_timeout) - now)
              .count();
      left = std::max<decltype(left)>(left, 0);
      if (timeout_ms < 0 || left < timeout_ms) timeout_ms = static_cast<int>(left);
    }
    // The bus, and the report pipes of the install workers.
    std::vector<pollfd> fds{{poll_data.fd, poll_data.events, 0}};
    for (int fd : jobs.fds()) fds.push_back({fd, POLLIN, 0});
    int ready = ::poll(fds.data(), fds.size(), timeout_ms);
    if (ready < 0 && errno != EINTR)
      throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    for (std::size_t i = 1; ready > 0 && i < fds.size(); ++i)
      if (fds[i].revents != 0) jobs.on_readable(fds[i].fd);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  box::log_set_program("box-manager");
  int idle = kDefaultIdleSeconds;
  if (const char* env = std::getenv("BOX_MANAGER_IDLE_TIMEOUT"); env && *env) {
    auto v = parse_seconds(env);
    if (!v) {
      box::log_error("BOX_MANAGER_IDLE_TIMEOUT: expected a number of seconds, found '" +
                     std::string(env) + "'");
      return 2;
    }
    idle = *v;
  }
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--idle-timeout" && i + 1 < argc) {
      auto v = parse_seconds(argv[++i]);
      if (!v) {
        box::log_error("--idle-timeout: expected a number of seconds, found '" +
                       std::string(argv[i]) + "'");
        return 2;
      }
      idle = *v;
    } else if (arg == "--help") {
      std::cout << "Usage: box-manager [--idle-timeout SECONDS]\n"
                   "The D-Bus service dev.boxctl.box1; the session bus starts it on demand.\n";
      return 0;
    } else {
      box::log_error("unknown argument '" + arg + "'; try --help");
      return 2;
    }
  }
  try {
    return serve(std::chrono::seconds(idle));
  } catch (const sdbus::Error& e) {
    box::log_error("D-Bus: " + e.getName() + ": " + e.getMessage());
  } catch (const std::exception& e) {
    box::log_error(e.what());
  }
  return 1;
}
