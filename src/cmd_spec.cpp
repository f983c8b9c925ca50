// `ocirun spec`: writes a default config.json, never over an existing one.
#include <fcntl.h>
#include <unistd.h>

#include "ocirun/commands.hpp"
#include "ocirun/default_spec.hpp"
#include "ocirun/fs.hpp"
#include "ocirun/unique_fd.hpp"

namespace ocirun {

Result<int> cmd_spec(const cli::Invocation& inv) {
  std::string bundle(inv.value("bundle").value_or("."));
  std::string path = bundle + "/config.json";
  std::string text = default_spec_json(inv.flag("rootless"));
  // O_EXCL: refusing to overwrite is part of the command's contract.
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
  if (!fd) {
    if (errno == EEXIST) return fail("spec: `" + path + "` already exists: remove it first", EEXIST);
    return fail_errno("spec: open `" + path + "`");
  }
  TRY_CTX(fs::write_all(fd.get(), text), "spec: write `" + path + "`");
  return 0;
}

}  // namespace ocirun
