// The runtime's commands, as runc's command line names them. Each returns
// the process's exit status; errors go to the log (log.h).
#pragma once

#include <string>
#include <vector>

#include "oci/log.h"

namespace box::oci {

struct Globals {
  std::string root;  // state directory; empty: the default for the caller
  bool systemd_cgroup = false;
  std::string rootless = "auto";
};

// The default --root: $XDG_RUNTIME_DIR/box-oci for a user, /run/box-oci for root.
std::string default_root();

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

// "KILL", "SIGKILL", "9" -> 9; -1 when unknown.
int signal_number(const std::string& name);

}  // namespace box::oci
