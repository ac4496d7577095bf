// Project Atomic system-container exports, found in an image's /exports:
// config.json.template, manifest.json (defaultValues, renameFiles),
// service.template, tmpfiles.template and hostfs/. Pure: template text and
// values in, text or definition fields out. docs/install.md has the mapping.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/image/definition_draft.h"
#include "core/sys/result.h"

namespace box::image {

using TemplateValues = std::map<std::string, std::string>;

// Python string.Template syntax, as Atomic used it: $NAME or ${NAME}, "$$"
// for a literal '$'. A variable with no value is an error naming it and the
// line ("service.template:3: unreplaced variable $ETCD_PORT").
Result<std::string> substitute(std::string_view text, const TemplateValues& values,
                               const std::string& what);

struct AtomicManifest {
  TemplateValues default_values;
  std::map<std::string, std::string> rename_files;  // hostfs path -> new path (templates)
  bool no_container_service = false;
};
Result<AtomicManifest> parse_atomic_manifest(std::string_view json, const std::string& what);

// Atomic's precedence: manifest defaults < --set < the ones the installer
// forces ($NAME, $DESTDIR, ... are never the user's to change).
TemplateValues merge_values(const TemplateValues& defaults, const TemplateValues& set,
                            const TemplateValues& forced);

// service.template (after substitution) -> definition fields. Lines box
// cannot honour are reported in `warnings`. `exec_start`/`exec_stop` are the
// forced values: an ExecStart= of exactly $EXEC_START is what box runs anyway.
Result<void> apply_service_template(std::string_view unit_text, const std::string& exec_start,
                                    const std::string& exec_stop, DefinitionDraft& draft,
                                    std::vector<std::string>& warnings, const std::string& what);

struct TmpfilesEntry {
  std::string type;  // "d", "D", "f", ...
  std::string path;
  std::string mode;  // "-" or octal
  std::string raw;
  std::vector<std::string> fields;  // TYPE PATH MODE USER GROUP AGE ARGUMENT, as given
  int line = 0;                     // 1-based, in the template
};
// Lines as systemd-tmpfiles splits them; what they may do is checked by the
// installer (install/host_policy.h), a relative or "%h" path included.
Result<std::vector<TmpfilesEntry>> parse_tmpfiles(std::string_view text, const std::string& what);

struct UserLocations {
  std::string home;
  std::string conf_directory;  // $CONF_DIRECTORY (~/.config/box/etc): what /etc is to Atomic
  std::string data_home;
};

// Where a hostfs file goes for a user: usr/[local/]bin and sbin -> ~/.local/bin,
// usr/[local/]lib and libexec -> ~/.local/lib and ~/.local/libexec,
// usr/[local/]share -> $XDG_DATA_HOME, etc -> $CONF_DIRECTORY, so that a
// template's `$CONF_DIRECTORY/$NAME` bind finds hostfs/etc/$NAME. `path` is
// relative to / ("usr/local/bin/etcdctl"); one already below
// $CONF_DIRECTORY (a renameFiles target "$CONF_DIRECTORY/$NAME/x.conf") stays
// there. Other places are errors.
Result<std::string> hostfs_destination(const std::string& path, const UserLocations& where);

}  // namespace box::image
