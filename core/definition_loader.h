// YAML -> Definition. Parsing is pure (text in, Definition or error out);
// load_definition_file adds the file read.
#pragma once

#include <string>
#include <string_view>

#include "definition.h"
#include "result.h"

namespace box {

// Largest definition file we read; a definition is a few hundred bytes.
inline constexpr std::size_t kMaxDefinitionBytes = 1 << 20;

// `file` names the source in error messages ("file:line:column: ...").
// `home` expands a leading '~' in paths.
Result<Definition> parse_definition(std::string_view yaml_text, const std::string& file,
                                    const std::string& name, const std::string& home);

Result<Definition> load_definition_file(const std::string& path, const std::string& name,
                                        const std::string& home);

}  // namespace box
