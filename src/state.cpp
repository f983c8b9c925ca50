#include "ocirun/state.hpp"

namespace ocirun {

// STUB: filled in by the state store work.
Result<> validate_container_id(std::string_view id) {
  if (id.empty()) return fail("container id is empty");
  return {};
}

}  // namespace ocirun
