// `ocirun state` and `ocirun list`: read the state store.
#include "ocirun/commands.hpp"

namespace ocirun {

Result<int> cmd_state(const cli::Invocation&) { return fail("state: not implemented yet"); }
Result<int> cmd_list(const cli::Invocation&) { return fail("list: not implemented yet"); }

}  // namespace ocirun
