// `ocirun pause ID` and `ocirun resume ID`: the cgroup freezer.
#include "ocirun/commands.hpp"
#include "ocirun/container_pause.hpp"

namespace ocirun {

namespace {

Result<ContainerLock> lock_container(const cli::Invocation& inv) {
  const std::string& id = inv.args[0];
  TRY(validate_container_id(id));
  StateStore store = TRY(StateStore::open(TRY(state_root(inv)), false));
  return store.lock(id);
}

}  // namespace

Result<int> cmd_pause(const cli::Invocation& inv) {
  ContainerLock lock = TRY_CTX(lock_container(inv), "pause");
  TRY_CTX(pause_container(lock), "pause");
  return 0;
}

Result<int> cmd_resume(const cli::Invocation& inv) {
  ContainerLock lock = TRY_CTX(lock_container(inv), "resume");
  TRY_CTX(resume_container(lock), "resume");
  return 0;
}

}  // namespace ocirun
