// The cgroup v2 device filter: cgroup v2 has no devices controller, so the
// device rules become a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the
// container's cgroup. The runtime assembles it from raw instructions and
// loads it with the bpf syscall (no libbpf, no compiler at run time).
//
// The program gets a struct bpf_cgroup_dev_ctx {access_type, major, minor}
// for each open/mknod of a device node and returns 1 to allow, 0 to deny.
// Rules are checked from the last to the first, so the last matching rule
// wins (as in the v1 controller); nothing matching means deny.
#pragma once

#include <linux/bpf.h>

#include <vector>

#include "ocirun/error.hpp"
#include "ocirun/spec_resources.hpp"
#include "ocirun/unique_fd.hpp"

namespace ocirun {

// Pure: the program for these rules (in config order; effective_device_rules()
// adds the leading deny-all and the default devices).
//
// An allow rule matches when every requested access is in the rule's; a
// deny rule when any requested access is in it. That is exact for a single
// access and errs on the side of deny for combined ones (an O_RDWR open of a
// device allowed "r" by one rule and "w" by another is denied).
std::vector<bpf_insn> build_device_filter(const std::vector<LinuxDeviceCgroup>& rules);

// Loads the program into the kernel (bpf BPF_PROG_LOAD); the verifier's log
// is in the error when it refuses.
Result<UniqueFd> load_device_filter(const std::vector<bpf_insn>& program);

// Attaches prog_fd to the cgroup (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI, so
// the parents' filters still apply). A program this runtime attached
// earlier is replaced in one step (BPF_F_REPLACE), so that an update never
// leaves the cgroup without a filter; extra ones are detached after.
Result<> attach_device_filter(int cgroup_fd, int prog_fd);

}  // namespace ocirun
