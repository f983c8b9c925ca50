// Cgroup placement: which directory the container gets in each mounted
// hierarchy (the v1 controllers of a hybrid host, the unified one, or the
// v2 tree of a pure v2 host). The resources themselves come with the
// cgroups work; this is the part the lifecycle needs: a cgroup of the
// container's own, entered before any of its code runs, removed by delete.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ocirun/error.hpp"
#include "ocirun/spec.hpp"

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

// Pure: the cgroupsPath values refused whatever the host (config-linux.md:
// runtimes "MUST generate an error" for values they consider invalid). The
// `..` components are refused by the parser already. Refused here:
//   - "/" alone: the root cgroup, which is the whole host's;
//   - empty and "." components ("a//b", "a/./b", "a/"): the same cgroup
//     would have several names, and state and delete compare names;
//   - a newline (cgroup files are read line by line);
//   - a component naming a cgroup interface file rather than a directory:
//     "cgroup.*" (the core's files, in every cgroup) and v1's "tasks",
//     "notify_on_release", "release_agent" (a file with a controller's
//     prefix, "memory.max", is caught at create, where it exists);
//   - systemd's "slice:prefix:name" form: it names a cgroup only through
//     the systemd driver (--systemd-cgroup), which is not supported yet;
//     with the cgroupfs driver it would quietly become a directory named
//     after the whole string.
Result<> validate_cgroups_path(std::string_view path);

// Cgroup ownership (config-linux.md, "Cgroup ownership"). Pure: whether
// the container's cgroup is delegated to its user: only on a pure v2 host
// (delegation is not safe on v1), only with a new cgroup namespace (one
// without a path), and if and only if config.json mounts the cgroup
// filesystem read-write: a mount with source "cgroup", destination
// /sys/fs/cgroup and no "ro" option.
bool wants_cgroup_delegation(const Spec& spec, bool pure_v2);

// Pure: the files of the cgroup to give to the user: the names listed in
// /sys/kernel/cgroup/delegate (its text; nullopt when the file does not
// exist, which gives the spec's fallback list cgroup.procs,
// cgroup.subtree_control, cgroup.threads). Anything but a plain file name
// is left out.
std::vector<std::string> delegate_files(const std::optional<std::string>& delegate_text);

// Pure: the host uid that `uid` of the container is, through the init's
// /proc/PID/uid_map text (a new user namespace, one joined by path, or the
// host's own identity map); nullopt when it is not mapped.
std::optional<uid_t> host_uid_of(std::uint32_t uid, std::string_view uid_map);

}  // namespace ocirun
