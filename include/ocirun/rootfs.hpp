// The container's root filesystem, built by its init: the mounts of the
// config inside the rootfs, the devices, sysctl, then pivot_root, masked
// and read-only paths and the properties of the new root. Internal to the
// lifecycle; runs in the init, in the container's mount namespace.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

#include "ocirun/container_init.hpp"
#include "ocirun/error.hpp"
#include "ocirun/unique_fd.hpp"

namespace ocirun {

// What prepare_rootfs hands to enter_rootfs.
struct Rootfs {
  UniqueFd root;      // the rootfs, bound onto itself (a mount point)
  // A detached copy of the host's /dev/null, verified 1:3, for the first
  // masked file: made before pivot_root, after which the host's mounts are
  // out of reach (the later masked files get copies of that first mask).
  UniqueFd dev_null;
};

// ---- bind sources opened by the runtime ----
//
// In a container with a user namespace the init is root only there: a bind
// source under a directory closed to that root (a 0700 dir of the host's
// root, such as the state dir holding NOTIFY_SOCKET's proxy) cannot be
// opened by it, and an idmapped mount needs CAP_SYS_ADMIN over the source
// filesystem's user namespace (the host's). So the runtime, with the
// host's privileges, makes each bind mount's detached tree (open_tree
// OPEN_TREE_CLONE, idmapped and with its attributes set) and sends it to
// the init over the sync socket (SyncType::MountSource, code = the index
// in mounts) before RuntimeDone; the init attaches it at the destination
// it resolves inside the rootfs. As runc does with its mount source fds.

// One detached bind tree and the index of its entry in mounts.
struct MountSource {
  std::size_t index = 0;
  UniqueFd tree;
};

// Whether the runtime makes the bind trees for the init: a new user
// namespace and a new mount namespace (with either joined by path, the
// init opens the sources itself, as root of that namespace). Pure.
bool runtime_makes_bind_trees(const Spec& spec);

// The runtime's side, once the init `pid` exists and its id maps are
// written: the detached tree of every bind mount of the config (not the
// remounts). An idmap without mappings uses the container's user
// namespace (/proc/<pid>/ns/user). Errors carry the
// mount's context ("mounts[i] /dest: ...").
Result<std::vector<MountSource>> make_bind_trees(const Spec& spec, const std::string& bundle, pid_t pid);

// The init's side: the MountSource messages up to RuntimeDone, by mount
// index (an empty fd for the mounts that came without one).
Result<std::vector<UniqueFd>> receive_bind_trees(int sync_fd, std::size_t mount_count);

// Before the createContainer hooks: makes the mount tree a slave of the
// host's, binds the rootfs onto itself, mounts the config's mounts and the
// devices in it and writes the sysctls. bind_trees: those made by the
// runtime, by mount index (consumed; may be empty).
Result<Rootfs> prepare_rootfs(const InitContext& ctx, std::vector<UniqueFd>& bind_trees);

// After those hooks: makes the rootfs "/" (pivot_root, or MS_MOVE + chroot
// with --no-pivot), then applies maskedPaths, readonlyPaths,
// rootfsPropagation and root.readonly.
Result<> enter_rootfs(const InitContext& ctx, Rootfs& rootfs);

}  // namespace ocirun
