#include "boxctl_install.h"

#include <limits.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "install/install.h"

namespace box::boxctl {
namespace {

// Exit codes (docs/install.md; the same numbers as the rest of boxctl).
constexpr int kOk = 0, kFailure = 1, kUsage = 2, kNoSuchContainer = 4, kCancelled = 130;

std::atomic<bool> g_cancel{false};

extern "C" void on_cancel_signal(int) { g_cancel.store(true); }

// SIGINT/SIGTERM/SIGHUP cancel: the install stops its worker and removes
// what it staged before boxctl exits.
void catch_cancel_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_cancel_signal;
  sigemptyset(&sa.sa_mask);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaction(s, &sa, nullptr);
}

// <prefix>/bin/boxctl -> <prefix>/libexec/box/box-run (what units run).
std::string box_run_path() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "box-run";
  std::string exe(buf, static_cast<std::size_t>(n));
  std::string bin = exe.substr(0, exe.find_last_of('/'));
  return bin.substr(0, bin.find_last_of('/')) + "/libexec/box/box-run";
}

std::string mib(std::uint64_t bytes) {
  char b[32];
  snprintf(b, sizeof b, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return b;
}

std::string tilde(const std::string& path, const std::string& home) {
  if (!home.empty() && path.rfind(home + "/", 0) == 0) return "~" + path.substr(home.size());
  return path;
}

// One status line on a terminal, redrawn at most 10 times a second.
class ProgressLine {
 public:
  ProgressLine() : tty_(isatty(STDERR_FILENO) == 1) {}
  ~ProgressLine() { clear(); }

  void update(const install::Progress& p) {
    if (!tty_) return;
    auto now = std::chrono::steady_clock::now();
    if (shown_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    std::string line;
    switch (p.phase) {
      case install::Progress::Phase::kReading:
        line = "Reading image...";
        break;
      case install::Progress::Phase::kUnpacking:
        line = "Unpacking layer " + std::to_string(p.layer) + "/" + std::to_string(p.layers) +
               "  " + mib(p.bytes) + (p.total_bytes ? " / " + mib(p.total_bytes) : "");
        if (p.total_bytes) line += "  (" + std::to_string(p.bytes * 100 / p.total_bytes) + "%)";
        break;
      case install::Progress::Phase::kCopying:
        line = "Copying rootfs  " + mib(p.bytes);
        break;
      case install::Progress::Phase::kFinishing:
        line = "Writing the definition...";
        break;
    }
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
    shown_ = true;
  }

  void clear() {
    if (tty_ && shown_) std::fprintf(stderr, "\r\033[K");
    shown_ = false;
  }

 private:
  bool tty_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_;
};

nlohmann::json to_json(const install::InstalledImage& m) {
  return {{"name", m.name},
          {"source", m.source},
          {"source_kind", m.source_kind},
          {"digest", m.digest},
          {"installed_at", m.installed_at},
          {"rootfs", m.rootfs},
          {"definition", m.definition},
          {"id_mapping", m.id_mapping},
          {"owners_kept", m.owners_kept},
          {"data_dirs", m.data_dirs},
          {"host_files", m.host_files},
          {"warnings", m.warnings}};
}

void print_images(const std::vector<install::InstalledImage>& images) {
  std::vector<std::vector<std::string>> rows = {{"NAME", "SOURCE", "DIGEST", "INSTALLED"}};
  for (const auto& m : images)
    rows.push_back({m.name, m.source, m.digest.empty() ? "-" : m.digest.substr(0, 19),
                    m.installed_at.empty() ? "?" : m.installed_at});
  std::vector<std::size_t> width(4, 0);
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i)
      line += r[i] + (i + 1 < r.size() ? std::string(width[i] - r[i].size() + 2, ' ') : "");
    std::cout << line << "\n";
  }
}

