// The parser of linux.seccomp, and the name tables of its enumerations.
//
// The spec's rules checked here, beyond types and required fields:
//  - names[] has at least one entry, and each is a non-empty string;
//  - args[].index is 0 to 5;
//  - errnoRet and defaultErrnoRet only go with SCMP_ACT_ERRNO or
//    SCMP_ACT_TRACE ("the runtime MUST print and error and fail");
//  - listenerMetadata "MUST NOT be set if listenerPath is not set";
// and, so the filter is never loaded with a meaning other than the one
// written:
//  - an errno fits the 16 bits the kernel keeps;
//  - listenerPath is absolute, and present when SCMP_ACT_NOTIFY is used
//    (there is nowhere else to send the notify fd: runc fails the same
//    config later, at create, with "listenerPath is not set").
// Every object is read through json::Fields, as the rest of config.json is:
// keys match as Go matches them ("DefaultAction" is defaultAction), a known
// key given twice is refused, and unknown members are ignored, as
// config.md's extensibility rule requires.

#include "ocirun/spec_seccomp.hpp"

#include <array>

namespace ocirun {

namespace {

using json::Fields;
using json::Node;
using json::Type;

template <typename E>
struct Named {
  E value;
  std::string_view name;
};

constexpr std::array<Named<SeccompAction>, 9> kActions{{
    {SeccompAction::Kill, "SCMP_ACT_KILL"},
    {SeccompAction::KillProcess, "SCMP_ACT_KILL_PROCESS"},
    {SeccompAction::KillThread, "SCMP_ACT_KILL_THREAD"},
    {SeccompAction::Trap, "SCMP_ACT_TRAP"},
    {SeccompAction::Errno, "SCMP_ACT_ERRNO"},
    {SeccompAction::Trace, "SCMP_ACT_TRACE"},
    {SeccompAction::Allow, "SCMP_ACT_ALLOW"},
    {SeccompAction::Log, "SCMP_ACT_LOG"},
    {SeccompAction::Notify, "SCMP_ACT_NOTIFY"},
}};

constexpr std::array<Named<SeccompArch>, 23> kArchs{{
    {SeccompArch::X86, "SCMP_ARCH_X86"},
    {SeccompArch::X86_64, "SCMP_ARCH_X86_64"},
    {SeccompArch::X32, "SCMP_ARCH_X32"},
    {SeccompArch::Arm, "SCMP_ARCH_ARM"},
    {SeccompArch::Aarch64, "SCMP_ARCH_AARCH64"},
    {SeccompArch::Mips, "SCMP_ARCH_MIPS"},
    {SeccompArch::Mips64, "SCMP_ARCH_MIPS64"},
    {SeccompArch::Mips64N32, "SCMP_ARCH_MIPS64N32"},
    {SeccompArch::MipsEl, "SCMP_ARCH_MIPSEL"},
    {SeccompArch::MipsEl64, "SCMP_ARCH_MIPSEL64"},
    {SeccompArch::MipsEl64N32, "SCMP_ARCH_MIPSEL64N32"},
    {SeccompArch::Ppc, "SCMP_ARCH_PPC"},
    {SeccompArch::Ppc64, "SCMP_ARCH_PPC64"},
    {SeccompArch::Ppc64Le, "SCMP_ARCH_PPC64LE"},
    {SeccompArch::S390, "SCMP_ARCH_S390"},
    {SeccompArch::S390X, "SCMP_ARCH_S390X"},
    {SeccompArch::Parisc, "SCMP_ARCH_PARISC"},
    {SeccompArch::Parisc64, "SCMP_ARCH_PARISC64"},
    {SeccompArch::RiscV64, "SCMP_ARCH_RISCV64"},
    {SeccompArch::LoongArch64, "SCMP_ARCH_LOONGARCH64"},
    {SeccompArch::M68k, "SCMP_ARCH_M68K"},
    {SeccompArch::Sh, "SCMP_ARCH_SH"},
    {SeccompArch::ShEb, "SCMP_ARCH_SHEB"},
}};

constexpr std::array<Named<SeccompFlag>, 4> kFlags{{
    {SeccompFlag::Tsync, "SECCOMP_FILTER_FLAG_TSYNC"},
    {SeccompFlag::Log, "SECCOMP_FILTER_FLAG_LOG"},
    {SeccompFlag::SpecAllow, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"},
    {SeccompFlag::WaitKillableRecv, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"},
}};

constexpr std::array<Named<SeccompOperator>, 7> kOperators{{
    {SeccompOperator::Ne, "SCMP_CMP_NE"},
    {SeccompOperator::Lt, "SCMP_CMP_LT"},
    {SeccompOperator::Le, "SCMP_CMP_LE"},
    {SeccompOperator::Eq, "SCMP_CMP_EQ"},
    {SeccompOperator::Ge, "SCMP_CMP_GE"},
    {SeccompOperator::Gt, "SCMP_CMP_GT"},
    {SeccompOperator::MaskedEq, "SCMP_CMP_MASKED_EQ"},
}};

// The tables are indexed by the enum's value; these checks keep the two in
// step when a value is added.
template <typename E, std::size_t N>
constexpr bool in_enum_order(const std::array<Named<E>, N>& table) {
  for (std::size_t i = 0; i < N; i++) {
    if (static_cast<std::size_t>(table[i].value) != i) return false;
  }
  return true;
}
static_assert(in_enum_order(kActions));
static_assert(in_enum_order(kArchs));
static_assert(in_enum_order(kFlags));
static_assert(in_enum_order(kOperators));

template <typename E, std::size_t N>
std::string_view name_of(const std::array<Named<E>, N>& table, E value) {
  std::size_t i = static_cast<std::size_t>(value);
  return i < N ? table[i].name : std::string_view("?");
}

template <typename E, std::size_t N>
std::optional<E> value_of(const std::array<Named<E>, N>& table, std::string_view name) {
  for (const Named<E>& entry : table) {
    if (entry.name == name) return entry.value;
  }
  return std::nullopt;
}

template <typename E, std::size_t N>
constexpr std::array<E, N> values_of(const std::array<Named<E>, N>& table) {
  std::array<E, N> out{};
  for (std::size_t i = 0; i < N; i++) out[i] = table[i].value;
  return out;
}

constexpr std::array<SeccompAction, kActions.size()> kAllActions = values_of(kActions);
constexpr std::array<SeccompArch, kArchs.size()> kAllArchs = values_of(kArchs);
constexpr std::array<SeccompFlag, kFlags.size()> kAllFlags = values_of(kFlags);
constexpr std::array<SeccompOperator, kOperators.size()> kAllOperators = values_of(kOperators);

// Reads a string member `n` and looks it up in `table`; `what` names the
// kind in the error ("seccomp action").
template <typename E, std::size_t N>
Result<E> enum_value(const Node& n, const std::array<Named<E>, N>& table, std::string_view what) {
  std::string_view s = TRY(n.string());
  std::optional<E> v = value_of(table, s);
  if (!v) return n.fail("unknown " + std::string(what) + " " + json::quoted(s));
  return *v;
}

// An errno for SECCOMP_RET_ERRNO or SECCOMP_RET_TRACE, which the action
// must take.
Result<std::optional<std::uint16_t>> errno_value(const Fields& f, std::string_view key,
                                                 SeccompAction action) {
  std::optional<Node> n = TRY(f.get(key, Type::Number));
  if (!n) return std::optional<std::uint16_t>();
  std::uint32_t v = TRY(n->uint32());
  if (!seccomp_action_takes_errno(action))
    return n->fail("not allowed with " + std::string(seccomp_action_name(action)) +
                   " (only with SCMP_ACT_ERRNO or SCMP_ACT_TRACE)");
  if (v > 0xffff) return n->fail(std::to_string(v) + " is out of range (0 to 65535)");
  return std::optional<std::uint16_t>(static_cast<std::uint16_t>(v));
}

constexpr std::string_view kArgKeys[] = {"index", "value", "valueTwo", "op"};

Result<SeccompArg> parse_arg(const Node& n) {
  Fields f = TRY(Fields::read(n, kArgKeys));
  SeccompArg a;
  Node index = TRY(f.require("index", Type::Number));
  a.index = TRY(index.uint32());
  if (a.index > 5) return index.fail(std::to_string(a.index) + " is out of range (0 to 5)");
  a.value = TRY(TRY(f.require("value", Type::Number)).uint64());
  if (std::optional<Node> two = TRY(f.get("valueTwo", Type::Number))) a.value_two = TRY(two->uint64());
  a.op = TRY(enum_value(TRY(f.require("op", Type::String)), kOperators, "seccomp operator"));
  return a;
}

constexpr std::string_view kSyscallKeys[] = {"names", "action", "errnoRet", "args"};

Result<SeccompSyscall> parse_syscall(const Node& n) {
  Fields f = TRY(Fields::read(n, kSyscallKeys));
  SeccompSyscall s;
  Node names = TRY(f.require("names", Type::Array));
  std::size_t count = names.size();
  if (count == 0) return names.fail("must contain at least one syscall name");
  s.names.reserve(count);
  for (std::size_t i = 0; i < count; i++) {
    Node name = names.at(i);
    std::string_view v = TRY(name.string());
    if (v.empty()) return name.fail("empty syscall name");
    s.names.emplace_back(v);
  }
  s.action = TRY(enum_value(TRY(f.require("action", Type::String)), kActions, "seccomp action"));
  s.errno_ret = TRY(errno_value(f, "errnoRet", s.action));
  if (std::optional<Node> args = TRY(f.get("args", Type::Array))) {
    s.args.reserve(args->size());
    for (std::size_t i = 0; i < args->size(); i++) s.args.push_back(TRY(parse_arg(args->at(i))));
  }
  return s;
}

// An optional array of enumeration names.
template <typename E, std::size_t N>
Result<std::optional<std::vector<E>>> enum_list(const Fields& f, std::string_view key,
                                                const std::array<Named<E>, N>& table,
                                                std::string_view what) {
  std::optional<Node> arr = TRY(f.get(key, Type::Array));
  if (!arr) return std::optional<std::vector<E>>();
  std::vector<E> out;
  out.reserve(arr->size());
  for (std::size_t i = 0; i < arr->size(); i++) out.push_back(TRY(enum_value(arr->at(i), table, what)));
  return std::optional<std::vector<E>>(std::move(out));
}

constexpr std::string_view kSeccompKeys[] = {"defaultAction", "defaultErrnoRet",  "architectures", "flags",
                                             "listenerPath",  "listenerMetadata", "syscalls"};

}  // namespace

std::string_view seccomp_action_name(SeccompAction a) { return name_of(kActions, a); }
std::string_view seccomp_arch_name(SeccompArch a) { return name_of(kArchs, a); }
std::string_view seccomp_flag_name(SeccompFlag f) { return name_of(kFlags, f); }
std::string_view seccomp_operator_name(SeccompOperator op) { return name_of(kOperators, op); }

std::optional<SeccompAction> seccomp_action_from_name(std::string_view name) {
  return value_of(kActions, name);
}
std::optional<SeccompArch> seccomp_arch_from_name(std::string_view name) {
  return value_of(kArchs, name);
}
std::optional<SeccompFlag> seccomp_flag_from_name(std::string_view name) {
  return value_of(kFlags, name);
}
std::optional<SeccompOperator> seccomp_operator_from_name(std::string_view name) {
  return value_of(kOperators, name);
}

std::span<const SeccompAction> all_seccomp_actions() { return kAllActions; }
std::span<const SeccompArch> all_seccomp_archs() { return kAllArchs; }
std::span<const SeccompFlag> all_seccomp_flags() { return kAllFlags; }
std::span<const SeccompOperator> all_seccomp_operators() { return kAllOperators; }

bool seccomp_action_takes_errno(SeccompAction a) {
  return a == SeccompAction::Errno || a == SeccompAction::Trace;
}

bool seccomp_uses_notify(const LinuxSeccomp& s) {
  if (s.default_action == SeccompAction::Notify) return true;
  for (const SeccompSyscall& call : s.syscalls) {
    if (call.action == SeccompAction::Notify) return true;
  }
  return false;
}

Result<LinuxSeccomp> parse_linux_seccomp(const json::Node& node) {
  Fields f = TRY(Fields::read(node, kSeccompKeys));
  LinuxSeccomp s;
  s.default_action =
      TRY(enum_value(TRY(f.require("defaultAction", Type::String)), kActions, "seccomp action"));
  s.default_errno_ret = TRY(errno_value(f, "defaultErrnoRet", s.default_action));
  std::optional<std::vector<SeccompArch>> archs =
      TRY(enum_list(f, "architectures", kArchs, "seccomp architecture"));
  if (archs) s.architectures = std::move(*archs);
  s.flags = TRY(enum_list(f, "flags", kFlags, "seccomp flag"));

  std::optional<Node> path = TRY(f.get("listenerPath", Type::String));
  if (path) {
    std::string_view p = TRY(path->string());
    if (!p.empty()) {
      if (p[0] != '/') return path->fail("must be an absolute path, got " + json::quoted(p));
      s.listener_path = std::string(p);
    }
  }
  std::optional<Node> meta = TRY(f.get("listenerMetadata", Type::String));
  if (meta) {
    std::string_view m = TRY(meta->string());
    if (!m.empty()) {
      if (!s.listener_path) return meta->fail("must not be set without listenerPath");
      s.listener_metadata = std::string(m);
    }
  }

  if (std::optional<Node> calls = TRY(f.get("syscalls", Type::Array))) {
    s.syscalls.reserve(calls->size());
    for (std::size_t i = 0; i < calls->size(); i++) s.syscalls.push_back(TRY(parse_syscall(calls->at(i))));
  }

  if (!s.listener_path && seccomp_uses_notify(s)) {
    // Name the first place that asks for a notify, so the user can find it.
    std::string where = "defaultAction";
    if (s.default_action != SeccompAction::Notify) {
      for (std::size_t i = 0; i < s.syscalls.size(); i++) {
        if (s.syscalls[i].action == SeccompAction::Notify) {
          where = "syscalls[" + std::to_string(i) + "].action";
          break;
        }
      }
    }
    return tl::unexpected<Error>(
        f.member_error("listenerPath", "required, since " + where + " is SCMP_ACT_NOTIFY"));
  }
  return s;
}

}  // namespace ocirun
