#include "install_jobs.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"

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
  // Everything the child needs is made before fork: between fork and exec
  // it only calls what is async-signal-safe.
  std::vector<std::string> args = worker_arguments(request);
  args.insert(args.begin(), worker_path_);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Error::from_errno("create a pipe for the install worker");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  const pid_t manager = getpid();
  sigset_t all;
  sigfillset(&all);
  pid_t pid = fork();
  if (pid < 0) return Error::from_errno("start the install worker");
  if (pid == 0) {
    // The worker cancels when the manager dies (it gets SIGTERM).
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != manager) _exit(127);
    // fd 3, without O_CLOEXEC (dup2 clears it).
    if (write_end.get() == 3) {
      if (fcntl(3, F_SETFD, 0) != 0) _exit(127);
    } else if (dup2(write_end.get(), 3) != 3) {
      _exit(127);
    }
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null < 0 || dup2(null, 0) != 0) _exit(127);
    // The cancel signals stay blocked across exec until the worker has its
    // handler: a CancelInstall that comes in its first milliseconds is
    // then pending, not fatal (the default action would kill it before it
    // could report).
    sigset_t cancel_signals;
    sigemptyset(&cancel_signals);
    for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&cancel_signals, s);
    sigprocmask(SIG_SETMASK, &cancel_signals, nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
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
