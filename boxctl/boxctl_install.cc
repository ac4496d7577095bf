#include "boxctl/boxctl_install.h"

#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "boxctl/boxctl.h"
#include "boxctl/boxctl_export.h"
#include "boxctl/boxctl_kube.h"
#include "boxctl/output.h"
#include "bus/errors.h"
#include "bus/install_bus_types.h"
#include "core/model/names.h"
#include "core/model/value_parsers.h"
#include "core/sys/unique_fd.h"
#include "install/desktop_export.h"
#include "install/export_image.h"
#include "install/install.h"
#include "install/install_worker_protocol.h"
#include "install/registry_pull.h"
#include "install/source.h"

namespace box::boxctl {
namespace {

// Exit codes (docs/install.md; the same numbers as the rest of boxctl).
constexpr int kOk = 0, kFailure = 1, kUsage = 2, kCancelled = 130;

// install kube:FILE plays Kubernetes YAML (boxctl_kube.h).
constexpr const char* kKubePrefix = "kube:";

// ^C, SIGTERM and SIGHUP while an install runs: blocked, and read from a
// signalfd in the loop that waits for box-manager's answer, so that no
// system call of boxctl's is interrupted and the first one can ask the
// manager to cancel, then wait until it has removed what it staged.
class CancelSignals {
 public:
  CancelSignals() {
    sigemptyset(&set_);
    for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set_, s);
    sigprocmask(SIG_BLOCK, &set_, &old_);
    fd_.reset(signalfd(-1, &set_, SFD_CLOEXEC | SFD_NONBLOCK));
  }
  ~CancelSignals() {
    fd_.reset();
    if (!restore_) return;
    // What arrived after the last read is dropped, not delivered on unblock.
    timespec zero{0, 0};
    while (sigtimedwait(&set_, nullptr, &zero) > 0) {
    }
    sigprocmask(SIG_SETMASK, &old_, nullptr);
  }
  // Once the manager has answered, the outcome is decided: the signals stay
  // blocked until boxctl exits, so that one arriving while it prints the
  // result or exits cannot end it with 130 after a completed install.
  void keep_blocked() { restore_ = false; }
  int fd() const { return fd_.get(); }
  // How many arrived since the last call.
  int take() {
    int n = 0;
    signalfd_siginfo info;
    while (::read(fd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) ++n;
    return n;
  }

 private:
  sigset_t set_, old_;
  UniqueFd fd_;
  bool restore_ = true;
};

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

// A new directory under the user's cache dir (~/.cache/box/PREFIX-XXXXXX)
// for a copy made on the way to an install, removed when this goes.
class CacheDir {
 public:
  static Result<CacheDir> make(const std::string& prefix) {
    const char* cache = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    const std::string base = cache && *cache ? std::string(cache) + "/box"
                             : home && *home ? std::string(home) + "/.cache/box"
                                             : std::string();
    if (base.empty()) return Error("no cache directory ($HOME unset)");
    std::error_code ec;
    std::filesystem::create_directories(base, ec);
    CacheDir d;
    d.path_ = base + "/" + prefix + "-XXXXXX";
    if (ec || !::mkdtemp(d.path_.data()))
      return Error("create a directory in '" + base +
                   "': " + (ec ? ec.message() : std::string(strerror(errno))));
    return d;
  }
  CacheDir(CacheDir&& other) noexcept : path_(std::exchange(other.path_, "")) {}
  CacheDir& operator=(CacheDir&&) = delete;
  ~CacheDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  CacheDir() = default;
  std::string path_;
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

// What --dry-run prints with --json: the host changes and the refusals.
nlohmann::json plan_to_json(const install::InstalledImage& m) {
  nlohmann::json changes = nlohmann::json::array();
  for (const auto& c : m.changes)
    changes.push_back({{"kind", c.kind}, {"path", c.path}, {"detail", c.detail}});
  return {{"name", m.name},         {"source", m.source}, {"dry_run", true},
          {"changes", changes},     {"refused", m.refused},
          {"warnings", m.warnings}};
}

// `legend`: the header line (--no-legend drops it).
void print_images(const std::vector<install::InstalledImage>& images, bool legend) {
  std::vector<std::vector<manager::Cell>> rows;
  if (legend) rows.push_back({{"NAME"}, {"SOURCE"}, {"DIGEST"}, {"INSTALLED"}});
  for (const auto& m : images)
    rows.push_back({{m.name},
                    {m.source},
                    {m.digest.empty() ? "-" : m.digest.substr(0, 19)},
                    {m.installed_at.empty() ? "?" : m.installed_at}});
  std::cout << manager::format_table(rows, false);
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
                         "oci-archive:FILE[:TAG], docker-archive:FILE, docker://IMAGE "
                         "(pulled with skopeo), or kube:FILE (as 'boxctl play kube FILE')");
    install_->add_option("NAME", name_, "Container name (default: from SOURCE)");
    install_->add_flag("--replace", replace_, "Install over an existing container of that name");
    // One value per occurrence: "--allow-bind / SOURCE NAME" leaves
    // SOURCE and NAME to the positionals.
    install_->add_option("--set", set_, "KEY=VALUE for the image's Atomic templates (repeatable)")
        ->allow_extra_args(false);
    install_->add_option("--max-size", max_size_,
                         "Most the image may unpack to, e.g. 64G (default 32G)");
    install_->add_flag("--list", list_, "List installed images (as 'boxctl images')");
    install_->add_flag("--json", json_, "Print JSON for scripts");
    install_->add_flag("--dry-run", dry_run_,
                       "Show every host change the install would make, and what it would "
                       "refuse; change nothing");
    install_->add_option("--allow-bind", allow_binds_,
                         "Let the image bind this host path (outside its own directories) "
                         "into the container (repeatable)")
        ->allow_extra_args(false);
    install_->add_option("--allow-host-file", allow_host_files_,
                         "Let the image install this hostfs file where it runs code or "
                         "configures other programs (repeatable)")
        ->allow_extra_args(false);
    install_->add_option("--allow-host-namespace", allow_host_namespaces_,
                         "Let the container share this namespace with the host: pid or ipc "
                         "(repeatable)")
        ->allow_extra_args(false);
    install_->add_flag("--allow-autostart", allow_autostart_,
                       "Let the image start the container at every login (WantedBy=)");

