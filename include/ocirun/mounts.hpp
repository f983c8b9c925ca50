// Safe mount machinery for building a container's root filesystem.
//
// Every path inside the container is resolved in the rootfs (openat2 with
// RESOLVE_IN_ROOT), and mounts are made by fd with the new mount API: a
// detached mount (open_tree of a bind source, or fsopen/fsmount of a new
// filesystem) is given its attributes and then attached with move_mount on
// an fd of the destination. A symlink in the image, or one swapped in by a
// racing process, can redirect a path only to somewhere else inside the
// rootfs, never onto the host (CVE-2021-30465, CVE-2024-45310).
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "ocirun/error.hpp"
#include "ocirun/mount_options.hpp"
#include "ocirun/unique_fd.hpp"

namespace ocirun::mnt {

// `path` made lexically clean and relative to the rootfs: "/a/./b/../c" is
// "a/c"; ".." at the top stays at the top; "/" is ".". Pure.
std::string clean_in_root(std::string_view path);

// Opens `path` inside the tree of root_fd (RESOLVE_IN_ROOT and no magic
// links; with no_symlinks, no symlink at all may be crossed).
Result<UniqueFd> open_in_root(int root_fd, std::string_view path, int flags, bool no_symlinks = false);

// mkdir -p inside the tree of root_fd: each missing directory is made with
// mkdirat on an fd of its parent, itself resolved inside the tree, so no
// component can lead the creation out of it (CVE-2024-45310). Returns an
// O_PATH fd of the directory.
Result<UniqueFd> mkdir_all(int root_fd, std::string_view path, mode_t mode = 0755);

// The destination of a mount, made if missing as a directory or (file) an
// empty regular file, in a parent made by mkdir_all. Returns an O_PATH fd.
Result<UniqueFd> make_target(int root_fd, std::string_view path, bool file, bool no_symlinks = false);

// A detached copy of the mount tree at `path` (or of dir_fd itself with an
// empty path), recursive or not: open_tree(OPEN_TREE_CLONE).
Result<UniqueFd> clone_tree(int dir_fd, const std::string& path, bool recursive);

// A detached mount of a new filesystem: fsopen(type), its source, the
// superblock flags and the filesystem parameters ("mode=755", "newinstance")
// with fsconfig, then fsmount.
Result<UniqueFd> new_filesystem(const std::string& type, const std::string& source,
                                const MountOptions& opts);

// mount_setattr on a mount fd, on that mount only or (recursive) on every
// mount below too.
Result<> set_attrs(int mnt_fd, const MountAttrChange& change, bool recursive);
Result<> set_propagation(int mnt_fd, unsigned long propagation);

// move_mount of a detached (or attached) mount onto the target fd.
Result<> attach(int mnt_fd, int target_fd);

// fstatfs(fd).f_type == magic, else an error naming `what`.
Result<> check_fs_type(int fd, long magic, std::string_view what);

// A fresh procfs instance of the caller's pid namespace, detached: reachable
// through this fd only, so nothing the container mounts can redirect a
// write made through it (CVE-2025-52881).
Result<UniqueFd> private_procfs();

// Opens a file under a procfs fd, crossing no symlink and no other mount
// (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV), and checks that
// what was opened is on procfs.
Result<UniqueFd> open_proc_file(int proc_fd, std::string_view path, int flags);

// Copies the contents of the directory src_fd into dst_fd (for tmpcopyup):
// files, directories, symlinks and device nodes, with their modes, owners
// and times. Never follows a symlink.
Result<> copy_tree(int src_fd, int dst_fd);

}  // namespace ocirun::mnt
