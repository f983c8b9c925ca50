#include "ocirun/cgroup_resources.hpp"

#include <algorithm>

namespace ocirun {

namespace {

// The writes of one plan, each with its controller and field.
class Plan {
 public:
  void add(std::string controller, std::string file, std::string value, std::string field, bool optional = false) {
    m_writes.push_back({std::move(controller), std::move(file), std::move(value), std::move(field), optional, "", ""});
  }
  void add_alt(std::string controller, std::string file, std::string value, std::string alt_file,
               std::string alt_value, std::string field) {
    m_writes.push_back(
        {std::move(controller), std::move(file), std::move(value), std::move(field), false, std::move(alt_file),
         std::move(alt_value)});
  }
  std::vector<CgroupWrite> take() { return std::move(m_writes); }

 private:
  std::vector<CgroupWrite> m_writes;
};

// "max" for -1 (unlimited), the number otherwise.
std::string limit_v2(std::int64_t v) { return v < 0 ? "max" : std::to_string(v); }

std::string dev(std::uint32_t major, std::uint32_t minor) {
  return std::to_string(major) + ":" + std::to_string(minor);
}

// The four throttle lists: their v1 file and v2 io.max key.
struct ThrottleList {
  const std::vector<LinuxThrottleDevice>* list;
  const char* field;
  const char* v1_file;
  const char* v2_key;
};

std::vector<ThrottleList> throttle_lists(const LinuxBlockIo& b) {
  return {
      {&b.throttle_read_bps_device, "throttleReadBpsDevice", "blkio.throttle.read_bps_device", "rbps"},
      {&b.throttle_write_bps_device, "throttleWriteBpsDevice", "blkio.throttle.write_bps_device", "wbps"},
      {&b.throttle_read_iops_device, "throttleReadIOPSDevice", "blkio.throttle.read_iops_device", "riops"},
      {&b.throttle_write_iops_device, "throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", "wiops"},
  };
}

std::string rdma_value(const std::string& device, const LinuxRdma& r) {
  std::string v = device;
  if (r.hca_handles) (v += " hca_handle=") += std::to_string(*r.hca_handles);
  if (r.hca_objects) (v += " hca_object=") += std::to_string(*r.hca_objects);
  return v;
}

// A unified key is "controller.file": one dot-separated name, no path. The
// controller of "cgroup.*" files is the core, which needs no enabling.
Result<std::string> unified_controller(const std::string& key) {
  std::string field = "linux.resources.unified." + key;
  std::size_t dot = key.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == key.size() || key.find('/') != std::string::npos)
    return fail(field + ": the key must be a cgroup file name, controller.file");
  std::string controller = key.substr(0, dot);
  return controller == "cgroup" ? std::string() : controller;
}

}  // namespace

std::uint64_t cpu_shares_to_weight(std::uint64_t shares) {
  if (shares == 0) return 0;
  shares = std::clamp<std::uint64_t>(shares, 2, 262144);
  return 1 + ((shares - 2) * 9999) / 262142;
}

std::uint64_t blkio_weight_to_io_weight(std::uint64_t weight) {
  if (weight == 0) return 0;
  weight = std::clamp<std::uint64_t>(weight, 10, 1000);
  return 1 + ((weight - 10) * 9999) / 990;
}

Result<std::int64_t> memory_swap_to_v2(std::int64_t swap, std::int64_t limit) {
  // v1 compatibility: an unlimited memory with swap unset means both unlimited.
  if (limit == -1 && swap == 0) return -1;
  if (swap == -1 || swap == 0) return swap;
  if (limit == 0 || limit == -1) return fail("linux.resources.memory.swap: a swap limit needs a memory limit");
  if (swap < limit) return fail("linux.resources.memory.swap: memory+swap must be no smaller than the memory limit");
  return swap - limit;
}

