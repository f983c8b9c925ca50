// The child side of create: what the container's init does between clone3
// and the exec of the user's program. Internal to the lifecycle.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "ocirun/spec.hpp"
#include "ocirun/state.hpp"

namespace ocirun {

struct Confinement;  // privileges.hpp

struct InitContext {
  const Spec* spec = nullptr;
  const ContainerState* state = nullptr;  // for the hooks' stdin; pid is the init's own
  std::string bundle;  // absolute
  std::string rootfs;  // absolute
  int sync_fd = -1;    // the init's end of the sync socket
  int listen_fd = -1;  // start.sock, listening
  int console_fd = -1; // connected to --console-socket, with process.terminal
  bool new_userns = false;
  bool mount_ns = true;  // false: the host's mount namespace; chroot, no mounts
  bool new_cgroupns = false;  // unshared by the init once it is in its cgroups
  // Namespaces joined by path, opened and type-checked by the runtime.
  struct Join {
    int fd;
    NamespaceType type;
  };
  std::vector<Join> joins;
  // A user namespace joined by path, joined first; then the namespaces
  // in unshare_flags (CLONE_NEW*) are made, so that they belong to it.
  int user_join = -1;
  unsigned long unshare_flags = 0;
  unsigned preserve_fds = 0;
  bool no_pivot = false;
  bool no_new_keyring = false;
  // Capabilities and seccomp, planned by the runtime (never null).
  const Confinement* confinement = nullptr;
};

// Never returns: execs the user's program, or reports the failure on the
// sync socket (before Ready) or the start connection (after) and exits.
[[noreturn]] void init_main(const InitContext& ctx);

}  // namespace ocirun
