// `boxctl export-desktop NAME`: an installed image's desktop entry (its
// /usr/share/applications/ID.desktop) and icons, put where the session's
// application menu finds them (~/.local/share/applications, ~/.local/
// share/icons), so that a GUI box shows there beside the host's apps, as
// distrobox-export does for its containers. The entry starts the box
// (`boxctl start NAME`), is named "box-NAME-ID.desktop" and carries
// X-Box-Name=NAME; the icons are renamed "box-NAME-ICON". What was
// written is recorded in the image's directory (desktop-exports.json, each
// file with its device, inode and SHA-256), so that `boxctl uninstall` (and
// `export-desktop --remove`) removes exactly those files, and a file that
// box did not write is never replaced. docs/desktop.md, "Menu entries".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/sys/result.h"
#include "install/install.h"

namespace box::install {

// The name of the record in the image's directory.
inline constexpr const char* kDesktopExportsFile = "desktop-exports.json";

// The exported entry's text (pure): in [Desktop Entry], Exec becomes
// `exec`, TryExec and DBusActivatable go (they name the image's program
// and bus name, which the host has not), each Name gets " (box NAME)",
// Icon becomes `icon` (unless empty: kept), Actions goes with every
// [Desktop Action] group (their commands are the image's), and
// X-Box-Name=NAME is added; other groups and keys stay as they are. An
// error when the text has no [Desktop Entry] of Type=Application.
Result<std::string> rewrite_desktop_entry(const std::string& text, const std::string& name,
                                          const std::string& exec, const std::string& icon);

// The Exec line that starts box NAME through `launcher` (boxctl's path),
// quoted as the Desktop Entry Specification asks.
std::string desktop_exec(const std::string& launcher, const std::string& name);

struct DesktopExport {
  std::string desktop_id;          // the image's, "org.example.Player"
  std::string entry;               // the file written in ~/.local/share/applications
  std::vector<std::string> icons;  // the icon files written
};

// Exports image NAME's entry `app` (a desktop file id, with or without
// ".desktop"; empty: the image's one entry). A previous export of the box
// is replaced (its files removed first, if they are still the ones box
// wrote). Refuses, before writing anything, a destination that is there
// and not box's.
Result<DesktopExport> export_desktop(const InstallContext& ctx, const std::string& name,
                                     const std::string& app, const std::string& launcher);

// Removes what the box's record lists, each only if it is still the file
// box wrote (same device, inode and content, not a symlink); then the record. The
// notes say what was left and why.
Result<std::vector<std::string>> remove_desktop_exports(const InstallContext& ctx,
                                                        const std::string& name);

}  // namespace box::install
