// Cgroup placement: which directory the container gets in each mounted
// hierarchy (the v1 controllers of a hybrid host, the unified one, or the
// v2 tree of a pure v2 host). The resources themselves come with the
// cgroups work; this is the part the lifecycle needs: a cgroup of the
// container's own, entered before any of its code runs, removed by delete.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ocirun/error.hpp"

namespace ocirun {

// A mounted cgroup hierarchy and the runtime's own cgroup in it.
struct CgroupHierarchy {
  std::string mount_point;   // /sys/fs/cgroup/memory, /sys/fs/cgroup/unified
  std::string self_path;     // the runtime's cgroup, relative to the mount: "process_api/x" or ""
  std::string controllers;   // "memory", "name=systemd", "" for the unified hierarchy
  // The unified hierarchy of a host without v1 controllers (named ones such
  // as name=systemd aside): relative cgroups go under the parent of the
  // runtime's own cgroup there, as in runc, since v2 cannot enable
  // controllers below a cgroup that has processes (the runtime's has).
  bool pure_v2 = false;
};

// Pure: the hierarchies, from /proc/self/mountinfo and /proc/self/cgroup.
std::vector<CgroupHierarchy> parse_cgroup_hierarchies(std::string_view mountinfo, std::string_view self_cgroup);
// The same, read from this process's /proc.
Result<std::vector<CgroupHierarchy>> cgroup_hierarchies();

// The container's cgroup, relative to each hierarchy's mount point:
// cgroupsPath when absolute; nested under the runtime's own cgroup when
// relative (as runc does; under its parent on a pure v2 host); ocirun/<id>
// under it when absent.
std::string container_cgroup(const CgroupHierarchy& h, std::string_view cgroups_path, std::string_view id);

// The directories placement would create, parents first: the ones that do
// not exist yet, so that delete removes exactly what create made.
std::vector<std::string> missing_dirs(const std::string& mount_point, const std::string& relative);

}  // namespace ocirun
