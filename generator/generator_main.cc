// box-user-generator: called by the user manager at every daemon-reload with
// three output dirs (normal, early, late); writes box@NAME.service drop-ins
// into the first.
#include <iostream>
#include <string>

#include "generator.h"
#include "log.h"
#include "paths.h"

int main(int argc, char** argv) {
  box::log_set_program("box-user-generator");
  if (argc != 2 && argc != 4) {
    box::log_error("expected 1 or 3 output directories (normal [early late]), got " +
                   std::to_string(argc - 1));
    return 2;
  }
  auto dirs = box::user_dirs_from_environment();
  if (!dirs) {
    box::log_error(dirs.error().message());
    return 1;
  }
  box::generator::GeneratorInput input{box::definition_search_dirs(*dirs), box::load_context(*dirs),
                                       argv[1]};
  auto verdicts = box::generator::run_generator(input);
  if (!verdicts) {
    box::log_error(verdicts.error().message());
    return 1;
  }
  for (const auto& v : *verdicts) {
    if (!v.ok) box::log_error("skipping box@" + v.name + ": " + v.message);
  }
  // Broken definitions are not a generator failure: the others are written,
  // and `box-run start` on a broken one fails with the same message.
  return 0;
}
