#include "core/plan/bus_proxy_plan.h"

#include <sys/un.h>

#include <algorithm>

namespace box {
namespace {

// The value the definition's env gives `name`, or nullptr.
const std::string* env_value(const Definition& def, const std::string& name) {
  for (const auto& [k, v] : def.env)
    if (k == name) return &v;
  return nullptr;
}

bool has_env(const RunPlan& p, const std::string& name) {
  const std::string prefix = name + "=";
  return std::any_of(p.env.begin(), p.env.end(),
                     [&](const std::string& e) { return e.rfind(prefix, 0) == 0; });
}

}  // namespace

std::vector<std::string> bus_policy_args(const BusRules& rules) {
  // Always filtered: a proxy without --filter passes everything on, which
  // is the whole bus.
  std::vector<std::string> args = {"--filter"};
  for (const auto& [option, names] : {std::pair{"--see=", &rules.see},
                                      std::pair{"--talk=", &rules.talk},
                                      std::pair{"--own=", &rules.own}})
    for (const auto& name : *names) args.push_back(option + name);
  for (const auto& [option, list] :
       {std::pair{"--call=", &rules.call}, std::pair{"--broadcast=", &rules.broadcast}})
    for (const auto& [name, each] : *list)
      for (const auto& rule : each) args.push_back(option + name + "=" + rule);
  return args;
}

std::vector<std::string> bus_proxy_argv(const std::string& program,
                                        const std::vector<ProxiedBus>& buses) {
  std::vector<std::string> argv = {program, "--fd=" + std::to_string(kBusProxyReadyFd)};
  for (const auto& bus : buses) {
    argv.push_back(bus.address);
    argv.push_back(bus.socket);
    argv.insert(argv.end(), bus.policy.begin(), bus.policy.end());
  }
  return argv;
}

std::string bus_proxy_dir(const std::string& runtime_dir, const std::string& name) {
  return runtime_dir + "/box/bus/" + name;
}

Result<void> plan_bus_proxy(const Definition& def, const RuntimeFacts& facts, RunPlan& p) {
  if (!def.session_bus && !def.system_bus) return {};
  const char* key = def.session_bus ? "session_bus" : "system_bus";
  if (facts.bus_proxy.empty())
    return Error(std::string(key) + " needs xdg-dbus-proxy, and it is not in PATH (" + facts.path +
                 "): install Debian's xdg-dbus-proxy package");
  if (facts.runtime_dir.empty())
    return Error(std::string(key) +
                 " needs the user's runtime directory ($XDG_RUNTIME_DIR), where the box's bus "
                 "proxy keeps its sockets");
  p.bus_proxy = facts.bus_proxy;
  p.bus_proxy_dir = bus_proxy_dir(facts.runtime_dir, def.name);
  auto add = [&](const char* bus, const std::string& address, const std::string& inside,
                 const BusRules& rules) -> Result<void> {
    const std::string socket = p.bus_proxy_dir + "/" + bus;
    if (socket.size() >= sizeof(sockaddr_un{}.sun_path))
      return Error(std::string(bus) + " bus proxy socket path too long: '" + socket + "'");
    if (address.empty())
      return Error(std::string(bus) + "_bus: no " + bus +
                   " bus to proxy ($DBUS_SESSION_BUS_ADDRESS and $XDG_RUNTIME_DIR are unset)");
    p.buses.push_back({bus, address, socket, inside, bus_policy_args(rules)});
    // A plain bind, not read-only: connecting to a socket is writing to it.
    p.mounts.push_back({MountStep::Kind::kBind, inside, socket, "", 0});
    return {};
  };
  if (def.session_bus) {
    // $XDG_RUNTIME_DIR/bus, where sd-bus and GDBus look without
    // $DBUS_SESSION_BUS_ADDRESS: the definition's runtime dir, else the
    // host's path (the same path inside as outside).
    const std::string* own = env_value(def, "XDG_RUNTIME_DIR");
    std::string dir = own ? *own : facts.runtime_dir;
    if (dir.empty() || dir.front() != '/')
      return Error("session_bus: env XDG_RUNTIME_DIR must be an absolute path (the session bus "
                   "is bound at $XDG_RUNTIME_DIR/bus), found '" +
                   dir + "'");
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    const std::string inside = dir + "/bus";
    auto r = add("session", facts.session_bus_address, inside, *def.session_bus);
    if (!r) return r;
    if (!has_env(p, "XDG_RUNTIME_DIR")) p.env.push_back("XDG_RUNTIME_DIR=" + dir);
    if (!has_env(p, "DBUS_SESSION_BUS_ADDRESS"))
      p.env.push_back("DBUS_SESSION_BUS_ADDRESS=unix:path=" + inside);
  }
  if (def.system_bus) {
    auto r = add("system", facts.system_bus_address, kSystemBusSocket, *def.system_bus);
    if (!r) return r;
    if (!has_env(p, "DBUS_SYSTEM_BUS_ADDRESS"))
      p.env.push_back(std::string("DBUS_SYSTEM_BUS_ADDRESS=unix:path=") + kSystemBusSocket);
  }
  return {};
}

}  // namespace box
