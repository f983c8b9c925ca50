// The parser of linux.resources. Every value is read through a checked
// json::Node accessor and validated here, so the cgroup backends can trust
// the model: what they write is a number in range or a string of the right
// form, never something that escapes its file or its line.
//
// Every schema object is read through json::Fields, as the rest of
// config.json is: keys match as Go matches them ("Memory" is memory), a
// known key given twice is refused, and unknown members are ignored, as
// config.md's extensibility rule requires. The maps whose keys are data
// (rdma, unified) keep their keys exact and refuse duplicates themselves.

#include "ocirun/spec_resources.hpp"

#include <charconv>
#include <cstdint>
#include <string>

namespace ocirun {

namespace {

using json::Fields;
using json::Node;
using json::Type;

// Optional members of a schema object, read with the checked accessors:
// absent or null gives nullopt, anything else must have the right type and
// range. (Not Fields::integer: its "expected integer" for a string would
// change this file's "expected number" messages.)
Result<std::optional<std::int64_t>> opt_int64(const Fields& f, std::string_view key) {
  std::optional<Node> n = TRY(f.get(key, Type::Number));
  if (!n) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(TRY(n->int64()));
}

Result<std::optional<std::uint64_t>> opt_uint64(const Fields& f, std::string_view key) {
  std::optional<Node> n = TRY(f.get(key, Type::Number));
  if (!n) return std::optional<std::uint64_t>();
  return std::optional<std::uint64_t>(TRY(n->uint64()));
}

Result<std::optional<std::uint32_t>> opt_uint32(const Fields& f, std::string_view key) {
  std::optional<Node> n = TRY(f.get(key, Type::Number));
  if (!n) return std::optional<std::uint32_t>();
  return std::optional<std::uint32_t>(TRY(n->uint32()));
}

Result<std::optional<std::uint16_t>> opt_uint16(const Fields& f, std::string_view key) {
  std::optional<Node> n = TRY(f.get(key, Type::Number));
  if (!n) return std::optional<std::uint16_t>();
  std::uint32_t v = TRY(n->uint32());
  if (v > 0xffff) return n->fail("integer out of range for 16 bits");
  return std::optional<std::uint16_t>(static_cast<std::uint16_t>(v));
}

Result<std::optional<bool>> opt_bool(const Fields& f, std::string_view key) {
  std::optional<Node> n = TRY(f.get(key, Type::Bool));
  if (!n) return std::optional<bool>();
  return std::optional<bool>(TRY(n->boolean()));
}

Result<std::optional<std::string_view>> opt_string(const Fields& f, std::string_view key) {
  std::optional<Node> n = TRY(f.get(key, Type::String));
  if (!n) return std::optional<std::string_view>();
  return std::optional<std::string_view>(TRY(n->string()));
}

// A device number of the devices, blkio and io controllers: they parse
// "major:minor" as two u32, so a negative or wider number can only be a
// mistake (or, written as text, a different device).
Result<std::uint32_t> device_number(const Node& n) {
  std::int64_t v = TRY(n.int64());
  if (v < 0 || v > 0xffffffffLL)
    return n.fail(std::to_string(v) + " is not a device number (0 to 4294967295)");
  return static_cast<std::uint32_t>(v);
}

// major/minor of a device rule, where absent or -1 means any device.
Result<std::optional<std::uint32_t>> device_rule_number(const Fields& f, std::string_view key) {
  std::optional<Node> n = TRY(f.get(key, Type::Number));
  if (!n) return std::optional<std::uint32_t>();
  std::int64_t v = TRY(n->int64());
  if (v == -1) return std::optional<std::uint32_t>();
  if (v < 0 || v > 0xffffffffLL)
    return n->fail(std::to_string(v) + " is not a device number (0 to 4294967295, or -1 for any)");
  return std::optional<std::uint32_t>(static_cast<std::uint32_t>(v));
}

constexpr std::string_view kDeviceRuleKeys[] = {"allow", "type", "major", "minor", "access"};

Result<LinuxDeviceCgroup> parse_device_rule(const Node& n) {
  Fields f = TRY(Fields::read(n, kDeviceRuleKeys));
  LinuxDeviceCgroup d;
  Node allow = TRY(f.require("allow", Type::Bool));
  d.allow = TRY(allow.boolean());

  if (std::optional<Node> t = TRY(f.get("type", Type::String))) {
    std::string_view s = TRY(t->string());
    if (s.empty() || s == "a") {
      d.type = DeviceCgroupType::All;  // "" is Go's zero value: runc reads it as "a"
    } else if (s == "c") {
      d.type = DeviceCgroupType::Char;
    } else if (s == "b") {
      d.type = DeviceCgroupType::Block;
    } else {
      return t->fail("unknown device type " + json::quoted(s) + " (expected \"a\", \"c\" or \"b\")");
    }
  }
  d.major = TRY(device_rule_number(f, "major"));
  d.minor = TRY(device_rule_number(f, "minor"));

  if (std::optional<Node> a = TRY(f.get("access", Type::String))) {
    std::string_view s = TRY(a->string());
    if (!s.empty()) {
      std::uint8_t bits = 0;
      for (char c : s) {
        switch (c) {
          case 'r': bits |= kDeviceRead; break;
          case 'w': bits |= kDeviceWrite; break;
          case 'm': bits |= kDeviceMknod; break;
          default:
            return a->fail("invalid access " + json::quoted(s) + ": expected letters of \"rwm\"");
        }
      }
      d.access = bits;
    }
  }
  return d;
}

// A memory value: bytes, or -1 for unlimited. The kernel takes nothing else.
Result<std::optional<std::int64_t>> memory_value(const Fields& f, std::string_view key) {
  std::optional<std::int64_t> v = TRY(opt_int64(f, key));
  if (v && *v < -1)
    return tl::unexpected<Error>(f.member_error(
        key, std::to_string(*v) + " is not a memory size (bytes, or -1 for unlimited)"));
  return v;
}

constexpr std::string_view kMemoryKeys[] = {"limit",      "reservation", "swap",         "kernel",           "kernelTCP",
                                            "swappiness", "disableOOMKiller", "useHierarchy", "checkBeforeUpdate"};

Result<LinuxMemory> parse_memory(const Node& n) {
  Fields f = TRY(Fields::read(n, kMemoryKeys));
  LinuxMemory m;
  m.limit = TRY(memory_value(f, "limit"));
  m.reservation = TRY(memory_value(f, "reservation"));
  m.swap = TRY(memory_value(f, "swap"));
  m.kernel = TRY(memory_value(f, "kernel"));
  m.kernel_tcp = TRY(memory_value(f, "kernelTCP"));
  m.swappiness = TRY(opt_uint64(f, "swappiness"));
  if (m.swappiness == UINT64_MAX) {
    m.swappiness.reset();  // Docker's uint64(-1) for "unset", which runc accepts
  } else if (m.swappiness && *m.swappiness > 100) {
    return tl::unexpected<Error>(f.member_error(
        "swappiness", std::to_string(*m.swappiness) + " is out of range (0 to 100)"));
  }
  m.disable_oom_killer = TRY(opt_bool(f, "disableOOMKiller"));
  m.use_hierarchy = TRY(opt_bool(f, "useHierarchy"));
  m.check_before_update = TRY(opt_bool(f, "checkBeforeUpdate"));
  return m;
}

// cpus and mems: a checked cpuset list, or absent ("" reads as absent).
Result<std::optional<std::string>> cpuset_value(const Fields& f, std::string_view key) {
  std::optional<std::string_view> s = TRY(opt_string(f, key));
  if (!s || s->empty()) return std::optional<std::string>();
  Result<std::vector<IdRange>> list = parse_cpuset_list(*s);
  if (!list) return tl::unexpected<Error>(f.member_error(key, list.error().msg));
  return std::optional<std::string>(std::string(*s));
}

constexpr std::string_view kCpuKeys[] = {"shares", "quota", "burst", "period", "realtimeRuntime",
                                         "realtimePeriod", "cpus", "mems", "idle"};

Result<LinuxCpu> parse_cpu(const Node& n) {
  Fields f = TRY(Fields::read(n, kCpuKeys));
  LinuxCpu c;
  c.shares = TRY(opt_uint64(f, "shares"));
  if (c.shares == 0u) c.shares.reset();  // Docker's "unset"; see the header
  c.quota = TRY(opt_int64(f, "quota"));
  c.burst = TRY(opt_uint64(f, "burst"));
  // The spec: burst "MUST be no larger than any positive quota (runtimes MAY
  // generate an error)". The kernel refuses such a pair anyway.
  if (c.burst && c.quota && *c.quota > 0 && *c.burst > static_cast<std::uint64_t>(*c.quota))
    return tl::unexpected<Error>(f.member_error(
        "burst", std::to_string(*c.burst) + " is larger than quota " + std::to_string(*c.quota)));
  c.period = TRY(opt_uint64(f, "period"));
  c.realtime_runtime = TRY(opt_int64(f, "realtimeRuntime"));
  c.realtime_period = TRY(opt_uint64(f, "realtimePeriod"));
  c.cpus = TRY(cpuset_value(f, "cpus"));
  c.mems = TRY(cpuset_value(f, "mems"));
  c.idle = TRY(opt_int64(f, "idle"));
  if (c.idle && *c.idle != 0 && *c.idle != 1)
    return tl::unexpected<Error>(
        f.member_error("idle", std::to_string(*c.idle) + " is out of range (0 or 1)"));
  return c;
}

// blkio.weight and io.bfq.weight take 10 to 1000 (CFQ's range, which BFQ
// accepts too).
Result<std::optional<std::uint16_t>> group_weight(const Fields& f, std::string_view key) {
  std::optional<std::uint16_t> w = TRY(opt_uint16(f, key));
  if (w == 0u) return std::optional<std::uint16_t>();  // Docker's "unset"; see the header
  if (w && (*w < 10 || *w > 1000))
    return tl::unexpected<Error>(
        f.member_error(key, std::to_string(*w) + " is out of range (10 to 1000)"));
  return w;
}

// A per-device weight: 10 to 1000, or 0, which removes the device's rule.
Result<std::optional<std::uint16_t>> device_weight(const Fields& f, std::string_view key) {
  std::optional<std::uint16_t> w = TRY(opt_uint16(f, key));
  if (w && *w != 0 && (*w < 10 || *w > 1000))
    return tl::unexpected<Error>(
        f.member_error(key, std::to_string(*w) + " is out of range (10 to 1000, or 0)"));
  return w;
}

constexpr std::string_view kWeightDeviceKeys[] = {"major", "minor", "weight", "leafWeight"};

Result<LinuxWeightDevice> parse_weight_device(const Node& n) {
  Fields f = TRY(Fields::read(n, kWeightDeviceKeys));
  LinuxWeightDevice d;
  d.major = TRY(device_number(TRY(f.require("major", Type::Number))));
  d.minor = TRY(device_number(TRY(f.require("minor", Type::Number))));
  d.weight = TRY(device_weight(f, "weight"));
  d.leaf_weight = TRY(device_weight(f, "leafWeight"));
  // The spec: "You MUST specify at least one of weight or leafWeight".
  if (!d.weight && !d.leaf_weight) return n.fail("one of weight or leafWeight is required");
  return d;
}

constexpr std::string_view kThrottleDeviceKeys[] = {"major", "minor", "rate"};

Result<LinuxThrottleDevice> parse_throttle_device(const Node& n) {
  Fields f = TRY(Fields::read(n, kThrottleDeviceKeys));
  LinuxThrottleDevice d;
  d.major = TRY(device_number(TRY(f.require("major", Type::Number))));
  d.minor = TRY(device_number(TRY(f.require("minor", Type::Number))));
  d.rate = TRY(TRY(f.require("rate", Type::Number)).uint64());
  return d;
}

// An optional array member, each element parsed by `parse`.
template <typename T, typename Parse>
Result<std::vector<T>> array_of(const Fields& f, std::string_view key, Parse parse) {
  std::vector<T> out;
  std::optional<Node> arr = TRY(f.get(key, Type::Array));
  if (!arr) return out;
  out.reserve(arr->size());
  for (std::size_t i = 0; i < arr->size(); i++) out.push_back(TRY(parse(arr->at(i))));
  return out;
}

constexpr std::string_view kBlockIoKeys[] = {
    "weight", "leafWeight", "weightDevice", "throttleReadBpsDevice", "throttleWriteBpsDevice",
    "throttleReadIOPSDevice", "throttleWriteIOPSDevice"};

Result<LinuxBlockIo> parse_block_io(const Node& n) {
  Fields f = TRY(Fields::read(n, kBlockIoKeys));
  LinuxBlockIo b;
  b.weight = TRY(group_weight(f, "weight"));
  b.leaf_weight = TRY(group_weight(f, "leafWeight"));
  b.weight_device = TRY(array_of<LinuxWeightDevice>(f, "weightDevice", parse_weight_device));
  b.throttle_read_bps_device =
      TRY(array_of<LinuxThrottleDevice>(f, "throttleReadBpsDevice", parse_throttle_device));
  b.throttle_write_bps_device =
      TRY(array_of<LinuxThrottleDevice>(f, "throttleWriteBpsDevice", parse_throttle_device));
  b.throttle_read_iops_device =
      TRY(array_of<LinuxThrottleDevice>(f, "throttleReadIOPSDevice", parse_throttle_device));
  b.throttle_write_iops_device =
      TRY(array_of<LinuxThrottleDevice>(f, "throttleWriteIOPSDevice", parse_throttle_device));
  return b;
}

// The size of a hugepage in the form the kernel names its hugetlb files:
// "<n>KB", "<n>MB" or "<n>GB" in base 1024, with the largest unit that
// keeps n whole (the kernel's mem_fmt()). "2048KB" is a valid size but no
// file is called hugetlb.2048KB.limit_in_bytes, so it is refused here, with
// the name to use, rather than as a missing file later.
Result<std::uint64_t> hugepage_size(std::string_view s) {
  auto bad = [&](std::string_view why) {
    return fail("invalid page size " + json::quoted(s) + ": " + std::string(why));
  };
  constexpr std::string_view kForm = "expected a size such as \"2MB\" or \"1GB\"";
  if (s.size() < 3 || s.back() != 'B') return bad(kForm);
  int shift = 0;
  switch (s[s.size() - 2]) {
    case 'K': shift = 10; break;
    case 'M': shift = 20; break;
    case 'G': shift = 30; break;
    default: return bad(kForm);
  }
  std::string_view digits = s.substr(0, s.size() - 2);
  if (digits[0] < '1' || digits[0] > '9') return bad(kForm);  // no sign, space or leading 0
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec == std::errc::result_out_of_range) return bad("too large");
  if (ec != std::errc() || end != digits.data() + digits.size()) return bad(kForm);
  if (n > (UINT64_MAX >> shift)) return bad("too large");
  std::uint64_t bytes = n << shift;
  if ((bytes & (bytes - 1)) != 0) return bad("not a power of two");
  int kernel_shift = bytes >= (1ull << 30) ? 30 : bytes >= (1ull << 20) ? 20 : 10;
  if (kernel_shift != shift) {
    const char* unit = kernel_shift == 30 ? "GB" : kernel_shift == 20 ? "MB" : "KB";
    return bad("the kernel names this size \"" + std::to_string(bytes >> kernel_shift) + unit + "\"");
  }
  return bytes;
}

constexpr std::string_view kHugepageLimitKeys[] = {"pageSize", "limit"};

Result<LinuxHugepageLimit> parse_hugepage_limit(const Node& n) {
  Fields f = TRY(Fields::read(n, kHugepageLimitKeys));
  LinuxHugepageLimit h;
  Node size = TRY(f.require("pageSize", Type::String));
  std::string_view s = TRY(size.string());
  Result<std::uint64_t> bytes = hugepage_size(s);
  if (!bytes) return size.fail(bytes.error().msg);
  h.page_size = std::string(s);
  h.page_size_bytes = *bytes;
  h.limit = TRY(TRY(f.require("limit", Type::Number)).uint64());
  return h;
}

// The kernel's dev_valid_name(): net_prio.ifpriomap is written as lines of
// "<name> <prio>", so a name with a space or newline would set the priority
// of another interface than the one named.
bool valid_interface_name(std::string_view s) {
  if (s.empty() || s.size() >= 16 || s == "." || s == "..") return false;  // IFNAMSIZ
  for (char c : s) {
    if (c == '/' || c == ':' || c == ' ' || (c >= '\t' && c <= '\r')) return false;
  }
  return true;
}

constexpr std::string_view kInterfacePriorityKeys[] = {"name", "priority"};

Result<LinuxInterfacePriority> parse_interface_priority(const Node& n) {
  Fields f = TRY(Fields::read(n, kInterfacePriorityKeys));
  LinuxInterfacePriority p;
  Node name = TRY(f.require("name", Type::String));
  std::string_view s = TRY(name.string());
  if (!valid_interface_name(s)) return name.fail("invalid interface name " + json::quoted(s));
  p.name = std::string(s);
  p.priority = TRY(TRY(f.require("priority", Type::Number)).uint32());
  return p;
}

constexpr std::string_view kNetworkKeys[] = {"classID", "priorities"};

Result<LinuxNetwork> parse_network(const Node& n) {
  Fields f = TRY(Fields::read(n, kNetworkKeys));
  LinuxNetwork net;
  net.class_id = TRY(opt_uint32(f, "classID"));
  net.priorities = TRY(array_of<LinuxInterfacePriority>(f, "priorities", parse_interface_priority));
  return net;
}

// An RDMA device name as rdma.max takes it: "<name> hca_handle=N ...", so
// no whitespace, and at most IB_DEVICE_NAME_MAX - 1 bytes.
bool valid_rdma_device(std::string_view s) {
  if (s.empty() || s.size() >= 64) return false;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= ' ' || u == 0x7f || c == '/') return false;
  }
  return true;
}

