// The runtime-spec features document (features.md) for `ocirun features`.
// It lists only what this build implements: a property is left out (which
// features.md defines as "unknown") until the code behind it has landed, so
// callers never choose a feature that create would then not honour.
#pragma once

#include <string>

namespace ocirun {

std::string features_json();

}  // namespace ocirun
