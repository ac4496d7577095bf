// YAML -> Definition. A definition is its main file plus drop-in fragments
// (NAME.yaml.d/*.yaml) applied over it in order, key by key; validation of
// the whole comes last. Parsing is pure (texts in, Definition or error out);
// load_definition adds the file reads.
#pragma once

#include <sys/types.h>

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/definition.h"
#include "core/sys/result.h"

namespace box {

// Largest definition file we read; a definition is a few hundred bytes.
inline constexpr std::size_t kMaxDefinitionBytes = 1 << 20;

struct LoadContext {
  std::string home;       // expands a leading '~' in paths
  std::string data_home;  // where installed images live (…/box/images/NAME/rootfs)
  std::string instance;   // for templates (NAME@.yaml): the value of ${instance}
  // %t and ${XDG_RUNTIME_DIR} (empty: not in a session, and they are errors),
  // %U (expansion.h).
  std::string runtime_dir{};
  uid_t uid{};
};

struct DefinitionSource {
  std::string path;  // named in error messages ("path:line:column: ...")
  std::string text;
};

// A definition, or every error of its files ("file:line:column: ..."), in
// the order of the files and keys.
struct DefinitionCheck {
  std::optional<Definition> definition;
  std::vector<std::string> errors;
  // With errors, once every file was read: the keys that could be read
  // (the others at their defaults, named in `unreadable`), so that what a
  // start checks on the host is said in the same round.
  std::optional<Definition> partial;
  std::set<Key> unreadable;
};

// `sources` is the main file first, then fragments in the order to apply.
DefinitionCheck check_definition_sources(const std::vector<DefinitionSource>& sources,
                                         const std::string& name, const LoadContext& ctx);

// The definition, or its first error (saying how many more there are).
Result<Definition> definition_or_first_error(DefinitionCheck check);

// The first of `errors` and how many more there are: the one line a start,
// the generator and the manager say for a file with errors.
std::string first_error_message(const std::vector<std::string>& errors);

// check_definition_sources(), as a definition or its first error.
Result<Definition> parse_definition_sources(const std::vector<DefinitionSource>& sources,
                                            const std::string& name, const LoadContext& ctx);

// One file, no fragments; `home` also gives the default data dir.
Result<Definition> parse_definition(std::string_view yaml_text, const std::string& file,
                                    const std::string& name, const std::string& home);

// Reads `path` and `fragments` (size-limited), in that order.
Result<std::vector<DefinitionSource>> read_definition_sources(
    const std::string& path, const std::vector<std::string>& fragments);

// Reads and parses `path` and `fragments`.
Result<Definition> load_definition(const std::string& path,
                                   const std::vector<std::string>& fragments,
                                   const std::string& name, const LoadContext& ctx);

Result<Definition> load_definition_file(const std::string& path, const std::string& name,
                                        const std::string& home);

// Reads a whole file of at most kMaxDefinitionBytes.
Result<std::string> read_definition_text(const std::string& path);

}  // namespace box
