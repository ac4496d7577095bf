// A supervisor lives as long as its container and runs only its small event
// loop; the rest of box-run's code (parsing definitions, building the plan,
// setting up namespaces) ran once. Once the container runs, the supervisor
// lets go of the pages of its own program it had mapped: they stay in the
// page cache (nothing is read again) but are no longer the supervisor's, and
// only what the loop touches is mapped back, page by page. For a lone box
// that is most of its private memory (box-run's code is shared between
// boxes only once a second one runs).
#pragma once

namespace box {

// Drops the read-only, file-backed mappings of the main program (code and
// constants; never its writable or relocated data) from this process.
void release_startup_code();

}  // namespace box
