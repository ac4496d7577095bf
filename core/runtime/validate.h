// `validate`'s one meaning, for box-run validate and boxctl validate: what
// a start of each definition would refuse, all of it, in one round. First
// the definition's files, every error at its file:line:column
// (check_definition_sources); then what start refuses on the host: the
// rootfs or image, the bind sources (host_refusals.h) of the keys that
// could be read, even when others could not; and, for a definition that
// loads, the rest of a start's preparation (prepare_run: the network
// helper, fuse-overlayfs, the id maps...), carried out as box-run start
// would and not run.
#pragma once

#include <string>
#include <vector>

#include "core/model/paths.h"

namespace box {

struct ValidateReport {
  std::string target;  // the FILE or NAME given, or the file found in a DIR
  std::string name;    // the container it is loaded as ("web@instance" for a template)
  std::string path;    // its main file; empty when none was found
  std::vector<std::string> fragments;  // drop-ins applied over it
  std::string masked_by;               // a mask (a symlink to /dev/null): nothing to check
  bool template_only = false;          // a template: its host paths are checked per instance
  std::vector<std::string> errors;     // empty: a start would accept it
};

// What `validate ARG` checks: ARG is
//   a FILE: it ends in ".yaml", or it is a path (has a '/') that is not a
//     directory; loaded as the search path would load a file of that name,
//     with the drop-ins in FILE.d/ beside it;
//   a DIR: a path (with a '/', or "." or "..") naming a directory: every
//     definition in it, as the generator would find them there (templates
//     as one made-up instance, masks named, misnamed files reported);
//   a NAME: the definition start would load for it from the search path
//     ("web@" for a template).
std::vector<ValidateReport> validate_target(const std::string& arg, const UserDirs& dirs);

}  // namespace box
