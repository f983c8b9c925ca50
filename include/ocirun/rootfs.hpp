// The container's root filesystem, built by its init: the mounts of the
// config inside the rootfs, the default devices, then pivot_root and the
// properties of the new root. Internal to the lifecycle; runs in the init,
// in the container's mount namespace.
#pragma once

#include "ocirun/container_init.hpp"
#include "ocirun/error.hpp"
#include "ocirun/unique_fd.hpp"

namespace ocirun {

// Before the createContainer hooks: makes the mount tree private to the
// container, binds the rootfs onto itself and mounts the config's mounts
// and the default devices in it. Returns an fd of the rootfs.
Result<UniqueFd> prepare_rootfs(const InitContext& ctx);

// After those hooks: makes the rootfs "/" (pivot_root, or MS_MOVE + chroot
// with --no-pivot), then applies rootfsPropagation and root.readonly.
Result<> enter_rootfs(const InitContext& ctx, int root_fd);

// Makes `path` inside the tree of root_fd, as a directory or (file) an
// empty file, with every component resolved inside the tree.
Result<> make_in_root(int root_fd, const std::string& path, bool file);

}  // namespace ocirun
