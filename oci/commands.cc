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
#include "core/sys/atomic_write.h"
#include "core/sys/small_file.h"
#include "core/sys/unique_fd.h"
#include "oci/container_state.h"
#include "oci/spec_template.h"

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

StateStore store_of(const Globals& g) { return StateStore(g.root.empty() ? default_root() : g.root); }

int fail(Log& log, const Error& e) {
  log.error(e.message());
  return 1;
}

// The record and a lock on it, for commands on an existing container.
struct Locked {
  Record record;
  UniqueFd lock;
};
Result<Locked> open_container(const StateStore& store, const std::string& id) {
  if (auto ok = check_id(id); !ok) return ok.error();
  auto fd = lock_container(store, id);
  if (!fd) return fd.error();
  UniqueFd lock(*fd);
  auto record = store.load(id);
  if (!record) return record.error();
  return Locked{std::move(*record), std::move(lock)};
}

// Waits until `pid` (with `start_time`) is gone, up to `seconds`.
bool wait_gone(pid_t pid, unsigned long long start_time, int seconds) {
  for (int i = 0; i < seconds * 100; ++i) {
    if (process_start_time(pid) != start_time) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// Builds the container up to its exec gate. On success the record is saved
// and the container waits for `start`.
Result<Record> create_container(const Globals& g, Log& log, const CreateOptions& o) {
  if (auto ok = check_id(o.id); !ok) return ok.error();
  char resolved[PATH_MAX];
  if (!::realpath(o.bundle.c_str(), resolved)) return Error::from_errno("bundle '" + o.bundle + "'");
  const std::string bundle = resolved;
  const std::string config_path = bundle + "/config.json";
  auto text = read_small_file(config_path, kMaxConfigBytes);
  if (!text) return text.error();
  auto config = read_config(*text, config_path);
  if (!config) return config.error();
  if (config->process.terminal || !o.console_socket.empty())
    return Error(config_path +
                 ": 'process.terminal': box's OCI runtime does not give a container a terminal yet");
  const Hooks& h = config->hooks;
  if (!h.prestart.empty() || !h.create_runtime.empty() || !h.create_container.empty() ||
      !h.start_container.empty() || !h.poststart.empty() || !h.poststop.empty())
    return Error(config_path + ": 'hooks': box's OCI runtime does not run hooks yet");

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

  if (auto reserved = store.reserve(o.id); !reserved) return reserved.error();
  auto abandon = [&](Error e) -> Error {
    if (auto removed = store.remove(o.id); !removed) log.warn(removed.error().message());
    return e;
  };
  std::optional<CompiledSeccomp> seccomp;
  if (!config->seccomp_json.empty()) {
    auto compiled = compile_oci_seccomp(config->seccomp_json);
    if (!compiled) return abandon(compiled.error().wrap(config_path));
    for (const auto& note : compiled->notes) log.debug(note);
    seccomp = std::move(*compiled);
  }
  SetupError failure;
  auto started = start_container(planned->plan, seccomp ? &seccomp->program : nullptr, &failure);
  if (!started) return abandon(started.error());
  Record r;
  r.id = o.id;
  r.pid = started->pid;
  r.start_time = process_start_time(started->pid);
  r.bundle = bundle;
  r.created = now_rfc3339();
  r.owner = ctx.uid;
  r.annotations = config->annotations;
  auto kill_it = [&](Error e) -> Error {
    ::kill(r.pid, SIGKILL);
    return abandon(std::move(e));
  };
  if (auto saved = store.save(r); !saved) return kill_it(saved.error());
  if (!o.pid_file.empty()) {
    if (auto written = write_file_atomically(o.pid_file, std::to_string(r.pid), 0644); !written)
      return kill_it(written.error());
  }
  log.debug("created container '" + o.id + "' with pid " + std::to_string(r.pid));
  return r;
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
  ::unlink(store.fifo(r.id).c_str());
  if (n != 1) return Error("container '" + r.id + "' ended before it could start");
  return {};
}

}  // namespace

std::string default_root() {
  // Root of a user namespace (rootless podman runs its runtime so) is a
  // user on the host: its state goes where the user's does, as runc does.
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  const bool have_xdg = xdg && *xdg == '/';
  if (::geteuid() == 0) {
    auto map = read_small_file("/proc/self/uid_map", 4096);
    const bool initial = map && map->find("4294967295") != std::string::npos;
    if (initial || !have_xdg) return "/run/box-oci";
  }
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
  auto r = create_container(g, log, o);
  return r ? 0 : fail(log, r.error());
}

int start(const Globals& g, Log& log, const std::string& id) {
  StateStore store = store_of(g);
  auto c = open_container(store, id);
  if (!c) return fail(log, c.error());
  auto started = start_container_process(store, c->record);
  return started ? 0 : fail(log, started.error());
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
  auto r = create_container(g, log, o);
  if (!r) return fail(log, r.error());
  StateStore store = store_of(g);
  if (auto started = start_container_process(store, *r); !started) {
    ::kill(r->pid, SIGKILL);
    if (auto removed = store.remove(o.id); !removed) log.warn(removed.error().message());
    return fail(log, started.error());
  }
  if (detach) return 0;
  int sfd = ::signalfd(-1, &forwarded, SFD_CLOEXEC);
  int status = 0;
  for (;;) {
    pid_t w = ::waitpid(r->pid, &status, WNOHANG);
    if (w == r->pid) break;
    signalfd_siginfo si{};
    if (sfd < 0 || ::read(sfd, &si, sizeof si) != sizeof si) {
      if (errno == EINTR) continue;
      while (::waitpid(r->pid, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    if (si.ssi_signo != SIGCHLD) ::kill(r->pid, static_cast<int>(si.ssi_signo));
  }
  if (!keep)
    if (auto removed = store.remove(o.id); !removed) log.warn(removed.error().message());
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
  if (st != Status::kCreated && st != Status::kRunning)
    return fail(log, Error("container '" + id + "' is " + status_name(st) + ": nothing to signal"));
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
  if (st == Status::kRunning && !force)
    return fail(log, Error("container '" + id + "' is running: stop it first, or delete --force"));
  if (st == Status::kCreated || st == Status::kRunning) {
    ::kill(r.pid, SIGKILL);
    if (!wait_gone(r.pid, r.start_time, 10))
      return fail(log, Error("container '" + id + "' did not end within 10 s of SIGKILL"));
  }
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
