// config.json mount options to what the kernel takes: deciding, kept apart
// from doing (the mounting itself is in mounts.cpp), so it is unit-tested.
//
// Mounts are made with the new mount API (fsopen/fsmount, open_tree,
// mount_setattr, move_mount), so an option lands in one of four places:
// - a superblock flag, given to fsconfig(FSCONFIG_SET_FLAG) of a new
//   filesystem (ro, sync, dirsync, lazytime, mand and their opposites);
// - a mount attribute (MOUNT_ATTR_*), set with mount_setattr on the new
//   mount only (ro, nosuid, nodev, noexec, the atime family, nosymfollow),
//   or on it and every mount below it (the spec's r* options, AT_RECURSIVE);
// - propagation, set once the mount is attached;
// - filesystem data (mode=755, size=64m, ...), one fsconfig parameter each.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ocirun/error.hpp"

namespace ocirun {

// A change of mount attributes, as struct mount_attr carries it.
struct MountAttrChange {
  std::uint64_t set = 0;  // MOUNT_ATTR_* bits to set
  std::uint64_t clr = 0;  // MOUNT_ATTR_* bits to clear (MOUNT_ATTR__ATIME for any atime change)
  bool empty() const { return set == 0 && clr == 0; }
};

enum class IdmapKind { None, Top, Recursive };  // idmap, ridmap

struct MountOptions {
  // mount(2) flags, for the one case that still uses mount(2): `remount`
  // (MS_REMOUNT is here, and MS_BIND | MS_REC for rbind).
  unsigned long flags = 0;
  unsigned long propagation = 0;  // MS_SHARED/SLAVE/PRIVATE/UNBINDABLE, with MS_REC for r*
  bool bind = false;
  bool recursive = false;         // rbind
  bool remount = false;
  MountAttrChange attr;           // for the new mount itself
  MountAttrChange rattr;          // for it and every mount below (r* options)
  std::vector<std::string> sb_flags;  // "ro", "sync", ...: fsconfig flags of a new superblock
  bool tmpcopyup = false;
  IdmapKind idmap = IdmapKind::None;
  // Options that are not flags, for the filesystem, in order: each one
  // fsconfig parameter ("mode=755"); `data` is the same joined with commas
  // as mount(2) would take it.
  std::vector<std::string> fs_params;
  std::string data;
};

// Later options override earlier ones (ro then rw is rw), as mount(8) reads
// them; any unknown option goes to the filesystem as data.
Result<MountOptions> parse_mount_options(const std::vector<std::string>& options);

// linux.mountLabel as SELinux's `context=` parameter of a new filesystem
// of `type`, as runc applies it: to tmpfs, devpts and other filesystems,
// not to bind mounts (they keep their source's labels), nor to proc,
// sysfs, mqueue and cgroup, which take no context=. Adds nothing for an
// empty label. The caller applies it only when SELinux is enabled (when it
// is not, the label is ignored, as runc does). Pure.
void add_mount_label(MountOptions& opts, std::string_view type, const std::string& label);

// Every option parse_mount_options applies (for `ocirun features`), sorted.
std::vector<std::string> recognized_mount_options();

}  // namespace ocirun
