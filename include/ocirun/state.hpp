// The state store: one directory per container under the root dir.
#pragma once

#include <string>
#include <string_view>

#include "ocirun/error.hpp"

namespace ocirun {

// STUB: filled in by the state store work.
Result<> validate_container_id(std::string_view id);

}  // namespace ocirun
