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
#include <string>
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

// The writes for v1 controllers (a hybrid or legacy host), including the
// device rules as devices.deny/devices.allow lines. `unified` keys go to the
// hybrid host's cgroup2 dir (controller "unified"), as runc does.
Result<std::vector<CgroupWrite>> plan_cgroup_v1(const LinuxResources& r);

// The device rules the container gets: everything denied, then the
// config's rules in order, then the devices every container has (null,
// zero, full, random, urandom, tty, console, ptmx, pts), as runc and crun
// add them. Later rules win.
std::vector<LinuxDeviceCgroup> effective_device_rules(const std::vector<LinuxDeviceCgroup>& config);

// A rule as the v1 devices controller reads it: "c 1:3 rwm", "a".
std::string device_rule_v1(const LinuxDeviceCgroup& rule);

// The controllers a list of writes needs, each once, in first-use order.
std::vector<std::string> needed_controllers(const std::vector<CgroupWrite>& writes);

}  // namespace ocirun
