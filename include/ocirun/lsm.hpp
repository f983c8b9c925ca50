// process.apparmorProfile and process.selinuxLabel: the label the user's
// program gets at its exec.
//
// The runtime checks, before anything is created, that the LSM a label is
// for is enabled on this host: a label asked for and not applied would be
// a container less confined than its config says, so that is an error.
// The init writes the label to its own exec attribute just before execve,
// through a procfs handle it opened and verified (fstatfs: PROC_SUPER_MAGIC)
// before the container's mounts existed: a mount over /proc/self/attr in
// the container cannot redirect the write (CVE-2019-16884).
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

// Init side, before the rootfs is set up: the thread's attr directory in
// the host's procfs, verified; empty when the config sets no label.
Result<UniqueFd> open_lsm_attr(const Process& proc);

// Init side, right before execve: writes the labels through `attr`.
Result<> apply_lsm_labels(const Process& proc, int attr);

}  // namespace ocirun