constexpr std::string_view kRdmaKeys[] = {"hcaHandles", "hcaObjects"};

// A map keyed by device name: the keys are data, matched exactly; the
// values are schema objects.
Result<std::map<std::string, LinuxRdma>> parse_rdma(const Node& n) {
  std::map<std::string, LinuxRdma> out;
  for (std::size_t i = 0; i < n.member_count(); i++) {
    std::string_view dev = n.member_name(i);
    if (!valid_rdma_device(dev)) return n.fail("invalid RDMA device name " + json::quoted(dev));
    Node v = n.member_value(i);
    if (v.is_null()) continue;  // null reads as absent, as everywhere in json.hpp
    Fields f = TRY(Fields::read(v, kRdmaKeys));
    LinuxRdma r;
    r.hca_handles = TRY(opt_uint32(f, "hcaHandles"));
    r.hca_objects = TRY(opt_uint32(f, "hcaObjects"));
    // The spec: "You MUST specify at least one of the hcaHandles or hcaObjects".
    if (!r.hca_handles && !r.hca_objects) return v.fail("one of hcaHandles or hcaObjects is required");
    // JSON allows a name twice; which one would win is a guess, so refuse.
    if (!out.emplace(std::string(dev), r).second) return n.fail("duplicate RDMA device " + json::quoted(dev));
  }
  return out;
}

