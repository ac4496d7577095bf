#include "install/desktop_export.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/image/sha256.h"
#include "core/model/names.h"
#include "core/sys/atomic_write.h"
#include "core/sys/small_file.h"
#include "core/sys/unique_fd.h"
#include "install/request.h"

namespace box::install {
namespace {

constexpr std::size_t kMaxEntryBytes = std::size_t{1} << 20;
constexpr std::size_t kMaxIconBytes = std::size_t{8} << 20;
constexpr const char* kApplications = "usr/share/applications";

// The sizes of the hicolor theme's directories an app's icon is looked
// for in (the Icon Theme Specification's "apps" context), and pixmaps.
constexpr const char* kIconSizes[] = {"16x16", "22x22",   "24x24",   "32x32",   "48x48",   "64x64",
                                      "96x96", "128x128", "256x256", "512x512", "scalable"};
constexpr const char* kIconExtensions[] = {".png", ".svg", ".xpm"};

// A desktop file id or icon name: letters, digits, '.', '_', '-', nothing
// that could name another directory.
bool plain_name(const std::string& s) {
  if (s.empty() || s.size() > 255 || s[0] == '.') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

// Opens `path` inside the image's root: '..' and symlinks stay in it.
int open_in_root(int root, const std::string& path, int flags) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(::syscall(SYS_openat2, root, path.c_str(), &how, sizeof how));
}

// A regular file of the image, at most `max` bytes; nullopt-like empty
// result with `found` false when it is not there.
Result<std::string> read_in_root(int root, const std::string& path, std::size_t max, bool* found) {
  *found = false;
  UniqueFd fd(open_in_root(root, path, O_RDONLY | O_NOCTTY | O_NONBLOCK));
  if (!fd.valid()) {
    if (errno == ENOENT || errno == ENOTDIR) return std::string();
    return Error::from_errno("open '/" + path + "' in the image");
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return Error::from_errno("stat '/" + path + "' in the image");
  if (!S_ISREG(st.st_mode)) return std::string();
  if (static_cast<std::size_t>(st.st_size) > max)
    return Error("'/" + path + "' in the image is larger than " + std::to_string(max) + " bytes");
  std::string out(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(fd.get(), out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("read '/" + path + "' in the image");
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  out.resize(got);
  *found = true;
  return out;
}

// The image's desktop file ids, sorted.
std::vector<std::string> list_entries(int root) {
  std::vector<std::string> out;
  int fd = open_in_root(root, kApplications, O_RDONLY | O_DIRECTORY);
  if (fd < 0) return out;
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return out;
  }
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    const std::string ext = ".desktop";
    if (n.size() > ext.size() && n.compare(n.size() - ext.size(), ext.size(), ext) == 0)
      out.push_back(n.substr(0, n.size() - ext.size()));
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

struct Recorded {
  std::string path;
  std::uint64_t dev = 0, ino = 0;
  std::string digest;  // of the content box wrote (an inode number is reused at once)
};

std::string record_path(const Locations& locs, const std::string& name) {
  return locs.images + "/" + name + "/" + kDesktopExportsFile;
}

std::vector<Recorded> read_record(const std::string& path) {
  std::vector<Recorded> out;
  auto text = read_small_file(path);
  if (!text) return out;
  try {
    auto j = nlohmann::json::parse(*text);
    for (const auto& f : j.at("files"))
      out.push_back({f.at("path").get<std::string>(), f.at("dev").get<std::uint64_t>(),
                     f.at("ino").get<std::uint64_t>(), f.at("digest").get<std::string>()});
  } catch (const nlohmann::json::exception&) {
    out.clear();
  }
  return out;
}

// Still the file box wrote: a regular file (not followed if a symlink)
// with the recorded device, inode and content (a file made in its place
// after it was removed may get the same inode number).
bool still_ours(const Recorded& r) {
  struct stat st;
  if (::lstat(r.path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<std::uint64_t>(st.st_dev) != r.dev ||
      static_cast<std::uint64_t>(st.st_ino) != r.ino)
    return false;
  auto content = read_small_file(r.path, kMaxIconBytes);
  return content && image::sha256_digest_of(*content) == r.digest;
}

Result<void> make_dirs(const std::string& dir) {
  for (std::size_t slash = dir.find('/', 1); slash != std::string::npos;
       slash = dir.find('/', slash + 1)) {
    auto r = ensure_directory(dir.substr(0, slash));
    if (!r) return r;
  }
  return ensure_directory(dir);
}

// The Desktop Entry Specification's quoting of an Exec argument.
std::string exec_arg(const std::string& arg) {
  bool plain = !arg.empty();
  for (char c : arg)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::strchr("/._-+,:@", c))) plain = false;
  if (plain) return arg;
  std::string out = "\"";
  for (char c : arg) {
    if (c == '"' || c == '`' || c == '$' || c == '\\') out += '\\';
    if (c == '%') out += '%';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string desktop_exec(const std::string& launcher, const std::string& name) {
  return exec_arg(launcher) + " start " + exec_arg(name);
}

Result<std::string> rewrite_desktop_entry(const std::string& text, const std::string& name,
                                          const std::string& exec, const std::string& icon) {
  std::istringstream in(text);
  std::string out, group, line;
  bool has_entry = false, application = false;
  // X-Box-Name goes last in [Desktop Entry], before its blank lines.
  auto close_entry = [&] {
    if (group != "Desktop Entry") return;
    std::size_t blanks = 0;
    while (out.size() >= 2 && out.compare(out.size() - 2, 2, "\n\n") == 0) {
      out.pop_back();
      ++blanks;
    }
    out += "X-Box-Name=" + name + "\n" + std::string(blanks, '\n');
  };
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line[0] == '[') {
      close_entry();
      group = line.substr(
          1, line.find(']') == std::string::npos ? std::string::npos : line.find(']') - 1);
      if (group == "Desktop Entry") has_entry = true;
      if (group.rfind("Desktop Action ", 0) == 0) continue;
      out += line + "\n";
      continue;
    }
    if (group.rfind("Desktop Action ", 0) == 0) continue;
    if (group != "Desktop Entry" || line.empty() || line[0] == '#') {
      out += line + "\n";
      continue;
    }
    const std::size_t eq = line.find('=');
    std::string key = line.substr(0, eq);
    while (!key.empty() && key.back() == ' ') key.pop_back();
    const std::string value = eq == std::string::npos ? "" : line.substr(eq + 1);
    const std::string base = key.substr(0, key.find('['));
    if (key == "Type") application = value == "Application";
    if (key == "Exec") {
      out += "Exec=" + exec + "\n";
    } else if (key == "TryExec" || key == "DBusActivatable" || key == "Actions" ||
               key == "X-Box-Name") {
      continue;
    } else if (base == "Name") {
      out += line + " (box " + name + ")\n";
    } else if (key == "Icon" && !icon.empty()) {
      out += "Icon=" + icon + "\n";
    } else {
      out += line + "\n";
    }
  }
  close_entry();
  if (!has_entry) return Error("no [Desktop Entry] group");
  if (!application) return Error("not an application (Type=Application)");
  return out;
}

Result<DesktopExport> export_desktop(const InstallContext& ctx, const std::string& name,
                                     const std::string& app, const std::string& launcher) {
  const std::string wrap = "export-desktop '" + name + "'";
  auto request = check_uninstall_request(ctx, name);
  if (!request.ok()) {
    if (*request.refusal == Refusal::kNotInstalled)
      return Error(wrap + ": no installed image named '" + name +
                   "' (export-desktop takes an installed image's entries; 'boxctl images' lists "
                   "them)");
    return request.error.wrap(wrap);
  }
  const Locations locs = locations_for(ctx);
  const std::string rootfs = locs.images + "/" + name + "/rootfs";
  UniqueFd root(::open(rootfs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return Error::from_errno("open the image's root '" + rootfs + "'").wrap(wrap);

  DesktopExport result;
  const auto ids = list_entries(root.get());
  std::string id = app;
  const std::string ext = ".desktop";
  if (id.size() > ext.size() && id.compare(id.size() - ext.size(), ext.size(), ext) == 0)
    id.resize(id.size() - ext.size());
  if (id.empty()) {
    if (ids.empty())
      return Error(wrap + ": the image has no desktop entry (/" + kApplications + "/*.desktop)");
    if (ids.size() > 1)
      return Error(wrap + ": the image has several desktop entries (" + join(ids) +
                   "): choose one with --app");
    id = ids[0];
  } else if (!plain_name(id)) {
    return Error(wrap + ": '" + app +
                 "' is not a desktop file id (letters, digits, '.', '_', '-')");
  }
  bool found = false;
  auto text =
      read_in_root(root.get(), std::string(kApplications) + "/" + id + ext, kMaxEntryBytes, &found);
  if (!text) return text.error().wrap(wrap);
  if (!found)
    return Error(wrap + ": the image has no desktop entry '" + id +
                 "' (it has: " + (ids.empty() ? std::string("none") : join(ids)) + ")");
  result.desktop_id = id;

  // The icon, from the entry's Icon= name: each size of the image's hicolor
  // theme, and pixmaps (unthemed).
  std::string icon_name;
  {
    std::istringstream in(*text);
    std::string line, group;
    while (std::getline(in, line)) {
      if (!line.empty() && line[0] == '[')
        group = line;
      else if (group == "[Desktop Entry]" && line.rfind("Icon=", 0) == 0)
        icon_name = line.substr(5);
    }
  }
  struct Copy {
    std::string from, to, content;
  };
  std::vector<Copy> copies;
  std::string new_icon;
  const std::string icons = ctx.dirs.data_home + "/icons";
  const std::string prefix = "box-" + name + "-";
  if (plain_name(icon_name)) {
    for (const char* size : kIconSizes)
      for (const char* e : kIconExtensions) {
        const std::string rel =
            std::string("usr/share/icons/hicolor/") + size + "/apps/" + icon_name + e;
        bool there = false;
        auto data = read_in_root(root.get(), rel, kMaxIconBytes, &there);
        if (!data) return data.error().wrap(wrap);
        if (there)
          copies.push_back({rel, icons + "/hicolor/" + size + "/apps/" + prefix + icon_name + e,
                            std::move(*data)});
      }
    for (const char* e : kIconExtensions) {
      const std::string rel = std::string("usr/share/pixmaps/") + icon_name + e;
      bool there = false;
      auto data = read_in_root(root.get(), rel, kMaxIconBytes, &there);
      if (!data) return data.error().wrap(wrap);
      if (there) copies.push_back({rel, icons + "/" + prefix + icon_name + e, std::move(*data)});
    }
    if (!copies.empty()) new_icon = prefix + icon_name;
  }
  auto entry = rewrite_desktop_entry(*text, name, desktop_exec(launcher, name), new_icon);
  if (!entry) return entry.error().wrap(wrap + ": /" + kApplications + "/" + id + ext);
  const std::string entry_path = ctx.dirs.data_home + "/applications/" + prefix + id + ext;
  copies.insert(copies.begin(), Copy{"", entry_path, std::move(*entry)});

  // Nothing of anyone else's is replaced: a destination that is there must
  // be a file of this box's last export.
  const std::string record = record_path(locs, name);
  const auto previous = read_record(record);
  for (const auto& c : copies) {
    struct stat st;
    if (::lstat(c.to.c_str(), &st) != 0) continue;
    const bool ours = std::any_of(previous.begin(), previous.end(), [&](const Recorded& r) {
      return r.path == c.to && still_ours(r);
    });
    if (!ours)
      return Error(wrap + ": '" + c.to +
                   "' is there and box did not write it: remove or rename it, then export again");
  }
  for (const auto& r : previous)
    if (still_ours(r)) ::unlink(r.path.c_str());

  nlohmann::json files = nlohmann::json::array();
  for (const auto& c : copies) {
    auto dir = make_dirs(c.to.substr(0, c.to.rfind('/')));
    if (!dir) return dir.error().wrap(wrap);
    auto w = write_file_atomically(c.to, c.content, 0644);
    if (!w) return w.error().wrap(wrap);
    struct stat st;
    if (::lstat(c.to.c_str(), &st) != 0) return Error::from_errno("stat '" + c.to + "'").wrap(wrap);
    files.push_back({{"path", c.to},
                     {"dev", static_cast<std::uint64_t>(st.st_dev)},
                     {"ino", static_cast<std::uint64_t>(st.st_ino)},
                     {"digest", image::sha256_digest_of(c.content)}});
    if (c.from.empty())
      result.entry = c.to;
    else
      result.icons.push_back(c.to);
    // Recorded after each file: a failure half-way leaves a record of
    // what is there, for uninstall.
    auto rec = write_file_atomically(record, nlohmann::json{{"files", files}}.dump(2) + "\n", 0644);
    if (!rec) return rec.error().wrap(wrap);
  }
  return result;
}

Result<std::vector<std::string>> remove_desktop_exports(const InstallContext& ctx,
                                                        const std::string& name) {
  if (auto r = check_plain_name(name, "container name"); !r) return r.error();
  const Locations locs = locations_for(ctx);
  const std::string record = record_path(locs, name);
  std::vector<std::string> notes;
  for (const auto& r : read_record(record)) {
    if (still_ours(r)) {
      if (::unlink(r.path.c_str()) != 0 && errno != ENOENT)
        notes.push_back("left '" + r.path + "': " + std::strerror(errno));
    } else {
      struct stat st;
      if (::lstat(r.path.c_str(), &st) == 0)
        notes.push_back("left '" + r.path + "': not the file box exported any more");
    }
  }
  if (::unlink(record.c_str()) != 0 && errno != ENOENT)
    return Error::from_errno("remove '" + record + "'");
  return notes;
}

}  // namespace box::install
