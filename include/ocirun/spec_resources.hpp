// linux.resources of config.json (also the JSON of `update --resources`).
#pragma once

#include "ocirun/error.hpp"
#include "ocirun/json.hpp"

namespace ocirun {

struct LinuxResources {
  // STUB: filled in by the linux.resources work.
};

// Parses a LinuxResources object; errors name the path of `node`.
Result<LinuxResources> parse_linux_resources(const json::Node& node);

}  // namespace ocirun
