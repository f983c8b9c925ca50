#include "ocirun/capabilities.hpp"

namespace ocirun {

// STUB: filled in by the config.json model work.
std::optional<int> capability_from_name(std::string_view) { return std::nullopt; }

}  // namespace ocirun
