// linux.sysctl: only keys the kernel keeps per namespace are accepted, and
// only when the container has its own namespace of that kind; the values
// are written through a private procfs instance (mnt::private_procfs),
// which nothing in the container can redirect (CVE-2025-52881).
#pragma once

#include <string>
#include <string_view>

#include "ocirun/error.hpp"
#include "ocirun/spec.hpp"

namespace ocirun {

// The path under /proc/sys of a key: net.ipv4.ip_forward is
// net/ipv4/ip_forward; a key with slashes is a path already (its dots
// belong to names, as in net/ipv4/conf/eth0.100/rp_filter). Refuses keys
// that are not namespaced, or whose namespace the container shares with
// the host, with an error naming the key and the reason. Pure.
Result<std::string> sysctl_path(std::string_view key, const Linux& linux);

// Checks every key, then writes each value, through proc_fd (a procfs
// root: see mnt::private_procfs).
Result<> apply_sysctl(const Linux& linux, int proc_fd);

// apply_sysctl through a private procfs of the caller's pid namespace
// (mnt::private_procfs); nothing to do without sysctls.
Result<> write_sysctls(const Linux& linux);

}  // namespace ocirun
