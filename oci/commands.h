// The runtime's commands, as runc's command line names them. Each returns
// the process's exit status; errors go to the log (log.h).
#pragma once

#include <string>
#include <vector>

#include "core/sys/unique_fd.h"
#include "oci/container_state.h"
#include "oci/log.h"

namespace box::oci {

struct Globals {
  std::string root;  // state directory; empty: the default for the caller
  bool systemd_cgroup = false;
  std::string rootless = "auto";
};

// The default --root: $XDG_RUNTIME_DIR/box-oci for a user, /run/box-oci for root.
std::string default_root();
// Root in the initial user namespace; root of a user namespace (rootless
// podman runs its runtime so) is a user on the host and gets what one gets.
bool is_host_root();

struct CreateOptions {
  std::string id;
  std::string bundle = ".";
  std::string pid_file;
  std::string console_socket;
  int preserve_fds = 0;
};

int create(const Globals& g, Log& log, const CreateOptions& o);
int start(const Globals& g, Log& log, const std::string& id);
int run(const Globals& g, Log& log, const CreateOptions& o, bool detach, bool keep);
int state(const Globals& g, Log& log, const std::string& id);
int kill(const Globals& g, Log& log, const std::string& id, const std::string& signal, bool all);
int remove(const Globals& g, Log& log, const std::string& id, bool force);
int list(const Globals& g, Log& log, const std::string& format, bool quiet);
int spec(Log& log, const std::string& bundle, bool rootless);
int features(Log& log);

struct ExecOptions {
  std::string id;
  std::vector<std::string> args;  // the command, unless process_file
  std::string process_file;
  bool tty = false;
  std::string console_socket;
  bool detach = false;
  std::string pid_file;
  int preserve_fds = 0;
  std::string cwd;
  std::vector<std::string> env;
  std::string user;  // UID[:GID]
  std::vector<std::string> caps;
  bool no_new_privs = false;
};
// The command's exit status (128+N for signal N); 125 when it could not be
// started (126 not executable, 127 not found).
int exec(const Globals& g, Log& log, const ExecOptions& o);

// `checkpoint ID` or `restore ID` ("checkpoint" or "restore" as `verb`).
int checkpoint_or_restore(const Globals& g, Log& log, const std::string& verb,
                          const std::string& id);

// On the container's cgroup (cgroup_commands.cc), as runc has them.
int pause(const Globals& g, Log& log, const std::string& id);
int resume(const Globals& g, Log& log, const std::string& id);
// table: `ps PS_ARGS` (default -ef) filtered to the container's processes;
// json: their pids as a JSON array.
int ps(const Globals& g, Log& log, const std::string& id, const std::string& format,
       const std::vector<std::string>& ps_args);
// One stats object (--stats), or one every `interval_seconds` until the
// container ends.
int events(const Globals& g, Log& log, const std::string& id, bool stats, double interval_seconds);
struct UpdateOptions {
  std::string resources_file;  // a linux.resources JSON file, "-" for stdin
  // runc's single flags, as given (empty: not given)
  std::string memory, memory_reservation, memory_swap, kernel_memory, kernel_memory_tcp;
  std::string cpu_shares, cpu_quota, cpu_period, cpu_rt_period, cpu_rt_runtime, cpuset_cpus,
      cpuset_mems, pids_limit, blkio_weight;
};
int update(const Globals& g, Log& log, const std::string& id, const UpdateOptions& o);

// Shared by the commands.
StateStore store_of(const Globals& g);
int fail(Log& log, const Error& e);  // logs it, returns 1
// The record and a lock on it, for commands on an existing container.
struct Locked {
  Record record;
  UniqueFd lock;
};
Result<Locked> open_container(const StateStore& store, const std::string& id);

// "KILL", "SIGKILL", "9" -> 9; -1 when unknown.
int signal_number(const std::string& name);

}  // namespace box::oci
