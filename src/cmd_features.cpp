// `ocirun features`: the runtime-spec features document of this build.
#include <unistd.h>

#include "ocirun/commands.hpp"
#include "ocirun/features.hpp"
#include "ocirun/fs.hpp"

namespace ocirun {

Result<int> cmd_features(const cli::Invocation&) {
  TRY_CTX(fs::write_all(STDOUT_FILENO, features_json()), "features: write");
  return 0;
}

}  // namespace ocirun
