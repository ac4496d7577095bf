#include "install/install_worker_protocol.h"

#include <nlohmann/json.hpp>

#include "core/model/value_parsers.h"
#include "install/image_metadata.h"

namespace box::manager {
namespace {

using Phase = install::Progress::Phase;
using nlohmann::json;

// Each phase and its name on the report line and in InstallProgress: one
// table for both directions.
constexpr std::pair<Phase, const char*> kPhaseNames[] = {
    {Phase::kReading, "reading"},
    {Phase::kUnpacking, "unpacking"},
    {Phase::kCopying, "copying"},
    {Phase::kFinishing, "finishing"},
};

}  // namespace

const char* phase_name(Phase phase) {
  for (const auto& [p, name] : kPhaseNames)
    if (p == phase) return name;
  return "reading";
}

bool phase_from_name(const std::string& name, Phase& phase) {
  for (const auto& [p, n] : kPhaseNames)
    if (name == n) {
      phase = p;
      return true;
    }
  return false;
}

std::vector<std::string> worker_arguments(const WorkerRequest& r) {
  std::vector<std::string> args;
  if (r.op == WorkerRequest::Op::kUninstall) {
    args = {"uninstall", r.name};
    if (r.purge) args.push_back("--purge");
    return args;
  }
  // "--" first: a source or name that starts with "-" stays an operand.
  const install::InstallOptions& o = r.options;
  args = {"install"};
  if (o.replace) args.push_back("--replace");
  if (o.dry_run) args.push_back("--dry-run");
  if (o.allow_autostart) args.push_back("--allow-autostart");
  for (const auto& p : o.allow_binds) args.insert(args.end(), {"--allow-bind", p});
  for (const auto& p : o.allow_host_files) args.insert(args.end(), {"--allow-host-file", p});
  for (const auto& n : o.allow_host_namespaces)
    args.insert(args.end(), {"--allow-host-namespace", n});
  for (const auto& [k, v] : o.set) args.insert(args.end(), {"--set", k + "=" + v});
  if (o.max_size) args.insert(args.end(), {"--max-size", std::to_string(o.max_size)});
  if (!o.origin.empty()) args.insert(args.end(), {"--origin", o.origin});
  args.insert(args.end(), {"--", r.source, r.name});
  return args;
}

Result<WorkerRequest> parse_worker_arguments(const std::vector<std::string>& args) {
  WorkerRequest r;
  if (args.empty()) return Error("expected 'install' or 'uninstall'");
  if (args[0] == "uninstall") {
    r.op = WorkerRequest::Op::kUninstall;
    if (args.size() < 2 || args.size() > 3 || (args.size() == 3 && args[2] != "--purge"))
      return Error("usage: uninstall NAME [--purge]");
    r.name = args[1];
    r.purge = args.size() == 3;
    return r;
  }
  if (args[0] != "install") return Error("unknown operation '" + args[0] + "'");
  std::size_t i = 1;
  for (; i < args.size() && args[i] != "--"; ++i) {
    install::InstallOptions& o = r.options;
    if (args[i] == "--replace") {
      o.replace = true;
    } else if (args[i] == "--dry-run") {
      o.dry_run = true;
    } else if (args[i] == "--allow-autostart") {
      o.allow_autostart = true;
    } else if (args[i] == "--allow-bind" && i + 1 < args.size()) {
      o.allow_binds.push_back(args[++i]);
    } else if (args[i] == "--allow-host-file" && i + 1 < args.size()) {
      o.allow_host_files.push_back(args[++i]);
    } else if (args[i] == "--allow-host-namespace" && i + 1 < args.size()) {
      o.allow_host_namespaces.push_back(args[++i]);
    } else if (args[i] == "--set" && i + 1 < args.size()) {
      const std::string& kv = args[++i];
      auto eq = kv.find('=');
      if (eq == std::string::npos) return Error("--set '" + kv + "': expected KEY=VALUE");
      o.set.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    } else if (args[i] == "--origin" && i + 1 < args.size()) {
      o.origin = args[++i];
    } else if (args[i] == "--max-size" && i + 1 < args.size()) {
      auto n = parse_number(args[++i], UINT64_MAX);
      if (!n) return n.error().wrap("--max-size");
      o.max_size = *n;
    } else {
      return Error("unknown argument '" + args[i] + "'");
    }
  }
  if (i + 3 != args.size())
    return Error(
        "usage: install [--replace] [--dry-run] [--set K=V]... [--allow-... X]... "
        "[--max-size BYTES] [--origin SOURCE] -- SOURCE NAME");
  r.source = args[i + 1];
  r.name = args[i + 2];
  return r;
}

install::InstallOptions install_options_of(const WorkerRequest& r) {
  install::InstallOptions o = r.options;
  o.name = r.name;
  o.cancel = nullptr;
  return o;
}

std::string progress_line(const install::Progress& p) {
  return json{{"progress",
               {{"phase", phase_name(p.phase)},
                {"layer", p.layer},
                {"layers", p.layers},
                {"bytes", p.bytes},
                {"total_bytes", p.total_bytes}}}}
      .dump();
}

std::string installed_line(const install::InstalledImage& image) {
  return json{{"installed", json::parse(install::metadata_to_json(image))}}.dump();
}

std::string uninstalled_line() { return json{{"uninstalled", true}}.dump(); }

std::string failure_line(const std::string& message, bool cancelled) {
  // dump() escapes what could end the line early, and replaces bytes that
  // are not UTF-8 (a path in a message may hold any).
  return json{{"error", message}, {"cancelled", cancelled}}.dump(-1, ' ', false,
                                                                 json::error_handler_t::replace);
}

Result<WorkerMessage> parse_worker_line(std::string_view line) {
  WorkerMessage m;
  try {
    auto j = json::parse(line);
    if (!j.is_object()) return Error("not a JSON object");
    if (auto it = j.find("progress"); it != j.end()) {
      m.kind = WorkerMessage::Kind::kProgress;
      if (!phase_from_name(it->at("phase").get<std::string>(), m.progress.phase))
        return Error("unknown phase " + it->at("phase").dump());
      m.progress.layer = it->value("layer", 0);
      m.progress.layers = it->value("layers", 0);
      m.progress.bytes = it->value("bytes", std::uint64_t{0});
      m.progress.total_bytes = it->value("total_bytes", std::uint64_t{0});
      return m;
    }
    if (auto it = j.find("installed"); it != j.end()) {
      auto image = install::metadata_from_json(it->dump(), "the worker's result");
      if (!image) return image.error();
      m.kind = WorkerMessage::Kind::kInstalled;
      m.image = std::move(*image);
      return m;
    }
    if (j.contains("uninstalled")) {
      m.kind = WorkerMessage::Kind::kUninstalled;
      return m;
    }
    if (auto it = j.find("error"); it != j.end()) {
      m.kind = WorkerMessage::Kind::kFailed;
      m.error = it->get<std::string>();
      m.cancelled = j.value("cancelled", false);
      return m;
    }
    return Error("unknown message " + j.dump());
  } catch (const json::exception& e) {
    return Error(std::string("unreadable message from the worker: ") + e.what());
  }
}

}  // namespace box::manager
