// The InstallContext of a scratch home under `root` for the install tests
// that touch files: the caller's own ids, no subordinate ids (the user
// "box-unit-test-nobody" has no /etc/subuid line: only the caller's id is
// mapped), no reload or stop (the tests set their own).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "install/install.h"

namespace box::install::testing {

inline InstallContext scratch_home(const std::string& root) {
  InstallContext ctx;
  ctx.dirs.home = root + "/home";
  ctx.dirs.config_home = root + "/home/.config";
  ctx.dirs.data_home = root + "/home/.local/share";
  ctx.dirs.runtime_dir = root + "/run";
  std::filesystem::create_directories(ctx.dirs.home);
  std::filesystem::create_directories(ctx.dirs.runtime_dir);
  ctx.uid = getuid();
  ctx.gid = getgid();
  ctx.user = "box-unit-test-nobody";
  ctx.subuid_file = root + "/subuid";  // missing: no subordinate ids
  ctx.subgid_file = root + "/subgid";
  ctx.box_run = "/usr/libexec/box/box-run";
  return ctx;
}

// Install options for the image named `name`.
inline InstallOptions named(const std::string& name, bool replace = false) {
  InstallOptions o;
  o.name = name;
  o.replace = replace;
  return o;
}

}  // namespace box::install::testing
