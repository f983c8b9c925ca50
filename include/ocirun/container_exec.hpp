// exec: a new process in a running container, in every namespace and
// cgroup of its init and under the same confinement (capabilities,
// no_new_privs, seccomp, LSM label, rlimits, user), as runtime.md's
// "exec" and runc's `exec` do. The protocol:
//
//   ocirun exec (runtime)                      child (clone3)
//   ---------------------                      --------------
//   state and saved config.json read;
//   stopped or paused refused
//   pidfd of the init (pid-reuse checked)
//   [own pid ns] setns(pidfd, NEWPID) for
//   children
//   clone3(CLONE_INTO_CGROUP v2 dir) ------->  signals default, not dumpable
//   back to its own pid namespace              (CVE-2016-9962)
//   pid into every other cgroup.procs
//   RuntimeDone --------------------------->  LSM attr opened on the host's /proc
//                                              setns(init pidfd, every other ns)
//                                              [no mount ns] chroot to its root
//                                              pty, rlimits, confine_process
//                                              (container_init.hpp), labels,
//                                              [nnp] seccomp
//               <--------------------------  [notify] SeccompFd; SeccompDone
//   EOF: exec succeeded, or Error{errno,msg}   execve
//   pid file, pidfd socket; detached: exit;
//   else forward signals, proxy the terminal,
//   exit with the process's status
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ocirun/error.hpp"
#include "ocirun/spec.hpp"
#include "ocirun/state.hpp"

namespace ocirun {

struct ExecOptions {
  std::string id;
  std::string state_root;
  std::optional<std::string> process_json;  // --process FILE's text
  std::vector<std::string> args;            // COMMAND [ARG...]
  // Overrides of the container's process (ignored with --process, as runc).
  bool tty = false;
  std::optional<std::string> cwd;
  std::vector<std::string> env;  // NAME=VALUE
  std::optional<std::string> user;  // UID[:GID]
  std::vector<std::string> additional_gids;
  bool no_new_privs = false;
  std::vector<std::string> caps;
  std::optional<std::string> apparmor;
  std::optional<std::string> process_label;
  // How it runs.
  bool detach = false;
  std::optional<std::string> pid_file;
  std::optional<std::string> console_socket;
  std::optional<std::string> pidfd_socket;
  unsigned preserve_fds = 0;
  bool ignore_paused = false;
};

// Pure: the process exec runs. From --process when given (parsed with the
// same checks as config.json's process, errors naming the JSON path), else
// the container's own process with args and the flags applied.
Result<Process> plan_exec_process(const Process& base, const ExecOptions& o);

// Whether the container's cgroups are frozen (pause).
bool container_frozen(const ContainerState& st);

// The host pids in the container's cgroup.
Result<std::vector<pid_t>> container_pids(const ContainerState& st);

// Runs the exec. Returns 0 once a detached process runs, else the
// process's exit status (128+N when killed by signal N).
Result<int> exec_container(const ExecOptions& o);

}  // namespace ocirun
