// The config.json that `ocirun spec` writes.
#pragma once

#include <string>

namespace ocirun {

// STUB: filled in by the default spec work.
std::string default_spec_json(bool rootless);

}  // namespace ocirun
