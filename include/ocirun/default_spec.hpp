// The config.json that `ocirun spec` writes: a minimal container running
// `sh` in a read-only `rootfs`, modelled on what `runc spec` writes, so that
// instructions written for runc work unchanged.
#pragma once

#include <sys/types.h>

#include <string>

namespace ocirun {

// The default config.json text: pretty-printed with 4 spaces, ending with a
// newline. rootless adds a user namespace that maps the current euid/egid
// to 0 (size 1) and drops what an unprivileged user cannot set up: the
// network namespace (so /sys is an rbind of the host's, since sysfs can only
// be mounted by the owner of the network namespace), gid= / uid= mount
// options (the ids would not be mapped), and linux.resources.
std::string default_spec_json(bool rootless);

// The same, with the host ids the rootless mappings use given explicitly.
std::string default_spec_json(bool rootless, uid_t host_uid, gid_t host_gid);

}  // namespace ocirun