class Commands : public InstallCommands {
 public:
  explicit Commands(CLI::App& app) {
    install_ = app.add_subcommand("install", "Install a container from an image or bundle");
    install_->add_flag("--user", user_,
                       "Install for the calling user (the only mode; accepted "
                       "for clarity)");
    install_->add_option("SOURCE", source_,
                         "DIR (box.yaml or config.json + rootfs/), oci:DIR[:TAG], "
                         "oci-archive:FILE[:TAG] or docker-archive:FILE");
    install_->add_option("NAME", name_, "Container name (default: from SOURCE)");
    install_->add_flag("--replace", replace_, "Install over an existing container of that name");
    install_->add_option("--set", set_, "KEY=VALUE for the image's Atomic templates (repeatable)");
    install_->add_flag("--list", list_, "List installed images (as 'boxctl images')");
    install_->add_flag("--json", json_, "Print JSON for scripts");

    uninstall_ = app.add_subcommand("uninstall", "Stop and remove an installed container");
    uninstall_->add_option("NAME", uninstall_name_, "Container name")->required();
    uninstall_->add_flag("--purge", purge_, "Also remove its data directories");
    uninstall_->add_flag("--user", user_, "For the calling user (the only mode)");

    images_ = app.add_subcommand("images", "List installed images, their source and digest");
    images_->add_flag("--json", json_, "Print JSON for scripts");
  }

  std::optional<int> run() override {
    if (!*install_ && !*uninstall_ && !*images_) return std::nullopt;
    auto ctx = install::context_from_environment(box_run_path());
    if (!ctx) return fail(ctx.error().message());
    if (*images_ || (*install_ && list_)) return images(*ctx);
    if (*uninstall_) return uninstall(*ctx);
    if (source_.empty()) {
      std::cerr << "boxctl install: SOURCE is required (or --list)\n";
      return kUsage;
    }
    return install(*ctx);
  }

 private:
  int fail(const std::string& message, int code = kFailure) {
    std::cerr << "boxctl: " << message << "\n";
    return code;
  }

  int images(const install::InstallContext& ctx) {
    auto list = install::list_installed(ctx);
    if (!list) return fail(list.error().message());
    if (json_) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& m : *list) out.push_back(to_json(m));
      std::cout << out.dump(2) << "\n";
    } else {
      print_images(*list);
    }
    return kOk;
  }

  int install(const install::InstallContext& ctx) {
    install::InstallOptions options;
    options.name = name_;
    options.replace = replace_;
    options.cancel = &g_cancel;
    for (const auto& kv : set_) {
      auto eq = kv.find('=');
      if (eq == std::string::npos) return fail("--set '" + kv + "': expected KEY=VALUE", kUsage);
      options.set.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
    catch_cancel_signals();
    ProgressLine line;
    auto result = install::install(ctx, source_, options,
                                   [&](const install::Progress& p) { line.update(p); });
    line.clear();
    if (!result) return fail(result.error().message(), g_cancel.load() ? kCancelled : kFailure);
    const auto& m = *result;
    if (json_) {
      std::cout << to_json(m).dump(2) << "\n";
      return kOk;
    }
    const std::string& home = ctx.dirs.home;
    std::cout << "Installed " << m.name << " from " << m.source
              << (m.digest.empty() ? "" : " (" + m.digest.substr(0, 19) + ")") << "\n"
              << "  rootfs:     " << tilde(m.rootfs, home);
    if (m.layers)
      std::cout << " (" << m.layers << (m.layers == 1 ? " layer, " : " layers, ")
                << mib(m.bytes_unpacked) << ")";
    std::cout << "\n  definition: " << tilde(m.definition, home) << "\n"
              << "  ids:        " << (m.owners_kept ? "image owners kept (" : "all yours (")
              << m.id_mapping << ")\n";
    for (const auto& d : m.data_dirs) std::cout << "  data:       " << tilde(d, home) << "\n";
    for (const auto& f : m.host_files) std::cout << "  host file:  " << tilde(f, home) << "\n";
    for (const auto& w : m.warnings) std::cout << "  note: " << w << "\n";
    std::cout << "Start it with: systemctl --user start box@" << m.name << "\n";
    return kOk;
  }

  int uninstall(const install::InstallContext& ctx) {
    auto r = install::uninstall(ctx, uninstall_name_, purge_);
    if (!r) {
      bool missing = r.error().message().rfind("no installed image", 0) == 0;
      return fail(r.error().message(), missing ? kNoSuchContainer : kFailure);
    }
    std::cout << "Uninstalled " << uninstall_name_
              << (purge_ ? " and removed its data\n"
                         : " (data directories kept; --purge removes them)\n");
    return kOk;
  }

  CLI::App* install_;
  CLI::App* uninstall_;
  CLI::App* images_;
  bool user_ = false, replace_ = false, list_ = false, json_ = false, purge_ = false;
  std::string source_, name_, uninstall_name_;
  std::vector<std::string> set_;
};

}  // namespace

std::unique_ptr<InstallCommands> add_install_commands(CLI::App& app) {
  return std::make_unique<Commands>(app);
}

}  // namespace box::boxctl