    uninstall_ = app.add_subcommand("uninstall", "Stop and remove an installed container");
    uninstall_->add_option("NAME", uninstall_name_, "Container name")->required();
    uninstall_->add_flag("--purge", purge_, "Also remove its data directories");
    uninstall_->add_flag("--user", user_, "For the calling user (the only mode)");

    images_ = app.add_subcommand("images", "List installed images, their source and digest");
    images_->add_flag("--json", json_, "Print JSON for scripts");
    images_->add_flag("--no-legend", no_legend_, "No header line");
    images_->add_flag("--no-pager")
        ->description("Accepted, as systemctl takes it (images never pages)");

    export_ = app.add_subcommand(
        "export-desktop",
        "Put an installed image's desktop entry and icons in your application menu");
    export_->add_option("NAME", export_name_, "Container name (an installed image)")->required();
    export_->add_option("--app", export_app_,
                        "The image's desktop file id (default: its only entry)");
    export_->add_flag("--remove", export_remove_, "Remove what was exported instead");
    export_->add_flag("--json", json_, "Print JSON for scripts");

    export_image_ = app.add_subcommand(
        "export", "Write a box's image with its persistent writes as a new OCI image");
    export_image_->add_option("NAME", export_box_, "Container name (a box of an installed image)")
        ->required();
    export_image_
        ->add_option("DESTINATION", export_destination_,
                     "oci-archive:FILE[:TAG] or oci:DIR[:TAG] (TAG defaults to NAME)")
        ->required();
    export_image_->add_flag("--json", json_, "Print JSON for scripts");

    commit_ = app.add_subcommand(
        "commit", "Install a box's image with its persistent writes as a new image NEWNAME");
    commit_->add_option("NAME", export_box_, "Container name (a box of an installed image)")
        ->required();
    commit_
        ->add_option("NEWNAME", commit_target_,
                     "The new image's name, or oci-archive:FILE[:TAG] or oci:DIR[:TAG] to "
                     "export to (as 'boxctl export')")
        ->required();
    commit_->add_flag("--replace", replace_, "Install over an existing image of that name");
    commit_->add_flag("--json", json_, "Print JSON for scripts");
  }

