// The container's root filesystem, built by its init: the mounts of the
// config inside the rootfs, the devices, sysctl, then pivot_root, masked
// and read-only paths and the properties of the new root. Internal to the
// lifecycle; runs in the init, in the container's mount namespace.
#pragma once

#include <vector>

#include "ocirun/container_init.hpp"
#include "ocirun/error.hpp"
#include "ocirun/unique_fd.hpp"

namespace ocirun {

// What prepare_rootfs hands to enter_rootfs.
struct Rootfs {
  UniqueFd root;      // the rootfs, bound onto itself (a mount point)
  // Detached copies of the host's /dev/null, verified 1:3, one for each
  // maskedPaths entry: made before pivot_root, after which the host's
  // mounts are out of reach.
  std::vector<UniqueFd> dev_nulls;
};

// Before the createContainer hooks: makes the mount tree a slave of the
// host's, binds the rootfs onto itself, mounts the config's mounts and the
// devices in it and writes the sysctls.
Result<Rootfs> prepare_rootfs(const InitContext& ctx);

// After those hooks: makes the rootfs "/" (pivot_root, or MS_MOVE + chroot
// with --no-pivot), then applies maskedPaths, readonlyPaths,
// rootfsPropagation and root.readonly.
Result<> enter_rootfs(const InitContext& ctx, Rootfs& rootfs);

}  // namespace ocirun
