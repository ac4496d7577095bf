// What an image may do to the host without the user's consent, and what
// needs it: the rules of docs/install.md ("What an image may do"), as pure
// checks. An image, its /exports templates and a bundle's config.json are
// untrusted; each check returns the refusal to show (naming the file, the
// line or the path, and the flag that would allow it), or nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/image/atomic_exports.h"
#include "core/image/definition_draft.h"
#include "install/install.h"

namespace box::install {

struct HostPlaces {
  std::string home, config_home, data_home;
  std::vector<std::string> path_dirs;  // PATH; ~/.local/bin and ~/bin are added
};
HostPlaces host_places_for(const InstallContext& ctx);

// Why a file at `dest` would run code or configure other software
// (systemd units and .wants links, autostart entries, D-Bus services, box
// definitions, environment.d, user-tmpfiles.d, desktop entries and MIME
// handlers, shell start-up files, anything on PATH or in ~/.local/lib,
// anything directly in $HOME, anything in $XDG_CONFIG_HOME); nothing when
// it does neither. The one table of those places.
std::optional<std::string> runs_code_or_configures(const std::string& dest, const HostPlaces& p);

// The places hostfs files are mapped to (image::hostfs_destination):
// uninstall removes a recorded host file only below one of them.
bool in_hostfs_place(const std::string& dest, const HostPlaces& p);

// A tmpfiles.template line (after substitution) that box would refuse:
// anything but a directory (d D v q Q, with the '!' or '-' modifiers)
// at or below the box's state, container state or runtime dir, with
// no systemd-tmpfiles specifier ('%') or escape ('\\') and no quotes.
// `where` is "tmpfiles.template:LINE".
std::optional<std::string> refuse_tmpfiles_line(const image::TmpfilesEntry& e,
                                                const Locations& locs, const std::string& name,
                                                const std::string& where);

// The line as box writes it to user-tmpfiles.d: the fields checked, the
// argument (meaningless for directories) left out.
std::string tmpfiles_line_text(const image::TmpfilesEntry& e);

// The parts of a definition made from an untrusted template or config that
// reach outside the box: binds of host paths (`what` names the file they
// came from), `namespaces: {pid|ipc: host}` and `autostart`. Each is either
// allowed (in the box's own places, or consented to by `options`) and added
// to `changes`, or added to `refused`.
void check_definition_reach(const image::DefinitionDraft& draft, const Locations& locs,
                            const std::string& name, const InstallOptions& options,
                            const std::string& what, std::vector<HostChange>& changes,
                            std::vector<std::string>& refused);

// Why uninstall must not act on a record of image.json (which anyone who
// can write that file could have edited): its path must be canonical and,
// for its kind, a data or runtime dir in the box's own places, a file in a
// hostfs place, or the box's own user-tmpfiles.d file. Nothing: it may be
// removed (if still the recorded inode, safe_remove.h).
std::optional<std::string> refuse_record(const CreatedPath& rec, const Locations& locs,
                                         const std::string& name, const HostPlaces& places);

}  // namespace box::install
