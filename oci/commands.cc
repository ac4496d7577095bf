#include "oci/commands.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iostream>
#include <linux/magic.h>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/plan/oci_config.h"
#include "core/plan/oci_plan.h"
#include "core/plan/oci_seccomp.h"
#include "core/runtime/executor.h"
#include "core/sys/spawn.h"
#include "core/sys/atomic_write.h"
#include "core/sys/small_file.h"
#include "core/sys/unique_fd.h"
#include "oci/container_cgroup.h"
#include "oci/container_state.h"
#include "oci/hooks.h"
#include "oci/spec_template.h"
#include "oci/terminal.h"

namespace box::oci {
namespace {

constexpr std::size_t kMaxConfigBytes = 16 << 20;

std::string now_rfc3339() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  std::tm tm{};
  gmtime_r(&ts.tv_sec, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%09ldZ", ts.tv_nsec);
  return std::string(buf) + frac;
}

bool cgroup2_unified() {
  struct statfs fs {};
  return ::statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

// Waits until `pid` (with `start_time`) is gone, up to `seconds`.
bool wait_gone(pid_t pid, unsigned long long start_time, int seconds) {
  for (int i = 0; i < seconds * 100; ++i) {
    if (process_start_time(pid) != start_time) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

struct Created {
  Record record;
  UniqueFd terminal;  // `run` in the foreground with process.terminal: the master
};

// Builds the container up to its exec gate. On success the record is saved
// and the container waits for `start`. `foreground`: `run` without
// --detach, which may keep the terminal itself.
Result<Created> create_container(const Globals& g, Log& log, const CreateOptions& o,
                                 bool foreground) {
  if (auto ok = check_id(o.id); !ok) return ok.error();
  char resolved[PATH_MAX];
  if (!::realpath(o.bundle.c_str(), resolved)) return Error::from_errno("bundle '" + o.bundle + "'");
  const std::string bundle = resolved;
  const std::string config_path = bundle + "/config.json";
  auto text = read_small_file(config_path, kMaxConfigBytes);
  if (!text) return text.error();
  auto config = read_config(*text, config_path);
  if (!config) return config.error();
  if (config->process.terminal && o.console_socket.empty() && !foreground)
    return Error(config_path +
                 ": 'process.terminal' is true: give --console-socket PATH, where the terminal's "
                 "master is sent (or `run` it in the foreground)");
  if (!config->process.terminal && !o.console_socket.empty())
    return Error("--console-socket '" + o.console_socket + "': " + config_path +
                 " has no 'process.terminal' to send there");
  const Hooks& h = config->hooks;

  StateStore store = store_of(g);
  PlanContext ctx;
  ctx.id = o.id;
  ctx.bundle = bundle;
  ctx.uid = ::geteuid();
  ctx.gid = ::getegid();
  ctx.exec_fifo = store.fifo(o.id);
  ctx.cgroup2_unified = cgroup2_unified();
  auto planned = make_oci_run_plan(*config, ctx);
  if (!planned) return planned.error().wrap(config_path);
  for (const auto& w : planned->warnings) log.warn(w);
  planned->plan.preserve_fds = o.preserve_fds;

  // Held until the record is saved (or the reservation abandoned).
  auto reserved = store.reserve(o.id);
  if (!reserved) return reserved.error();
  const UniqueFd reservation = std::move(*reserved);
  auto abandon = [&](Error e) -> Error {
    if (auto removed = store.remove(o.id); !removed) log.warn(removed.error().message());
    return e;
  };
  // `start` and `delete` run the hooks of this config, whatever becomes of the bundle's.
  if (auto kept = keep_config(store, o.id, *text); !kept) return abandon(kept.error());
  std::optional<CompiledSeccomp> seccomp;
  if (!config->seccomp_json.empty()) {
    auto compiled = compile_oci_seccomp(config->seccomp_json);
    if (!compiled) return abandon(compiled.error().wrap(config_path));
    for (const auto& note : compiled->notes) log.debug(note);
    seccomp = std::move(*compiled);
  }
  // The config's own device nodes stay usable under its device rules.
  std::vector<std::string> device_rules;
  for (const auto& d : config->devices)
    if (d.type == "c" || d.type == "u" || d.type == "b")
      device_rules.push_back((d.type == "b" ? "b " : "c ") + std::to_string(d.major) + ":" +
                             std::to_string(d.minor) + " rwm");
  auto cgroup = prepare_container_cgroup(
      g, log, {config->cgroups_path, config->resources_json, o.id, std::move(device_rules)});
  if (!cgroup) return abandon(cgroup.error().wrap(config_path));
  auto abandon_all = [&](Error e) -> Error {
    discard_container_cgroup(log, *cgroup);
    return abandon(std::move(e));
  };
  // The container joins its cgroup before it builds its filesystem, so
  // its limits hold from its first allocation.
  auto join = [&](pid_t pid) { return join_cgroup_dirs(*cgroup, pid); };
  Record r;
  r.id = o.id;
  r.bundle = bundle;
  r.created = now_rfc3339();
  r.owner = ctx.uid;
  r.annotations = config->annotations;
  r.cgroups = *cgroup;
  // prestart and createRuntime, here in the runtime's namespaces, once the
  // container's exist and its mounts are made, before it pivots; then the
  // container runs createContainer itself. The state they read says
  // "created": the environment is (runtime-spec runtime.md, lifecycle step 2).
  BeforePivot before_pivot;
  if (!h.prestart.empty() || !h.create_runtime.empty() || !h.create_container.empty() ||
      !h.start_container.empty())
    before_pivot = [&](pid_t pid) -> Result<std::string> {
      Record now = r;
      now.pid = pid;
      std::string state = state_json(now, Status::kCreated, kOciVersion);
      if (auto ran = run_hooks(h.prestart, "prestart", state); !ran) return ran.error();
      if (auto ran = run_hooks(h.create_runtime, "createRuntime", state); !ran) return ran.error();
      return state;
    };
  SetupError failure;
  auto started = start_container(planned->plan, seccomp ? &seccomp->program : nullptr, &failure,
                                 cgroup->empty() ? AfterClone{} : AfterClone(join), before_pivot);
  if (!started) {
    // The lifecycle goes on at delete (runtime-spec runtime.md): the
    // container is gone, its poststop hooks run.
    run_hooks_warning(h.poststop, "poststop", state_json(r, Status::kStopped, kOciVersion), log);
    return abandon_all(started.error());
  }
  r.pid = started->pid;
  r.start_time = process_start_time(started->pid);
  auto kill_it = [&](Error e) -> Error {
    ::kill(r.pid, SIGKILL);
    return abandon_all(std::move(e));
  };
  if (auto saved = store.save(r); !saved) return kill_it(saved.error());
  if (!o.pid_file.empty()) {
    if (auto written = write_file_atomically(o.pid_file, std::to_string(r.pid), 0644); !written)
      return kill_it(written.error());
  }
  Created created{r, UniqueFd()};
  if (started->terminal.valid()) {
    if (!o.console_socket.empty()) {
      if (auto sent = send_to_console_socket(o.console_socket, started->terminal.get()); !sent)
        return kill_it(sent.error());
    } else {
      created.terminal = std::move(started->terminal);
    }
  } else if (planned->plan.terminal) {
    return kill_it(Error("the container did not hand over its terminal"));
  }
  log.debug("created container '" + o.id + "' with pid " + std::to_string(r.pid));
  return created;
}

// A container created before box-oci kept configs has none, and no hooks
// to miss; any other reason not to read it is worth saying.
void warn_no_config(const Error& e, const char* point, const std::string& id, Log& log) {
  if (e.errno_value() != ENOENT) log.warn(e.wrap(std::string(point) + " hooks of '" + id + "'").message());
}

// poststart, once the command runs: failures are warnings.
void after_start(const StateStore& store, const Record& r, Log& log) {
  auto config = kept_config(store, r.id);
  if (!config) return warn_no_config(config.error(), "poststart", r.id, log);
  run_hooks_warning(config->hooks.poststart, "poststart",
                    state_json(r, Status::kRunning, kOciVersion), log);
}

// poststop, once the container is gone, before its record goes.
void after_stop(const StateStore& store, const Record& r, Log& log) {
  auto config = kept_config(store, r.id);
  if (!config) return warn_no_config(config.error(), "poststop", r.id, log);
  run_hooks_warning(config->hooks.poststop, "poststop",
                    state_json(r, Status::kStopped, kOciVersion), log);
}

// Opens the exec gate: the container execs its command.
Result<void> start_container_process(const StateStore& store, const Record& r) {
  Status st = store.status(r);
  if (st != Status::kCreated)
    return Error("cannot start container '" + r.id + "': it is " + status_name(st) +
                 " (only a created container starts)");
  // Non-blocking, then polled: the container may not have reached its
  // open() of the FIFO yet (it reports "created" just before), and it may
  // die instead; Linux reports no hang-up on a FIFO before it has seen a
  // writer, so POLLIN is the byte and POLLHUP a writer that went away.
  UniqueFd fifo(::open(store.fifo(r.id).c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fifo.valid()) return Error::from_errno("open the exec FIFO of '" + r.id + "'");
  char go = 0;
  ssize_t n = 0;
  for (;;) {
    pollfd p{fifo.get(), POLLIN, 0};
    int ready = ::poll(&p, 1, 100);
    if (ready < 0 && errno != EINTR) return Error::from_errno("wait for container '" + r.id + "'");
    if (ready > 0) {
      n = ::read(fifo.get(), &go, 1);
      if (n == 1 || (n < 0 && errno != EAGAIN && errno != EINTR) || (n == 0 && (p.revents & POLLHUP)))
        break;
    }
    if (process_start_time(r.pid) != r.start_time) {
      n = 0;
      break;
    }
  }
  if (n != 1) {
    ::unlink(store.fifo(r.id).c_str());
    return Error("container '" + r.id + "' ended before it could start");
  }
  // The FIFO is the container's report now: its startContainer hooks run,
  // then it execs (end of file: the FIFO is close-on-exec) or says why not.
  std::string report;
  for (;;) {
    char buf[512];
    n = ::read(fifo.get(), buf, sizeof buf);
    if (n > 0) {
      if (report.size() < 65536) report.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) break;
    pollfd p{fifo.get(), POLLIN, 0};
    ::poll(&p, 1, 100);
  }
  ::unlink(store.fifo(r.id).c_str());
  if (auto failed = decode_child_report(report))
    return failed->error.wrap("start container '" + r.id + "'");
  return {};
}

}  // namespace

StateStore store_of(const Globals& g) { return StateStore(g.root.empty() ? default_root() : g.root); }

int fail(Log& log, const Error& e) {
  log.error(e.message());
  return 1;
}

Result<Locked> open_container(const StateStore& store, const std::string& id) {
  if (auto ok = check_id(id); !ok) return ok.error();
  auto fd = lock_container(store, id);
  if (!fd) return fd.error();
  UniqueFd lock(*fd);
  auto record = store.load(id);
  if (!record) return record.error();
  return Locked{std::move(*record), std::move(lock)};
}

bool is_host_root() {
  if (::geteuid() != 0) return false;
  auto map = read_small_file("/proc/self/uid_map", 4096);
  return map && map->find("4294967295") != std::string::npos;
}

std::string default_root() {
  // Root of a user namespace (rootless podman runs its runtime so) is a
  // user on the host: its state goes where the user's does, as runc does.
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  const bool have_xdg = xdg && *xdg == '/';
  if (::geteuid() == 0 && (is_host_root() || !have_xdg)) return "/run/box-oci";
  if (have_xdg) return std::string(xdg) + "/box-oci";
  return "/tmp/box-oci-" + std::to_string(::geteuid());
}

int signal_number(const std::string& name) {
  if (name.empty()) return -1;
  if (std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isdigit(c); })) {
    long n = std::strtol(name.c_str(), nullptr, 10);
    return n > 0 && n < NSIG ? static_cast<int>(n) : -1;
  }
  std::string n = name;
  for (auto& c : n) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (n.rfind("SIG", 0) == 0) n = n.substr(3);
  if (n.rfind("RTMIN", 0) == 0 || n.rfind("RTMAX", 0) == 0) {
    const bool min = n[2] == 'M' && n[3] == 'I';
    int offset = 0;
    if (n.size() > 5) {
      if ((min && n[5] != '+') || (!min && n[5] != '-')) return -1;
      offset = std::atoi(n.c_str() + 6);
    }
    int s = min ? SIGRTMIN + offset : SIGRTMAX - offset;
    return s >= SIGRTMIN && s <= SIGRTMAX ? s : -1;
  }
  for (int s = 1; s < SIGRTMIN; ++s) {
    const char* abbrev = sigabbrev_np(s);
    if (abbrev && n == abbrev) return s;
  }
  return -1;
}

int create(const Globals& g, Log& log, const CreateOptions& o) {
  auto r = create_container(g, log, o, false);
  return r ? 0 : fail(log, r.error());
}

int start(const Globals& g, Log& log, const std::string& id) {
  StateStore store = store_of(g);
  auto c = open_container(store, id);
  if (!c) return fail(log, c.error());
  auto started = start_container_process(store, c->record);
  if (!started) return fail(log, started.error());
  after_start(store, c->record, log);
  return 0;
}

int run(const Globals& g, Log& log, const CreateOptions& o, bool detach, bool keep) {
  // The signals a caller sends `run` go to the container: blocked here so
  // none is lost before the container can take it (the container's own
  // mask is reset before exec).
  sigset_t forwarded;
  sigemptyset(&forwarded);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD})
    sigaddset(&forwarded, s);
  if (!detach) sigprocmask(SIG_BLOCK, &forwarded, nullptr);
  auto created = create_container(g, log, o, !detach);
  if (!created) return fail(log, created.error());
  const Record* r = &created->record;
  StateStore store = store_of(g);
  if (auto started = start_container_process(store, *r); !started) {
    ::kill(r->pid, SIGKILL);
    wait_gone(r->pid, r->start_time, 10);
    discard_container_cgroup(log, r->cgroups);
    after_stop(store, *r, log);
    if (auto removed = store.remove(o.id); !removed) log.warn(removed.error().message());
    return fail(log, started.error());
  }
  after_start(store, *r, log);
  if (detach) return 0;
  // No --console-socket: the terminal is ours to relay (runc's foreground mode).
  std::optional<TerminalRelay> relay;
  if (created->terminal.valid()) relay.emplace(created->terminal.get());
  int sfd = ::signalfd(-1, &forwarded, SFD_CLOEXEC);
  int status = 0;
  for (;;) {
    pid_t w = ::waitpid(r->pid, &status, WNOHANG);
    if (w == r->pid) break;
    pollfd fds[3] = {{sfd, POLLIN, 0},
                     {relay ? relay->input_fd() : -1, POLLIN, 0},
                     {relay ? relay->master_fd() : -1, POLLIN, 0}};
    if (sfd < 0 || (::poll(fds, 3, -1) < 0 && errno != EINTR)) {
      while (::waitpid(r->pid, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    if (relay)
      relay->pump(fds[1].revents & (POLLIN | POLLHUP | POLLERR),
                  fds[2].revents & (POLLIN | POLLHUP | POLLERR));
    if (!(fds[0].revents & POLLIN)) continue;
    signalfd_siginfo si{};
    if (::read(sfd, &si, sizeof si) != sizeof si) continue;
    if (si.ssi_signo == SIGWINCH && relay)
      relay->copy_size();
    else if (si.ssi_signo != SIGCHLD)
      ::kill(r->pid, static_cast<int>(si.ssi_signo));
  }
  if (relay) relay->drain();
  relay.reset();
  if (!keep) {
    discard_container_cgroup(log, r->cgroups);
    after_stop(store, *r, log);
    if (auto removed = store.remove(o.id); !removed) log.warn(removed.error().message());
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int state(const Globals& g, Log& log, const std::string& id) {
  StateStore store = store_of(g);
  if (auto ok = check_id(id); !ok) return fail(log, ok.error());
  auto r = store.load(id);
  if (!r) return fail(log, r.error());
  std::cout << state_json(*r, store.status(*r), kOciVersion) << "\n";
  return 0;
}

int kill(const Globals& g, Log& log, const std::string& id, const std::string& signal, bool all) {
  const int sig = signal_number(signal);
  if (sig < 0) return fail(log, Error("unknown signal '" + signal + "'"));
  StateStore store = store_of(g);
  auto c = open_container(store, id);
  if (!c) return fail(log, c.error());
  const Record& r = c->record;
  Status st = store.status(r);
  if (st != Status::kCreated && st != Status::kRunning && st != Status::kPaused)
    return fail(log, Error("container '" + id + "' is " + status_name(st) + ": nothing to signal"));
  if (all && !r.cgroups.empty()) {
    auto signalled = signal_cgroup(r.cgroups, sig);
    return signalled ? 0 : fail(log, signalled.error());
  }
  if (all) {
    // Every process of the container's pid namespace (never the caller's own).
    char own[64] = {}, theirs[64] = {};
    const std::string pid_ns = "/proc/" + std::to_string(r.pid) + "/ns/pid";
    if (::readlink("/proc/self/ns/pid", own, sizeof own - 1) > 0 &&
        ::readlink(pid_ns.c_str(), theirs, sizeof theirs - 1) > 0 && std::strcmp(own, theirs) != 0) {
      if (::kill(r.pid, sig) != 0 && errno != ESRCH) return fail(log, Error::from_errno("kill"));
      if (DIR* d = ::opendir("/proc")) {
        while (dirent* e = ::readdir(d)) {
          const pid_t p = static_cast<pid_t>(std::strtol(e->d_name, nullptr, 10));
          if (p <= 0 || p == r.pid) continue;
          char ns[64] = {};
          const std::string path = "/proc/" + std::to_string(p) + "/ns/pid";
          if (::readlink(path.c_str(), ns, sizeof ns - 1) > 0 && std::strcmp(ns, theirs) == 0)
            ::kill(p, sig);
        }
        ::closedir(d);
      }
      return 0;
    }
  }
  if (::kill(r.pid, sig) != 0) return fail(log, Error::from_errno("signal container '" + id + "'"));
  return 0;
}

int remove(const Globals& g, Log& log, const std::string& id, bool force) {
  StateStore store = store_of(g);
  auto c = open_container(store, id);
  if (!c) {
    if (force && c.error().errno_value() == ENOENT) return 0;
    return fail(log, c.error());
  }
  const Record& r = c->record;
  Status st = store.status(r);
  if ((st == Status::kRunning || st == Status::kPaused) && !force)
    return fail(log, Error("container '" + id + "' is " + status_name(st) +
                           ": stop it first, or delete --force"));
  if (st == Status::kCreated || st == Status::kRunning || st == Status::kPaused) {
    ::kill(r.pid, SIGKILL);
    // A frozen process dies only once thawed (the v1 freezer).
    if (st == Status::kPaused) (void)freeze_cgroup(r.cgroups, false);
    if (!wait_gone(r.pid, r.start_time, 10))
      return fail(log, Error("container '" + id + "' did not end within 10 s of SIGKILL"));
  }
  discard_container_cgroup(log, r.cgroups);
  after_stop(store, r, log);
  auto removed = store.remove(id);
  return removed ? 0 : fail(log, removed.error());
}

int list(const Globals& g, Log& log, const std::string& format, bool quiet) {
  StateStore store = store_of(g);
  auto ids = store.ids();
  if (!ids) return fail(log, ids.error());
  nlohmann::json all = nlohmann::json::array();
  if (format == "table" && !quiet) std::cout << "ID\tPID\tSTATUS\tBUNDLE\tCREATED\tOWNER\n";
  for (const auto& id : *ids) {
    auto r = store.load(id);
    if (!r) continue;  // removed meanwhile
    Status st = store.status(*r);
    pid_t pid = st == Status::kStopped ? 0 : r->pid;
    if (quiet) {
      std::cout << id << "\n";
    } else if (format == "json") {
      all.push_back({{"ociVersion", kOciVersion}, {"id", id}, {"pid", pid},
                     {"status", status_name(st)}, {"bundle", r->bundle},
                     {"rootfs", r->bundle + "/rootfs"}, {"created", r->created},
                     {"owner", std::to_string(r->owner)}});
    } else {
      std::cout << id << "\t" << pid << "\t" << status_name(st) << "\t" << r->bundle << "\t"
                << r->created << "\t" << r->owner << "\n";
    }
  }
  if (format == "json" && !quiet) std::cout << all.dump() << "\n";
  return 0;
}

int spec(Log& log, const std::string& bundle, bool rootless) {
  const std::string path = bundle + "/config.json";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST) return fail(log, Error("'" + path + "' exists: remove it first"));
    return fail(log, Error::from_errno("create '" + path + "'"));
  }
  const std::string text = spec_template(rootless, ::geteuid(), ::getegid());
  ssize_t n = ::write(fd, text.data(), text.size());
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size())) return fail(log, Error::from_errno("write '" + path + "'", err));
  return 0;
}

int features(Log&) {
  std::cout << features_json();
  return 0;
}

}  // namespace box::oci
