// The box's own places on the host: the only host paths an image, its
// /exports templates or a bundle's config.json may name without the
// user's consent, and the only places uninstall removes directories from.
// For a box NAME they are
//   images/NAME                 ($DESTDIR: the image dir)
//   $STATE_DIRECTORY/NAME       (~/.local/share/box/state/NAME: its data)
//   containers/NAME             (~/.local/share/box/containers/NAME: its writable state)
//   $RUN_DIRECTORY/NAME         ($XDG_RUNTIME_DIR/box/run/NAME: its runtime files)
//   $CONF_DIRECTORY/NAME        (~/.config/box/etc/NAME: its configuration)
// Pure: strings in, a verdict out (docs/install.md, "What an image may do").
#pragma once

#include <optional>
#include <string>

#include "install/install.h"

namespace box::install {

enum class OwnPlace { kImage, kState, kContainers, kRun, kConf };

// "image dir", "state dir", ... for messages.
const char* own_place_name(OwnPlace place);

// Absolute and written the one way: no "." or ".." component, no "//", no
// trailing "/". A path that is not is refused, never normalised: "a/../b"
// may not be "b" when "a" is a symlink.
bool is_canonical_path(const std::string& path);

// `path` is `dir` or below it (both canonical).
bool at_or_under(const std::string& path, const std::string& dir);

// Which of box NAME's own places `path` is in (equal to the place or below
// it); nothing when it is in none of them or is not canonical. The one rule
// for "a box's own place": tmpfiles lines, bind sources and uninstall all
// ask it.
std::optional<OwnPlace> own_place(const Locations& locs, const std::string& name,
                                  const std::string& path);

// The place itself ("…/state/NAME").
std::string own_place_root(const Locations& locs, const std::string& name, OwnPlace place);

}  // namespace box::install
