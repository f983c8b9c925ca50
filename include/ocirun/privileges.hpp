// The container process's privileges: its user, its capability sets and
// no_new_privs. Deciding (which capabilities each set gets on this host)
// is a pure function, run by the runtime before anything is created;
// doing is a few syscalls in the init, in the order the kernel requires:
//
//   bounding set dropped      (needs CAP_SETPCAP: still full root here)
//   PR_SET_KEEPCAPS           (so that setresuid keeps the permitted set)
//   setgroups, setresgid, setresuid
//   capset: effective, permitted, inheritable (exactly the config's)
//   ambient set raised        (each must be permitted and inheritable)
//   no_new_privs              (before seccomp, which it lets load unprivileged)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ocirun/error.hpp"
#include "ocirun/seccomp.hpp"
#include "ocirun/spec.hpp"

namespace ocirun {

struct CapabilityPlan {
  std::uint64_t bounding = 0;
  std::uint64_t effective = 0;
  std::uint64_t permitted = 0;
  std::uint64_t inheritable = 0;
  std::uint64_t ambient = 0;
  // What the plan left out, for the runtime to say: capabilities the host
  // cannot grant, ambient ones the kernel would refuse.
  std::vector<std::string> warnings;
};

// The capabilities this process can grant: its bounding set, which on a
// kernel without CAP_x (newer than it) or a host that dropped CAP_x (this
// machine lacks CAP_SYS_RESOURCE) does not hold it.
std::uint64_t grantable_capabilities();

// The sets to apply. A capability outside `grantable` is dropped from every
// set with a warning, as runc does: the kernel cannot give it, and refusing
// the container would make every config that asks for it (Docker's
// privileged set, for one) unusable on such a host. An ambient capability
// that is not both permitted and inheritable is dropped with a warning too
// (the kernel refuses to raise it: capabilities(7)).
CapabilityPlan plan_capabilities(const Capabilities& want, std::uint64_t grantable);

// In the init: steps 1 to 5 of the diagram above. `caps` null: no
// process.capabilities in the config, the user switch alone (which, for a
// non-root uid, clears every capability).
Result<> drop_bounding_set(const CapabilityPlan& caps);
Result<> switch_user(const User& user, bool keep_caps);
Result<> apply_capabilities(const CapabilityPlan& caps);
// Without process.capabilities: the inheritable and ambient sets the
// runtime's caller had are cleared all the same, so that they cannot reach
// a file with inheritable file capabilities in the image (CVE-2022-29162).
Result<> clear_inheritable();

// Everything the init needs to confine the process, decided and compiled
// by the runtime before anything is created, so that a config that cannot
// be applied fails early and the init only makes syscalls.
struct Confinement {
  std::optional<CapabilityPlan> caps;      // absent: process.capabilities absent
  std::optional<SeccompProgram> seccomp;   // absent: no linux.seccomp
  // The runtime's own binary, identified before the container's mounts
  // exist (its /proc could be anything): see refuse_runtime_binary.
  dev_t runtime_dev = 0;
  ino_t runtime_ino = 0;
};

// The plans for `spec`; their warnings and debug lines are logged here.
// Also refuses an LSM label for an LSM this host has not enabled.
Result<Confinement> plan_confinement(const Spec& spec);

// CVE-2019-5736. The init is a clone of the runtime: until its execve,
// /proc/self/exe (and /proc/1/exe, /proc/<init>/exe) is the host's runtime
// binary, so a config or image whose program is that link, or a script
// whose interpreter (#!) is, would run the host binary in the container,
// where another container process could open it and, once it exits,
// reopen it for writing. The init refuses to exec a file, or a script
// chain leading to one, with the runtime binary's device and inode.
// (Copying the runtime to a sealed memfd and re-executing from it, runc's
// old defence, costs about 1 ms and 2.4 MB per container here: see
// spec/security.md.)
Result<> refuse_runtime_binary(const std::string& executable, const Confinement& conf);

// The state keys under which create records a notify filter's listener
// for `start` (which hands the fd over when the filter loads at exec).
inline constexpr const char* kSeccompListenerKey = "seccomp.listenerPath";
inline constexpr const char* kSeccompMetadataKey = "seccomp.listenerMetadata";

// Runtime side of a SeccompFd message: sends the fd to the config's
// listener with the container process state (status as the runtime is at).
Result<> forward_seccomp_listener(const ContainerState& st, Status status, int fd);

}  // namespace ocirun
