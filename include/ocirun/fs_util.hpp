// Small file helpers shared by the commands.
#pragma once

#include <string_view>

#include "ocirun/error.hpp"

namespace ocirun {

// Writes all of `data` to fd, retrying short writes and EINTR.
Result<> write_all(int fd, std::string_view data);

}  // namespace ocirun
