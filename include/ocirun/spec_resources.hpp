// linux.resources of config.json, which is also the whole document that
// `ocirun update --resources FILE` reads: the typed model and its parser.
//
// The model keeps what the cgroup backends need to decide what to write.
// A std::optional is empty when the field was absent, which for `update`
// means "leave this setting as it is"; it is never a stand-in for zero. A
// few values are folded into "absent" while parsing, where the engines that
// write config.json send them to mean "unset" and runc treats them so (each
// is named at its field). Sub-objects of the spec (memory, cpu, ...) are
// plain members: an absent object and an empty one mean the same thing.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ocirun/error.hpp"
#include "ocirun/json.hpp"

namespace ocirun {

// The `type` of a device cgroup rule.
enum class DeviceCgroupType : std::uint8_t {
  All,    // "a" (also when absent)
  Char,   // "c"
  Block,  // "b"
};

// Bits of a device rule's `access`, as the devices controller spells them.
inline constexpr std::uint8_t kDeviceRead = 1;   // "r"
inline constexpr std::uint8_t kDeviceWrite = 2;  // "w"
inline constexpr std::uint8_t kDeviceMknod = 4;  // "m"
inline constexpr std::uint8_t kDeviceAccessAll = kDeviceRead | kDeviceWrite | kDeviceMknod;

// One entry of linux.resources.devices, applied in order.
struct LinuxDeviceCgroup {
  bool allow = false;
  DeviceCgroupType type = DeviceCgroupType::All;
  // Empty means any number (`*`): the field was absent or -1. Device numbers
  // are 32-bit in the devices controller and in its eBPF replacement.
  std::optional<std::uint32_t> major;
  std::optional<std::uint32_t> minor;
  // kDevice* bits. Absent or "" means "rwm" (as crun; runc refuses an empty
  // access), so a bare {"allow": false} denies everything, the safe reading.
  // Backends write these bits, not the given text, so a repeated letter
  // ("rrw") cannot reach the kernel, which reads only three.
  std::uint8_t access = kDeviceAccessAll;
};

// Memory limits are bytes, with -1 for unlimited; other negatives are refused.
struct LinuxMemory {
  std::optional<std::int64_t> limit;
  std::optional<std::int64_t> reservation;
  std::optional<std::int64_t> swap;        // memory+swap, as cgroup v1's memsw
  std::optional<std::int64_t> kernel;      // NOT RECOMMENDED by the spec
  std::optional<std::int64_t> kernel_tcp;  // NOT RECOMMENDED by the spec
  // 0 to 100. 2^64-1 (Docker's old uint64(-1) for "unset") reads as absent,
  // as runc does.
  std::optional<std::uint64_t> swappiness;
  std::optional<bool> disable_oom_killer;
  std::optional<bool> use_hierarchy;
  std::optional<bool> check_before_update;
};

struct LinuxCpu {
  // Docker always sends shares, 0 when the user set none; 0 reads as absent
  // (runc skips it, and writing it would clamp the group to the minimum).
  std::optional<std::uint64_t> shares;
  std::optional<std::int64_t> quota;  // microseconds per period; negative: unlimited
  std::optional<std::uint64_t> burst; // no larger than a positive quota
  std::optional<std::uint64_t> period;
  std::optional<std::int64_t> realtime_runtime;
  std::optional<std::uint64_t> realtime_period;
  // cpuset lists, already checked by parse_cpuset_list(). "" reads as absent
  // (Go's zero value, which runc ignores).
  std::optional<std::string> cpus;
  std::optional<std::string> mems;
  std::optional<std::int64_t> idle;  // 0 or 1 (SCHED_IDLE)
};

struct LinuxWeightDevice {
  std::uint32_t major = 0;
  std::uint32_t minor = 0;
  // At least one is present. 0 is kept: for a device it removes the rule.
  std::optional<std::uint16_t> weight;
  std::optional<std::uint16_t> leaf_weight;
};

struct LinuxThrottleDevice {
  std::uint32_t major = 0;
  std::uint32_t minor = 0;
  std::uint64_t rate = 0;  // bytes or IOs per second
};

struct LinuxBlockIo {
  // 10 to 1000. Docker always sends weight, 0 when the user set none; 0 reads
  // as absent (runc skips it; the kernel refuses it).
  std::optional<std::uint16_t> weight;
  std::optional<std::uint16_t> leaf_weight;
  std::vector<LinuxWeightDevice> weight_device;
  std::vector<LinuxThrottleDevice> throttle_read_bps_device;
  std::vector<LinuxThrottleDevice> throttle_write_bps_device;
  std::vector<LinuxThrottleDevice> throttle_read_iops_device;
  std::vector<LinuxThrottleDevice> throttle_write_iops_device;
};

struct LinuxHugepageLimit {
  // As the kernel names its hugetlb files ("2MB", "1GB", "64KB"), so that
  // hugetlb.<page_size>.limit_in_bytes and hugetlb.<page_size>.max exist.
  std::string page_size;
  std::uint64_t page_size_bytes = 0;  // a power of two
  std::uint64_t limit = 0;
};

struct LinuxInterfacePriority {
  std::string name;  // a valid interface name (net_prio writes "name prio")
  std::uint32_t priority = 0;
};

struct LinuxNetwork {
  std::optional<std::uint32_t> class_id;
  std::vector<LinuxInterfacePriority> priorities;
};

struct LinuxPids {
  // -1 for no limit; 0 is a real limit. The spec's text makes it optional
  // (its JSON schema says required; the text and Go's *int64 win).
  std::optional<std::int64_t> limit;
};

struct LinuxRdma {
  // At least one is present.
  std::optional<std::uint32_t> hca_handles;
  std::optional<std::uint32_t> hca_objects;
};

struct LinuxResources {
  std::vector<LinuxDeviceCgroup> devices;
  LinuxMemory memory;
  LinuxCpu cpu;
  LinuxBlockIo block_io;
  std::vector<LinuxHugepageLimit> hugepage_limits;
  LinuxNetwork network;
  LinuxPids pids;
  std::map<std::string, LinuxRdma> rdma;  // device name -> limits
  // cgroup v2 file name ("memory.high") -> content, written as given.
  std::map<std::string, std::string> unified;
};

// Parses a LinuxResources object; errors name the path of `node`. Keys
// follow json::Fields' rules, as everywhere in config.json: matched as Go
// matches them, a known key given twice refused.
Result<LinuxResources> parse_linux_resources(const json::Node& node);

// Parses a whole LinuxResources document (`update --resources`); errors
// name paths from its root ("memory.limit: ...").
Result<LinuxResources> parse_linux_resources_text(std::string_view json_text);

// An inclusive range of CPU or memory node numbers.
struct IdRange {
  std::uint32_t first = 0;
  std::uint32_t last = 0;
  bool operator==(const IdRange&) const = default;
};

// The highest CPU or node number a cpuset list may name. The kernel's own
// limits are lower (NR_CPUS is at most 8192); this one only keeps a
// backend that expands a list into a bitmap from being asked for gigabytes.
inline constexpr std::uint32_t kMaxCpusetId = 65535;

// Parses a cpuset list, "0-3,7": numbers and ranges joined by commas, as the
// spec describes (the kernel's strides, "0-7:2/4", are not accepted). The
// error's message is the reason alone, for the caller to prefix.
Result<std::vector<IdRange>> parse_cpuset_list(std::string_view text);

}  // namespace ocirun
