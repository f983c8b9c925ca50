// process.apparmorProfile and process.selinuxLabel: the label the user's
// program gets at its exec.
//
// The runtime checks, before anything is created, that the LSM a label is
// for is enabled on this host: a label asked for and not applied would be
// a container less confined than its config says, so that is an error.
//
// The label goes to the thread's exec attribute through a procfs that
// nothing in the container can reach or redirect (CVE-2019-16884,
// CVE-2025-52881): a procfs instance of the caller's own, made (fsopen)
// before the container's mounts exist and reachable through its fd only;
// the attribute is opened under it without crossing a symlink or a mount,
// and checked to be on procfs. A mount over /proc/self/attr in the
// container, a fake /proc or a symlink there change nothing.
#pragma once

#include <string>

#include "ocirun/error.hpp"
#include "ocirun/spec.hpp"
#include "ocirun/unique_fd.hpp"

namespace ocirun {

bool apparmor_enabled();
bool selinux_enabled();

// Runtime side: an error naming the field when its LSM is off.
Result<> check_lsm_labels(const Process& proc);

// Init and exec side, before the container's mounts are the caller's: the
// procfs the labels will be written through, at an fd >= min_fd (above the
// preserved fds, so that it never reaches the program); empty when the
// config sets no label. A new procfs instance of the caller's pid
// namespace; where the kernel refuses one (a user namespace whose /proc is
// partly masked: "too revealing"), a clone of /proc's own mount without
// the mounts on top of it, checked to be a procfs root.
Result<UniqueFd> open_lsm_procfs(const Process& proc, int min_fd);

// Init and exec side, before the user switch: writes the labels to this
// thread's exec attribute under `procfs` (open_lsm_procfs). They take
// effect at the next execve.
Result<> apply_lsm_labels(const Process& proc, int procfs);

}  // namespace ocirun