  std::optional<int> run() override {
    if (!*install_ && !*uninstall_ && !*images_ && !*export_ && !*export_image_ && !*commit_)
      return std::nullopt;
    if (*images_ || (*install_ && list_)) return images();
    if (*export_) return export_desktop();
    if (*export_image_) return cmd_export(export_box_, export_destination_, json_);
    if (*commit_ && install::is_export_destination(commit_target_))
      return cmd_export(export_box_, commit_target_, json_);
    if (*install_ && source_.empty()) {
      std::cerr << "boxctl install: SOURCE is required (or --list)\n";
      return kUsage;
    }
    Context ctx;
    try {
      if (*commit_) return commit(ctx);
      // kube:FILE is `boxctl play kube FILE`.
      if (*install_ && source_.rfind(kKubePrefix, 0) == 0) return install_kube(ctx);
      return *uninstall_ ? uninstall(ctx) : install(ctx);
    } catch (const Failure& f) {
      complain(f.message);
      return f.code;
    } catch (const sdbus::Error& e) {
      return report(ctx, e);
    }
  }

 private:
  int fail(const std::string& message, int code = kFailure) {
    complain(message);
    return code;
  }

  // box-manager's errors for Install/Uninstall; the others (no session, no
  // manager, NoSuchContainer) as every boxctl command reports them.
  int report(Context& ctx, const sdbus::Error& e) {
    const std::string name = e.getName();
    if (name == manager::kCancelled) return fail(e.getMessage(), kCancelled);
    if (name == manager::kInvalidArgument || name == manager::kAlreadyExists ||
        name == manager::kInstallFailed || name == manager::kUninstallFailed ||
        name == manager::kBusy)
      return fail(e.getMessage());
    return ctx.report(e);
  }

