#include "ocirun/spec_seccomp.hpp"

namespace ocirun {

// STUB: filled in by the linux.seccomp work.
Result<LinuxSeccomp> parse_linux_seccomp(const json::Node& node) {
  TRY(node.expect(json::Type::Object));
  return LinuxSeccomp{};
}

}  // namespace ocirun
