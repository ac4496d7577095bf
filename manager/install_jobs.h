// The Install and Uninstall calls in flight. Each runs in a
// box-install-worker process (box_install_worker_main.cc); its report pipe
// is watched by the manager's poll loop beside the bus, so the manager stays
// single-threaded and answers other calls while an image unpacks. At most
// one job per container name.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/sys/result.h"
#include "core/sys/unique_fd.h"
#include "install/install_worker_protocol.h"

namespace box::manager {

class InstallJobs {
 public:
  using OnProgress = std::function<void(const install::Progress&)>;
  // The worker's last word: kInstalled, kUninstalled or kFailed (also when
  // it died without one).
  using OnDone = std::function<void(const WorkerMessage&)>;

  explicit InstallJobs(std::string worker_path);
  // Workers still running are cancelled and reaped.
  ~InstallJobs();
  InstallJobs(const InstallJobs&) = delete;
  InstallJobs& operator=(const InstallJobs&) = delete;

  // Starts the worker for `request` as the job of container `name`, for the
  // bus client `owner`.
  Result<void> start(const std::string& name, const std::string& owner,
                     const WorkerRequest& request, OnProgress on_progress, OnDone on_done);
  bool running(const std::string& name) const { return jobs_.count(name) > 0; }

  // Cancels the install of `name` (SIGTERM: the worker removes what it
  // staged, then reports). False when no install of `name` runs; an
  // uninstall is never interrupted.
  bool cancel(const std::string& name);
  // Cancels the installs that bus client `owner` asked for.
  void cancel_owned_by(const std::string& owner);

  // For the poll loop: the descriptors to watch for input, and what to do
  // when one is readable (or hung up).
  std::vector<int> fds() const;
  void on_readable(int fd);

 private:
  struct Job {
    std::string owner;
    WorkerRequest::Op op;
    pid_t pid = -1;
    UniqueFd report;
    std::string buffer;  // a line not yet complete
    bool have_last_word = false;
    WorkerMessage last_word;
    OnProgress on_progress;
    OnDone on_done;
  };

  void handle_line(Job& job, const std::string& line);
  void finish(std::map<std::string, Job>::iterator it);

  std::string worker_path_;
  std::map<std::string, Job> jobs_;  // by container name
};

}  // namespace box::manager
