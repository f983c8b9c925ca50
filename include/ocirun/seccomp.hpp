// linux.seccomp applied: the parsed profile (spec_seccomp.hpp) becomes a
// list of rules (plan_seccomp, pure), then a BPF program (compile_seccomp,
// libseccomp, in the runtime before anything is created: a profile
// libseccomp refuses fails create early), which the init loads with one
// seccomp(2) call just before it execs the user's program.
//
// The runtime, not libseccomp, loads the program, so that every flag of
// the spec reaches the kernel (libseccomp 2.5 has no WAIT_KILLABLE_RECV)
// and so that a notify filter hands back its listener fd.
//
// When the filter loads: as late as possible, so that it never blocks the
// runtime's own work, but before the user's program:
//  - with noNewPrivileges, right before execve, after the startContainer
//    hooks (the listener fd, with notify, goes to `start` over the start
//    connection);
//  - without it, loading a filter needs CAP_SYS_ADMIN, which the user's
//    capabilities may lack: it loads before the user switch, at the end of
//    the init's preparation (the listener fd goes to `create` over the
//    sync socket). The startContainer hooks then run under the filter, as
//    in runc.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ocirun/error.hpp"
#include "ocirun/spec_seccomp.hpp"
#include "ocirun/state.hpp"
#include "ocirun/unique_fd.hpp"

namespace ocirun {

// One libseccomp rule: a syscall (by its libseccomp number, which may be a
// negative pseudo-number for a syscall the native architecture lacks),
// an action (SCMP_ACT_* with its errno), and the argument comparisons.
struct SeccompCompare {
  unsigned index = 0;
  int op = 0;  // enum scmp_compare
  std::uint64_t a = 0;
  std::uint64_t b = 0;
};

struct SeccompRule {
  std::string name;
  int nr = 0;
  std::uint32_t action = 0;
  std::vector<SeccompCompare> args;
  std::size_t source = 0;  // index in linux.seccomp.syscalls, for errors
};

struct SeccompPlan {
  std::uint32_t default_action = 0;
  std::vector<std::uint32_t> arches;  // SCMP_ARCH_*; the native one is always in
  std::vector<SeccompRule> rules;
  unsigned flags = 0;  // SECCOMP_FILTER_FLAG_*, as seccomp(2) takes them
  bool notify = false;
  std::vector<std::string> debug;  // what was skipped, and why
};

// Whether this build's libseccomp knows the architecture (features).
bool seccomp_arch_supported(SeccompArch a);
// The flags the running kernel accepts (probed as runc does: a NULL program
// gives EFAULT for a known flag, EINVAL for an unknown one).
std::vector<SeccompFlag> seccomp_supported_flags();
// libseccomp's version, "2.5.4".
std::string libseccomp_version();

// The libseccomp action of a spec action, with its errno (EPERM when absent).
std::uint32_t seccomp_action_value(SeccompAction a, std::optional<std::uint16_t> errno_ret);

// Pure: resolves names (a name this libseccomp does not know is skipped,
// with a line in `debug`), maps actions, operators and flags, drops rules
// whose action is the default one (libseccomp refuses them, and they change
// nothing), and splits a rule comparing one argument twice into one rule
// per comparison (libseccomp cannot AND two comparisons of one argument;
// runc does the same). Refuses what would deadlock the init: SCMP_ACT_NOTIFY
// as the default action, or on the syscalls the init makes after loading
// the filter and before the listener has its fd.
Result<SeccompPlan> plan_seccomp(const LinuxSeccomp& s);

struct SeccompProgram {
  std::vector<sock_filter> code;
  unsigned flags = 0;
  bool notify = false;
};

// libseccomp: the plan as a BPF program.
Result<SeccompProgram> compile_seccomp(const SeccompPlan& plan);

// In the init: seccomp(SECCOMP_SET_MODE_FILTER). Returns the listener fd
// when the program notifies, else an empty UniqueFd.
Result<UniqueFd> load_seccomp(const SeccompProgram& prog);

// The container process state of config-linux.md, sent with the listener
// fd to listenerPath.
std::string seccomp_process_state_json(const ContainerState& st, Status status, const std::string& metadata);

// Connects to `path` (AF_UNIX, SOCK_STREAM), sends `state_json` with `fd`
// (SCM_RIGHTS, named seccompFd in the JSON) in one sendmsg, and closes.
Result<> send_seccomp_listener(const std::string& path, const std::string& state_json, int fd);

}  // namespace ocirun
