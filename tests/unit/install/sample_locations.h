// The Locations of a user "u" (uid 1000), for the pure install tests.
#pragma once

#include "install/install.h"

namespace box::install::testing {

inline Locations sample_locations() {
  Locations l;
  l.images = "/home/u/.local/share/box/images";
  l.definitions = "/home/u/.config/box/containers";
  l.state = "/home/u/.local/share/box/state";
  l.run = "/run/user/1000/box/run";
  l.containers = "/home/u/.local/share/box/containers";
  l.tmpfiles = "/home/u/.config/user-tmpfiles.d";
  return l;
}

}  // namespace box::install::testing
