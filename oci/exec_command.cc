// `box-oci exec`: another process in a running container, joined the way
// `boxctl enter` joins a box (core/runtime/enter.h), with the process spec
// runc takes: --process FILE, or the container's own process changed by
// the command line.
#include <sys/capability.h>

#include <cstdlib>

#include "core/plan/oci_exec_plan.h"
#include "core/plan/oci_seccomp.h"
#include "core/runtime/enter.h"
#include "core/sys/atomic_write.h"
#include "core/sys/small_file.h"
#include "oci/commands.h"
#include "oci/container_state.h"
#include "oci/terminal.h"

namespace box::oci {
namespace {

constexpr std::size_t kMaxJsonBytes = 16 << 20;

Result<void> apply_user(const std::string& user, Process& p) {
  // uid[:gid], numbers only: names would be looked up in the container's
  // /etc/passwd, which box-oci does not read.
  const auto colon = user.find(':');
  char* end = nullptr;
  const std::string uid = user.substr(0, colon);
  unsigned long u = std::strtoul(uid.c_str(), &end, 10);
  if (uid.empty() || *end || u > 0xfffffffeUL)
    return Error("--user '" + user + "': expected UID[:GID] as numbers");
  p.uid = static_cast<std::uint32_t>(u);
  if (colon != std::string::npos) {
    const std::string gid = user.substr(colon + 1);
    unsigned long g = std::strtoul(gid.c_str(), &end, 10);
    if (gid.empty() || *end || g > 0xfffffffeUL)
      return Error("--user '" + user + "': expected UID[:GID] as numbers");
    p.gid = static_cast<std::uint32_t>(g);
  }
  return {};
}

// The process to run: --process FILE, or the container's with the
// command line's changes.
Result<Process> exec_process(const ExecOptions& o, const Config& config) {
  if (!o.process_file.empty()) {
    auto text = read_small_file(o.process_file, kMaxJsonBytes);
    if (!text) return text.error();
    return read_process(*text, o.process_file);
  }
  if (o.args.empty()) return Error("exec: give the command to run, or --process FILE");
  Process p = config.process;
  p.args = o.args;
  p.terminal = o.tty;
  if (!o.cwd.empty()) p.cwd = o.cwd;
  for (const auto& e : o.env) {
    if (e.find('=') == std::string::npos || e.front() == '=')
      return Error("--env '" + e + "': expected KEY=value");
    p.env = merge_env(p.env, {e});
  }
  if (!o.user.empty())
    if (auto set = apply_user(o.user, p); !set) return set.error();
  if (!o.caps.empty()) {
    if (!p.capabilities) p.capabilities = Capabilities{};
    for (const auto& cap : o.caps) {
      cap_value_t v;
      std::string lower = cap;
      for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (cap_from_name(lower.c_str(), &v) != 0) return Error("--cap '" + cap + "': unknown capability");
      for (auto* set : {&p.capabilities->bounding, &p.capabilities->effective,
                        &p.capabilities->permitted, &p.capabilities->inheritable})
        set->push_back(cap);
    }
  }
  if (o.no_new_privs) p.no_new_privileges = true;
  return p;
}

}  // namespace

int exec(const Globals& g, Log& log, const ExecOptions& o) {
  auto fail = [&](const Error& e) {
    log.error(e.message());
    return 125;
  };
  if (o.preserve_fds < 0) return fail(Error("--preserve-fds " + std::to_string(o.preserve_fds) +
                                             ": expected a count of descriptors from 3"));
  StateStore store = store_of(g);
  if (auto ok = check_id(o.id); !ok) return fail(ok.error());
  auto record = store.load(o.id);
  if (!record) return fail(record.error());
  const Status st = store.status(*record);
  if (st != Status::kRunning && st != Status::kCreated)
    return fail(Error("cannot exec in container '" + o.id + "': it is " + status_name(st)));
  const std::string config_path = record->bundle + "/config.json";
  auto text = read_small_file(config_path, kMaxJsonBytes);
  if (!text) return fail(text.error());
  auto config = read_config(*text, config_path);
  if (!config) return fail(config.error());
  auto process = exec_process(o, *config);
  if (!process) return fail(process.error());
  if (o.tty) process->terminal = true;
  // As for create: a detached terminal needs somewhere to go, and a socket
  // is for a terminal.
  if (process->terminal && o.detach && o.console_socket.empty())
    return fail(Error("exec: a terminal with --detach needs --console-socket, where its master goes"));
  if (!process->terminal && !o.console_socket.empty())
    return fail(Error("exec: --console-socket is for a terminal (-t, or process.terminal)"));

  auto facts = read_enter_facts(record->pid);
  if (!facts) return fail(facts.error().wrap("read the container's process"));
  auto plan = plan_exec(*process, *facts);
  if (!plan) return fail(plan.error());
  // The container's own filter binds what joins it too.
  std::optional<CompiledSeccomp> seccomp;
  if (!config->seccomp_json.empty()) {
    auto compiled = compile_oci_seccomp(config->seccomp_json);
    if (!compiled) return fail(compiled.error().wrap(config_path));
    seccomp = std::move(*compiled);
  }
  JoinOptions options;
  options.detach = o.detach;
  options.seccomp = seccomp ? &seccomp->program : nullptr;
  options.preserve_fds = o.preserve_fds;
  if (!o.console_socket.empty())
    options.hand_over_terminal = [&](int master) { return send_to_console_socket(o.console_socket, master); };
  if (!o.pid_file.empty())
    options.on_command = [&](pid_t command) {
      return write_file_atomically(o.pid_file, std::to_string(command), 0644);
    };
  int failure_status = 125;
  auto ran = run_joined(record->pid, *plan, options, &failure_status);
  if (!ran) {
    log.error(ran.error().message());
    return failure_status;
  }
  return *ran;
}

}  // namespace box::oci
