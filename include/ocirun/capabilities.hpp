// Linux capability names and numbers (CAP_CHOWN = 0 ... CAP_CHECKPOINT_RESTORE = 40).
#pragma once

#include <optional>
#include <string_view>

namespace ocirun {

// STUB: filled in by the config.json model work.
std::optional<int> capability_from_name(std::string_view name);

}  // namespace ocirun
