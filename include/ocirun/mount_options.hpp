// config.json mount options to mount(2) flags: deciding, kept apart from
// doing (the mounting itself is in rootfs.cpp), so it is unit-tested.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ocirun/error.hpp"

namespace ocirun {

struct MountOptions {
  unsigned long flags = 0;        // MS_RDONLY, MS_NOSUID, ... (and MS_BIND | MS_REC for rbind)
  unsigned long propagation = 0;  // MS_SHARED/SLAVE/PRIVATE/UNBINDABLE, with MS_REC for r*
  bool bind = false;
  std::string data;               // options that are not flags, for the filesystem: "mode=755,size=65536k"
};

// Later options override earlier ones (ro then rw is rw), as mount(8) reads
// them. An option the spec names but this build does not apply yet (the
// recursive r* attributes, tmpcopyup, idmap) is an error saying so; any
// other unknown option goes to the filesystem as data.
Result<MountOptions> parse_mount_options(const std::vector<std::string>& options);

// Every option parse_mount_options applies (for `ocirun features`), sorted.
std::vector<std::string> recognized_mount_options();

}  // namespace ocirun