// Why a unified key is refused, or "" when it names a file of the container's
// own cgroup. A key is joined to the cgroup's directory, so a '/' or ".."
// would write outside it: into another cgroup's limits, or the host's.
std::string unified_key_problem(std::string_view key) {
  if (key.empty()) return "empty key";
  if (key.size() > 255) return "longer than a file name can be";
  if (key.find('/') != std::string_view::npos) return "must be a file name, without '/'";
  std::size_t dot = key.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == key.size())
    return "must be of the form <controller>.<file>";
  for (char c : key.substr(0, dot)) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return "must be of the form <controller>.<file>";
  }
  std::string_view file = key.substr(dot + 1);
  if (file.front() == '.' || file.back() == '.' || file.find("..") != std::string_view::npos)
    return "must be of the form <controller>.<file>";
  for (char c : file) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '.' || c == '-'))
      return "must be of the form <controller>.<file>";
  }
  // Membership and life cycle belong to the runtime: a config that writes
  // pids to cgroup.procs could pull any host process into the container's
  // cgroup (and its limits), and cgroup.kill or cgroup.freeze would act on
  // the container behind the runtime's back.
  if (key == "cgroup.procs" || key == "cgroup.threads" || key == "cgroup.kill" || key == "cgroup.freeze")
    return "is managed by the runtime";
  return {};
}

