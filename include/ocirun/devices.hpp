// Device nodes in the container: the default set every container gets
// (config-linux.md "Default Devices") and linux.devices. Made with mknod,
// or, in a user namespace where mknod of a device is refused, bind-mounted
// from the host's node of the same type and numbers. Every path is resolved
// inside the rootfs; host nodes are checked to be what they claim before
// they are bound.
#pragma once

#include <sys/types.h>

#include <vector>

#include "ocirun/error.hpp"
#include "ocirun/spec.hpp"
#include "ocirun/unique_fd.hpp"

namespace ocirun {

// The default devices as linux.devices entries (/dev/null, zero, full,
// random, urandom, tty: char devices, mode 0666, owned by root). Pure.
std::vector<LinuxDevice> default_devices();

// The host's /dev/null, opened O_PATH and checked to be the char device
// 1:3 (an image's /dev/null is never used: CVE-2025-31133).
Result<UniqueFd> open_host_dev_null();

// Makes each device at its path in the tree of root_fd; a file already
// there is an error unless it is the same device (then remade with the
// requested mode and owner). bind: bind the host's node.
Result<> make_devices(int root_fd, const std::vector<LinuxDevice>& devices, bool bind);

// The /dev links: fd, stdin, stdout, stderr, ptmx (to pts/ptmx), where the
// image has nothing at those names.
Result<> make_dev_links(int root_fd);

}  // namespace ocirun
