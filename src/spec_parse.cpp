// config.json -> Spec. Every value is read through json::Node's checked
// accessors; every error names the JSON path it is about, so a user reads
// `linux.namespaces[2].type: unknown namespace type "foo"`.
//
// Hostile input is expected: the JSON module already refuses invalid UTF-8
// and parses deep nesting without recursion; here every pass over a list is
// linear (duplicate checks use sets or bit masks, never nested loops), and
// input strings shown in messages go through json::quoted(), which escapes
// them and cuts them short. Schema objects are read through json::Fields,
// which matches keys as Go does and refuses a known key given twice, the
// rules that linux.resources and linux.seccomp follow too.
#include "ocirun/spec.hpp"

#include <sched.h>
#include <sys/mount.h>
#include <sys/personality.h>

#include <cstring>
#include <limits>
#include <unordered_set>

#include <fmt/format.h>

#include "ocirun/capabilities.hpp"
#include "ocirun/json.hpp"

namespace ocirun {

// The enums of spec.hpp carry the kernel's numbers; check them against the
// system headers here, so spec.hpp need not include them all.
static_assert(static_cast<int>(NamespaceType::Mount) == CLONE_NEWNS);
static_assert(static_cast<int>(NamespaceType::Cgroup) == CLONE_NEWCGROUP);
static_assert(static_cast<int>(NamespaceType::Uts) == CLONE_NEWUTS);
static_assert(static_cast<int>(NamespaceType::Ipc) == CLONE_NEWIPC);
static_assert(static_cast<int>(NamespaceType::User) == CLONE_NEWUSER);
static_assert(static_cast<int>(NamespaceType::Pid) == CLONE_NEWPID);
static_assert(static_cast<int>(NamespaceType::Network) == CLONE_NEWNET);
static_assert(static_cast<int>(NamespaceType::Time) == CLONE_NEWTIME);
static_assert(static_cast<int>(SchedulerPolicy::Other) == SCHED_OTHER);
static_assert(static_cast<int>(SchedulerPolicy::Fifo) == SCHED_FIFO);
static_assert(static_cast<int>(SchedulerPolicy::Rr) == SCHED_RR);
static_assert(static_cast<int>(SchedulerPolicy::Batch) == SCHED_BATCH);
static_assert(static_cast<int>(SchedulerPolicy::Idle) == SCHED_IDLE);
static_assert(static_cast<int>(SchedulerPolicy::Deadline) == SCHED_DEADLINE);
static_assert(static_cast<unsigned long>(PropagationType::Shared) == MS_SHARED);
static_assert(static_cast<unsigned long>(PropagationType::Slave) == MS_SLAVE);
static_assert(static_cast<unsigned long>(PropagationType::Private) == MS_PRIVATE);
static_assert(static_cast<unsigned long>(PropagationType::Unbindable) == MS_UNBINDABLE);
static_assert(static_cast<unsigned long>(PersonalityDomain::Linux) == PER_LINUX);
static_assert(static_cast<unsigned long>(PersonalityDomain::Linux32) == PER_LINUX32);

namespace {

using json::Fields;
using json::Node;
using json::quoted;
using json::Type;

// ---- messages ----

// The path of a map entry ("annotations[\"com.example.key\"]"): map keys
// are input, so they are quoted (and cut short) like any other input, and a
// key with dots stays distinguishable from nested fields.
std::string entry_path(const Node& map, std::string_view key) {
  return fmt::format("{}[{}]", map.path(), quoted(key));
}

// Rewrites an error that a Node below a map entry produced, whose message
// starts with the Node's raw path, to start with the entry's quoted path.
Error rebase(Error e, const std::string& raw_path, const std::string& path) {
  if (e.msg.compare(0, raw_path.size(), raw_path) == 0) e.msg.replace(0, raw_path.size(), path);
  return e;
}

// ---- small readers ----

template <typename T>
struct Named {
  std::string_view name;
  T value;
};

template <typename T, std::size_t N>
std::optional<T> find_named(const Named<T> (&table)[N], std::string_view name) {
  for (const Named<T>& e : table) {
    if (e.name == name) return e.value;
  }
  return std::nullopt;
}

Result<std::string> read_string(const Node& n) {
  std::string_view s = TRY(n.string());
  return std::string(s);
}

// An array of strings (the caller checked it is an array).
Result<std::vector<std::string>> read_strings(const Node& arr) {
  std::vector<std::string> out;
  out.reserve(arr.size());
  for (std::size_t i = 0; i < arr.size(); i++) out.emplace_back(TRY(arr.at(i).string()));
  return out;
}

Result<std::vector<std::string>> optional_strings(const Fields& f, std::string_view key) {
  std::optional<Node> arr = TRY(f.get(key, Type::Array));
  if (!arr) return std::vector<std::string>();
  return read_strings(*arr);
}

Result<> require_absolute(const Node& n, std::string_view path) {
  if (path.empty() || path[0] != '/') return n.fail(fmt::format("must be an absolute path, got {}", quoted(path)));
  return {};
}

// An array of absolute paths (maskedPaths, readonlyPaths).
Result<std::vector<std::string>> absolute_paths(const Fields& f, std::string_view key) {
  std::optional<Node> arr = TRY(f.get(key, Type::Array));
  std::vector<std::string> out;
  if (!arr) return out;
  out.reserve(arr->size());
  for (std::size_t i = 0; i < arr->size(); i++) {
    Node n = arr->at(i);
    std::string_view s = TRY(n.string());
    TRY(require_absolute(n, s));
    out.emplace_back(s);
  }
  return out;
}

// NAME=VALUE entries, as POSIX defines environ. A name given twice keeps
// only its last value, at the place of its last occurrence: runc does so
// (and Go's os/exec for hooks), and a process that reads the first match
// with getenv() would otherwise see another value than one that reads the
// last. One hash set, so a 100,000-entry env costs milliseconds (an
// O(n^2) scan here is what makes some runtimes take seconds on it).
Result<std::vector<std::string>> parse_env(const Node& arr) {
  std::size_t n = arr.size();
  std::vector<std::string_view> entries;
  entries.reserve(n);
  for (std::size_t i = 0; i < n; i++) {
    Node e = arr.at(i);
    std::string_view s = TRY(e.string());
    std::size_t eq = s.find('=');
    if (eq == std::string_view::npos) return e.fail(fmt::format("expected NAME=VALUE, got {}", quoted(s)));
    if (eq == 0) return e.fail(fmt::format("empty variable name in {}", quoted(s)));
    entries.push_back(s);
  }
  std::vector<bool> keep(n, false);
  std::unordered_set<std::string_view> seen;
  seen.reserve(n);
  std::size_t kept = 0;
  for (std::size_t i = n; i-- > 0;) {
    std::string_view name = entries[i].substr(0, entries[i].find('='));
    if (seen.insert(name).second) {
      keep[i] = true;
      kept++;
    }
  }
  std::vector<std::string> out;
  out.reserve(kept);
  for (std::size_t i = 0; i < n; i++) {
    if (keep[i]) out.emplace_back(entries[i]);
  }
  return out;
}

Result<std::vector<std::string>> optional_env(const Fields& f, std::string_view key) {
  std::optional<Node> arr = TRY(f.get(key, Type::Array));
  if (!arr) return std::vector<std::string>();
  return parse_env(*arr);
}

// A map of strings to strings (annotations, sysctl); check_key says what is
// wrong with a key, or nullopt. Duplicate keys are refused, as in Fields.
template <typename CheckKey>
Result<StringMap> parse_string_map(const Node& obj, CheckKey check_key) {
  TRY(obj.expect(Type::Object));
  StringMap out;
  std::size_t count = obj.member_count();
  for (std::size_t i = 0; i < count; i++) {
    std::string_view key = obj.member_name(i);
    if (key.find('\0') != std::string_view::npos)
      return fail(fmt::format("{}: key contains a NUL byte", entry_path(obj, key)));
    if (std::optional<std::string> why = check_key(key))
      return fail(fmt::format("{}: {}", entry_path(obj, key), *why));
    Node v = obj.member_value(i);
    Result<std::string_view> value = v.string();
    if (!value) return tl::unexpected(rebase(std::move(value.error()), v.path(), entry_path(obj, key)));
    if (!out.emplace(key, *value).second)
      return fail(fmt::format("{}: duplicate key", entry_path(obj, key)));
  }
  return out;
}

// ---- ociVersion ----

struct SemVer {
  std::uint64_t major = 0;
  std::uint64_t minor = 0;
  std::uint64_t patch = 0;
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum_or_dash(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

// SemVer 2.0.0: MAJOR.MINOR.PATCH without leading zeros, then optionally
// -PRERELEASE and +BUILD, each dot-separated non-empty [0-9A-Za-z-]
// identifiers (numeric prerelease identifiers without leading zeros).
std::optional<SemVer> parse_semver(std::string_view s) {
  std::size_t i = 0;
  auto number = [&](std::uint64_t& out) {
    std::size_t start = i;
    out = 0;
    while (i < s.size() && is_digit(s[i])) {
      if (i - start >= 18) return false;  // no version needs more; no overflow
      out = out * 10 + static_cast<std::uint64_t>(s[i] - '0');
      i++;
    }
    return i > start && !(s[start] == '0' && i - start > 1);
  };
  auto identifiers = [&](bool prerelease) {
    for (;;) {
      std::size_t start = i;
      bool numeric = true;
      while (i < s.size() && s[i] != '.' && !(prerelease && s[i] == '+')) {
        if (!is_alnum_or_dash(s[i])) return false;
        numeric = numeric && is_digit(s[i]);
        i++;
      }
      if (i == start) return false;
      if (prerelease && numeric && s[start] == '0' && i - start > 1) return false;
      if (i < s.size() && s[i] == '.') {
        i++;
        continue;
      }
      return true;
    }
  };
  SemVer v;
  if (!number(v.major) || i >= s.size() || s[i++] != '.') return std::nullopt;
  if (!number(v.minor) || i >= s.size() || s[i++] != '.') return std::nullopt;
  if (!number(v.patch)) return std::nullopt;
  if (i < s.size() && s[i] == '-') {
    i++;
    if (!identifiers(true)) return std::nullopt;
  }
  if (i < s.size() && s[i] == '+') {
    i++;
    if (!identifiers(false)) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  return v;
}

Result<std::string> parse_oci_version(const Node& n) {
  std::string_view s = TRY(n.string());
  std::optional<SemVer> v = parse_semver(s);
  if (!v) return n.fail(fmt::format("invalid version {} (expected SemVer, such as \"1.2.0\")", quoted(s)));
  // Minor versions add fields and keep old ones, so any 1.x up to the
  // version this parser knows (1.3) is read correctly; 1.4 may carry
  // fields that change meaning and that we would silently ignore.
  if (v->major != 1 || v->minor > 3)
    return n.fail(fmt::format("unsupported ociVersion {} (supported: 1.0.0 to 1.3.x)", quoted(s)));
  return std::string(s);
}

// ---- root, mounts ----

constexpr std::string_view kRootKeys[] = {"path", "readonly"};

Result<Root> parse_root(const Node& n) {
  Fields f = TRY(Fields::read(n, kRootKeys));
  Root root;
  root.path = TRY(f.require_string("path"));
  if (root.path.empty()) return tl::unexpected(f.member_error("path", "must not be empty"));
  root.readonly = TRY(f.boolean("readonly"));
  return root;
}

constexpr std::string_view kIdMappingKeys[] = {"containerID", "hostID", "size"};

Result<IdMapping> parse_id_mapping(const Node& n) {
  Fields f = TRY(Fields::read(n, kIdMappingKeys));
  IdMapping m;
  m.container_id = TRY(f.require_integer<std::uint32_t>("containerID"));
  m.host_id = TRY(f.require_integer<std::uint32_t>("hostID"));
  m.size = TRY(f.require_integer<std::uint32_t>("size"));
  // The kernel refuses an empty extent, and one whose end passes 2^32-1
  // (map_write() in kernel/user_namespace.c); say so here, with the path.
  if (m.size == 0) return tl::unexpected(f.member_error("size", "must be at least 1"));
  constexpr std::uint64_t kMaxId = std::numeric_limits<std::uint32_t>::max();
  if (std::uint64_t{m.container_id} + m.size > kMaxId)
    return n.fail(fmt::format("containerID {} + size {} passes {}", m.container_id, m.size, kMaxId));
  if (std::uint64_t{m.host_id} + m.size > kMaxId)
    return n.fail(fmt::format("hostID {} + size {} passes {}", m.host_id, m.size, kMaxId));
  return m;
}

Result<std::vector<IdMapping>> optional_id_mappings(const Fields& f, std::string_view key) {
  std::optional<Node> arr = TRY(f.get(key, Type::Array));
  std::vector<IdMapping> out;
  if (!arr) return out;
  out.reserve(arr->size());
  for (std::size_t i = 0; i < arr->size(); i++) out.push_back(TRY(parse_id_mapping(arr->at(i))));
  return out;
}

constexpr std::string_view kMountKeys[] = {"destination", "source", "options", "type", "uidMappings", "gidMappings"};

Result<Mount> parse_mount(const Node& n) {
  Fields f = TRY(Fields::read(n, kMountKeys));
  Mount m;
  std::string_view dest = TRY(f.require_string("destination"));
  if (dest.empty()) return tl::unexpected(f.member_error("destination", "must not be empty"));
  // Relative destinations are deprecated but allowed, "relative to /".
  if (dest[0] != '/') m.destination = "/";
  m.destination += dest;
  m.source = TRY(f.string_or_empty("source"));
  m.type = TRY(f.string_or_empty("type"));
  std::optional<Node> options = TRY(f.get("options", Type::Array));
  if (options) {
    m.options.reserve(options->size());
    for (std::size_t i = 0; i < options->size(); i++) {
      Node o = options->at(i);
      std::string_view s = TRY(o.string());
      // Unknown options are filesystem data, which the kernel gets joined
      // with commas; an empty one would make ",," there.
      if (s.empty()) return o.fail("empty mount option");
      m.options.emplace_back(s);
    }
  }
  m.uid_mappings = TRY(optional_id_mappings(f, "uidMappings"));
  m.gid_mappings = TRY(optional_id_mappings(f, "gidMappings"));
  if (m.uid_mappings.empty() != m.gid_mappings.empty()) {
    std::string_view missing = m.uid_mappings.empty() ? "uidMappings" : "gidMappings";
    std::string_view given = m.uid_mappings.empty() ? "gidMappings" : "uidMappings";
    return tl::unexpected(f.member_error(missing, fmt::format("required with {}", given)));
  }
  return m;
}

// ---- process ----

constexpr std::string_view kConsoleSizeKeys[] = {"height", "width"};

Result<ConsoleSize> parse_console_size(const Node& n) {
  Fields f = TRY(Fields::read(n, kConsoleSizeKeys));
  ConsoleSize size;
  for (std::string_view key : kConsoleSizeKeys) {
    std::uint64_t v = TRY(f.require_integer<std::uint64_t>(key));
    if (v > std::numeric_limits<std::uint16_t>::max())
      return tl::unexpected(f.member_error(key, fmt::format("{} is over 65535 (struct winsize)", v)));
    (key == "height" ? size.height : size.width) = static_cast<std::uint16_t>(v);
  }
  return size;
}

// (uid_t)-1 means "leave unchanged" to setresuid(2) and setgroups-related
// calls: a config asking for it would leave the process as the runtime's
// own user (root), so it is refused rather than passed on.
Result<> check_id(const Node& n, std::uint32_t id, std::string_view what) {
  if (id == std::numeric_limits<std::uint32_t>::max())
    return n.fail(fmt::format("{} {} is reserved (it means \"unchanged\" to the kernel)", what, id));
  return {};
}

constexpr std::string_view kUserKeys[] = {"uid", "gid", "umask", "additionalGids"};

Result<User> parse_user(const Node& n) {
  // username is Windows-only: ignored here like an unknown property.
  Fields f = TRY(Fields::read(n, kUserKeys));
  User u;
  Node uid = TRY(f.require_number("uid"));
  u.uid = TRY(uid.uint32());
  TRY(check_id(uid, u.uid, "uid"));
  Node gid = TRY(f.require_number("gid"));
  u.gid = TRY(gid.uint32());
  TRY(check_id(gid, u.gid, "gid"));
  u.umask = TRY(f.integer<std::uint32_t>("umask"));
  if (u.umask && *u.umask > 0777)
    return tl::unexpected(f.member_error("umask", fmt::format("{:#o} has bits outside 0777", *u.umask)));
  std::optional<Node> gids = TRY(f.get("additionalGids", Type::Array));
  if (gids) {
    // setgroups(2) takes at most NGROUPS_MAX (65536) groups.
    if (gids->size() > 65536)
      return gids->fail(fmt::format("{} groups are more than setgroups() takes (65536)", gids->size()));
    u.additional_gids.reserve(gids->size());
    for (std::size_t i = 0; i < gids->size(); i++) {
      Node g = gids->at(i);
      std::uint32_t v = TRY(g.uint32());
      TRY(check_id(g, v, "gid"));
      u.additional_gids.push_back(v);
    }
  }
  return u;
}

constexpr std::string_view kCapabilityKeys[] = {"bounding", "effective", "inheritable", "permitted", "ambient"};

Result<Capabilities> parse_capabilities(const Node& n) {
  Fields f = TRY(Fields::read(n, kCapabilityKeys));
  Capabilities caps;
  CapabilitySet* sets[] = {&caps.bounding, &caps.effective, &caps.inheritable, &caps.permitted, &caps.ambient};
  for (std::size_t s = 0; s < std::size(kCapabilityKeys); s++) {
    std::optional<Node> arr = TRY(f.get(kCapabilityKeys[s], Type::Array));
    if (!arr) continue;
    for (std::size_t i = 0; i < arr->size(); i++) {
      Node c = arr->at(i);
      std::string_view name = TRY(c.string());
      // A name that capabilities(7) does not define is an invalid value, an
      // error; whether the running kernel has a known capability is a
      // warning at run time (the spec's "cannot be mapped" case).
      std::optional<int> cap = capability_from_name(name);
      if (!cap) return c.fail(fmt::format("unknown capability {}", quoted(name)));
      sets[s]->add(*cap);
    }
  }
  return caps;
}

constexpr Named<RlimitType> kRlimits[] = {
    {"RLIMIT_CPU", RlimitType::Cpu},
    {"RLIMIT_FSIZE", RlimitType::Fsize},
    {"RLIMIT_DATA", RlimitType::Data},
    {"RLIMIT_STACK", RlimitType::Stack},
    {"RLIMIT_CORE", RlimitType::Core},
    {"RLIMIT_RSS", RlimitType::Rss},
    {"RLIMIT_NPROC", RlimitType::Nproc},
    {"RLIMIT_NOFILE", RlimitType::Nofile},
    {"RLIMIT_MEMLOCK", RlimitType::Memlock},
    {"RLIMIT_AS", RlimitType::As},
    {"RLIMIT_LOCKS", RlimitType::Locks},
    {"RLIMIT_SIGPENDING", RlimitType::Sigpending},
    {"RLIMIT_MSGQUEUE", RlimitType::Msgqueue},
    {"RLIMIT_NICE", RlimitType::Nice},
    {"RLIMIT_RTPRIO", RlimitType::Rtprio},
    {"RLIMIT_RTTIME", RlimitType::Rttime},
};
static_assert(RLIM_NLIMITS == std::size(kRlimits));

constexpr std::string_view kRlimitKeys[] = {"type", "soft", "hard"};

Result<std::vector<Rlimit>> parse_rlimits(const Node& arr) {
  std::vector<Rlimit> out;
  out.reserve(arr.size());
  std::uint32_t seen = 0;  // bit per resource number, all < RLIM_NLIMITS
  static_assert(RLIM_NLIMITS <= 32);
  for (std::size_t i = 0; i < arr.size(); i++) {
    Fields f = TRY(Fields::read(arr.at(i), kRlimitKeys));
    Node type = TRY(f.require("type", Type::String));
    std::string_view name = TRY(type.string());
    std::optional<RlimitType> t = find_named(kRlimits, name);
    if (!t) return type.fail(fmt::format("unknown rlimit type {}", quoted(name)));
    std::uint32_t bit = std::uint32_t{1} << static_cast<int>(*t);
    if (seen & bit) return type.fail(fmt::format("duplicate rlimit type {}", quoted(name)));
    seen |= bit;
    Rlimit r;
    r.type = *t;
    r.soft = TRY(f.require_integer<std::uint64_t>("soft"));
    r.hard = TRY(f.require_integer<std::uint64_t>("hard"));
    if (r.soft > r.hard)
      return f.node().fail(fmt::format("soft limit {} is above hard limit {}", r.soft, r.hard));
    out.push_back(r);
  }
  return out;
}

constexpr Named<SchedulerPolicy> kSchedulerPolicies[] = {
    {"SCHED_OTHER", SchedulerPolicy::Other}, {"SCHED_FIFO", SchedulerPolicy::Fifo},
    {"SCHED_RR", SchedulerPolicy::Rr},       {"SCHED_BATCH", SchedulerPolicy::Batch},
    {"SCHED_ISO", SchedulerPolicy::Iso},     {"SCHED_IDLE", SchedulerPolicy::Idle},
    {"SCHED_DEADLINE", SchedulerPolicy::Deadline},
};

constexpr Named<std::uint64_t> kSchedulerFlags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", kSchedFlagResetOnFork},
    {"SCHED_FLAG_RECLAIM", kSchedFlagReclaim},
    {"SCHED_FLAG_DL_OVERRUN", kSchedFlagDlOverrun},
    {"SCHED_FLAG_KEEP_POLICY", kSchedFlagKeepPolicy},
    {"SCHED_FLAG_KEEP_PARAMS", kSchedFlagKeepParams},
    {"SCHED_FLAG_UTIL_CLAMP_MIN", kSchedFlagUtilClampMin},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", kSchedFlagUtilClampMax},
};

constexpr std::string_view kSchedulerKeys[] = {"policy", "nice", "priority", "flags", "runtime", "deadline", "period"};

Result<Scheduler> parse_scheduler(const Node& n) {
  Fields f = TRY(Fields::read(n, kSchedulerKeys));
  Scheduler s;
  Node policy = TRY(f.require("policy", Type::String));
  std::string_view name = TRY(policy.string());
  std::optional<SchedulerPolicy> p = find_named(kSchedulerPolicies, name);
  if (!p) return policy.fail(fmt::format("unknown scheduler policy {}", quoted(name)));
  s.policy = *p;
  s.nice = TRY(f.integer<std::int32_t>("nice")).value_or(0);
  s.priority = TRY(f.integer<std::int32_t>("priority")).value_or(0);
  s.runtime = TRY(f.integer<std::uint64_t>("runtime")).value_or(0);
  s.deadline = TRY(f.integer<std::uint64_t>("deadline")).value_or(0);
  s.period = TRY(f.integer<std::uint64_t>("period")).value_or(0);
  std::optional<Node> flags = TRY(f.get("flags", Type::Array));
  if (flags) {
    for (std::size_t i = 0; i < flags->size(); i++) {
      Node fl = flags->at(i);
      std::string_view fname = TRY(fl.string());
      std::optional<std::uint64_t> bit = find_named(kSchedulerFlags, fname);
      if (!bit) return fl.fail(fmt::format("unknown scheduler flag {}", quoted(fname)));
      s.flags |= *bit;
    }
  }
  // What sched_setattr(2) would refuse, said with the path (as runc's
  // validator does): nice is -20..19; a static priority belongs to the
  // real-time policies, which need 1..99; runtime, deadline and period
  // belong to SCHED_DEADLINE.
  if (s.nice < -20 || s.nice > 19)
    return tl::unexpected(f.member_error("nice", fmt::format("{} is outside -20..19", s.nice)));
  bool realtime = s.policy == SchedulerPolicy::Fifo || s.policy == SchedulerPolicy::Rr;
  if (realtime && (s.priority < 1 || s.priority > 99))
    return tl::unexpected(f.member_error("priority", fmt::format("{} is outside 1..99 for {}", s.priority, name)));
  if (!realtime && s.priority != 0)
    return tl::unexpected(f.member_error("priority", "only SCHED_FIFO and SCHED_RR take a priority"));
  if (s.policy != SchedulerPolicy::Deadline) {
    for (std::string_view key : {"runtime", "deadline", "period"}) {
      if (TRY(f.integer<std::uint64_t>(key)).value_or(0) != 0)
        return tl::unexpected(f.member_error(key, "only SCHED_DEADLINE takes runtime, deadline and period"));
    }
  }
  return s;
}

constexpr Named<IoPriorityClass> kIoPriorityClasses[] = {
    {"IOPRIO_CLASS_RT", IoPriorityClass::Rt},
    {"IOPRIO_CLASS_BE", IoPriorityClass::Be},
    {"IOPRIO_CLASS_IDLE", IoPriorityClass::Idle},
};

constexpr std::string_view kIoPriorityKeys[] = {"class", "priority"};

Result<IoPriority> parse_io_priority(const Node& n) {
  Fields f = TRY(Fields::read(n, kIoPriorityKeys));
  IoPriority io;
  Node cls = TRY(f.require("class", Type::String));
  std::string_view name = TRY(cls.string());
  std::optional<IoPriorityClass> c = find_named(kIoPriorityClasses, name);
  if (!c) return cls.fail(fmt::format("unknown I/O priority class {}", quoted(name)));
  io.io_class = *c;
  io.priority = TRY(f.require_integer<std::int32_t>("priority"));
  if (io.priority < 0 || io.priority > 7)
    return tl::unexpected(f.member_error("priority", fmt::format("{} is outside 0..7", io.priority)));
  return io;
}

// A CPU (or node) list field; errors from parse_cpu_list get the path.
Result<CpuList> cpu_list_field(const Fields& f, std::string_view key) {
  std::optional<Node> n = TRY(f.get(key, Type::String));
  if (!n) return CpuList();
  std::string_view s = TRY(n->string());
  Result<CpuList> list = parse_cpu_list(s);
  if (!list) return n->fail(list.error().msg);
  return std::move(*list);
}

constexpr std::string_view kExecCpuAffinityKeys[] = {"initial", "final"};

Result<ExecCpuAffinity> parse_exec_cpu_affinity(const Node& n) {
  Fields f = TRY(Fields::read(n, kExecCpuAffinityKeys));
  ExecCpuAffinity a;
  a.initial = TRY(cpu_list_field(f, "initial"));
  a.final = TRY(cpu_list_field(f, "final"));
  return a;
}

constexpr std::string_view kProcessKeys[] = {
    "terminal", "consoleSize", "user", "args", "env", "cwd", "capabilities", "rlimits",
    "apparmorProfile", "selinuxLabel", "noNewPrivileges", "oomScoreAdj", "scheduler",
    "ioPriority", "execCPUAffinity",
};

Result<Process> parse_process_node(const Node& n) {
  // commandLine is Windows-only: ignored here like an unknown property.
  Fields f = TRY(Fields::read(n, kProcessKeys));
  Process p;
  p.terminal = TRY(f.boolean("terminal"));
  // "Runtimes MUST ignore consoleSize if terminal is false or unset": not
  // even its form is checked then.
  if (p.terminal) {
    std::optional<Node> size = TRY(f.get("consoleSize", Type::Object));
    if (size) p.console_size = TRY(parse_console_size(*size));
  }
  std::optional<Node> user = TRY(f.get("user", Type::Object));
  if (user) p.user = TRY(parse_user(*user));

  // args: optional in the schema (for Windows), but on other platforms at
  // least one entry is required, and the first is execvp's file.
  Node args = TRY(f.require("args", Type::Array));
  if (args.size() == 0) return args.fail("must have at least one entry");
  p.args = TRY(read_strings(args));
  if (p.args[0].empty()) return args.at(0).fail("must not be empty");

  p.env = TRY(optional_env(f, "env"));
  Node cwd = TRY(f.require("cwd", Type::String));
  p.cwd = TRY(read_string(cwd));
  TRY(require_absolute(cwd, p.cwd));

  std::optional<Node> caps = TRY(f.get("capabilities", Type::Object));
  if (caps) p.capabilities = TRY(parse_capabilities(*caps));
  std::optional<Node> rlimits = TRY(f.get("rlimits", Type::Array));
  if (rlimits) p.rlimits = TRY(parse_rlimits(*rlimits));
  p.apparmor_profile = TRY(f.string_or_empty("apparmorProfile"));
  p.selinux_label = TRY(f.string_or_empty("selinuxLabel"));
  p.no_new_privileges = TRY(f.boolean("noNewPrivileges"));
  p.oom_score_adj = TRY(f.integer<std::int32_t>("oomScoreAdj"));
  // /proc/PID/oom_score_adj takes -1000..1000 and refuses the rest.
  if (p.oom_score_adj && (*p.oom_score_adj < -1000 || *p.oom_score_adj > 1000))
    return tl::unexpected(f.member_error("oomScoreAdj", fmt::format("{} is outside -1000..1000", *p.oom_score_adj)));
  std::optional<Node> sched = TRY(f.get("scheduler", Type::Object));
  if (sched) p.scheduler = TRY(parse_scheduler(*sched));
  std::optional<Node> io = TRY(f.get("ioPriority", Type::Object));
  if (io) p.io_priority = TRY(parse_io_priority(*io));
  std::optional<Node> affinity = TRY(f.get("execCPUAffinity", Type::Object));
  if (affinity) p.exec_cpu_affinity = TRY(parse_exec_cpu_affinity(*affinity));
  return p;
}

// ---- hooks ----

constexpr std::string_view kHookKeys[] = {"path", "args", "env", "timeout"};

Result<Hook> parse_hook(const Node& n) {
  Fields f = TRY(Fields::read(n, kHookKeys));
  Hook h;
  Node path = TRY(f.require("path", Type::String));
  h.path = TRY(read_string(path));
  TRY(require_absolute(path, h.path));
  h.args = TRY(optional_strings(f, "args"));
  h.env = TRY(optional_env(f, "env"));
  h.timeout = TRY(f.integer<std::int64_t>("timeout"));
  if (h.timeout && *h.timeout < 1)
    return tl::unexpected(f.member_error("timeout", fmt::format("must be greater than zero, got {}", *h.timeout)));
  return h;
}

constexpr std::string_view kHooksKeys[] = {"prestart",         "createRuntime", "createContainer",
                                           "startContainer",   "poststart",     "poststop"};

Result<Hooks> parse_hooks(const Node& n) {
  Fields f = TRY(Fields::read(n, kHooksKeys));
  Hooks hooks;
  std::vector<Hook>* lists[] = {&hooks.prestart,        &hooks.create_runtime, &hooks.create_container,
                                &hooks.start_container, &hooks.poststart,      &hooks.poststop};
  for (std::size_t k = 0; k < std::size(kHooksKeys); k++) {
    std::optional<Node> arr = TRY(f.get(kHooksKeys[k], Type::Array));
    if (!arr) continue;
    lists[k]->reserve(arr->size());
    for (std::size_t i = 0; i < arr->size(); i++) lists[k]->push_back(TRY(parse_hook(arr->at(i))));
  }
  return hooks;
}

// ---- linux ----

constexpr Named<NamespaceType> kNamespaceTypes[] = {
    {"mount", NamespaceType::Mount}, {"pid", NamespaceType::Pid},     {"network", NamespaceType::Network},
    {"uts", NamespaceType::Uts},     {"ipc", NamespaceType::Ipc},     {"user", NamespaceType::User},
    {"cgroup", NamespaceType::Cgroup}, {"time", NamespaceType::Time},
};

constexpr std::string_view kNamespaceKeys[] = {"type", "path"};

Result<std::vector<LinuxNamespace>> parse_namespaces(const Node& arr) {
  std::vector<LinuxNamespace> out;
  out.reserve(std::min<std::size_t>(arr.size(), std::size(kNamespaceTypes)));
  std::uint32_t seen = 0;  // the clone flags seen so far
  for (std::size_t i = 0; i < arr.size(); i++) {
    Fields f = TRY(Fields::read(arr.at(i), kNamespaceKeys));
    Node type = TRY(f.require("type", Type::String));
    std::string_view name = TRY(type.string());
    std::optional<NamespaceType> t = find_named(kNamespaceTypes, name);
    if (!t) return type.fail(fmt::format("unknown namespace type {}", quoted(name)));
    std::uint32_t flag = static_cast<std::uint32_t>(*t);
    if (seen & flag) return type.fail(fmt::format("duplicate namespace type {}", quoted(name)));
    seen |= flag;
    LinuxNamespace ns;
    ns.type = *t;
    std::optional<Node> path = TRY(f.get("path", Type::String));
    if (path) {
      std::string_view p = TRY(path->string());
      // "" is what a Go tool without omitempty writes for "no path": it
      // means "create a new namespace", as it does for runc.
      if (!p.empty()) {
        TRY(require_absolute(*path, p));
        ns.path = std::string(p);
      }
    }
    out.push_back(std::move(ns));
  }
  return out;
}

constexpr std::string_view kTimeOffsetKeys[] = {"secs", "nanosecs"};

Result<TimeOffset> parse_time_offset(const Node& n) {
  Fields f = TRY(Fields::read(n, kTimeOffsetKeys));
  TimeOffset t;
  t.secs = TRY(f.integer<std::int64_t>("secs")).value_or(0);
  t.nanosecs = TRY(f.integer<std::uint32_t>("nanosecs")).value_or(0);
  if (t.nanosecs >= 1000000000)
    return tl::unexpected(f.member_error("nanosecs", fmt::format("{} is not below 1000000000", t.nanosecs)));
  return t;
}

// timeOffsets is a map keyed by clock name; the spec knows two clocks, and
// the kernel's timens_offsets no others, so another key is an error rather
// than an offset silently not applied.
Result<TimeOffsets> parse_time_offsets(const Node& n) {
  TRY(n.expect(Type::Object));
  TimeOffsets out;
  for (std::size_t i = 0; i < n.member_count(); i++) {
    std::string_view clock = n.member_name(i);
    std::optional<TimeOffset>* slot = clock == "monotonic" ? &out.monotonic
                                      : clock == "boottime" ? &out.boottime
                                                            : nullptr;
    if (slot == nullptr)
      return fail(fmt::format("{}: unknown clock (expected \"monotonic\" or \"boottime\")", entry_path(n, clock)));
    if (*slot) return tl::unexpected(n.member_error(clock, "duplicate key"));
    Node v = n.member_value(i);
    if (v.is_null()) continue;
    *slot = TRY(parse_time_offset(v));
  }
  return out;
}

constexpr Named<DeviceType> kDeviceTypes[] = {
    {"c", DeviceType::Char}, {"b", DeviceType::Block}, {"u", DeviceType::Unbuffered}, {"p", DeviceType::Fifo}};

constexpr std::string_view kDeviceKeys[] = {"type", "path", "major", "minor", "fileMode", "uid", "gid"};

Result<LinuxDevice> parse_device(const Node& n) {
  Fields f = TRY(Fields::read(n, kDeviceKeys));
  LinuxDevice d;
  Node type = TRY(f.require("type", Type::String));
  std::string_view tname = TRY(type.string());
  std::optional<DeviceType> t = find_named(kDeviceTypes, tname);
  if (!t) return type.fail(fmt::format("unknown device type {} (expected \"c\", \"b\", \"u\" or \"p\")", quoted(tname)));
  d.type = *t;
  Node path = TRY(f.require("path", Type::String));
  d.path = TRY(read_string(path));
  TRY(require_absolute(path, d.path));
  // The kernel's dev_t holds a 12-bit major and a 20-bit minor; larger
  // numbers would be truncated by mknod() into another device.
  struct Number {
    std::string_view key;
    std::uint32_t* out;
    std::int64_t max;
  };
  for (const Number& num : {Number{"major", &d.major, 0xfff}, Number{"minor", &d.minor, 0xfffff}}) {
    std::optional<std::int64_t> v = TRY(f.integer<std::int64_t>(num.key));
    if (!v) {
      if (d.type == DeviceType::Fifo) continue;
      return tl::unexpected(f.member_error(num.key, fmt::format("required for device type {}", quoted(tname))));
    }
    if (*v < 0 || *v > num.max)
      return tl::unexpected(f.member_error(num.key, fmt::format("{} is outside 0..{}", *v, num.max)));
    *num.out = static_cast<std::uint32_t>(*v);
  }
  // Permission bits only: the type comes from `type`, and file type bits
  // here would change what mknod() creates.
  d.file_mode = TRY(f.integer<std::uint32_t>("fileMode"));
  if (d.file_mode && *d.file_mode > 07777)
    return tl::unexpected(f.member_error("fileMode", fmt::format("{} has bits outside 07777", *d.file_mode)));
  if (std::optional<Node> uid = f.find("uid")) {
    d.uid = TRY(uid->uint32());
    TRY(check_id(*uid, *d.uid, "uid"));
  }
  if (std::optional<Node> gid = f.find("gid")) {
    d.gid = TRY(gid->uint32());
    TRY(check_id(*gid, *d.gid, "gid"));
  }
  return d;
}

// Sysctl keys become paths under /proc/sys ("net.ipv4.ip_forward" ->
// net/ipv4/ip_forward; sysctl(8) also takes "/" as the separator). An empty
// component is what "..", a leading or trailing separator or "//" would
// need, so refusing empty components keeps every key inside /proc/sys: a
// key like "kernel/../../../etc/x" cannot reach files outside it.
std::optional<std::string> check_sysctl_key(std::string_view key) {
  if (key.empty()) return "empty sysctl key";
  std::size_t start = 0;
  for (std::size_t i = 0; i <= key.size(); i++) {
    if (i == key.size() || key[i] == '.' || key[i] == '/') {
      if (i == start) return "invalid sysctl key (empty component)";
      start = i + 1;
    }
  }
  return std::nullopt;
}

// cgroupsPath is joined to cgroup mount points; a ".." component would walk
// out of the hierarchy (to another cgroup, or out of cgroupfs entirely).
Result<> check_cgroups_path(const Node& n, std::string_view path) {
  std::size_t start = 0;
  for (std::size_t i = 0; i <= path.size(); i++) {
    if (i == path.size() || path[i] == '/') {
      if (path.substr(start, i - start) == "..")
        return n.fail(fmt::format("must not contain \"..\" components, got {}", quoted(path)));
      start = i + 1;
    }
  }
  return {};
}

constexpr std::string_view kIntelRdtKeys[] = {"closID", "l3CacheSchema", "memBwSchema", "schemata", "enableMonitoring"};

Result<IntelRdt> parse_intel_rdt(const Node& n) {
  Fields f = TRY(Fields::read(n, kIntelRdtKeys));
  IntelRdt rdt;
  if (std::optional<Node> clos = TRY(f.get("closID", Type::String))) {
    std::string_view id = TRY(clos->string());
    // closID names a directory of the resctrl filesystem ("/" is its
    // root): one plain component, so it cannot point elsewhere.
    bool ok = id == "/" || (!id.empty() && id != "." && id != ".." &&
                            id.find_first_of("/\n") == std::string_view::npos);
    if (!ok) return clos->fail(fmt::format("invalid closID {} (\"/\" or a directory name)", quoted(id)));
    rdt.clos_id = std::string(id);
  }
  if (std::optional<std::string_view> l3 = TRY(f.string("l3CacheSchema"))) rdt.l3_cache_schema = std::string(*l3);
  if (std::optional<Node> mb = TRY(f.get("memBwSchema", Type::String))) {
    std::string_view s = TRY(mb->string());
    if (s.substr(0, 3) != "MB:" || s.find('\n') != std::string_view::npos)
      return mb->fail(fmt::format("must start with \"MB:\" and be one line, got {}", quoted(s)));
    rdt.mem_bw_schema = std::string(s);
  }
  if (std::optional<Node> schemata = TRY(f.get("schemata", Type::Array))) {
    rdt.schemata.reserve(schemata->size());
    for (std::size_t i = 0; i < schemata->size(); i++) {
      Node line = schemata->at(i);
      std::string_view s = TRY(line.string());
      if (s.find('\n') != std::string_view::npos) return line.fail("must not contain a newline");
      rdt.schemata.emplace_back(s);
    }
  }
  rdt.enable_monitoring = TRY(f.boolean("enableMonitoring"));
  return rdt;
}

Result<RootfsPropagation> parse_rootfs_propagation(const Node& n) {
  std::string_view s = TRY(n.string());
  static constexpr Named<PropagationType> kTypes[] = {
      {"shared", PropagationType::Shared},
      {"slave", PropagationType::Slave},
      {"private", PropagationType::Private},
      {"unbindable", PropagationType::Unbindable},
  };
  // The spec lists the four plain values; runc also takes "rshared" and
  // the like, and containerd writes them, so they are accepted as well.
  RootfsPropagation p;
  std::string_view base = s;
  if (s.size() > 1 && s[0] == 'r' && find_named(kTypes, s.substr(1))) {
    p.recursive = true;
    base = s.substr(1);
  }
  std::optional<PropagationType> t = find_named(kTypes, base);
  if (!t)
    return n.fail(fmt::format("unknown rootfs propagation {} (expected \"shared\", \"slave\", \"private\" or \"unbindable\")",
                              quoted(s)));
  p.type = *t;
  return p;
}

constexpr std::string_view kPersonalityKeys[] = {"domain", "flags"};

Result<Personality> parse_personality(const Node& n) {
  Fields f = TRY(Fields::read(n, kPersonalityKeys));
  Personality p;
  Node domain = TRY(f.require("domain", Type::String));
  std::string_view name = TRY(domain.string());
  static constexpr Named<PersonalityDomain> kDomains[] = {{"LINUX", PersonalityDomain::Linux},
                                                          {"LINUX32", PersonalityDomain::Linux32}};
  std::optional<PersonalityDomain> d = find_named(kDomains, name);
  if (!d) return domain.fail(fmt::format("unknown personality domain {}", quoted(name)));
  p.domain = *d;
  // "Currently no flag values are supported": any flag is unsupported.
  if (std::optional<Node> flags = TRY(f.get("flags", Type::Array))) {
    if (flags->size() > 0) {
      Node first = flags->at(0);
      std::string_view fname = TRY(first.string());
      return first.fail(fmt::format("unsupported personality flag {} (the spec defines none)", quoted(fname)));
    }
  }
  return p;
}

constexpr Named<MemoryPolicyMode> kMemoryPolicyModes[] = {
    {"MPOL_DEFAULT", MemoryPolicyMode::Default},
    {"MPOL_BIND", MemoryPolicyMode::Bind},
    {"MPOL_INTERLEAVE", MemoryPolicyMode::Interleave},
    {"MPOL_WEIGHTED_INTERLEAVE", MemoryPolicyMode::WeightedInterleave},
    {"MPOL_PREFERRED", MemoryPolicyMode::Preferred},
    {"MPOL_PREFERRED_MANY", MemoryPolicyMode::PreferredMany},
    {"MPOL_LOCAL", MemoryPolicyMode::Local},
};

constexpr Named<int> kMemoryPolicyFlags[] = {
    {"MPOL_F_NUMA_BALANCING", kMpolFNumaBalancing},
    {"MPOL_F_RELATIVE_NODES", kMpolFRelativeNodes},
    {"MPOL_F_STATIC_NODES", kMpolFStaticNodes},
};

constexpr std::string_view kMemoryPolicyKeys[] = {"mode", "nodes", "flags"};

Result<MemoryPolicy> parse_memory_policy(const Node& n) {
  Fields f = TRY(Fields::read(n, kMemoryPolicyKeys));
  MemoryPolicy mp;
  Node mode = TRY(f.require("mode", Type::String));
  std::string_view name = TRY(mode.string());
  std::optional<MemoryPolicyMode> m = find_named(kMemoryPolicyModes, name);
  if (!m) return mode.fail(fmt::format("unknown memory policy mode {}", quoted(name)));
  mp.mode = *m;
  mp.nodes = TRY(cpu_list_field(f, "nodes"));
  if (std::optional<Node> flags = TRY(f.get("flags", Type::Array))) {
    for (std::size_t i = 0; i < flags->size(); i++) {
      Node fl = flags->at(i);
      std::string_view fname = TRY(fl.string());
      std::optional<int> bit = find_named(kMemoryPolicyFlags, fname);
      if (!bit) return fl.fail(fmt::format("unknown memory policy flag {}", quoted(fname)));
      mp.flags |= *bit;
    }
  }
  // What set_mempolicy(2) refuses with EINVAL, said with the path.
  switch (mp.mode) {
    case MemoryPolicyMode::Default:
    case MemoryPolicyMode::Local:
      if (!mp.nodes.empty()) return tl::unexpected(f.member_error("nodes", fmt::format("mode {} takes no nodes", name)));
      break;
    case MemoryPolicyMode::Bind:
    case MemoryPolicyMode::Interleave:
    case MemoryPolicyMode::WeightedInterleave:
    case MemoryPolicyMode::PreferredMany:
      if (mp.nodes.empty())
        return tl::unexpected(f.member_error("nodes", fmt::format("mode {} needs at least one node", name)));
      break;
    case MemoryPolicyMode::Preferred:
      break;
  }
  if ((mp.flags & kMpolFStaticNodes) && (mp.flags & kMpolFRelativeNodes))
    return tl::unexpected(f.member_error("flags", "flags MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other"));
  return mp;
}

// A network interface name the kernel accepts (dev_valid_name()): 1 to 15
// bytes (IFNAMSIZ - 1), not "." or "..", without '/', ':' or whitespace.
std::optional<std::string> check_interface_name(std::string_view name) {
  if (name.empty()) return "empty interface name";
  if (name.size() > 15) return fmt::format("interface name {} is longer than 15 bytes", quoted(name));
  if (name == "." || name == ".." || name.find_first_of("/: \t\n\v\f\r") != std::string_view::npos)
    return fmt::format("invalid interface name {}", quoted(name));
  return std::nullopt;
}

constexpr std::string_view kNetDeviceKeys[] = {"name"};

Result<std::vector<NetDevice>> parse_net_devices(const Node& n) {
  TRY(n.expect(Type::Object));
  std::vector<NetDevice> out;
  out.reserve(n.member_count());
  // Names in the container must differ ("MUST generate an error" if one
  // exists there), except templates ending in %d, which the kernel numbers.
  std::unordered_set<std::string_view> targets, hosts;
  for (std::size_t i = 0; i < n.member_count(); i++) {
    std::string_view host = n.member_name(i);
    // Built only for a message: most configs have no error to report.
    auto path = [&] { return entry_path(n, host); };
    // One interface cannot be moved twice (and a key given twice is refused
    // everywhere else in the config).
    if (!hosts.insert(host).second) return fail(fmt::format("{}: interface given twice", path()));
    if (std::optional<std::string> why = check_interface_name(host)) return fail(fmt::format("{}: {}", path(), *why));
    Node v = n.member_value(i);
    Result<Fields> fields = Fields::read(v, kNetDeviceKeys);
    if (!fields) return tl::unexpected(rebase(std::move(fields.error()), v.path(), path()));
    Result<std::optional<std::string_view>> name = fields->string("name");
    if (!name) return tl::unexpected(rebase(std::move(name.error()), v.path(), path()));
    NetDevice d;
    d.host_name = std::string(host);
    d.name = *name ? std::string(**name) : d.host_name;
    if (std::optional<std::string> why = check_interface_name(d.name))
      return fail(fmt::format("{}.name: {}", path(), *why));
    if (d.name.find('%') == std::string::npos && !targets.insert(*name ? **name : host).second)
      return fail(fmt::format("{}: two devices would be named {} in the container", path(), quoted(d.name)));
    out.push_back(std::move(d));
  }
  return out;
}

constexpr std::string_view kLinuxKeys[] = {
    "namespaces",  "uidMappings",   "gidMappings",       "timeOffsets",  "devices",
    "cgroupsPath", "resources",     "intelRdt",          "sysctl",       "seccomp",
    "rootfsPropagation", "maskedPaths", "readonlyPaths", "mountLabel",   "personality",
    "memoryPolicy", "netDevices",
};

Result<Linux> parse_linux(const Node& n) {
  Fields f = TRY(Fields::read(n, kLinuxKeys));
  Linux l;
  if (std::optional<Node> ns = TRY(f.get("namespaces", Type::Array))) l.namespaces = TRY(parse_namespaces(*ns));
  l.uid_mappings = TRY(optional_id_mappings(f, "uidMappings"));
  l.gid_mappings = TRY(optional_id_mappings(f, "gidMappings"));
  if (std::optional<Node> t = TRY(f.get("timeOffsets", Type::Object))) l.time_offsets = TRY(parse_time_offsets(*t));
  if (std::optional<Node> devices = TRY(f.get("devices", Type::Array))) {
    l.devices.reserve(devices->size());
    for (std::size_t i = 0; i < devices->size(); i++) l.devices.push_back(TRY(parse_device(devices->at(i))));
  }
  if (std::optional<Node> cg = TRY(f.get("cgroupsPath", Type::String))) {
    l.cgroups_path = TRY(read_string(*cg));
    TRY(check_cgroups_path(*cg, l.cgroups_path));
  }
  if (std::optional<Node> r = TRY(f.get("resources", Type::Object))) l.resources = TRY(parse_linux_resources(*r));
  if (std::optional<Node> rdt = TRY(f.get("intelRdt", Type::Object))) l.intel_rdt = TRY(parse_intel_rdt(*rdt));
  if (std::optional<Node> sysctl = TRY(f.get("sysctl", Type::Object))) l.sysctl = TRY(parse_string_map(*sysctl, check_sysctl_key));
  if (std::optional<Node> s = TRY(f.get("seccomp", Type::Object))) l.seccomp = TRY(parse_linux_seccomp(*s));
  if (std::optional<Node> p = TRY(f.get("rootfsPropagation", Type::String)))
    l.rootfs_propagation = TRY(parse_rootfs_propagation(*p));
  l.masked_paths = TRY(absolute_paths(f, "maskedPaths"));
  l.readonly_paths = TRY(absolute_paths(f, "readonlyPaths"));
  l.mount_label = TRY(f.string_or_empty("mountLabel"));
  if (std::optional<Node> p = TRY(f.get("personality", Type::Object))) l.personality = TRY(parse_personality(*p));
  if (std::optional<Node> mp = TRY(f.get("memoryPolicy", Type::Object))) l.memory_policy = TRY(parse_memory_policy(*mp));
  if (std::optional<Node> nd = TRY(f.get("netDevices", Type::Object))) l.net_devices = TRY(parse_net_devices(*nd));
  return l;
}

// ---- rules across sections ----

// The hint of a message about a missing namespace.
std::string namespace_hint(NamespaceType type) {
  return fmt::format("no \"{}\" entry in linux.namespaces", namespace_type_name(type));
}

// Settings that apply to a namespace the container would not have are
// refused rather than applied elsewhere or dropped: a hostname without a
// UTS namespace would rename the host (runc refuses it too), id mappings
// without a user namespace would leave ids unmapped, and so on.
Result<> check_cross_section(const Spec& spec) {
  const Linux& l = spec.linux;
  if (!spec.hostname.empty() && !l.find_namespace(NamespaceType::Uts))
    return fail(fmt::format("hostname: setting it needs a uts namespace ({})", namespace_hint(NamespaceType::Uts)));
  if (!spec.domainname.empty() && !l.find_namespace(NamespaceType::Uts))
    return fail(fmt::format("domainname: setting it needs a uts namespace ({})", namespace_hint(NamespaceType::Uts)));
  const LinuxNamespace* user = l.find_namespace(NamespaceType::User);
  if (!user) {
    if (!l.uid_mappings.empty())
      return fail(fmt::format("linux.uidMappings: needs a user namespace ({})", namespace_hint(NamespaceType::User)));
    if (!l.gid_mappings.empty())
      return fail(fmt::format("linux.gidMappings: needs a user namespace ({})", namespace_hint(NamespaceType::User)));
  }
  if (!l.time_offsets.empty()) {
    const LinuxNamespace* time = l.find_namespace(NamespaceType::Time);
    if (!time)
      return fail(fmt::format("linux.timeOffsets: needs a time namespace ({})", namespace_hint(NamespaceType::Time)));
    // Offsets can only be written before a process enters the namespace,
    // so an existing one keeps the offsets it has.
    if (time->path)
      return fail("linux.timeOffsets: cannot be set when joining an existing time namespace (its entry has a path)");
  }
  if (!l.net_devices.empty() && !l.find_namespace(NamespaceType::Network))
    return fail(fmt::format("linux.netDevices: needs a network namespace ({})", namespace_hint(NamespaceType::Network)));
  // idmap/ridmap without mount mappings use the container's user namespace
  // mappings; with neither, "an error MUST be returned".
  for (std::size_t i = 0; i < spec.mounts.size(); i++) {
    const Mount& m = spec.mounts[i];
    if (!m.uid_mappings.empty() || user) continue;
    for (const std::string& o : m.options) {
      if (o == "idmap" || o == "ridmap")
        return fail(fmt::format("mounts[{}].options: \"{}\" needs uidMappings and gidMappings on the mount or a user namespace",
                                i, o));
    }
  }
  return {};
}

constexpr std::string_view kSpecKeys[] = {"ociVersion", "root",        "mounts", "process", "hostname",
                                          "domainname", "hooks",       "annotations", "linux"};

// sethostname(2) and setdomainname(2) take at most 64 bytes.
Result<std::string> uts_name(const Fields& f, std::string_view key) {
  std::string s = TRY(f.string_or_empty(key));
  if (s.size() > 64) return tl::unexpected(f.member_error(key, fmt::format("{} is longer than 64 bytes", quoted(s))));
  return s;
}

Result<Spec> parse_document(const json::Document& doc) {
  Fields f = TRY(Fields::read(doc.root(), kSpecKeys));
  Spec spec;
  spec.oci_version = TRY(parse_oci_version(TRY(f.require("ociVersion", Type::String))));
  // Required on every platform but Windows (Hyper-V containers have none).
  spec.root = TRY(parse_root(TRY(f.require("root", Type::Object))));
  if (std::optional<Node> mounts = TRY(f.get("mounts", Type::Array))) {
    spec.mounts.reserve(mounts->size());
    for (std::size_t i = 0; i < mounts->size(); i++) spec.mounts.push_back(TRY(parse_mount(mounts->at(i))));
  }
  if (std::optional<Node> p = TRY(f.get("process", Type::Object))) spec.process = TRY(parse_process_node(*p));
  spec.hostname = TRY(uts_name(f, "hostname"));
  spec.domainname = TRY(uts_name(f, "domainname"));
  if (std::optional<Node> h = TRY(f.get("hooks", Type::Object))) spec.hooks = TRY(parse_hooks(*h));
  if (std::optional<Node> a = TRY(f.get("annotations", Type::Object))) {
    spec.annotations = TRY(parse_string_map(*a, [](std::string_view key) -> std::optional<std::string> {
      if (key.empty()) return "empty annotation key";
      return std::nullopt;
    }));
  }
  if (std::optional<Node> l = TRY(f.get("linux", Type::Object))) spec.linux = TRY(parse_linux(*l));
  TRY(check_cross_section(spec));
  return spec;
}

}  // namespace

std::vector<std::string_view> memory_policy_mode_names() {
  std::vector<std::string_view> out;
  for (const Named<MemoryPolicyMode>& m : kMemoryPolicyModes) out.push_back(m.name);
  return out;
}

std::vector<std::string_view> memory_policy_flag_names() {
  std::vector<std::string_view> out;
  for (const Named<int>& f : kMemoryPolicyFlags) out.push_back(f.name);
  return out;
}

const char* rlimit_name(RlimitType type) {
  for (const Named<RlimitType>& e : kRlimits) {
    if (e.value == type) return e.name.data();  // the literals are NUL-terminated
  }
  return "RLIMIT_?";
}

const char* namespace_type_name(NamespaceType type) {
  for (const Named<NamespaceType>& e : kNamespaceTypes) {
    if (e.value == type) return e.name.data();
  }
  return "?";
}

const LinuxNamespace* Linux::find_namespace(NamespaceType type) const {
  for (const LinuxNamespace& ns : namespaces) {
    if (ns.type == type) return &ns;
  }
  return nullptr;
}

Result<CpuList> parse_cpu_list(std::string_view text) {
  CpuList out;
  auto bad = [&](std::string_view why) { return fail(fmt::format("invalid list {}: {}", quoted(text), why)); };
  auto is_space = [](char c) { return c == ' '; };
  // The whole list may be blank, meaning no CPUs.
  if (text.find_first_not_of(' ') == std::string_view::npos) return out;
  std::size_t i = 0;
  auto number = [&](std::uint32_t& v) -> Result<> {
    std::size_t start = i;
    std::uint64_t n = 0;
    while (i < text.size() && is_digit(text[i])) {
      n = n * 10 + static_cast<std::uint64_t>(text[i] - '0');
      if (n > kMaxCpuNumber) return bad(fmt::format("numbers go up to {}", kMaxCpuNumber));
      i++;
    }
    if (i == start) return bad("expected a number");
    v = static_cast<std::uint32_t>(n);
    return {};
  };
  for (;;) {
    while (i < text.size() && is_space(text[i])) i++;
    CpuRange r;
    TRY(number(r.first));
    r.last = r.first;
    if (i < text.size() && text[i] == '-') {
      i++;
      TRY(number(r.last));
      if (r.last < r.first) return bad(fmt::format("range {}-{} is reversed", r.first, r.last));
    }
    out.push_back(r);
    while (i < text.size() && is_space(text[i])) i++;
    if (i == text.size()) return out;
    if (text[i] != ',') return bad(fmt::format("unexpected {} at offset {}", quoted(text.substr(i, 1)), i));
    i++;
  }
}

Result<Spec> parse_spec(std::string_view text) {
  json::Document doc = TRY(json::Document::parse(text));
  return parse_document(doc);
}

Result<Spec> load_spec(const std::string& bundle_dir, std::string* text_out) {
  json::Document doc = TRY(json::parse_file(bundle_dir + "/config.json", "config.json", text_out));
  Spec spec = TRY_CTX(parse_document(doc), "config.json");
  return spec;
}

Result<Process> parse_process(std::string_view text) {
  json::Document doc = TRY(json::Document::parse(text));
  return parse_process_node(doc.root());
}

}  // namespace ocirun
