// linux.resources -> cgroup file writes: the pure "decide" half of the
// cgroup backends. Nothing here touches the filesystem; cgroup_apply.cpp
// performs the writes these functions return, into directories it is given.
//
// The conversions are runc's, so that a config behaves the same under both
// runtimes (the engines that write config.json test against runc):
//   - cpu.shares (2..262144) -> cpu.weight (1..10000): 1 + (shares-2)*9999/262142
//   - blkio weight (10..1000) -> io.weight (1..10000): 1 + (weight-10)*9999/990,
//     used only where io.bfq.weight (same range as v1) is missing
//   - memory.swap is memory+swap (v1's memsw); v2's memory.swap.max is swap
//     alone: swap - limit, with runc's special cases for 0 and -1
//   - a zero where Go's zero value means "unset" (memory limits, cpu quota and
//     period, rt values) writes nothing, as in runc
// Fields with no v2 equivalent are ignored as runc ignores them (kernel,
// kernelTCP, swappiness, disableOOMKiller, useHierarchy, leaf weights) or
// refused where runc refuses them or ignoring them would loosen a limit
// (realtime, network).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ocirun/error.hpp"
#include "ocirun/spec_resources.hpp"

namespace ocirun {

// One write into the container's cgroup.
struct CgroupWrite {
  // The controller the file belongs to: on v1, which hierarchy's directory
  // it goes to ("unified" for the cgroup2 dir of a hybrid host); on v2, the
  // controller to enable in the ancestors' cgroup.subtree_control ("" for
  // files of the core, cgroup.*).
  std::string controller;
  std::string file;
  std::string value;
  // The JSON path of the config field it comes from, for error messages.
  std::string field;
  // A missing file (ENOENT) is fine: the kernel lacks an optional feature
  // (swap accounting, hugetlb reservations) and the value asks for nothing.
  bool optional = false;
  // Written instead when `file` does not exist (io.bfq.weight -> io.weight).
  std::string alt_file;
  std::string alt_value;

  bool operator==(const CgroupWrite&) const = default;
};

// runc's conversions, exposed for the tests.
std::uint64_t cpu_shares_to_weight(std::uint64_t shares);
std::uint64_t blkio_weight_to_io_weight(std::uint64_t weight);
// memory.swap (memory+swap) -> memory.swap.max. -1 is "max", 0 is "unset".
Result<std::int64_t> memory_swap_to_v2(std::int64_t swap, std::int64_t limit);

// The writes for a cgroup v2 host. `devices` are not among them: on v2 they
// become an eBPF program (bpf_devices.hpp).
Result<std::vector<CgroupWrite>> plan_cgroup_v2(const LinuxResources& r);

// What the v1 plan needs to know of the cgroup as it is now (for update:
// the order of some writes depends on the values they replace). Unset is a
// new cgroup, where every limit starts unlimited.
struct CgroupV1Now {
  // memory.limit_in_bytes. The kernel keeps memory.limit_in_bytes <=
  // memory.memsw.limit_in_bytes at every step, so whether memsw or the
  // limit is written first depends on it (runc orders them the same way).
  std::optional<std::uint64_t> memory_limit;
};

// The writes for v1 controllers (a hybrid or legacy host), including the
// device rules as devices.deny/devices.allow lines. `unified` keys go to the
// hybrid host's cgroup2 dir (controller "unified"), as runc does.
Result<std::vector<CgroupWrite>> plan_cgroup_v1(const LinuxResources& r, const CgroupV1Now& now = {});

// The device rules the container gets: everything denied, then the
// config's rules in order, then the devices every container has (null,
// zero, full, random, urandom, tty, console, ptmx, pts), as runc and crun
// add them. Later rules win.
std::vector<LinuxDeviceCgroup> effective_device_rules(const std::vector<LinuxDeviceCgroup>& config);

// Device rules reduced the way the v1 devices controller reduces them: a
// default (the last "a" rule) and exceptions to it, one per (type, major,
// minor), each with the default's opposite verdict and the union of the
// accesses given to it. Both backends use it: v1 writes exactly this set,
// and the v2 eBPF filter checks exactly this set, so a config means the same
// on both (runc reduces its rules with an emulator of v1 for the same
// reason).
//   - A rule of type "a" for every device and every access ("a *:* rwm")
//     resets: it becomes the default and the exceptions go. An "a" rule
//     narrower than that stands for its "c" and its "b" rule. (The v1
//     kernel and runc take any "a" rule as a reset, so that "allow a 1:3 r"
//     allows everything; the spec says "a" means all types, which is the
//     narrower reading, and the one taken here.)
//   - A rule with the default's verdict takes its accesses out of every
//     exception inside it ("deny c *:* w" takes "w" from "c 1:3 rw"). The
//     v1 kernel takes them only from the exception with exactly its
//     numbers; since the reduced set is what v1 is given, both backends get
//     the fuller reading. An exception that overlaps the rule without being
//     inside it ("c *:* rwm" for "deny c 1:3 w") would have to be split,
//     which the controller cannot express: for a deny in an allow-list
//     keeping it would leave allowed what the config denies, so it is
//     refused (as runc refuses it); an allow in a deny-list only leaves
//     denied what the config allows, and is let be (as v1 does).
struct DeviceRuleSet {
  bool default_allow = false;
  std::vector<LinuxDeviceCgroup> exceptions;  // in first-use order; allow == !default_allow

  bool operator==(const DeviceRuleSet&) const = default;
};
Result<DeviceRuleSet> reduce_device_rules(const std::vector<LinuxDeviceCgroup>& rules);

// Pure: whether the reduced rules let a process have `access` (kDevice*
// bits, one or several at once, as in an O_RDWR open) to a device. An allow
// exception must grant every asked access; a deny exception refuses when
// it covers any of them. (The v1 kernel and runc refuse only when a deny
// covers all of them, so that "deny c 1:3 w" in a deny-list does not stop
// an O_RDWR open; this errs the other way.) The eBPF filter is built to the
// same rule; the unit tests check the two agree.
bool device_access_allowed(const DeviceRuleSet& set, DeviceCgroupType type, std::uint32_t major, std::uint32_t minor,
                           std::uint8_t access);

// A rule as the v1 devices controller reads it: "c 1:3 rwm", "a".
std::string device_rule_v1(const LinuxDeviceCgroup& rule);

// linux.resources.hugepageLimits[].pageSize must be a size the kernel has
// (config-linux.md: it "must match" the <hugepagesize> of a hugetlb file):
// refused, naming the field, when it is not among `host_sizes`
// (host_hugepage_sizes()). Checked before any write, on create and update.
Result<> check_hugepage_sizes(const std::vector<LinuxHugepageLimit>& limits, const std::vector<std::string>& host_sizes);

// Pure: "hugepages-2048kB" (a directory of /sys/kernel/mm/hugepages) as the
// cgroup files spell the size: "2MB" (the largest unit that divides it, as
// the kernel's hugetlb controller names them); "" for other names.
std::string hugepage_dir_to_size(std::string_view dirname);

// The controllers a list of writes needs, each once, in first-use order.
std::vector<std::string> needed_controllers(const std::vector<CgroupWrite>& writes);

}  // namespace ocirun
