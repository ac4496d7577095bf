#include "manager/install_jobs.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/sys/log.h"
#include "core/sys/spawn.h"

namespace box::manager {
namespace {

// A worker's line is a progress report or a result: far below this.
constexpr std::size_t kMaxLine = 4 << 20;

WorkerMessage failure(const std::string& message) {
  WorkerMessage m;
  m.kind = WorkerMessage::Kind::kFailed;
  m.error = message;
  return m;
}

std::string exit_text(int status) {
  if (WIFSIGNALED(status))
    return std::string("was killed by signal ") + strsignal(WTERMSIG(status));
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

InstallJobs::InstallJobs(std::string worker_path) : worker_path_(std::move(worker_path)) {}

InstallJobs::~InstallJobs() {
  for (auto& [name, job] : jobs_) {
    ::kill(job.pid, SIGTERM);
    while (::waitpid(job.pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

Result<void> InstallJobs::start(const std::string& name, const std::string& owner,
                                const WorkerRequest& request, OnProgress on_progress,
                                OnDone on_done) {
  if (running(name)) return Error("a job for '" + name + "' is already running");
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Error::from_errno("create a pipe for the install worker");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  // stdin /dev/null, our stdout and stderr (the journal), its report pipe
  // as fd 3 and nothing else. It cancels when the manager dies (SIGTERM).
  SpawnSpec spec;
  spec.argv = worker_arguments(request);
  spec.argv.insert(spec.argv.begin(), worker_path_);
  spec.pass_fds = {write_end.get()};
  spec.death_signal = SIGTERM;
  // The cancel signals stay blocked across exec until the worker has its
  // handler: a CancelInstall that comes in its first milliseconds is then
  // pending, not fatal (the default action would kill it before it could
  // report).
  spec.blocked_signals = {SIGTERM, SIGINT, SIGHUP};
  auto spawned = spawn(spec);
  if (!spawned) return spawned.error().wrap("start the install worker");
  const pid_t pid = *spawned;
  write_end.reset();
  fcntl(read_end.get(), F_SETFL, O_NONBLOCK);
  Job job;
  job.owner = owner;
  job.op = request.op;
  job.pid = pid;
  job.report = std::move(read_end);
  job.on_progress = std::move(on_progress);
  job.on_done = std::move(on_done);
  jobs_.emplace(name, std::move(job));
  return {};
}

bool InstallJobs::cancel(const std::string& name) {
  auto it = jobs_.find(name);
  if (it == jobs_.end() || it->second.op != WorkerRequest::Op::kInstall) return false;
  ::kill(it->second.pid, SIGTERM);
  return true;
}

void InstallJobs::cancel_owned_by(const std::string& owner) {
  for (auto& [name, job] : jobs_)
    if (job.owner == owner && job.op == WorkerRequest::Op::kInstall) ::kill(job.pid, SIGTERM);
}

std::vector<int> InstallJobs::fds() const {
  std::vector<int> out;
  for (const auto& [name, job] : jobs_) out.push_back(job.report.get());
  return out;
}

void InstallJobs::on_readable(int fd) {
  auto it = jobs_.begin();
  while (it != jobs_.end() && it->second.report.get() != fd) ++it;
  if (it == jobs_.end()) return;
  Job& job = it->second;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) break;  // the worker has exited (or closed fd 3, which is the same)
    job.buffer.append(buf, static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = job.buffer.find('\n')) != std::string::npos) {
      std::string line = job.buffer.substr(0, nl);
      job.buffer.erase(0, nl + 1);
      handle_line(job, line);
    }
    if (job.buffer.size() > kMaxLine) {
      ::kill(job.pid, SIGKILL);
      job.have_last_word = true;
      job.last_word = failure("the install worker sent a line longer than " +
                              std::to_string(kMaxLine) + " bytes");
      break;
    }
  }
  finish(it);
}

void InstallJobs::handle_line(Job& job, const std::string& line) {
  auto m = parse_worker_line(line);
  if (!m) {
    log_warning("box-install-worker: " + m.error().message());
    return;
  }
  if (m->kind == WorkerMessage::Kind::kProgress) {
    if (job.on_progress) job.on_progress(m->progress);
    return;
  }
  job.have_last_word = true;
  job.last_word = std::move(*m);
}

void InstallJobs::finish(std::map<std::string, Job>::iterator it) {
  Job job = std::move(it->second);
  jobs_.erase(it);
  int status = 0;
  // It closed its end by exiting: this does not wait long.
  while (::waitpid(job.pid, &status, 0) < 0 && errno == EINTR) {
  }
  WorkerMessage last = job.have_last_word ? std::move(job.last_word)
                                          : failure("the install worker " + exit_text(status) +
                                                    " without a result (see 'journalctl --user -u "
                                                    "box-manager.service')");
  if (job.on_done) job.on_done(last);
}

}  // namespace box::manager
