// update: merge new limits into the container's resources, apply them, and
// keep the saved config.json in step. See container_update.hpp.
#include "ocirun/container_update.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <vector>

#include "ocirun/cgroup_apply.hpp"
#include "ocirun/container_pause.hpp"
#include "ocirun/fs.hpp"
#include "ocirun/json.hpp"
#include "ocirun/log.hpp"
#include "ocirun/spec.hpp"

namespace ocirun {

namespace {

Error bad_flag(std::string_view flag, std::string_view text, std::string_view why) {
  return Error{EINVAL, "invalid value for --" + std::string(flag) + ": " + json::quoted(text) + ": " + std::string(why)};
}

template <typename T>
Result<T> parse_int_flag(std::string_view flag, std::string_view text) {
  T v{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc::result_out_of_range) return tl::unexpected(bad_flag(flag, text, "out of range"));
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    return tl::unexpected(bad_flag(flag, text, "not an integer"));
  return v;
}

// A flag's value; an empty value counts as not given, as in runc.
std::optional<std::string_view> given(const cli::Invocation& inv, std::string_view name) {
  std::optional<std::string_view> v = inv.value(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

const char* access_text(std::uint8_t a) {
  static const char* const kTexts[] = {"", "r", "w", "rw", "m", "rm", "wm", "rwm"};
  return kTexts[a & kDeviceAccessAll];
}

template <typename T>
void opt_member(json::Writer& w, const char* key, const std::optional<T>& v) {
  if (!v) return;
  w.key(key);
  if constexpr (std::is_same_v<T, std::string>) {
    w.value(std::string_view(*v));
  } else if constexpr (std::is_same_v<T, bool>) {
    w.value(*v);
  } else if constexpr (std::is_signed_v<T>) {
    w.value(static_cast<std::int64_t>(*v));
  } else {
    w.value(static_cast<std::uint64_t>(*v));
  }
}

void throttle_list(json::Writer& w, const char* key, const std::vector<LinuxThrottleDevice>& list) {
  if (list.empty()) return;
  w.key(key).begin_array();
  for (const LinuxThrottleDevice& d : list)
    w.begin_object().key("major").value(d.major).key("minor").value(d.minor).key("rate").value(d.rate).end_object();
  w.end_array();
}

// Copies a JSON number as it was written: an integer stays an integer.
void copy_number(json::Writer& w, const json::Node& n) {
  if (Result<std::uint64_t> u = n.uint64(); u) {
    w.value(*u);
  } else if (Result<std::int64_t> i = n.int64(); i) {
    w.value(*i);
  } else {
    w.value(n.number().value_or(0.0));
  }
}

}  // namespace

Result<std::int64_t> parse_memory_size(std::string_view text) {
  if (text == "-1") return std::int64_t{-1};
  // digits ['.' digits] [' '] [kmgtp] [i] [b], as go-units reads sizes.
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') i++;
    return i > start;
  };
  if (!digits()) return fail("invalid size " + json::quoted(text), EINVAL);
  std::size_t num_end = i;
  if (i < text.size() && text[i] == '.') {
    i++;
    if (!digits()) return fail("invalid size " + json::quoted(text), EINVAL);
    num_end = i;
  }
  if (i < text.size() && text[i] == ' ') i++;
  double mult = 1;
  if (i < text.size()) {
    switch (text[i] | 0x20) {
      case 'k': mult = 1024.0; i++; break;
      case 'm': mult = 1024.0 * 1024; i++; break;
      case 'g': mult = 1024.0 * 1024 * 1024; i++; break;
      case 't': mult = 1024.0 * 1024 * 1024 * 1024; i++; break;
      case 'p': mult = 1024.0 * 1024 * 1024 * 1024 * 1024; i++; break;
      default: break;
    }
  }
  if (i < text.size() && (text[i] | 0x20) == 'i') i++;
  if (i < text.size() && (text[i] | 0x20) == 'b') i++;
  if (i != text.size()) return fail("invalid size " + json::quoted(text), EINVAL);
  double number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + num_end, number);
  (void)end;
  if (ec != std::errc()) return fail("invalid size " + json::quoted(text), EINVAL);
  double bytes = number * mult;
  if (!(bytes < 9.2e18)) return fail("size " + json::quoted(text) + " is out of range", ERANGE);
  return static_cast<std::int64_t>(bytes);
}

Result<LinuxResources> resources_from_flags(const cli::Invocation& inv) {
  LinuxResources r;
  if (auto v = given(inv, "blkio-weight")) {
    std::int64_t w = TRY(parse_int_flag<std::int64_t>("blkio-weight", *v));
    if (w != 0) {  // 0: not given, as runc reads it
      if (w < 10 || w > 1000) return tl::unexpected(bad_flag("blkio-weight", *v, "out of range (10 to 1000)"));
      r.block_io.weight = static_cast<std::uint16_t>(w);
    }
  }
  for (auto [flag, dest] : {std::pair{"cpu-period", &r.cpu.period}, std::pair{"cpu-burst", &r.cpu.burst},
                            std::pair{"cpu-rt-period", &r.cpu.realtime_period}, std::pair{"cpu-share", &r.cpu.shares}})
    if (auto v = given(inv, flag)) *dest = TRY(parse_int_flag<std::uint64_t>(flag, *v));
  if (r.cpu.shares == 0u) r.cpu.shares.reset();  // as in config.json: 0 is Docker's "unset"
  for (auto [flag, dest] : {std::pair{"cpu-quota", &r.cpu.quota}, std::pair{"cpu-rt-runtime", &r.cpu.realtime_runtime}})
    if (auto v = given(inv, flag)) *dest = TRY(parse_int_flag<std::int64_t>(flag, *v));
  if (auto v = given(inv, "cpu-idle")) {
    std::int64_t idle = TRY(parse_int_flag<std::int64_t>("cpu-idle", *v));
    if (idle != 0 && idle != 1) return tl::unexpected(bad_flag("cpu-idle", *v, "out of range (0 or 1)"));
    r.cpu.idle = idle;
  }
  for (auto [flag, dest] : {std::pair{"cpuset-cpus", &r.cpu.cpus}, std::pair{"cpuset-mems", &r.cpu.mems}}) {
    if (auto v = given(inv, flag)) {
      if (Result<std::vector<IdRange>> list = parse_cpuset_list(*v); !list)
        return tl::unexpected(bad_flag(flag, *v, list.error().msg));
      *dest = std::string(*v);
    }
  }
  for (auto [flag, dest] : {std::pair{"memory", &r.memory.limit}, std::pair{"memory-swap", &r.memory.swap},
                            std::pair{"memory-reservation", &r.memory.reservation}}) {
    if (auto v = given(inv, flag)) {
      Result<std::int64_t> bytes = parse_memory_size(*v);
      if (!bytes) return tl::unexpected(bad_flag(flag, *v, bytes.error().msg));
      *dest = *bytes;
    }
  }
  // runc ignores these (kernel memory accounting cannot be limited since
  // Linux 5.16), with a warning.
  for (const char* flag : {"kernel-memory", "kernel-memory-tcp"})
    if (given(inv, flag)) log::warn(std::string("update: --") + flag + " is ignored");
  if (auto v = given(inv, "pids-limit")) {
    std::int64_t n = TRY(parse_int_flag<std::int64_t>("pids-limit", *v));
    // runc: 0 leaves the limit alone, any negative number removes it.
    if (n != 0) r.pids.limit = n < 0 ? -1 : n;
  }
  // Intel RDT (resctrl) is not implemented: refused, as runc refuses it on
  // a host without it, rather than ignored.
  if (given(inv, "l3-cache-schema")) return fail("Intel RDT/CAT: l3 cache schema is not enabled", ENOTSUP);
  if (given(inv, "mem-bw-schema")) return fail("Intel RDT/MBA: memory bandwidth schema is not enabled", ENOTSUP);
  return r;
}

void merge_resources(LinuxResources& s, const LinuxResources& u) {
  auto take = [](auto& dst, const auto& src) {
    if (src) dst = src;
  };
  take(s.memory.limit, u.memory.limit);
  take(s.memory.reservation, u.memory.reservation);
  take(s.memory.swap, u.memory.swap);
  if (u.memory.limit == -1 && !u.memory.swap) s.memory.swap = -1;
  take(s.memory.kernel, u.memory.kernel);
  take(s.memory.kernel_tcp, u.memory.kernel_tcp);
  take(s.memory.swappiness, u.memory.swappiness);
  take(s.memory.disable_oom_killer, u.memory.disable_oom_killer);
  take(s.memory.use_hierarchy, u.memory.use_hierarchy);
  take(s.memory.check_before_update, u.memory.check_before_update);
  take(s.cpu.shares, u.cpu.shares);
  take(s.cpu.quota, u.cpu.quota);
  take(s.cpu.burst, u.cpu.burst);
  take(s.cpu.period, u.cpu.period);
  take(s.cpu.realtime_runtime, u.cpu.realtime_runtime);
  take(s.cpu.realtime_period, u.cpu.realtime_period);
  take(s.cpu.cpus, u.cpu.cpus);
  take(s.cpu.mems, u.cpu.mems);
  take(s.cpu.idle, u.cpu.idle);
  take(s.block_io.weight, u.block_io.weight);
  take(s.block_io.leaf_weight, u.block_io.leaf_weight);
  auto take_list = [](auto& dst, const auto& src) {
    if (!src.empty()) dst = src;
  };
  take_list(s.block_io.weight_device, u.block_io.weight_device);
  take_list(s.block_io.throttle_read_bps_device, u.block_io.throttle_read_bps_device);
  take_list(s.block_io.throttle_write_bps_device, u.block_io.throttle_write_bps_device);
  take_list(s.block_io.throttle_read_iops_device, u.block_io.throttle_read_iops_device);
  take_list(s.block_io.throttle_write_iops_device, u.block_io.throttle_write_iops_device);
  take_list(s.hugepage_limits, u.hugepage_limits);
  take(s.pids.limit, u.pids.limit);
  for (const auto& [k, v] : u.unified) s.unified[k] = v;
}

std::string serialize_resources(const LinuxResources& r) {
  json::Writer w;
  w.begin_object();
  w.key("devices").begin_array();
  for (const LinuxDeviceCgroup& d : r.devices) {
    w.begin_object().key("allow").value(d.allow);
    w.key("type").value(d.type == DeviceCgroupType::Char ? "c" : d.type == DeviceCgroupType::Block ? "b" : "a");
    opt_member(w, "major", d.major);
    opt_member(w, "minor", d.minor);
    w.key("access").value(access_text(d.access)).end_object();
  }
  w.end_array();
  const LinuxMemory& m = r.memory;
  w.key("memory").begin_object();
  opt_member(w, "limit", m.limit);
  opt_member(w, "reservation", m.reservation);
  opt_member(w, "swap", m.swap);
  opt_member(w, "kernel", m.kernel);
  opt_member(w, "kernelTCP", m.kernel_tcp);
  opt_member(w, "swappiness", m.swappiness);
  opt_member(w, "disableOOMKiller", m.disable_oom_killer);
  opt_member(w, "useHierarchy", m.use_hierarchy);
  opt_member(w, "checkBeforeUpdate", m.check_before_update);
  w.end_object();
  const LinuxCpu& c = r.cpu;
  w.key("cpu").begin_object();
  opt_member(w, "shares", c.shares);
  opt_member(w, "quota", c.quota);
  opt_member(w, "burst", c.burst);
  opt_member(w, "period", c.period);
  opt_member(w, "realtimeRuntime", c.realtime_runtime);
  opt_member(w, "realtimePeriod", c.realtime_period);
  opt_member(w, "cpus", c.cpus);
  opt_member(w, "mems", c.mems);
  opt_member(w, "idle", c.idle);
  w.end_object();
  const LinuxBlockIo& b = r.block_io;
  w.key("blockIO").begin_object();
  opt_member(w, "weight", b.weight);
  opt_member(w, "leafWeight", b.leaf_weight);
  if (!b.weight_device.empty()) {
    w.key("weightDevice").begin_array();
    for (const LinuxWeightDevice& d : b.weight_device) {
      w.begin_object().key("major").value(d.major).key("minor").value(d.minor);
      opt_member(w, "weight", d.weight);
      opt_member(w, "leafWeight", d.leaf_weight);
      w.end_object();
    }
    w.end_array();
  }
  throttle_list(w, "throttleReadBpsDevice", b.throttle_read_bps_device);
  throttle_list(w, "throttleWriteBpsDevice", b.throttle_write_bps_device);
  throttle_list(w, "throttleReadIOPSDevice", b.throttle_read_iops_device);
  throttle_list(w, "throttleWriteIOPSDevice", b.throttle_write_iops_device);
  w.end_object();
  if (!r.hugepage_limits.empty()) {
    w.key("hugepageLimits").begin_array();
    for (const LinuxHugepageLimit& h : r.hugepage_limits)
      w.begin_object().key("pageSize").value(h.page_size).key("limit").value(h.limit).end_object();
    w.end_array();
  }
  if (r.network.class_id || !r.network.priorities.empty()) {
    w.key("network").begin_object();
    opt_member(w, "classID", r.network.class_id);
    if (!r.network.priorities.empty()) {
      w.key("priorities").begin_array();
      for (const LinuxInterfacePriority& p : r.network.priorities)
        w.begin_object().key("name").value(p.name).key("priority").value(p.priority).end_object();
      w.end_array();
    }
    w.end_object();
  }
  if (r.pids.limit) w.key("pids").begin_object().key("limit").value(*r.pids.limit).end_object();
  if (!r.rdma.empty()) {
    w.key("rdma").begin_object();
    for (const auto& [name, lim] : r.rdma) {
      w.key(name).begin_object();
      opt_member(w, "hcaHandles", lim.hca_handles);
      opt_member(w, "hcaObjects", lim.hca_objects);
      w.end_object();
    }
    w.end_object();
  }
  if (!r.unified.empty()) {
    w.key("unified").begin_object();
    for (const auto& [k, v] : r.unified) w.key(k).value(v);
    w.end_object();
  }
  w.end_object();
  return w.take();
}

Result<std::string> replace_config_resources(std::string_view config_text, std::string_view resources_json) {
  json::Document doc = TRY(json::Document::parse(config_text));
  json::Node root = doc.root();
  TRY(root.expect(json::Type::Object));
  // An explicit stack rather than recursion: unknown members of a config
  // may nest deeply, and the parser itself does not recurse either.
  enum class Role { Other, Root, Linux };
  struct Frame {
    json::Node node;
    std::size_t next = 0;
    Role role = Role::Other;
    bool replaced = false;  // Root: linux seen; Linux: resources seen
  };
  json::Writer w(2);
  std::vector<Frame> stack;
  auto open = [&](const json::Node& n, Role role) {
    if (n.is_object()) w.begin_object();
    else w.begin_array();
    stack.push_back(Frame{n, 0, role, false});
  };
  open(root, Role::Root);
  while (!stack.empty()) {
    Frame& f = stack.back();
    bool object = f.node.is_object();
    std::size_t count = object ? f.node.member_count() : f.node.size();
    if (f.next == count) {
      if (f.role == Role::Root && !f.replaced) w.key("linux").begin_object().key("resources").raw(resources_json).end_object();
      if (f.role == Role::Linux && !f.replaced) w.key("resources").raw(resources_json);
      if (object) w.end_object();
      else w.end_array();
      stack.pop_back();
      continue;
    }
    std::size_t i = f.next++;
    json::Node child = object ? f.node.member_value(i) : f.node.at(i);
    Role child_role = Role::Other;
    if (object) {
      std::string_view name = f.node.member_name(i);
      w.key(name);
      if (f.role == Role::Root && json::key_matches(name, "linux") && child.is_object()) {
        f.replaced = true;
        child_role = Role::Linux;
      } else if (f.role == Role::Linux && json::key_matches(name, "resources")) {
        f.replaced = true;
        w.raw(resources_json);
        continue;
      }
    }
    switch (child.type()) {
      case json::Type::Null: w.null(); break;
      case json::Type::Bool: w.value(child.boolean().value_or(false)); break;
      case json::Type::Number: copy_number(w, child); break;
      case json::Type::String: w.value(TRY(child.raw_string())); break;
      case json::Type::Array:
      case json::Type::Object: open(child, child_role); break;
    }
  }
  std::string out = w.take();
  out += '\n';
  return out;
}

Result<> update_container(ContainerLock& lock, const LinuxResources& update) {
  ContainerState st = TRY(lock.load());
  Status status = current_status(st);
  if (status == Status::Stopped || status == Status::Creating) return fail("container not running", ESRCH);
  std::string text = TRY_CTX(fs::read_file_at(lock.dir_fd(), "config.json"), "read the container's saved config.json");
  Spec spec = TRY_CTX(parse_spec(text), "saved config.json");
  LinuxResources merged = spec.linux.resources.value_or(LinuxResources{});
  merge_resources(merged, update);
  ContainerCgroups cg = TRY(cgroups_of(st));
  // checkBeforeUpdate guards a new memory limit only (runc's reading).
  if (update.memory.limit) TRY(check_memory_before_update(cg, merged));
  // The device rules stay as create made them (merge_resources takes none,
  // as runc's update): not rewritten, so the container never meets the
  // deny-all that v1 goes through on the way.
  if (!update.devices.empty())
    log::warn("update: linux.resources.devices: device rules are not changed by update; kept as they are");
  TRY(apply_resources(cg, merged, false));
  std::string new_text = TRY_CTX(replace_config_resources(text, serialize_resources(merged)), "saved config.json");
  TRY_CTX(fs::write_file_atomic(lock.dir_fd(), "config.json", new_text), "save config.json");
  return {};
}

}  // namespace ocirun