std::vector<LinuxDeviceCgroup> effective_device_rules(const std::vector<LinuxDeviceCgroup>& config) {
  std::vector<LinuxDeviceCgroup> out;
  out.push_back({false, DeviceCgroupType::All, std::nullopt, std::nullopt, kDeviceAccessAll});
  out.insert(out.end(), config.begin(), config.end());
  auto chr = [&](std::uint32_t major, std::optional<std::uint32_t> minor) {
    out.push_back({true, DeviceCgroupType::Char, major, minor, kDeviceAccessAll});
  };
  chr(1, 3);             // /dev/null
  chr(1, 5);             // /dev/zero
  chr(1, 7);             // /dev/full
  chr(1, 8);             // /dev/random
  chr(1, 9);             // /dev/urandom
  chr(5, 0);             // /dev/tty
  chr(5, 1);             // /dev/console
  chr(5, 2);             // /dev/ptmx
  chr(136, std::nullopt);  // /dev/pts/*
  return out;
}

namespace {

bool same_device(const LinuxDeviceCgroup& a, const LinuxDeviceCgroup& b) {
  return a.type == b.type && a.major == b.major && a.minor == b.minor;
}

std::string access_text(std::uint8_t access) {
  std::string s;
  if (access & kDeviceRead) s += 'r';
  if (access & kDeviceWrite) s += 'w';
  if (access & kDeviceMknod) s += 'm';
  return s;
}

// One rule of a single type (c or b) applied to the set.
Result<> reduce_one(DeviceRuleSet& set, const LinuxDeviceCgroup& rule) {
  std::vector<LinuxDeviceCgroup>& ex = set.exceptions;
  if (rule.allow != set.default_allow) {
    auto exact = std::find_if(ex.begin(), ex.end(), [&](const LinuxDeviceCgroup& e) { return same_device(e, rule); });
    // An exception: merged with the one for the same devices.
    if (exact != ex.end()) exact->access |= rule.access;
    else ex.push_back({!set.default_allow, rule.type, rule.major, rule.minor, rule.access});
    return {};
  }
  // The default's verdict: taken out of every exception the rule covers
  // (the kernel's v1 controller only takes it out of the one with exactly
  // the rule's numbers; the set is written to v1 already reduced, so both
  // backends get the fuller reading). An exception that overlaps the rule
  // without being inside it would have to be split, which neither v1 nor
  // this set can express.
  auto inside = [&](const LinuxDeviceCgroup& e) {
    return (!rule.major || e.major == rule.major) && (!rule.minor || e.minor == rule.minor);
  };
  auto overlaps = [&](const LinuxDeviceCgroup& e) {
    return (!rule.major || !e.major || e.major == rule.major) && (!rule.minor || !e.minor || e.minor == rule.minor);
  };
  for (const LinuxDeviceCgroup& e : ex) {
    if (e.type != rule.type || !(e.access & rule.access) || inside(e) || !overlaps(e)) continue;
    // A deny in an allow-list: ignoring it would leave the devices allowed.
    // (An allow in a deny-list only leaves denied what the config allows.)
    if (!rule.allow)
      return fail("linux.resources.devices: the rule `" + device_rule_v1(rule) + "` cannot deny `" +
                      access_text(e.access & rule.access) + "` inside the wider allow `" + device_rule_v1(e) +
                      "` (the cgroup device controller cannot split a wildcard rule)",
                  EINVAL);
  }
  for (LinuxDeviceCgroup& e : ex)
    if (e.type == rule.type && inside(e)) e.access &= static_cast<std::uint8_t>(~rule.access);
  std::erase_if(ex, [](const LinuxDeviceCgroup& e) { return e.access == 0; });
  return {};
}

}  // namespace

Result<DeviceRuleSet> reduce_device_rules(const std::vector<LinuxDeviceCgroup>& rules) {
  DeviceRuleSet set;
  for (const LinuxDeviceCgroup& r : rules) {
    if (r.type == DeviceCgroupType::All) {
      if (!r.major && !r.minor && r.access == kDeviceAccessAll) {
        set = DeviceRuleSet{r.allow, {}};
        continue;
      }
      LinuxDeviceCgroup c = r, b = r;
      c.type = DeviceCgroupType::Char;
      b.type = DeviceCgroupType::Block;
      TRY(reduce_one(set, c));
      TRY(reduce_one(set, b));
      continue;
    }
    TRY(reduce_one(set, r));
  }
  return set;
}

