// Definition -> systemd drop-in text. Pure: same definition, same bytes.
#pragma once

#include <string>

#include "definition.h"

namespace box::generator {

// The file name of the unit a container runs as: "box@NAME.service".
std::string unit_name(const std::string& container);

// Contents of box@NAME.service.d/50-box.conf.
std::string dropin_text(const Definition& def);

// Escapes a value for a unit file: '%' starts a specifier and '\' an escape.
std::string escape_unit_value(const std::string& value);

}  // namespace box::generator