Result<std::map<std::string, std::string>> parse_unified(const Node& n) {
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i < n.member_count(); i++) {
    std::string_view key = n.member_name(i);
    std::string problem = unified_key_problem(key);
    if (!problem.empty()) return n.fail("invalid key " + json::quoted(key) + ": " + problem);
    Node v = n.member_value(i);
    TRY(v.expect(Type::String));
    std::string_view value = TRY(v.string());
    if (!out.emplace(std::string(key), std::string(value)).second)
      return n.fail("duplicate key " + json::quoted(key));
  }
  return out;
}

constexpr std::string_view kPidsKeys[] = {"limit"};

constexpr std::string_view kResourcesKeys[] = {"devices", "memory", "cpu",  "blockIO", "hugepageLimits",
                                               "network", "pids",   "rdma", "unified"};

}  // namespace

Result<std::vector<IdRange>> parse_cpuset_list(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return fail("invalid cpuset list " + json::quoted(text) + ": " + std::string(why));
  };
  std::vector<IdRange> out;
  if (text.empty()) return bad("empty");
  // Reads one number at p, advancing it past the number; on failure p stays
  // at its start, for the error's offset. The bound keeps n from overflowing.
  auto number = [&](const char*& p, const char* end, std::uint32_t& v) -> bool {
    const char* q = p;
    if (q == end || *q < '0' || *q > '9') return false;
    std::uint64_t n = 0;
    while (q != end && *q >= '0' && *q <= '9') {
      n = n * 10 + static_cast<std::uint64_t>(*q - '0');
      if (n > kMaxCpusetId) return false;
      q++;
    }
    v = static_cast<std::uint32_t>(n);
    p = q;
    return true;
  };
  const char* p = text.data();
  const char* end = p + text.size();
  for (;;) {
    IdRange r;
    if (!number(p, end, r.first))
      return bad("expected a number from 0 to " + std::to_string(kMaxCpusetId) + " at offset " +
                 std::to_string(p - text.data()));
    r.last = r.first;
    if (p != end && *p == '-') {
      p++;
      if (!number(p, end, r.last))
        return bad("expected a number from 0 to " + std::to_string(kMaxCpusetId) + " at offset " +
                   std::to_string(p - text.data()));
      if (r.last < r.first) return bad("range " + std::to_string(r.first) + "-" + std::to_string(r.last) + " is backwards");
    }
    out.push_back(r);
    if (p == end) return out;
    if (*p != ',') return bad("unexpected character at offset " + std::to_string(p - text.data()));
    p++;
  }
}

