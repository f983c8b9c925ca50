// linux.seccomp of config.json: the typed model and its parser, and the
// tables of names the spec gives for actions, operators, architectures and
// flags (the `features` command lists them; the filter builder maps the
// enums to libseccomp's values).
//
// Syscall names are kept as given: a name this libseccomp does not know is
// not an error here. The filter builder skips it (with a debug line), as
// runc does, so a profile written for a newer kernel still loads.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ocirun/error.hpp"
#include "ocirun/json.hpp"

namespace ocirun {

// The enumerators are in the order the spec lists them, as are the tables.
enum class SeccompAction : std::uint8_t {
  Kill,         // SCMP_ACT_KILL (the thread, as KillThread)
  KillProcess,  // SCMP_ACT_KILL_PROCESS
  KillThread,   // SCMP_ACT_KILL_THREAD
  Trap,         // SCMP_ACT_TRAP
  Errno,        // SCMP_ACT_ERRNO
  Trace,        // SCMP_ACT_TRACE
  Allow,        // SCMP_ACT_ALLOW
  Log,          // SCMP_ACT_LOG
  Notify,       // SCMP_ACT_NOTIFY
};

enum class SeccompArch : std::uint8_t {
  X86,          // SCMP_ARCH_X86
  X86_64,       // SCMP_ARCH_X86_64
  X32,          // SCMP_ARCH_X32
  Arm,          // SCMP_ARCH_ARM
  Aarch64,      // SCMP_ARCH_AARCH64
  Mips,         // SCMP_ARCH_MIPS
  Mips64,       // SCMP_ARCH_MIPS64
  Mips64N32,    // SCMP_ARCH_MIPS64N32
  MipsEl,       // SCMP_ARCH_MIPSEL
  MipsEl64,     // SCMP_ARCH_MIPSEL64
  MipsEl64N32,  // SCMP_ARCH_MIPSEL64N32
  Ppc,          // SCMP_ARCH_PPC
  Ppc64,        // SCMP_ARCH_PPC64
  Ppc64Le,      // SCMP_ARCH_PPC64LE
  S390,         // SCMP_ARCH_S390
  S390X,        // SCMP_ARCH_S390X
  Parisc,       // SCMP_ARCH_PARISC
  Parisc64,     // SCMP_ARCH_PARISC64
  RiscV64,      // SCMP_ARCH_RISCV64
  LoongArch64,  // SCMP_ARCH_LOONGARCH64
  M68k,         // SCMP_ARCH_M68K
  Sh,           // SCMP_ARCH_SH
  ShEb,         // SCMP_ARCH_SHEB
};

enum class SeccompFlag : std::uint8_t {
  Tsync,             // SECCOMP_FILTER_FLAG_TSYNC
  Log,               // SECCOMP_FILTER_FLAG_LOG
  SpecAllow,         // SECCOMP_FILTER_FLAG_SPEC_ALLOW
  WaitKillableRecv,  // SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
};

enum class SeccompOperator : std::uint8_t {
  Ne,        // SCMP_CMP_NE
  Lt,        // SCMP_CMP_LT
  Le,        // SCMP_CMP_LE
  Eq,        // SCMP_CMP_EQ
  Ge,        // SCMP_CMP_GE
  Gt,        // SCMP_CMP_GT
  MaskedEq,  // SCMP_CMP_MASKED_EQ: (arg & value) == value_two
};

// The spec's name of each value ("SCMP_ACT_ERRNO").
std::string_view seccomp_action_name(SeccompAction a);
std::string_view seccomp_arch_name(SeccompArch a);
std::string_view seccomp_flag_name(SeccompFlag f);
std::string_view seccomp_operator_name(SeccompOperator op);

// The value of a name, or nullopt for a name the spec does not list.
std::optional<SeccompAction> seccomp_action_from_name(std::string_view name);
std::optional<SeccompArch> seccomp_arch_from_name(std::string_view name);
std::optional<SeccompFlag> seccomp_flag_from_name(std::string_view name);
std::optional<SeccompOperator> seccomp_operator_from_name(std::string_view name);

// Every supported value, in the spec's order.
std::span<const SeccompAction> all_seccomp_actions();
std::span<const SeccompArch> all_seccomp_archs();
std::span<const SeccompFlag> all_seccomp_flags();
std::span<const SeccompOperator> all_seccomp_operators();

// Whether an action takes an errno (errnoRet, defaultErrnoRet): the spec
// names SCMP_ACT_ERRNO and SCMP_ACT_TRACE.
bool seccomp_action_takes_errno(SeccompAction a);

struct SeccompArg {
  std::uint32_t index = 0;  // 0 to 5: a syscall has six arguments
  std::uint64_t value = 0;
  std::uint64_t value_two = 0;  // absent reads as 0, as libseccomp's datum_b
  SeccompOperator op = SeccompOperator::Eq;
};

struct SeccompSyscall {
  std::vector<std::string> names;  // at least one, none empty
  SeccompAction action = SeccompAction::Allow;
  // Only with an action that takes an errno. Absent means the spec's default,
  // EPERM. 16 bits: SECCOMP_RET_DATA is all the kernel keeps, and libseccomp
  // would silently drop the rest (70000 would return errno 4464).
  std::optional<std::uint16_t> errno_ret;
  std::vector<SeccompArg> args;
};

struct LinuxSeccomp {
  SeccompAction default_action = SeccompAction::Allow;
  std::optional<std::uint16_t> default_errno_ret;  // as SeccompSyscall::errno_ret
  // Empty: the native architecture only.
  std::vector<SeccompArch> architectures;
  // Absent and empty are kept apart: a runtime may choose its default flags
  // when the field is absent, but not when it is an explicit [].
  std::optional<std::vector<SeccompFlag>> flags;
  // An absolute path, present whenever an action is SCMP_ACT_NOTIFY ("" reads
  // as absent, Go's zero value).
  std::optional<std::string> listener_path;
  std::optional<std::string> listener_metadata;  // only with listener_path
  std::vector<SeccompSyscall> syscalls;
};

// Whether the default action or any rule is SCMP_ACT_NOTIFY.
bool seccomp_uses_notify(const LinuxSeccomp& s);

// Parses a LinuxSeccomp object; errors name the path of `node`. Keys follow
// json::Fields' rules, as everywhere in config.json: matched as Go matches
// them, a known key given twice refused.
Result<LinuxSeccomp> parse_linux_seccomp(const json::Node& node);

}  // namespace ocirun
