// The cgroup v2 device filter: cgroup v2 has no devices controller, so the
// device rules become a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the
// container's cgroup. The runtime assembles it from raw instructions and
// loads it with the bpf syscall (no libbpf, no compiler at run time).
//
// The program gets a struct bpf_cgroup_dev_ctx {access_type, major, minor}
// for each open/mknod of a device node and returns 1 to allow, 0 to deny.
// The rules are the config's reduced as the v1 controller reduces them
// (cgroup_resources.hpp): a default verdict and exceptions to it.
#pragma once

#include <linux/bpf.h>

#include <vector>

#include "ocirun/cgroup_resources.hpp"
#include "ocirun/error.hpp"
#include "ocirun/spec_resources.hpp"
#include "ocirun/unique_fd.hpp"

namespace ocirun {

// Pure: the program for a reduced rule set (reduce_device_rules() of
// effective_device_rules(), the same set v1 is given): each exception is
// checked as device_access_allowed() checks it (an allow must grant every
// asked access, so an O_RDWR open needs "rw" in one exception, which the
// reduction merges from separate "r" and "w" rules; a deny refuses when it
// covers any), then the default.
std::vector<bpf_insn> build_device_filter(const DeviceRuleSet& rules);

// Loads the program into the kernel (bpf BPF_PROG_LOAD); the verifier's log
// is in the error when it refuses.
Result<UniqueFd> load_device_filter(const std::vector<bpf_insn>& program);

// Attaches prog_fd to the cgroup (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI, so
// the parents' filters still apply). A program this runtime attached
// earlier is replaced in one step (BPF_F_REPLACE), so that an update never
// leaves the cgroup without a filter; extra ones are detached after.
Result<> attach_device_filter(int cgroup_fd, int prog_fd);

}  // namespace ocirun