Result<LinuxResources> parse_linux_resources(const json::Node& node) {
  Fields f = TRY(Fields::read(node, kResourcesKeys));
  LinuxResources r;
  r.devices = TRY(array_of<LinuxDeviceCgroup>(f, "devices", parse_device_rule));
  if (std::optional<Node> n = TRY(f.get("memory", Type::Object))) r.memory = TRY(parse_memory(*n));
  if (std::optional<Node> n = TRY(f.get("cpu", Type::Object))) r.cpu = TRY(parse_cpu(*n));
  if (std::optional<Node> n = TRY(f.get("blockIO", Type::Object))) r.block_io = TRY(parse_block_io(*n));
  r.hugepage_limits = TRY(array_of<LinuxHugepageLimit>(f, "hugepageLimits", parse_hugepage_limit));
  if (std::optional<Node> n = TRY(f.get("network", Type::Object))) r.network = TRY(parse_network(*n));
  if (std::optional<Node> n = TRY(f.get("pids", Type::Object))) {
    Fields pids = TRY(Fields::read(*n, kPidsKeys));
    r.pids.limit = TRY(opt_int64(pids, "limit"));
    if (r.pids.limit && *r.pids.limit < -1)
      return tl::unexpected<Error>(pids.member_error(
          "limit", std::to_string(*r.pids.limit) + " is out of range (a count, or -1 for no limit)"));
  }
  if (std::optional<Node> n = TRY(f.get("rdma", Type::Object))) r.rdma = TRY(parse_rdma(*n));
  if (std::optional<Node> n = TRY(f.get("unified", Type::Object))) r.unified = TRY(parse_unified(*n));
  return r;
}

Result<LinuxResources> parse_linux_resources_text(std::string_view json_text) {
  json::Document doc = TRY(json::Document::parse(json_text));
  return parse_linux_resources(doc.root());
}

}  // namespace ocirun
