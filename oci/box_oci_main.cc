// box-oci: box's runtime behind the OCI runtime command line that runc
// defined (create, start, state, kill, delete, run, list, spec, features,
// pause, resume, ps, events, update),
// so podman (--runtime), containerd's shim and the runtime-tools
// conformance suite can run containers through box's executor.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "oci/commands.h"
#include "oci/log.h"

int main(int argc, char** argv) {
  using namespace box::oci;
  CLI::App app{"box-oci: an OCI runtime (runc's command line) on box's executor"};
  app.require_subcommand(1);
  Globals g;
  std::string log_path, log_format = "text";
  bool debug = false;
  app.add_option("--root", g.root,
                 "state directory (default $XDG_RUNTIME_DIR/box-oci, root: /run/box-oci)");
  app.add_option("--log", log_path, "also write errors and warnings to this file");
  app.add_option("--log-format", log_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_flag("--debug", debug, "log debug lines too");
  app.add_flag(
      "--systemd-cgroup", g.systemd_cgroup,
      "cgroupsPath is \"slice:prefix:name\" (mapped to its cgroup directory; no D-Bus call)");
  app.add_option("--rootless", g.rootless,
                 "true, false or auto (accepted; box-oci decides by the caller's ids)")
      ->check(CLI::IsMember({"true", "false", "auto"}));

  CreateOptions co;
  auto add_create = [&](CLI::App* c) {
    c->add_option("-b,--bundle", co.bundle, "the bundle directory (default: the current one)");
    c->add_option("--pid-file", co.pid_file, "write the container's pid here");
    c->add_option("--console-socket", co.console_socket,
                  "with process.terminal: the Unix socket the terminal's master is sent to");
    c->add_option("--preserve-fds", co.preserve_fds,
                  "pass descriptors 3 .. 3+N-1 into the container")
        ->check(CLI::Range(0, 13));
    c->add_flag("--no-pivot")->description("accepted; box always pivots");
    c->add_flag("--no-new-keyring")->description("accepted; box-oci makes no session keyring");
    c->add_option("id", co.id, "container id")->required();
  };
  auto* create_cmd = app.add_subcommand("create", "create a container, stopped before its command");
  add_create(create_cmd);
  bool detach = false, keep = false;
  auto* run_cmd =
      app.add_subcommand("run", "create and start a container, wait for it and delete it");
  add_create(run_cmd);
  run_cmd->add_flag("-d,--detach", detach, "return once it runs");
  run_cmd->add_flag("--keep", keep, "keep the record after it ends");

  std::string id, signal = "TERM", format = "table";
  bool all = false, force = false, quiet = false, rootless = false;
  auto* start_cmd = app.add_subcommand("start", "run the command of a created container");
  start_cmd->add_option("id", id, "container id")->required();
  auto* state_cmd = app.add_subcommand("state", "print a container's state as JSON");
  state_cmd->add_option("id", id, "container id")->required();
  auto* kill_cmd = app.add_subcommand("kill", "send a signal to a container");
  kill_cmd->add_option("id", id, "container id")->required();
  kill_cmd->add_option("signal", signal, "name or number (default TERM)");
  kill_cmd->add_flag("-a,--all", all, "every process of the container");
  auto* delete_cmd =
      app.add_subcommand("delete", "delete a container's record (and it, with --force)");
  delete_cmd->add_option("id", id, "container id")->required();
  delete_cmd->add_flag("-f,--force", force, "kill it if it runs");
  auto* list_cmd = app.add_subcommand("list", "list the containers under --root");
  list_cmd->add_option("-f,--format", format, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  list_cmd->add_flag("-q,--quiet", quiet, "ids only");
  std::string spec_bundle = ".";
  auto* spec_cmd = app.add_subcommand("spec", "write a config.json to start from");
  spec_cmd->add_option("-b,--bundle", spec_bundle, "where to write it (default: here)");
  spec_cmd->add_flag("--rootless", rootless, "for a user without privileges");
  auto* features_cmd = app.add_subcommand("features", "print what this runtime supports, as JSON");

  ExecOptions eo;
  auto* exec_cmd = app.add_subcommand("exec", "run another process in a running container");
  exec_cmd->add_option("-p,--process", eo.process_file,
                       "the process as JSON (runtime-spec process)");
  exec_cmd->add_flag("-t,--tty", eo.tty, "a terminal: relayed, or its master to --console-socket");
  exec_cmd->add_option("--console-socket", eo.console_socket,
                       "a Unix socket the terminal's master is sent to");
  exec_cmd->add_flag("-d,--detach", eo.detach, "return once it runs");
  exec_cmd->add_option("--pid-file", eo.pid_file, "write its pid here");
  exec_cmd->add_option("--preserve-fds", eo.preserve_fds,
                       "pass descriptors 3 .. 3+N-1 to the process");
  exec_cmd->add_option("--cwd", eo.cwd, "working directory inside");
  // One value an occurrence, as runc's: `exec --cap CAP_X ID CMD` names one capability.
  exec_cmd->add_option("-e,--env", eo.env, "KEY=value, added to the container's environment")
      ->allow_extra_args(false);
  exec_cmd->add_option("-u,--user", eo.user, "UID[:GID]");
  exec_cmd->add_option("-c,--cap", eo.caps, "a capability to add (CAP_NET_ADMIN)")
      ->allow_extra_args(false);
  exec_cmd->add_flag("--no-new-privs", eo.no_new_privs, "set no_new_privs");
  exec_cmd->add_option("id", eo.id, "container id")->required();
  exec_cmd->add_option("command", eo.args, "the command and its arguments");
  exec_cmd->positionals_at_end();

  std::string cr_id, image_path, work_path;
  auto add_criu = [&](CLI::App* c) {
    c->add_option("--image-path", image_path, "where CRIU's images go / come from");
    c->add_option("--work-path", work_path, "CRIU's work directory");
    for (const char* flag :
         {"--leave-running", "--tcp-established", "--ext-unix-sk", "--shell-job", "--file-locks"})
      c->add_flag(flag)->description("as runc's");
    c->add_option("id", cr_id, "container id")->required();
  };
  auto* checkpoint_cmd = app.add_subcommand("checkpoint", "checkpoint a running container (CRIU)");
  add_criu(checkpoint_cmd);
  auto* restore_cmd = app.add_subcommand("restore", "restore a container from a checkpoint (CRIU)");
  add_criu(restore_cmd);
  restore_cmd->add_option("-b,--bundle", co.bundle, "the bundle directory");
  restore_cmd->add_flag("-d,--detach")->description("as runc's");
  restore_cmd->add_option("--pid-file", co.pid_file, "write the pid here");

  auto* pause_cmd = app.add_subcommand("pause", "freeze every process of a container");
  pause_cmd->add_option("id", id, "container id")->required();
  auto* resume_cmd = app.add_subcommand("resume", "thaw a paused container");
  resume_cmd->add_option("id", id, "container id")->required();
  std::string ps_format = "table";
  std::vector<std::string> ps_args;
  auto* ps_cmd = app.add_subcommand("ps", "the processes of a container");
  ps_cmd->add_option("-f,--format", ps_format, "table (ps -ef lines) or json (pids)")
      ->check(CLI::IsMember({"table", "json"}));
  ps_cmd->add_option("id", id, "container id")->required();
  ps_cmd->add_option("ps-args", ps_args, "arguments for ps (default -ef)");
  ps_cmd->prefix_command(false);
  bool stats = false;
  double interval = 5;
  auto* events_cmd = app.add_subcommand("events", "the container's resource usage, as JSON");
  events_cmd->add_flag("--stats", stats, "print one stats object and exit");
  events_cmd->add_option("--interval", interval, "seconds between stats (default 5)");
  events_cmd->add_option("id", id, "container id")->required();
  UpdateOptions uo;
  auto* update_cmd = app.add_subcommand("update", "change a running container's resource limits");
  update_cmd->add_option("-r,--resources", uo.resources_file,
                         "a linux.resources JSON file, - for stdin");
  update_cmd->add_option("--memory", uo.memory, "memory limit (e.g. 512m)");
  update_cmd->add_option("--memory-reservation", uo.memory_reservation, "memory soft limit");
  update_cmd->add_option("--memory-swap", uo.memory_swap, "memory plus swap limit (-1: none)");
  update_cmd->add_option("--kernel-memory", uo.kernel_memory, "kernel memory limit (cgroup v1)");
  update_cmd->add_option("--kernel-memory-tcp", uo.kernel_memory_tcp,
                         "kernel TCP buffer limit (cgroup v1)");
  update_cmd->add_option("--cpu-shares", uo.cpu_shares, "CPU shares (v2: converted to cpu.weight)");
  update_cmd->add_option("--cpu-quota", uo.cpu_quota, "CFS quota in microseconds");
  update_cmd->add_option("--cpu-period", uo.cpu_period, "CFS period in microseconds");
  update_cmd->add_option("--cpu-rt-period", uo.cpu_rt_period, "realtime period (cgroup v1)");
  update_cmd->add_option("--cpu-rt-runtime", uo.cpu_rt_runtime, "realtime runtime (cgroup v1)");
  update_cmd->add_option("--cpuset-cpus", uo.cpuset_cpus, "CPUs allowed (0-3, 0,1)");
  update_cmd->add_option("--cpuset-mems", uo.cpuset_mems, "memory nodes allowed");
  update_cmd->add_option("--pids-limit", uo.pids_limit, "maximum number of processes");
  update_cmd->add_option("--blkio-weight", uo.blkio_weight, "block IO weight (10-1000)");
  update_cmd->add_option("id", id, "container id")->required();

  CLI11_PARSE(app, argc, argv);
  Log log;
  log.open(log_path, log_format == "json", debug);
  if (*create_cmd) return create(g, log, co);
  if (*run_cmd) return run(g, log, co, detach, keep);
  if (*start_cmd) return start(g, log, id);
  if (*state_cmd) return state(g, log, id);
  if (*kill_cmd) return kill(g, log, id, signal, all);
  if (*delete_cmd) return remove(g, log, id, force);
  if (*list_cmd) return list(g, log, format, quiet);
  if (*spec_cmd) return spec(log, spec_bundle, rootless);
  if (*features_cmd) return features(log);
  if (*checkpoint_cmd) return checkpoint_or_restore(g, log, "checkpoint", cr_id);
  if (*restore_cmd) return checkpoint_or_restore(g, log, "restore", cr_id);
  if (*exec_cmd) {
    if (!eo.args.empty() && eo.args.front() == "--") eo.args.erase(eo.args.begin());
    return exec(g, log, eo);
  }

  if (*pause_cmd) return pause(g, log, id);
  if (*resume_cmd) return resume(g, log, id);
  if (*ps_cmd) return ps(g, log, id, ps_format, ps_args);
  if (*events_cmd) return events(g, log, id, stats, interval);
  if (*update_cmd) return update(g, log, id, uo);
  return 1;
}