  // Read here, not through the manager: the files are the state, and
  // listing them needs no session.
  int images() {
    auto ctx = install::context_from_environment("box-run");
    if (!ctx) return fail(ctx.error().message());
    auto list = install::list_installed(*ctx);
    if (!list) return fail(list.error().message());
    if (json_) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& m : *list) out.push_back(to_json(m));
      std::cout << out.dump(2) << "\n";
    } else {
      print_images(*list, !no_legend_);
    }
    return kOk;
  }

  int install_kube(Context& ctx) {
    if (!name_.empty() || dry_run_ || !set_.empty() || !max_size_.empty() ||
        !allow_binds_.empty() || !allow_host_files_.empty() || !allow_host_namespaces_.empty() ||
        allow_autostart_)
      return fail("install kube:FILE takes no NAME and no option but --replace and --json "
                  "(the names are the YAML's; see 'boxctl play kube --help')",
                  kUsage);
    PlayKubeOptions o;
    o.file = source_.substr(std::string(kKubePrefix).size());
    o.replace = replace_;
    o.json = json_;
    return play_kube(ctx, o);
  }

  // docker://REF: skopeo copies it into an OCI layout in the user's
  // cache first, which is installed as any oci:DIR is, the record naming
  // REF; the layout is removed after, whatever the outcome.
  int install(Context& ctx) {
    if (!install::is_registry_source(source_)) return install(ctx, source_, "");
    auto cache = CacheDir::make("pull");
    if (!cache) return fail("install '" + source_ + "': " + cache.error().message());
    const std::string& dir = cache->path();
    if (name_.empty()) name_ = install::name_from_reference(source_);
    std::cerr << "Pulling " << source_ << " with skopeo...\n";
    const char* path = std::getenv("PATH");
    {
      // ^C reaches skopeo from the terminal too; a signal to boxctl alone
      // stops it. Either way the layout goes and nothing is installed.
      CancelSignals signals;
      auto pulled =
          install::pull_with_skopeo(source_, dir + "/layout", path ? path : "", signals.fd());
      if (signals.take() > 0) {
        std::cerr << "boxctl: the pull of " << source_ << " was cancelled: nothing was installed\n";
        return kCancelled;
      }
      if (!pulled) return fail(pulled.error().message());
    }
    return install(ctx, "oci:" + dir + "/layout:latest", source_);
  }

  // commit NAME NEWNAME: NAME is exported into an OCI layout in the
  // user's cache, which is installed as NEWNAME as any oci:DIR is, its
  // record naming "commit:NAME"; the layout is removed after, whatever the
  // outcome.
  int commit(Context& ctx) {
    if (commit_target_ == export_box_)
      return fail("commit '" + export_box_ +
                      "': the new image needs a name of its own (its writes would stay over "
                      "it, applied twice)",
                  kUsage);
    if (auto r = check_plain_name(commit_target_, "image name"); !r)
      return fail("commit '" + export_box_ + "': " + r.error().message(), kUsage);
    auto cache = CacheDir::make("commit");
    if (!cache) return fail("commit '" + export_box_ + "': " + cache.error().message());
    const std::string layout = "oci:" + cache->path() + "/layout:latest";
    std::vector<std::string> notes;
    export_box(export_box_, layout, "boxctl commit " + export_box_ + " " + commit_target_, notes);
    for (const auto& n : notes) std::cerr << "note: " << n << "\n";
    name_ = commit_target_;
    return install(ctx, layout, install::kCommitOriginPrefix + export_box_);
  }

  // `origin`: what `source` is a copy of (empty: itself).
  int install(Context& ctx, const std::string& source_arg, const std::string& origin) {
    // box-manager does not know our working directory: the path goes
    // absolute. The name tells our InstallProgress signals from others'.
    char cwd[PATH_MAX];
    auto parsed = install::parse_source(source_arg, getcwd(cwd, sizeof cwd) ? cwd : "/");
    if (!parsed) return fail(parsed.error().message());
    const std::string source = install::to_text(*parsed);
    const std::string target = name_.empty() ? install::default_name(*parsed) : name_;
    install::InstallOptions o;
    o.origin = origin;
    o.replace = replace_;
    o.dry_run = dry_run_;
    o.allow_binds = allow_binds_;
    o.allow_host_files = allow_host_files_;
    o.allow_host_namespaces = allow_host_namespaces_;
    o.allow_autostart = allow_autostart_;
    for (const auto& kv : set_) {
      auto eq = kv.find('=');
      if (eq == std::string::npos) return fail("--set '" + kv + "': expected KEY=VALUE", kUsage);
      o.set.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
    if (!max_size_.empty()) {
      auto size = parse_size(max_size_);
      if (!size || *size == 0)
        return fail("--max-size '" + max_size_ + "': expected a size such as 512M or 64G", kUsage);
      o.max_size = *size;
    }

    CancelSignals signals;
    auto& client = ctx.manager();
    ProgressLine line;
    client.on_install_progress([&](const std::string& name, const std::string& phase,
                                   uint32_t layer, uint32_t layers, uint64_t bytes,
                                   uint64_t total) {
      install::Progress p;
      if (name != target || !manager::phase_from_name(phase, p.phase)) return;
      p.layer = static_cast<int>(layer);
      p.layers = static_cast<int>(layers);
      p.bytes = bytes;
      p.total_bytes = total;
      line.update(p);
    });
    bool answered = false;
    std::optional<sdbus::Error> error;
    install::InstalledImage m;
    auto pending =
        client.install(source, name_, manager::install_options_to(o),
                       [&](const sdbus::Error* e, const std::string&, const sdbus::ObjectPath&,
                           const std::map<std::string, sdbus::Variant>& info) {
                         answered = true;
                         if (e)
                           error = *e;
                         else
                           m = manager::image_from_info(info);
                       });
    auto& bus = ctx.bus();
    int interrupts = 0;
    while (!answered) {
      if (bus.processPendingRequest()) continue;
      auto poll_data = bus.getEventLoopPollData();
      pollfd fds[2] = {{poll_data.fd, poll_data.events, 0}, {signals.fd(), POLLIN, 0}};
      if (::poll(fds, 2, poll_data.getPollTimeout()) < 0 && errno != EINTR)
        return fail(std::string("poll: ") + strerror(errno));
      if (!(fds[1].revents & POLLIN) || signals.take() == 0 || interrupts++ > 0) continue;
      // Once: a later signal (`timeout` sends two, to the process and to its
      // group) changes nothing. The manager's answer comes once it has
      // removed what it staged; ^\ leaves at once (the manager then
      // cancels because its caller left the bus).
      line.clear();
      std::cerr << "boxctl: cancelling the install of '" << target << "'\n";
      // False: it had just ended; its answer follows.
      client.cancel_install(target);
    }
    signals.keep_blocked();
    line.clear();
    if (error) return report(ctx, *error);

    const char* home_env = std::getenv("HOME");
    const std::string home = home_env ? home_env : "";
    if (m.dry_run) return print_plan(m, home);
    if (json_) {
      std::cout << to_json(m).dump(2) << "\n";
      return kOk;
    }
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

  // --dry-run: 0 when the install would go through, 1 when something
  // would be refused (all of it listed, each with the flag that allows it).
  int print_plan(const install::InstalledImage& m, const std::string& home) {
    if (json_) {
      std::cout << plan_to_json(m).dump(2) << "\n";
    } else {
      std::cout << "Installing " << m.name << " from " << m.source
                << " would change on this host:\n";
      for (const auto& c : m.changes)
        std::cout << "  " << c.kind << std::string(c.kind.size() < 15 ? 15 - c.kind.size() : 1, ' ')
                  << tilde(c.path, home) << (c.detail.empty() ? "" : "  (" + c.detail + ")")
                  << "\n";
      for (const auto& w : m.warnings) std::cout << "  note: " << w << "\n";
      if (!m.refused.empty()) {
        std::cout << "and would refuse:\n";
        for (const auto& r : m.refused) std::cout << "  " << r << "\n";
      }
      std::cout << "Nothing was changed (--dry-run).\n";
    }
    return m.refused.empty() ? kOk : kFailure;
  }

  // As the user, not through the manager: the files are the user's, and
  // what is read is the installed image's (install/desktop_export.h).
  int export_desktop() {
    auto ctx = install::context_from_environment("box-run");
    if (!ctx) return fail(ctx.error().message());
    if (export_remove_) {
      if (!export_app_.empty()) return fail("export-desktop: --remove takes no --app", kUsage);
      auto notes = install::remove_desktop_exports(*ctx, export_name_);
      if (!notes) return fail(notes.error().message());
      for (const auto& n : *notes) std::cerr << "note: " << n << "\n";
      if (json_)
        std::cout << nlohmann::json{{"name", export_name_}, {"removed", true}, {"notes", *notes}}
                         .dump(2)
                  << "\n";
      else
        std::cout << "Removed what was exported of " << export_name_ << "\n";
      return kOk;
    }
    char self[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return fail("export-desktop: cannot find boxctl's own path (/proc/self/exe)");
    self[n] = '\0';
    auto done = install::export_desktop(*ctx, export_name_, export_app_, self);
    if (!done) return fail(done.error().message());
    if (json_) {
      std::cout << nlohmann::json{{"name", export_name_},
                                  {"desktop_id", done->desktop_id},
                                  {"entry", done->entry},
                                  {"icons", done->icons}}
                       .dump(2)
                << "\n";
      return kOk;
    }
    const std::string home = ctx->dirs.home;
    std::cout << "Exported " << done->desktop_id << " of " << export_name_ << "\n"
              << "  entry: " << tilde(done->entry, home) << "\n";
    for (const auto& i : done->icons) std::cout << "  icon:  " << tilde(i, home) << "\n";
    return kOk;
  }

  int uninstall(Context& ctx) {
    ctx.manager().uninstall(uninstall_name_, /*keep_data=*/!purge_);
    std::cout << "Uninstalled " << uninstall_name_
              << (purge_ ? " and removed its data\n"
                         : " (data directories kept; --purge removes them)\n");
    return kOk;
  }

  CLI::App* install_;
  CLI::App* uninstall_;
  CLI::App* images_;
  CLI::App* export_;
  CLI::App* export_image_;
  CLI::App* commit_;
  std::string export_box_, export_destination_, commit_target_;
  std::string export_name_, export_app_;
  bool export_remove_ = false;
  bool user_ = false, replace_ = false, list_ = false, json_ = false, purge_ = false;
  bool no_legend_ = false;
  bool dry_run_ = false, allow_autostart_ = false;
  std::string source_, name_, uninstall_name_, max_size_;
  std::vector<std::string> set_, allow_binds_, allow_host_files_, allow_host_namespaces_;
};

}  // namespace

std::unique_ptr<InstallCommands> add_install_commands(CLI::App& app) {
  return std::make_unique<Commands>(app);
}

}  // namespace box::boxctl
