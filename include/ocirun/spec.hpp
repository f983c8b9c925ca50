// The config.json model: plain typed structs for the whole runtime-spec
// v1.3.0 configuration on Linux, filled and validated by parse_spec(). Nothing
// outside the parser sees JSON.
//
// Conventions, so that the modules that act on these structs need not guess:
// - Optional fields whose absence means "leave it alone" are std::optional
//   (process, umask, oomScoreAdj, scheduler, a namespace's path, resources,
//   seccomp...). Optional strings and lists whose empty value means the same
//   as their absence (hostname, apparmorProfile, env, masked paths...) are
//   plain, and empty when absent.
// - Enumerations are enum classes whose values are the kernel's own numbers
//   (clone flags, SCHED_*, IOPRIO_CLASS_*, MPOL_*, PER_*), so a static_cast
//   gives the value a syscall takes; RLIMIT_* numbers differ between
//   architectures and come from <sys/resource.h>.
// - Strings were checked to hold no NUL byte, so c_str() never truncates.
// - Everything the spec says MUST about a single config is checked here; what
//   depends on the host (does the path exist, does the kernel know the
//   capability) is left to the code that acts.
#pragma once

#include <sys/resource.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ocirun/error.hpp"
#include "ocirun/spec_resources.hpp"
#include "ocirun/spec_seccomp.hpp"

// GNU modes (-std=gnu++20) predefine `linux` as 1, which would turn the
// Spec::linux member below into a syntax error far from the cause.
#ifdef linux
#error "ocirun is built with -std=c++20; in gnu++ modes `linux` is a macro"
#endif

