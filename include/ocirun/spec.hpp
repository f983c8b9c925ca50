// The config.json model: plain typed structs for the whole runtime-spec
// v1.3.0 configuration on Linux, filled and validated by parse_spec(). Nothing
// outside the parser sees JSON.
#pragma once

#include <string>
#include <string_view>

#include "ocirun/error.hpp"
#include "ocirun/spec_resources.hpp"
#include "ocirun/spec_seccomp.hpp"

namespace ocirun {

struct Spec {
  std::string oci_version;
  // STUB: filled in by the config.json model work.
};

// Parses and validates config.json text. Errors name the JSON path:
// "linux.namespaces[2].type: unknown namespace type \"foo\"".
Result<Spec> parse_spec(std::string_view text);

// Reads <bundle>/config.json; errors are prefixed with "config.json: ".
Result<Spec> load_spec(const std::string& bundle_dir);

}  // namespace ocirun
