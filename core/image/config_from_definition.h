// A box's definition as an OCI image config (`boxctl export`): what the
// box runs, so that `podman run IMAGE` and a Kubernetes pod run the same.
// The reverse of what an install drafts from an image config
// (install/from_image.cc). What an image config has no place for is said
// in notes, never dropped silently. Pure.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/image/oci_image.h"
#include "core/model/definition.h"

namespace box::image {

struct ConfigFromDefinition {
  ImageConfig config;  // diff_ids left for the caller
  // One line per part of the definition the image does not carry
  // ("mounts: 2 (an image holds no binds: give them to podman run -v)").
  std::vector<std::string> notes;
};

// `def.command` becomes Cmd (no Entrypoint, so `podman run IMAGE CMD`
// replaces it as `boxctl run` does), `env` Env (with PATH=`default_path`
// first when it sets no PATH: what box-run gives the box), `workdir`
// WorkingDir, the user "UID:GID", the stop signal StopSignal; ExposedPorts
// are the image's (`exposed_ports`, as image.json keeps them) and the
// container side of `ports`; Labels are the image's (`labels`).
ConfigFromDefinition config_from_definition(const Definition& def,
                                            const std::map<std::string, std::string>& labels,
                                            const std::vector<std::string>& exposed_ports,
                                            const std::string& default_path);

}  // namespace box::image
