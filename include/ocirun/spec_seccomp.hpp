// linux.seccomp of config.json.
#pragma once

#include "ocirun/error.hpp"
#include "ocirun/json.hpp"

namespace ocirun {

struct LinuxSeccomp {
  // STUB: filled in by the linux.seccomp work.
};

// Parses a LinuxSeccomp object; errors name the path of `node`.
Result<LinuxSeccomp> parse_linux_seccomp(const json::Node& node);

}  // namespace ocirun