bool device_access_allowed(const DeviceRuleSet& set, DeviceCgroupType type, std::uint32_t major, std::uint32_t minor,
                           std::uint8_t access) {
  for (const LinuxDeviceCgroup& e : set.exceptions) {
    if (e.type != DeviceCgroupType::All && e.type != type) continue;
    if ((e.major && *e.major != major) || (e.minor && *e.minor != minor)) continue;
    if (e.allow && (access & ~e.access) == 0) return true;
    if (!e.allow && (access & e.access) != 0) return false;
  }
  return set.default_allow;
}

std::string device_rule_v1(const LinuxDeviceCgroup& rule) {
  if (rule.type == DeviceCgroupType::All && !rule.major && !rule.minor && rule.access == kDeviceAccessAll) return "a";
  std::string s = rule.type == DeviceCgroupType::Char ? "c" : rule.type == DeviceCgroupType::Block ? "b" : "a";
  s += ' ';
  s += rule.major ? std::to_string(*rule.major) : "*";
  s += ':';
  s += rule.minor ? std::to_string(*rule.minor) : "*";
  s += ' ';
  s += access_text(rule.access);
  return s;
}

std::string hugepage_dir_to_size(std::string_view dirname) {
  constexpr std::string_view kPrefix = "hugepages-", kSuffix = "kB";
  if (!dirname.starts_with(kPrefix) || !dirname.ends_with(kSuffix)) return "";
  std::string_view digits = dirname.substr(kPrefix.size(), dirname.size() - kPrefix.size() - kSuffix.size());
  if (digits.empty() || digits.size() > 15 || digits[0] == '0') return "";
  std::uint64_t kb = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return "";
    kb = kb * 10 + static_cast<std::uint64_t>(c - '0');
  }
  // The kernel's hugetlb cgroup: GB, MB or KB, by the size's magnitude.
  if (kb >= (1u << 20)) return std::to_string(kb >> 20) + "GB";
  if (kb >= (1u << 10)) return std::to_string(kb >> 10) + "MB";
  return std::to_string(kb) + "KB";
}

Result<> check_hugepage_sizes(const std::vector<LinuxHugepageLimit>& limits, const std::vector<std::string>& host_sizes) {
  for (std::size_t i = 0; i < limits.size(); i++) {
    if (std::find(host_sizes.begin(), host_sizes.end(), limits[i].page_size) != host_sizes.end()) continue;
    std::string have;
    for (const std::string& s : host_sizes) have += (have.empty() ? "" : ", ") + s;
    return fail("linux.resources.hugepageLimits[" + std::to_string(i) + "].pageSize: this host has no " +
                    limits[i].page_size + " huge pages (" + (have.empty() ? "it has none" : "it has " + have) + ")",
                EINVAL);
  }
  return {};
}

std::vector<std::string> needed_controllers(const std::vector<CgroupWrite>& writes) {
  std::vector<std::string> out;
  for (const CgroupWrite& w : writes)
    if (!w.controller.empty() && std::find(out.begin(), out.end(), w.controller) == out.end())
      out.push_back(w.controller);
  return out;
}

