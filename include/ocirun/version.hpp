// What `ocirun --version` prints.
#pragma once

#include <string>
#include <string_view>

namespace ocirun {

// The first line is `<name> version X.Y.Z`; tools parse it. `name` is
// "ocirun", or "runc" when the binary is invoked as runc, because go-runc
// parses the version only when the first line starts with "runc version ".
std::string version_text(std::string_view name);

// The runtime-spec versions accepted in config.json's ociVersion.
inline constexpr const char* kOciVersionMin = "1.0.0";
inline constexpr const char* kOciVersionMax = "1.3.0";

}  // namespace ocirun
