#include "ocirun/spec_resources.hpp"

namespace ocirun {

// STUB: filled in by the linux.resources work.
Result<LinuxResources> parse_linux_resources(const json::Node& node) {
  TRY(node.expect(json::Type::Object));
  return LinuxResources{};
}

}  // namespace ocirun
