// The child side of create: what the container's init does between clone3
// and the exec of the user's program. Internal to the lifecycle.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "ocirun/cgroups.hpp"
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
  // The runtime's cgroup hierarchies, when the init's mount namespace is a
  // new copy of the runtime's (the same mounts): not read again there.
  const std::vector<CgroupHierarchy>* hierarchies = nullptr;
  unsigned preserve_fds = 0;
  bool no_pivot = false;
  bool no_new_keyring = false;
  // Capabilities and seccomp, planned by the runtime (never null).
  const Confinement* confinement = nullptr;
  // `run`: the runtime sends Start itself, then waits for the answer. Else
  // (`create`) it exits after Ready, and the init waits for that exit (EOF
  // on sync_fd) before it acts on a Start: they may share memory.
  bool runtime_starts = false;
};

// Never returns: execs the user's program, or reports the failure on the
// sync socket (before Ready) or the start connection (after) and exits.
// It may share the runtime's memory (container_create.cpp): everything
// ctx points to is the runtime's, and is freed after Ready.
[[noreturn]] void init_main(const InitContext& ctx);

// The steps of the init that exec's child (container_exec.cpp) takes too,
// so that an exec'd process is confined exactly as the init is.
struct SeccompProgram;  // seccomp.hpp

// process.terminal: a pty from the devpts at /dev/pts (the container's, once
// in its mount namespace); the master goes to console_fd.
Result<> setup_terminal(const Process& proc, int console_fd, bool bind_dev_console);
Result<> apply_rlimits(const Process& p);
Result<> apply_scheduler(const Scheduler& sch);
Result<> apply_io_priority(const IoPriority& io);
// Loads the filter; with notify, sends the listener fd over `sock` as
// SeccompFd and waits for SeccompDone.
Result<> load_seccomp_filter(const SeccompProgram& prog, int sock);
// args[0] resolved in the process's PATH, with the contract's messages.
Result<std::string> find_executable(const Process& p);
// Seccomp (without noNewPrivileges), bounding set, user, capabilities,
// umask, cwd (checked inside the root: CVE-2024-21626), no_new_privs, the
// executable (refused if it is the runtime: CVE-2019-5736), and every fd
// but stdio and the preserved ones marked close-on-exec. Returns the
// path to execve.
Result<std::string> confine_process(const Process& proc, const Confinement& conf, int sync_fd,
                                    unsigned preserve_fds);

}  // namespace ocirun
