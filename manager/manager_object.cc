#include "manager/manager_object.h"

#include <csignal>
#include <cstring>
#include <set>

#include "bus/bus_names.h"
#include "bus/errors.h"
#include "bus/object_paths.h"
#include "bus/systemd_names.h"
#include "core/model/names.h"
#include "core/sys/log.h"
#include "install/request.h"
#include "manager/pod_list.h"
#include "manager/unit_changes.h"

namespace box::manager {
namespace {



// Async methods reply through `result`; an error found before the work is
// handed to systemd is sent from here. `body` moves `result` only after its
// last check.
template <typename R, typename F>
void answer(R& result, F&& body) {
  try {
    body();
  } catch (const sdbus::Error& e) {
    result.returnError(e);
  }
}

// ActiveState and SubState of `unit` among `states`. Not loaded: inactive
// (see SystemdClient::loaded_unit_states).
std::pair<std::string, std::string> state_of(const std::map<std::string, UnitState>& states,
                                             const std::string& unit) {
  auto it = states.find(unit);
  if (it == states.end()) return {"inactive", "dead"};
  return {it->second.active_state, it->second.sub_state};
}

// Replies to a List* call with build(states), the states of the loaded
// units that match `pattern` read from systemd first when `ask`.
template <typename Rows, typename Build>
void reply_with_unit_states(SystemdClient& systemd, Activity& activity,
                            sdbus::Result<Rows>&& result, const std::string& pattern, bool ask,
                            Build build) {
  auto reply = std::make_shared<sdbus::Result<Rows>>(std::move(result));
  if (!ask) {
    reply->returnResults(build({}));
    return;
  }
  systemd.loaded_unit_states(pattern, [reply, build, token = activity.hold()](
                                          const sdbus::Error* error,
                                          std::map<std::string, UnitState> states) {
    if (error) {
      reply->returnError(systemd_error("read unit states from the user's systemd", *error));
      return;
    }
    reply->returnResults(build(states));
  });
}

}  // namespace

ManagerObject::ManagerObject(sdbus::IConnection& connection, ContainerRegistry& registry,
                             SystemdClient& systemd, Snapshot& snapshot, Activity& activity,
                             install::InstallContext install_context, InstallJobs& jobs)
    : AdaptorInterfaces(connection, kManagerPath),
      connection_(connection),
      registry_(registry),
      systemd_(systemd),
      snapshot_(snapshot),
      activity_(activity),
      install_context_(std::move(install_context)),
      jobs_(jobs) {
  registerAdaptor();
  systemd_.on_unit_changed([this](const std::string& unit, const std::string& interface,
                                  const std::map<std::string, sdbus::Variant>& changed,
                                  const std::vector<std::string>& invalidated) {
    unit_changed(unit, interface, changed, invalidated);
  });
  // Someone ran `systemctl --user daemon-reload` (or we did): definitions
  // may have come or gone.
  systemd_.on_reloaded([this] { rescan(); });
  rescan(/*announce=*/false);
}

ManagerObject::~ManagerObject() {
  systemd_.on_unit_changed(nullptr);
  systemd_.on_reloaded(nullptr);
  unregisterAdaptor();
}

ContainerObject* ManagerObject::ensure_object(const ContainerInfo& info, bool announce) {
  auto it = containers_.find(info.name);
  if (it == containers_.end()) {
    auto object = std::make_unique<ContainerObject>(connection_, info.name, snapshot_);
    auto* raw = object.get();
    containers_.emplace(info.name, Entry{info, std::move(object)});
    if (announce) emitContainerNew(info.name, container_object_path(info.name));
    return raw;
  }
  if (!(it->second.info == info)) {
    it->second.info = info;
    try {
      it->second.object->definition_changed();
    } catch (const sdbus::Error& e) {
      log_warning("cannot announce the new definition of '" + info.name + "': " + e.getMessage());
    }
  }
  return it->second.object.get();
}

std::vector<ContainerInfo> ManagerObject::rescan(bool announce) {
  auto infos = registry_.list();
  std::set<std::string> seen;
  for (const auto& info : infos) {
    seen.insert(info.name);
    ensure_object(info, announce);
  }
  for (auto it = containers_.begin(); it != containers_.end();) {
    if (seen.count(it->first)) {
      ++it;
      continue;
    }
    std::string name = it->first;
    it = containers_.erase(it);
    emitContainerRemoved(name, container_object_path(name));
  }
  return infos;
}

ContainerInfo ManagerObject::require(const std::string& name, bool need_valid) {
  auto info = snapshot_.info(name);
  if (!info) {
    // Gone from disk: drop its object now rather than at the next scan.
    if (containers_.erase(name) > 0) emitContainerRemoved(name, container_object_path(name));
    throw no_such_container(name, registry_.not_found_detail(name));
  }
  ensure_object(*info);
  if (need_valid && !info->valid) throw invalid_definition(info->error);
  return *info;
}

std::string ManagerObject::Version() { return BOX_VERSION; }

void ManagerObject::ListContainers(sdbus::Result<std::vector<Row>>&& result) {
  answer(result, [&] {
    auto infos = rescan();
    reply_with_unit_states(
        systemd_, activity_, std::move(result), "box@*.service", !infos.empty(),
        [infos](const std::map<std::string, UnitState>& states) {
          std::vector<Row> rows;
          rows.reserve(infos.size());
          for (const auto& c : infos) {
            auto [active, sub] = state_of(states, unit_name(c.name));
            rows.emplace_back(c.name, c.description, container_state(c.valid, active), sub,
                              c.error, sdbus::ObjectPath(container_object_path(c.name)));
          }
          return rows;
        });
  });
}

void ManagerObject::ListPods(sdbus::Result<std::vector<PodRow>>&& result) {
  answer(result, [&] {
    auto pods = list_pods(registry_.pod_dirs(), rescan());
    reply_with_unit_states(
        systemd_, activity_, std::move(result), "box-pod@*.service", !pods.empty(),
        [pods](const std::map<std::string, UnitState>& states) {
          std::vector<PodRow> rows;
          for (const auto& p : pods) {
            auto [active, sub] = state_of(states, pod_unit_name(p.name));
            rows.emplace_back(p.name, p.description, container_state(p.valid, active), sub,
                              p.error, p.members);
          }
          return rows;
        });
  });
}

sdbus::ObjectPath ManagerObject::GetContainer(const std::string& name) {
  require(name, false);
  return container_object_path(name);
}

void ManagerObject::run_job(Job job, sdbus::Result<>&& result, const std::string& name) {
  static const char* const kVerbs[] = {"start", "stop", "restart"};
  const std::string verb = kVerbs[static_cast<int>(job)];
  auto info = require(name, job != Job::kStop);
  const std::string unit = unit_name(name);
  if (job == Job::kStart) {
    // Where it matters to the caller: systemd would accept the start and do
    // nothing. Read now, kept nowhere.
    std::string active;
    try {
      auto states = systemd_.unit_states_now({unit});
      if (auto it = states.find(unit); it != states.end()) active = it->second.active_state;
    } catch (const sdbus::Error& e) {
      throw systemd_error("read the state of " + unit, e);
    }
    if (active == "active" || active == "reloading") throw already_running(name);
  }
  // The reply is sent when systemd reports the job's end, as systemctl
  // waits. sdbus::Result is move-only and std::function needs a copyable
  // callable.
  auto reply = std::make_shared<sdbus::Result<>>(std::move(result));
  auto done = [reply, verb, unit, name, token = activity_.hold()](const sdbus::Error* error,
                                                                  const std::string& job_result) {
    if (error) {
      reply->returnError(systemd_error(verb + " " + unit, *error));
    } else if (job_result == "done") {
      reply->returnResults();
    } else {
      reply->returnError(systemd_error("job to " + verb + " " + unit + " ended with result '" +
                                       job_result + "'; see 'boxctl status " + name + "'"));
    }
  };
  switch (job) {
    case Job::kStart:
      systemd_.start_unit(unit, std::move(done));
      break;
    case Job::kStop:
      systemd_.stop_unit(unit, std::move(done));
      break;
    case Job::kRestart:
      systemd_.restart_unit(unit, std::move(done));
      break;
  }
}

void ManagerObject::Start(sdbus::Result<>&& result, std::string name) {
  answer(result, [&] { run_job(Job::kStart, std::move(result), name); });
}

void ManagerObject::Stop(sdbus::Result<>&& result, std::string name) {
  answer(result, [&] { run_job(Job::kStop, std::move(result), name); });
}

void ManagerObject::Restart(sdbus::Result<>&& result, std::string name) {
  answer(result, [&] { run_job(Job::kRestart, std::move(result), name); });
}

void ManagerObject::Kill(sdbus::Result<>&& result, std::string name, int32_t signal) {
  answer(result, [&] {
    require(name, false);
    if (signal <= 0 || signal > SIGRTMAX)
      throw invalid_argument("signal " + std::to_string(signal) +
                             " is not a valid signal number");
    const std::string unit = unit_name(name);
    if (!is_running(snapshot_.runtime(unit).active_state)) throw not_running(name);
    auto reply = std::make_shared<sdbus::Result<>>(std::move(result));
    systemd_.kill_unit(unit, signal,
                       [reply, unit, name, token = activity_.hold()](const sdbus::Error* error) {
                         if (!error) return reply->returnResults();
                         if (error->getName() == systemd1::kNoSuchProcess)
                           return reply->returnError(not_running(name));
                         reply->returnError(systemd_error("send a signal to " + unit, *error));
                       });
  });
}

SystemdClient::Done ManagerObject::autostart_reply(sdbus::Result<>&& result,
                                                   const std::string& what,
                                                   const std::string& name) {
  auto reply = std::make_shared<sdbus::Result<>>(std::move(result));
  return [this, reply, what, name, token = activity_.hold()](const sdbus::Error* error) {
    if (error) return reply->returnError(systemd_error(what, *error));
    // systemd enabled or disabled the unit: the cached unit state is stale,
    // and watchers of the container's Autostart property are told.
    if (auto it = containers_.find(name); it != containers_.end()) {
      snapshot_.clear();
      try {
        it->second.object->autostart_changed();
      } catch (const sdbus::Error& e) {
        log_warning("cannot announce the autostart of '" + name + "': " + e.getMessage());
      }
    }
    reply->returnResults();
  };
}

void ManagerObject::Enable(sdbus::Result<>&& result, std::string name) {
  answer(result, [&] {
    require(name, true);
    const std::string unit = unit_name(name);
    systemd_.enable_unit(unit, autostart_reply(std::move(result), "enable " + unit, name));
  });
}

void ManagerObject::Disable(sdbus::Result<>&& result, std::string name) {
  answer(result, [&] {
    auto info = require(name, false);
    const std::string unit = unit_name(name);
    const UnitRuntime& rt = snapshot_.runtime(unit);
    const std::string autostart = autostart_from_wanted_by(rt.wanted_by);
    // Links from `systemctl enable` can be removed; links the generator made
    // from the definition's autostart key would come back at the next reload.
    if (rt.unit_file_state != "enabled" && autostart != "no")
      throw autostart_from_definition(name, info.definition_path, autostart);
    systemd_.disable_unit(unit, autostart_reply(std::move(result), "disable " + unit, name));
  });
}

void ManagerObject::Reload(sdbus::Result<>&& result) {
  auto reply = std::make_shared<sdbus::Result<>>(std::move(result));
  systemd_.reload([this, reply, token = activity_.hold()](const sdbus::Error* error) {
    if (error) return reply->returnError(systemd_error("reload the user's systemd", *error));
    // systemd's Reloading signal triggers a scan too; this one makes sure
    // ContainerNew/ContainerRemoved precede the reply.
    snapshot_.clear();
    rescan();
    reply->returnResults();
  });
}

std::string ManagerObject::caller() {
  const sdbus::Message* m = getObject().getCurrentlyProcessedMessage();
  return m ? m->getSender() : std::string();
}

void ManagerObject::progress(const std::string& name, const install::Progress& p) {
  try {
    emitInstallProgress(name, phase_name(p.phase), static_cast<uint32_t>(p.layer),
                        static_cast<uint32_t>(p.layers), p.bytes, p.total_bytes);
  } catch (const sdbus::Error& e) {
    log_warning("cannot announce the progress of installing '" + name + "': " + e.getMessage());
  }
}

void ManagerObject::Install(sdbus::Result<std::string, sdbus::ObjectPath, VariantMap>&& result,
                            std::string source, std::string name, VariantMap options) {
  answer(result, [&] {
    auto parsed = install_options_from(options);
    if (!parsed) throw invalid_argument(parsed.error().message());
    install::InstallOptions opts = *parsed;
    opts.name = name;
    // Everything that can be refused is refused here, before a worker
    // starts: bad input changes nothing. No working directory: the
    // caller's is not ours, so a relative path is refused.
    auto check = install::check_install_request(install_context_, source, opts, "");
    if (!check.ok()) throw request_refused(*check.refusal, check.error.message());
    const std::string target = check.name;
    if (jobs_.running(target)) throw busy(target);

    WorkerRequest request;
    request.op = WorkerRequest::Op::kInstall;
    request.source = source;
    request.name = target;
    request.options = opts;
    auto reply = std::make_shared<sdbus::Result<std::string, sdbus::ObjectPath, VariantMap>>(
        std::move(result));
    auto token = activity_.hold();
    auto done = [this, reply, target, token](const WorkerMessage& m) {
      if (m.kind != WorkerMessage::Kind::kInstalled) {
        reply->returnError(m.cancelled ? cancelled(m.error) : install_failed(m.error));
        return;
      }
      // A dry run changed nothing: no reload, no ContainerNew.
      if (m.image.dry_run) {
        reply->returnResults(m.image.name, sdbus::ObjectPath(container_object_path(m.image.name)),
                             image_info(m.image));
        return;
      }
      // The image is in place: make systemd see box@NAME, then announce it
      // (ContainerNew) before the reply, as Reload does.
      systemd_.reload([this, reply, image = m.image, token](const sdbus::Error* error) mutable {
        if (error)
          image.warnings.push_back("installed, but cannot reload the user's systemd (" +
                                   error->getMessage() + "): run 'systemctl --user daemon-reload'");
        snapshot_.clear();
        rescan();
        reply->returnResults(image.name, sdbus::ObjectPath(container_object_path(image.name)),
                             image_info(image));
      });
    };
    auto started = jobs_.start(
        target, caller(), request,
        [this, target](const install::Progress& p) { progress(target, p); }, std::move(done));
    if (!started)
      reply->returnError(
          install_failed(started.error().wrap("install '" + target + "'").message()));
  });
}

void ManagerObject::Uninstall(sdbus::Result<>&& result, std::string name, bool keep_data) {
  answer(result, [&] {
    auto check = install::check_uninstall_request(install_context_, name);
    if (!check.ok()) throw request_refused(*check.refusal, check.error.message());
    if (jobs_.running(name)) throw busy(name);

    WorkerRequest request;
    request.op = WorkerRequest::Op::kUninstall;
    request.name = name;
    request.purge = !keep_data;
    auto reply = std::make_shared<sdbus::Result<>>(std::move(result));
    auto token = activity_.hold();
    auto done = [this, reply, name, token](const WorkerMessage& m) {
      if (m.kind != WorkerMessage::Kind::kUninstalled) {
        reply->returnError(uninstall_failed(m.error));
        return;
      }
      systemd_.reload([this, reply, name, token](const sdbus::Error* error) {
        snapshot_.clear();
        rescan();
        if (error)
          return reply->returnError(
              systemd_error("reload the user's systemd after uninstalling '" + name + "'", *error));
        reply->returnResults();
      });
    };
    auto started = jobs_.start(name, caller(), request, nullptr, std::move(done));
    if (!started)
      reply->returnError(
          uninstall_failed(started.error().wrap("uninstall '" + name + "'").message()));
  });
}

bool ManagerObject::CancelInstall(const std::string& name) { return jobs_.cancel(name); }

void ManagerObject::client_gone(const std::string& unique_name) {
  jobs_.cancel_owned_by(unique_name);
}

void ManagerObject::unit_changed(const std::string& unit, const std::string& interface,
                                 const std::map<std::string, sdbus::Variant>& changed,
                                 const std::vector<std::string>& invalidated) {
  auto name = container_of_unit(unit);
  if (!name) return;
  auto it = containers_.find(*name);
  if (it == containers_.end()) return;
  try {
    it->second.object->unit_changed(interface, changed, invalidated);
  } catch (const sdbus::Error& e) {
    log_warning("cannot relay a state change of " + unit + ": " + e.getMessage());
  }
}

}  // namespace box::manager
