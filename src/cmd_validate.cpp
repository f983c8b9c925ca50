// `ocirun validate`: the config.json checks of create, on their own.
#include <unistd.h>

#include "ocirun/commands.hpp"
#include "ocirun/fs.hpp"
#include "ocirun/spec.hpp"

namespace ocirun {

Result<int> cmd_validate(const cli::Invocation& inv) {
  std::string bundle(inv.value("bundle").value_or("."));
  TRY(load_spec(bundle));
  TRY(fs::write_all(STDOUT_FILENO, bundle + "/config.json: valid\n"));
  return 0;
}

}  // namespace ocirun