Result<std::vector<CgroupWrite>> plan_cgroup_v2(const LinuxResources& r) {
  Plan p;
  const std::string base = "linux.resources.";

  // memory: swap first, as runc, then the limit and the reservation.
  const LinuxMemory& m = r.memory;
  std::int64_t limit = m.limit.value_or(0);
  if (m.swap || limit == -1) {
    std::int64_t swap = TRY(memory_swap_to_v2(m.swap.value_or(0), limit));
    // Equal memory and memory+swap: no swap at all.
    if (swap == 0 && m.swap.value_or(0) > 0) p.add("memory", "memory.swap.max", "0", base + "memory.swap", true);
    // -1 without swap accounting asks for nothing; a real limit must land.
    else if (swap != 0) p.add("memory", "memory.swap.max", limit_v2(swap), base + "memory.swap", swap == -1);
  }
  if (limit != 0) p.add("memory", "memory.max", limit_v2(limit), base + "memory.limit");
  if (m.reservation && *m.reservation != 0)
    p.add("memory", "memory.low", limit_v2(*m.reservation), base + "memory.reservation");

  // cpu
  const LinuxCpu& c = r.cpu;
  if (c.realtime_runtime.value_or(0) != 0 || c.realtime_period.value_or(0) != 0)
    return fail(base + "cpu.realtimeRuntime: realtime scheduling limits are not supported on cgroup v2", ENOTSUP);
  if (c.shares) p.add("cpu", "cpu.weight", std::to_string(cpu_shares_to_weight(*c.shares)), base + "cpu.shares");
  if (c.quota.value_or(0) != 0 || c.period.value_or(0) != 0) {
    std::string v = c.quota.value_or(0) > 0 ? std::to_string(*c.quota) : "max";
    if (c.period.value_or(0) != 0) (v += ' ') += std::to_string(*c.period);
    p.add("cpu", "cpu.max", v, base + "cpu.quota");
  }
  if (c.burst) p.add("cpu", "cpu.max.burst", std::to_string(*c.burst), base + "cpu.burst");
  if (c.idle) p.add("cpu", "cpu.idle", std::to_string(*c.idle), base + "cpu.idle");
  if (c.cpus) p.add("cpuset", "cpuset.cpus", *c.cpus, base + "cpu.cpus");
  if (c.mems) p.add("cpuset", "cpuset.mems", *c.mems, base + "cpu.mems");

  // pids: 0 is a real limit (the spec says so); -1 is none.
  if (r.pids.limit) p.add("pids", "pids.max", limit_v2(*r.pids.limit), base + "pids.limit");

  // io: bfq's weight has v1's range; io.weight is the fallback, converted.
  const LinuxBlockIo& b = r.block_io;
  if (b.weight)
    p.add_alt("io", "io.bfq.weight", std::to_string(*b.weight), "io.weight",
              std::to_string(blkio_weight_to_io_weight(*b.weight)), base + "blockIO.weight");
  for (std::size_t i = 0; i < b.weight_device.size(); i++) {
    const LinuxWeightDevice& d = b.weight_device[i];
    if (!d.weight) continue;  // leafWeight has no v2 equivalent
    p.add("io", "io.bfq.weight", dev(d.major, d.minor) + " " + std::to_string(*d.weight),
          base + "blockIO.weightDevice[" + std::to_string(i) + "]");
  }
  for (const ThrottleList& t : throttle_lists(b))
    for (std::size_t i = 0; i < t.list->size(); i++) {
      const LinuxThrottleDevice& d = (*t.list)[i];
      // 0 removes the limit, as in v1.
      std::string rate = d.rate == 0 ? "max" : std::to_string(d.rate);
      p.add("io", "io.max", dev(d.major, d.minor) + " " + t.v2_key + "=" + rate,
            base + "blockIO." + t.field + "[" + std::to_string(i) + "]");
    }

  // hugetlb, and the reservation limits where the kernel has them.
  for (std::size_t i = 0; i < r.hugepage_limits.size(); i++) {
    const LinuxHugepageLimit& h = r.hugepage_limits[i];
    std::string field = base + "hugepageLimits[" + std::to_string(i) + "]";
    p.add("hugetlb", "hugetlb." + h.page_size + ".max", std::to_string(h.limit), field);
    p.add("hugetlb", "hugetlb." + h.page_size + ".rsvd.max", std::to_string(h.limit), field, true);
  }

  for (const auto& [device, limits] : r.rdma) p.add("rdma", "rdma.max", rdma_value(device, limits), base + "rdma." + device);

  // net_cls and net_prio exist only in v1; ignoring them would leave the
  // container unclassified without a word.
  if (r.network.class_id || !r.network.priorities.empty())
    return fail(base + "network: net_cls and net_prio do not exist on cgroup v2", ENOTSUP);

  // unified: verbatim, last, so that it overrides the fields above.
  for (const auto& [key, value] : r.unified) {
    std::string controller = TRY(unified_controller(key));
    p.add(controller, key, value, base + "unified." + key);
  }
  return p.take();
}

