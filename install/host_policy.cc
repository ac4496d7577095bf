#include "install/host_policy.h"

#include <algorithm>

#include "install/own_places.h"

namespace box::install {
namespace {

enum class Base { kConfig, kData, kHome };

struct CodePlace {
  Base base;
  const char* rel;  // "" : the whole base
  const char* why;
};

// Most specific first: the first match gives the reason.
const CodePlace kCodePlaces[] = {
    {Base::kConfig, "systemd", "systemd user units and their .wants links: systemd runs them"},
    {Base::kConfig, "autostart", "XDG autostart entries: your desktop runs them at every login"},
    {Base::kConfig, "box/etc",
     "another box's configuration ($CONF_DIRECTORY/NAME is bound into box NAME; an image may "
     "put files only in its own)"},
    {Base::kConfig, "box", "box definitions: each becomes a systemd service"},
    {Base::kConfig, "environment.d",
     "the environment of every user service (PATH, LD_PRELOAD, ...)"},
    {Base::kConfig, "user-tmpfiles.d",
     "systemd-tmpfiles rules: applied to your files at every login"},
    {Base::kConfig, "dbus-1", "D-Bus configuration"},
    {Base::kConfig, "mimeapps.list", "which program opens which kind of file"},
    {Base::kConfig, "fish", "fish start-up files"},
    {Base::kConfig, "",
     "$XDG_CONFIG_HOME: every file there configures a program you run (shells, editors, git, "
     "your desktop)"},
    {Base::kData, "systemd", "systemd user units: systemd runs them"},
    {Base::kData, "dbus-1", "D-Bus service files: the bus starts the program they name"},
    {Base::kData, "applications",
     "desktop entries and MIME handlers: your desktop runs them to open files"},
    {Base::kData, "mime", "the MIME database: which program opens which kind of file"},
    {Base::kData, "box", "box's own data: the images and state of your other boxes"},
    {Base::kData, "bash-completion", "bash completion scripts: your shell sources them"},
    {Base::kData, "fish", "fish functions: your shell runs them"},
    {Base::kData, "zsh", "zsh functions: your shell runs them"},
    {Base::kData, "gnome-shell", "GNOME Shell extensions: they run in your session"},
    {Base::kData, "nautilus", "file manager scripts"},
    {Base::kData, "kservices5", "KDE service menus"},
    {Base::kData, "kio", "KDE service menus"},
    {Base::kData, "plasma", "Plasma widgets: they run in your session"},
    {Base::kData, "flatpak", "Flatpak's exports: desktop entries and services"},
    {Base::kData, "keyrings", "your keyrings"},
    {Base::kHome, ".local/bin", "~/.local/bin is on PATH: a program there runs instead of another"},
    {Base::kHome, ".local/lib",
     "~/.local/lib: libraries and Python site-packages your programs load"},
    {Base::kHome, "bin", "~/bin is on PATH: a program there runs instead of another"},
};

std::string base_dir(Base b, const HostPlaces& p) {
  switch (b) {
    case Base::kConfig:
      return p.config_home;
    case Base::kData:
      return p.data_home;
    case Base::kHome:
      return p.home;
  }
  return "";
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string parent_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

// What a tmpfiles type does, for the refusal.
std::string tmpfiles_type_effect(char t) {
  switch (t) {
    case 'f':
    case 'F':
      return "creates or truncates a file";
    case 'w':
      return "writes into a file";
    case 'L':
      return "creates a symlink";
    case 'r':
    case 'R':
      return "removes files";
    case 'z':
    case 'Z':
      return "changes the mode and owner of existing files";
    case 'C':
      return "copies files";
    case 'c':
    case 'b':
      return "creates a device node";
    case 'p':
      return "creates a FIFO";
    case 'a':
    case 'A':
      return "changes ACLs";
    case 'h':
    case 'H':
      return "changes file attributes";
    case 't':
    case 'T':
      return "changes extended attributes";
    case 'e':
      return "adjusts and cleans up an existing directory";
    case 'x':
    case 'X':
      return "changes what is cleaned up";
    default:
      return "is not a directory";
  }
}

}  // namespace

HostPlaces host_places_for(const InstallContext& ctx) {
  HostPlaces p{ctx.dirs.home, ctx.dirs.config_home, ctx.dirs.data_home, ctx.path_dirs};
  p.path_dirs.push_back(ctx.dirs.home + "/.local/bin");
  p.path_dirs.push_back(ctx.dirs.home + "/bin");
  return p;
}

std::optional<std::string> runs_code_or_configures(const std::string& dest, const HostPlaces& p) {
  if (!is_canonical_path(dest)) return std::string("not a canonical path");
  for (const auto& dir : p.path_dirs)
    if (!dir.empty() && dir[0] == '/' && parent_of(dest) == dir)
      return dir + " is on PATH: a program there runs instead of another of that name";
  for (const auto& place : kCodePlaces) {
    std::string base = base_dir(place.base, p);
    if (base.empty()) continue;
    std::string dir = *place.rel ? base + "/" + place.rel : base;
    if (at_or_under(dest, dir) && dest != base) return std::string(place.why);
  }
  if (!p.home.empty() && parent_of(dest) == p.home)
    return std::string("directly in $HOME: shell start-up files and other programs' settings");
  return std::nullopt;
}

bool in_hostfs_place(const std::string& dest, const HostPlaces& p) {
  if (!is_canonical_path(dest)) return false;
  for (const std::string& base :
       {p.config_home, p.data_home, p.home + "/.local/bin", p.home + "/.local/lib",
        p.home + "/.local/libexec"})
    if (!base.empty() && is_canonical_path(base) && dest != base && at_or_under(dest, base))
      return true;
  return false;
}

std::optional<std::string> refuse_tmpfiles_line(const image::TmpfilesEntry& e,
                                                const Locations& locs, const std::string& name,
                                                const std::string& where) {
  const std::string line = where + ": '" + e.raw + "': ";
  if (e.raw.find_first_of("%\\\"'") != std::string::npos)
    return line +
           "specifiers ('%'), escapes ('\\') and quotes are not allowed in an image's tmpfiles "
           "lines (systemd-tmpfiles would expand them after box checked the path)";
  if (e.type.empty() || std::string("dDvqQ").find(e.type[0]) == std::string::npos)
    return line + "'" + e.type + "' " + tmpfiles_type_effect(e.type.empty() ? '?' : e.type[0]) +
           "; an image may only create directories (d, D, v, q, Q)";
  if (e.type.find_first_not_of("!-", 1) != std::string::npos)
    return line + "type '" + e.type + "': only the '!' and '-' modifiers are allowed";
  if (!is_canonical_path(e.path))
    return line + "'" + e.path +
           "' is not a canonical absolute path (no '..', '.', '//' or trailing '/')";
  auto place = own_place(locs, name, e.path);
  std::string state = own_place_root(locs, name, OwnPlace::kState),
              run = own_place_root(locs, name, OwnPlace::kRun),
              containers = own_place_root(locs, name, OwnPlace::kContainers),
              conf = own_place_root(locs, name, OwnPlace::kConf);
  if (!place || *place == OwnPlace::kImage)
    return line + "'" + e.path + "' is outside the box's own directories (" + state + ", " +
           (run.empty() ? "" : run + ", ") + containers + (conf.empty() ? "" : ", " + conf) + ")";
  return std::nullopt;
}

std::string tmpfiles_line_text(const image::TmpfilesEntry& e) {
  std::string out = e.type + " " + e.path;
  // TYPE PATH MODE USER GROUP AGE [ARGUMENT]
  for (std::size_t i = 2; i < e.fields.size() && i < 6; ++i) out += " " + e.fields[i];
  return out;
}

void check_definition_reach(const image::DefinitionDraft& d, const Locations& locs,
                            const std::string& name, const InstallOptions& options,
                            const std::string& what, std::vector<HostChange>& changes,
                            std::vector<std::string>& refused) {
  const std::string image_dir = own_place_root(locs, name, OwnPlace::kImage);
  for (const auto& m : d.mounts) {
    if (m.type != MountType::kBind) continue;
    const std::string mode = m.readonly ? "read-only" : "read-write";
    const std::string bind = what + ": bind of host path '" + m.source + "' (" + mode +
                             ") to '" + m.target + "'";
    if (!is_canonical_path(m.source)) {
      refused.push_back(bind +
                        ": not a canonical absolute path (no '..', '.', '//' or trailing '/'); "
                        "box does not normalise it");
      continue;
    }
    // What every runtime gives a container, world-readable on the host
    // (umoci's bundles bind /etc/resolv.conf): read-only, it shows nothing
    // of yours.
    static const char* const kPublic[] = {"/etc/resolv.conf", "/etc/hosts"};
    if (m.readonly && std::find(std::begin(kPublic), std::end(kPublic), m.source) !=
                          std::end(kPublic)) {
      changes.push_back({"bind", m.source, mode + " to " + m.target + " (the host's, public)"});
      continue;
    }
    auto place = own_place(locs, name, m.source);
    // The image dir holds image.json, the record uninstall works from:
    // only its rootfs may be bound writable without consent.
    bool own = place && (*place != OwnPlace::kImage || m.readonly ||
                         at_or_under(m.source, image_dir + "/rootfs"));
    if (own) {
      changes.push_back({"bind", m.source, mode + " to " + m.target + " (the box's own " +
                                               own_place_name(*place) + ")"});
    } else if (has(options.allow_binds, m.source)) {
      changes.push_back({"bind", m.source, mode + " to " + m.target + " (allowed by --allow-bind)"});
    } else {
      refused.push_back(bind + ": outside the box's own places; add --allow-bind " + m.source +
                        " to allow it");
    }
  }
  static const std::pair<const char*, const char*> kNamespaces[] = {
      {"pid",
       "the box would see and signal your processes and reach their files through "
       "/proc/PID/root"},
      {"ipc",
       "the box would share System V and POSIX IPC (shared memory, semaphores, message queues) "
       "with your programs"},
  };
  for (const auto& [ns, why] : kNamespaces) {
    auto it = d.namespaces.find(ns);
    if (it == d.namespaces.end() || it->second != "host") continue;
    if (has(options.allow_host_namespaces, ns))
      changes.push_back({"host-namespace", ns, "shared with the host (allowed)"});
    else
      refused.push_back(what + ": no " + ns + " namespace, so 'namespaces: {" + ns +
                        ": host}': " + why + "; add --allow-host-namespace " + ns +
                        " to allow it");
  }
  if (d.autostart && *d.autostart != Autostart::kNo) {
    const std::string autostart = to_string(*d.autostart);
    if (options.allow_autostart)
      changes.push_back({"autostart", autostart, "started at every login (allowed)"});
    else
      refused.push_back("service.template: WantedBy= asks for 'autostart: " + autostart +
                        "': the box would start at every login without you starting it; add "
                        "--allow-autostart to allow it");
  }
}

std::optional<std::string> refuse_record(const CreatedPath& rec, const Locations& locs,
                                         const std::string& name, const HostPlaces& places) {
  const std::string left = "left '" + rec.path + "' (" + rec.kind + " in image.json): ";
  if (!is_canonical_path(rec.path)) return left + "not a canonical absolute path";
  if (rec.kind == "data" || rec.kind == "runtime") {
    auto place = own_place(locs, name, rec.path);
    bool ok = place && (rec.kind == "runtime" ? *place == OwnPlace::kRun
                                              : *place == OwnPlace::kState ||
                                                    *place == OwnPlace::kContainers ||
                                                    *place == OwnPlace::kConf);
    if (!ok) return left + "not in the box's own " + rec.kind + " directories";
    return std::nullopt;
  }
  if (rec.kind == "host-file") {
    if (!in_hostfs_place(rec.path, places)) return left + "not where box puts hostfs files";
    return std::nullopt;
  }
  if (rec.kind == "tmpfiles") {
    if (rec.path != locs.tmpfiles + "/box-" + name + ".conf")
      return left + "not the box's own user-tmpfiles.d file";
    return std::nullopt;
  }
  return left + "unknown kind";
}

}  // namespace box::install