namespace ocirun {

// ---- root, mounts ----

struct Root {
  std::string path;  // absolute, or relative to the bundle; never empty
  bool readonly = false;
};

// One line of a uid_map/gid_map: `size` ids from container_id map to host_id.
// Checked: size >= 1 and neither range wraps past 2^32-1, as the kernel
// requires.
struct IdMapping {
  std::uint32_t container_id = 0;
  std::uint32_t host_id = 0;
  std::uint32_t size = 0;
};

struct Mount {
  // Absolute: a relative destination (deprecated, "relative to /" per the
  // spec) is stored with "/" prefixed.
  std::string destination;
  std::string source;  // empty when absent
  std::string type;    // empty when absent (bind mounts)
  // In order, as given: later options override earlier ones, and options
  // that are not mount flags go to the kernel as filesystem data.
  std::vector<std::string> options;
  // For idmapped mounts; either both are set or neither.
  std::vector<IdMapping> uid_mappings;
  std::vector<IdMapping> gid_mappings;
};

// ---- process ----

struct ConsoleSize {
  std::uint16_t height = 0;  // struct winsize holds unsigned shorts
  std::uint16_t width = 0;
};

struct User {
  std::uint32_t uid = 0;  // never (uid_t)-1, which set*id() read as "unchanged"
  std::uint32_t gid = 0;
  std::optional<std::uint32_t> umask;  // absent: leave the umask as it is; <= 0777
  std::vector<std::uint32_t> additional_gids;
};

// A set of capabilities as a bit mask (bit n = capability n, n <= kCapLast),
// the shape capset(2) and prctl(2) want.
struct CapabilitySet {
  std::uint64_t bits = 0;
  bool has(int cap) const { return cap >= 0 && cap < 64 && ((bits >> cap) & 1) != 0; }
  void add(int cap) { bits |= std::uint64_t{1} << cap; }
  bool empty() const { return bits == 0; }
};

// process.capabilities; a set absent from the object is empty.
struct Capabilities {
  CapabilitySet bounding;
  CapabilitySet effective;
  CapabilitySet inheritable;
  CapabilitySet permitted;
  CapabilitySet ambient;
};

// The resource numbers of <sys/resource.h>, which differ between
// architectures (RLIMIT_NOFILE is 7 on x86 and 5 on MIPS).
enum class RlimitType : int {
  Cpu = RLIMIT_CPU,
  Fsize = RLIMIT_FSIZE,
  Data = RLIMIT_DATA,
  Stack = RLIMIT_STACK,
  Core = RLIMIT_CORE,
  Rss = RLIMIT_RSS,
  Nproc = RLIMIT_NPROC,
  Nofile = RLIMIT_NOFILE,
  Memlock = RLIMIT_MEMLOCK,
  As = RLIMIT_AS,
  Locks = RLIMIT_LOCKS,
  Sigpending = RLIMIT_SIGPENDING,
  Msgqueue = RLIMIT_MSGQUEUE,
  Nice = RLIMIT_NICE,
  Rtprio = RLIMIT_RTPRIO,
  Rttime = RLIMIT_RTTIME,
};

// "RLIMIT_NOFILE", for messages.
const char* rlimit_name(RlimitType type);

struct Rlimit {
  RlimitType type = RlimitType::Nofile;
  std::uint64_t soft = 0;  // checked: soft <= hard, as setrlimit(2) requires
  std::uint64_t hard = 0;  // RLIM_INFINITY is ~0, as the kernel's
};

// SCHED_* of sched_setattr(2).
enum class SchedulerPolicy : std::uint32_t {
  Other = 0,
  Fifo = 1,
  Rr = 2,
  Batch = 3,
  Iso = 4,  // in the spec, reserved in Linux: sched_setattr will refuse it
  Idle = 5,
  Deadline = 6,
};

// SCHED_FLAG_* bits of struct sched_attr's sched_flags.
inline constexpr std::uint64_t kSchedFlagResetOnFork = 0x01;
inline constexpr std::uint64_t kSchedFlagReclaim = 0x02;
inline constexpr std::uint64_t kSchedFlagDlOverrun = 0x04;
inline constexpr std::uint64_t kSchedFlagKeepPolicy = 0x08;
inline constexpr std::uint64_t kSchedFlagKeepParams = 0x10;
inline constexpr std::uint64_t kSchedFlagUtilClampMin = 0x20;
inline constexpr std::uint64_t kSchedFlagUtilClampMax = 0x40;

// process.scheduler, checked as runc checks it: nice in -20..19, priority
// only for FIFO/RR (and then 1..99), runtime/deadline/period only for
// DEADLINE.
struct Scheduler {
  SchedulerPolicy policy = SchedulerPolicy::Other;
  std::int32_t nice = 0;
  std::int32_t priority = 0;
  std::uint64_t flags = 0;  // kSchedFlag* bits
  std::uint64_t runtime = 0;   // nanoseconds
  std::uint64_t deadline = 0;  // nanoseconds
  std::uint64_t period = 0;    // nanoseconds
};

// IOPRIO_CLASS_* of ioprio_set(2).
enum class IoPriorityClass : std::uint32_t { Rt = 1, Be = 2, Idle = 3 };

struct IoPriority {
  IoPriorityClass io_class = IoPriorityClass::Be;
  std::int32_t priority = 0;  // 0 (highest) to 7 (lowest)
};

// A list of CPU or NUMA node numbers in the kernel's "list format"
// ("0-3,7"), as the ranges given, in order. Kept as ranges so that a hostile
// "0-4000000" costs nothing until a consumer sizes a mask for it.
struct CpuRange {
  std::uint32_t first = 0;
  std::uint32_t last = 0;  // >= first
};
using CpuList = std::vector<CpuRange>;

// The highest CPU or node number a list may name: the kernel's NR_CPUS is at
// most 8192, and a bound keeps the masks consumers build small.
inline constexpr std::uint32_t kMaxCpuNumber = 65535;

// Parses "0-3,7" (spaces around items allowed, as the schema's pattern
// does; "" is the empty list). Errors say what is wrong, without a path.
Result<CpuList> parse_cpu_list(std::string_view text);

// process.execCPUAffinity; an empty list means "do not change".
struct ExecCpuAffinity {
  CpuList initial;
  CpuList final;
};

struct Process {
  bool terminal = false;
  // Only read when terminal is true: the spec says to ignore it otherwise.
  std::optional<ConsoleSize> console_size;
  User user;                       // uid 0, gid 0 when absent
  std::vector<std::string> args;   // at least one; args[0] not empty
  // NAME=VALUE entries. A name given twice keeps its last value at the
  // place of its last occurrence, as runc and Go's os/exec do.
  std::vector<std::string> env;
  std::string cwd;  // absolute
  std::optional<Capabilities> capabilities;  // absent: leave them alone
  std::vector<Rlimit> rlimits;               // no type twice
  std::string apparmor_profile;              // empty: none
  std::string selinux_label;                 // empty: none
  bool no_new_privileges = false;
  std::optional<std::int32_t> oom_score_adj;  // -1000..1000
  std::optional<Scheduler> scheduler;
  std::optional<IoPriority> io_priority;
  std::optional<ExecCpuAffinity> exec_cpu_affinity;
  // Not modelled: commandLine and user.username, which the spec defines
  // for Windows only; on Linux they are ignored like unknown properties.
};

// ---- hooks ----

struct Hook {
  std::string path;  // absolute
  std::vector<std::string> args;
  std::vector<std::string> env;  // NAME=VALUE, deduplicated as Process::env
  std::optional<std::int64_t> timeout;  // seconds, >= 1
};

struct Hooks {
  std::vector<Hook> prestart;  // deprecated, still run
  std::vector<Hook> create_runtime;
  std::vector<Hook> create_container;
  std::vector<Hook> start_container;
  std::vector<Hook> poststart;
  std::vector<Hook> poststop;
};

// ---- linux ----

// The CLONE_NEW* flag of each namespace type.
enum class NamespaceType : std::uint32_t {
  Mount = 0x00020000,
  Cgroup = 0x02000000,
  Uts = 0x04000000,
  Ipc = 0x08000000,
  User = 0x10000000,
  Pid = 0x20000000,
  Network = 0x40000000,
  Time = 0x00000080,
};

// "network", as config.json spells it.
const char* namespace_type_name(NamespaceType type);

struct LinuxNamespace {
  NamespaceType type = NamespaceType::Mount;
  // Absolute; absent (or "" in the input): create a new namespace.
  std::optional<std::string> path;
};

struct TimeOffset {
  std::int64_t secs = 0;
  std::uint32_t nanosecs = 0;  // < 1e9, as /proc/PID/timens_offsets requires
};

struct TimeOffsets {
  std::optional<TimeOffset> monotonic;
  std::optional<TimeOffset> boottime;
  bool empty() const { return !monotonic && !boottime; }
};

enum class DeviceType : char {
  Char = 'c',
  Block = 'b',
  Unbuffered = 'u',  // a character device, as mknod(1) has it
  Fifo = 'p',
};

struct LinuxDevice {
  DeviceType type = DeviceType::Char;
  std::string path;  // absolute, in the container
  // Required unless type is Fifo; within the kernel's 12 and 20 bits.
  std::uint32_t major = 0;
  std::uint32_t minor = 0;
  std::optional<std::uint32_t> file_mode;  // permission bits only (<= 07777)
  std::optional<std::uint32_t> uid;
  std::optional<std::uint32_t> gid;
};

struct IntelRdt {
  std::optional<std::string> clos_id;  // "/" or one directory name
  std::optional<std::string> l3_cache_schema;
  std::optional<std::string> mem_bw_schema;  // starts with "MB:", one line
  std::vector<std::string> schemata;         // one line each
  bool enable_monitoring = false;
};

// The MS_* propagation type of the rootfs; rootfsPropagation's four values,
// and their "r" forms that runc and containerd use, with recursive set.
enum class PropagationType : unsigned long {
  Shared = 1ul << 20,      // MS_SHARED
  Slave = 1ul << 19,       // MS_SLAVE
  Private = 1ul << 18,     // MS_PRIVATE
  Unbindable = 1ul << 17,  // MS_UNBINDABLE
};

struct RootfsPropagation {
  PropagationType type = PropagationType::Private;
  bool recursive = false;  // add MS_REC
};

// MPOL_* modes of set_mempolicy(2).
enum class MemoryPolicyMode : int {
  Default = 0,
  Preferred = 1,
  Bind = 2,
  Interleave = 3,
  Local = 4,
  PreferredMany = 5,
  WeightedInterleave = 6,
};

// MPOL_F_* mode flags, or'ed into the mode argument.
inline constexpr int kMpolFNumaBalancing = 1 << 13;
inline constexpr int kMpolFRelativeNodes = 1 << 14;
inline constexpr int kMpolFStaticNodes = 1 << 15;

// Checked: DEFAULT and LOCAL take no nodes; BIND, INTERLEAVE,
// WEIGHTED_INTERLEAVE and PREFERRED_MANY need at least one; STATIC and
// RELATIVE exclude each other.
struct MemoryPolicy {
  MemoryPolicyMode mode = MemoryPolicyMode::Default;
  CpuList nodes;
  int flags = 0;  // kMpolF* bits
};

// The mode and flag names linux.memoryPolicy accepts, for `ocirun features`.
std::vector<std::string_view> memory_policy_mode_names();
std::vector<std::string_view> memory_policy_flag_names();

// PER_* of personality(2). The spec defines no flags, so any is an error.
enum class PersonalityDomain : unsigned long { Linux = 0x0000, Linux32 = 0x0008 };

struct Personality {
  PersonalityDomain domain = PersonalityDomain::Linux;
};

// One entry of linux.netDevices: move host interface host_name into the
// container's network namespace, renamed to name (host_name when the
// config gives none). Both are valid interface names; name may be a
// template ending in "%d".
struct NetDevice {
  std::string host_name;
  std::string name;
};

// std::less<> lets callers look up with a string_view.
using StringMap = std::map<std::string, std::string, std::less<>>;

struct Linux {
  std::vector<LinuxNamespace> namespaces;  // no type twice
  std::vector<IdMapping> uid_mappings;     // only with a user namespace
  std::vector<IdMapping> gid_mappings;
  TimeOffsets time_offsets;                // only with a new time namespace
  std::vector<LinuxDevice> devices;
  std::string cgroups_path;                // empty: the runtime's default
  std::optional<LinuxResources> resources;  // absent: do not touch limits
  std::optional<IntelRdt> intel_rdt;        // absent: do not touch resctrl
  StringMap sysctl;                         // keys checked as /proc/sys paths
  std::optional<LinuxSeccomp> seccomp;
  std::optional<RootfsPropagation> rootfs_propagation;  // absent: the runtime's default
  std::vector<std::string> masked_paths;    // absolute
  std::vector<std::string> readonly_paths;  // absolute
  std::string mount_label;
  std::optional<Personality> personality;
  std::optional<MemoryPolicy> memory_policy;
  std::vector<NetDevice> net_devices;       // only with a network namespace

  // The entry for `type`, or nullptr when the container shares the
  // runtime's namespace of that type.
  const LinuxNamespace* find_namespace(NamespaceType type) const;
};

// ---- the whole config ----

struct Spec {
  std::string oci_version;  // SemVer, 1.0.0 to 1.3.x
  Root root;
  std::vector<Mount> mounts;
  std::optional<Process> process;  // required by start, not by create
  std::string hostname;    // empty: leave it; non-empty needs a uts namespace
  std::string domainname;  // likewise
  Hooks hooks;
  StringMap annotations;   // keys not empty
  Linux linux;             // empty when config.json has no "linux"
};

// Parses and validates config.json text. Errors name the JSON path:
// "linux.namespaces[2].type: unknown namespace type \"foo\"".
Result<Spec> parse_spec(std::string_view text);

// Reads <bundle>/config.json; errors are prefixed with "config.json: ".
Result<Spec> load_spec(const std::string& bundle_dir, std::string* text_out = nullptr);

// Parses a process object on its own, as `exec --process FILE` gives it,
// with the same checks as config.json's "process".
Result<Process> parse_process(std::string_view text);

}  // namespace ocirun