Result<std::vector<CgroupWrite>> plan_cgroup_v1(const LinuxResources& r, const CgroupV1Now& now) {
  Plan p;
  const std::string base = "linux.resources.";

  // devices: the default ("a"), then its exceptions, reduced as the kernel
  // would reduce the config's rules, less the splits it would ignore.
  DeviceRuleSet devices = TRY(reduce_device_rules(effective_device_rules(r.devices)));
  p.add("devices", devices.default_allow ? "devices.allow" : "devices.deny", "a", base + "devices");
  for (const LinuxDeviceCgroup& d : devices.exceptions)
    p.add("devices", d.allow ? "devices.allow" : "devices.deny", device_rule_v1(d), base + "devices");

  // memory. The kernel keeps limit <= memory+swap after every write, so
  // memsw goes first when it is at least the current limit (raising, or
  // unlimited), and the limit first otherwise (lowering; a new cgroup,
  // where both start unlimited). Either order then holds at each step.
  const LinuxMemory& m = r.memory;
  std::int64_t limit = m.limit.value_or(0);
  std::int64_t swap = m.swap.value_or(0);
  if (limit == -1 && swap == 0) swap = -1;  // as runc: both unlimited
  if (swap != 0 && limit != 0 && swap != -1 && swap < limit)
    return fail(base + "memory.swap: memory+swap must be no smaller than the memory limit");
  std::uint64_t current = now.memory_limit.value_or(UINT64_MAX);
  bool swap_first = swap == -1 || (swap > 0 && static_cast<std::uint64_t>(swap) >= current);
  // -1 without swap accounting asks for nothing.
  auto add_swap = [&] {
    if (swap != 0)
      p.add("memory", "memory.memsw.limit_in_bytes", std::to_string(swap), base + "memory.swap", swap == -1);
  };
  if (swap_first) add_swap();
  if (limit != 0) p.add("memory", "memory.limit_in_bytes", std::to_string(limit), base + "memory.limit");
  if (!swap_first) add_swap();
  if (m.reservation && *m.reservation != 0)
    p.add("memory", "memory.soft_limit_in_bytes", std::to_string(*m.reservation), base + "memory.reservation");
  // memory.kernel is ignored, as runc does since kernel memory accounting
  // went away (5.16); kernelTCP still exists in v1.
  if (m.kernel_tcp && *m.kernel_tcp != 0)
    p.add("memory", "memory.kmem.tcp.limit_in_bytes", std::to_string(*m.kernel_tcp), base + "memory.kernelTCP");
  if (m.swappiness) p.add("memory", "memory.swappiness", std::to_string(*m.swappiness), base + "memory.swappiness");
  if (m.disable_oom_killer.value_or(false))
    p.add("memory", "memory.oom_control", "1", base + "memory.disableOOMKiller");

  // cpu: the period before the quota, so that a quota valid for the new
  // period is not refused against the old one.
  const LinuxCpu& c = r.cpu;
  if (c.shares) p.add("cpu", "cpu.shares", std::to_string(*c.shares), base + "cpu.shares");
  if (c.period.value_or(0) != 0) p.add("cpu", "cpu.cfs_period_us", std::to_string(*c.period), base + "cpu.period");
  if (c.quota.value_or(0) != 0)
    p.add("cpu", "cpu.cfs_quota_us", std::to_string(*c.quota < 0 ? -1 : *c.quota), base + "cpu.quota");
  if (c.burst) p.add("cpu", "cpu.cfs_burst_us", std::to_string(*c.burst), base + "cpu.burst");
  if (c.realtime_period.value_or(0) != 0)
    p.add("cpu", "cpu.rt_period_us", std::to_string(*c.realtime_period), base + "cpu.realtimePeriod");
  if (c.realtime_runtime.value_or(0) != 0)
    p.add("cpu", "cpu.rt_runtime_us", std::to_string(*c.realtime_runtime), base + "cpu.realtimeRuntime");
  if (c.idle) p.add("cpu", "cpu.idle", std::to_string(*c.idle), base + "cpu.idle");
  if (c.cpus) p.add("cpuset", "cpuset.cpus", *c.cpus, base + "cpu.cpus");
  if (c.mems) p.add("cpuset", "cpuset.mems", *c.mems, base + "cpu.mems");

  if (r.pids.limit) p.add("pids", "pids.max", limit_v2(*r.pids.limit), base + "pids.limit");

  // blkio: bfq's weight file where the kernel has it.
  const LinuxBlockIo& b = r.block_io;
  if (b.weight)
    p.add_alt("blkio", "blkio.bfq.weight", std::to_string(*b.weight), "blkio.weight", std::to_string(*b.weight),
              base + "blockIO.weight");
  if (b.leaf_weight) p.add("blkio", "blkio.leaf_weight", std::to_string(*b.leaf_weight), base + "blockIO.leafWeight");
  for (std::size_t i = 0; i < b.weight_device.size(); i++) {
    const LinuxWeightDevice& d = b.weight_device[i];
    std::string field = base + "blockIO.weightDevice[" + std::to_string(i) + "]";
    if (d.weight)
      p.add_alt("blkio", "blkio.bfq.weight_device", dev(d.major, d.minor) + " " + std::to_string(*d.weight),
                "blkio.weight_device", dev(d.major, d.minor) + " " + std::to_string(*d.weight), field);
    if (d.leaf_weight)
      p.add("blkio", "blkio.leaf_weight_device", dev(d.major, d.minor) + " " + std::to_string(*d.leaf_weight), field);
  }
  for (const ThrottleList& t : throttle_lists(b))
    for (std::size_t i = 0; i < t.list->size(); i++) {
      const LinuxThrottleDevice& d = (*t.list)[i];
      p.add("blkio", t.v1_file, dev(d.major, d.minor) + " " + std::to_string(d.rate),
            base + "blockIO." + t.field + "[" + std::to_string(i) + "]");
    }

  for (std::size_t i = 0; i < r.hugepage_limits.size(); i++) {
    const LinuxHugepageLimit& h = r.hugepage_limits[i];
    std::string field = base + "hugepageLimits[" + std::to_string(i) + "]";
    p.add("hugetlb", "hugetlb." + h.page_size + ".limit_in_bytes", std::to_string(h.limit), field);
    p.add("hugetlb", "hugetlb." + h.page_size + ".rsvd.limit_in_bytes", std::to_string(h.limit), field, true);
  }

  if (r.network.class_id)
    p.add("net_cls", "net_cls.classid", std::to_string(*r.network.class_id), base + "network.classID");
  for (std::size_t i = 0; i < r.network.priorities.size(); i++) {
    const LinuxInterfacePriority& ip = r.network.priorities[i];
    p.add("net_prio", "net_prio.ifpriomap", ip.name + " " + std::to_string(ip.priority),
          base + "network.priorities[" + std::to_string(i) + "]");
  }

  for (const auto& [device, limits] : r.rdma) p.add("rdma", "rdma.max", rdma_value(device, limits), base + "rdma." + device);

  // unified: into the hybrid host's cgroup2 dir, as runc does.
  for (const auto& [key, value] : r.unified) {
    TRY(unified_controller(key));
    p.add("unified", key, value, base + "unified." + key);
  }
  return p.take();
}

}  // namespace ocirun
