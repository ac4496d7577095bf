#include "core/sys/result.h"

#include <cstring>

namespace box {

Error Error::from_errno(const std::string& what, int errno_value) {
  return Error(what + ": " + std::strerror(errno_value), errno_value);
}

Error Error::wrap(const std::string& context) const& {
  return Error(context + ": " + message_, errno_);
}

Error Error::wrap(const std::string& context) && {
  message_.insert(0, context + ": ");
  return std::move(*this);
}

}  // namespace box
