// What a start refuses on the host before it creates anything: a rootfs
// that is not there (or an image that is not installed), a bind source that
// does not exist, a device (`devices:`) the host does not have. One list of rules for the two that need them:
// prepare_run() (every start and run) refuses on the first, and validate
// (box-run validate, boxctl validate) reports them all, each at the
// file:line:column of the key that asks for the path when the definition
// was read from a file. The executor opens the same paths again when it
// mounts them (open_host_paths in rootfs_setup.cc): a path removed between
// the two is still refused there.
#pragma once

#include <string>
#include <vector>

#include "core/model/definition.h"

namespace box {

// Every refusal, in the order of the definition (rootfs, mounts, devices).
std::vector<std::string> host_refusals(const Definition& def);

}  // namespace box
