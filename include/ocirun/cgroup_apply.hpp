// The "do" half of the cgroup backends: the container's cgroup directories,
// the resource writes into them (planned by cgroup_resources.hpp), and the
// operations the lifecycle needs on them (freeze, thaw, kill all, pids,
// stats). Everything that writes takes the directories it acts on, so that
// unit tests can aim it at a temp dir.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "ocirun/cgroup_resources.hpp"
#include "ocirun/cgroups.hpp"
#include "ocirun/error.hpp"
#include "ocirun/spec_resources.hpp"

namespace ocirun {

// A container's cgroup directories (absolute paths), by role.
struct ContainerCgroups {
  bool pure_v2 = false;  // a single cgroup2 hierarchy holds every controller
  std::string unified;   // the cgroup2 dir, "" if the host has none
  std::string unified_mount;  // the cgroup2 mount point
  std::map<std::string, std::string> v1;  // v1 controller ("memory", "name=systemd") -> dir
};

// Which hierarchy each of the container's dirs is in.
ContainerCgroups classify_cgroup_dirs(const std::vector<CgroupHierarchy>& hierarchies,
                                      const std::vector<std::string>& dirs);
// The same for a saved container: its dirs from the state, the hierarchies
// from this process's /proc.
Result<ContainerCgroups> container_cgroups_of(const std::string& joined_dirs);

// Performs writes into one directory, in order. A missing file is skipped
// for an optional write, and replaced by alt_file when there is one; any
// other failure names the config field and the file.
Result<> apply_writes(int dir_fd, const std::vector<CgroupWrite>& writes);

// Enables `controllers` in cgroup.subtree_control of every directory from
// the v2 mount point down to the parent of `leaf` (absolute), skipping those
// already enabled. A controller the hierarchy does not have is an error
// naming it.
Result<> enable_controllers(const std::string& mount_point, const std::string& leaf,
                            const std::vector<std::string>& controllers);

// Applies linux.resources to the container's new cgroups, before its init
// runs any code of the container's: v2 files and the eBPF device filter on a
// pure v2 host; the v1 controllers (and unified keys in the cgroup2 dir) on
// a hybrid or legacy one. A controller the config needs but the host lacks
// is an error naming the field; one it does not need is not looked at.
// Without `devices` the device rules are left as they are (update, which
// changes none: v1 rewrites them as deny-all and then the exceptions, and
// the container would meet that denial in between).
Result<> apply_resources(const ContainerCgroups& cg, const LinuxResources& r, bool devices = true);

// Cgroup ownership: gives `dir` and the files of it that delegate_files()
// lists for /sys/kernel/cgroup/delegate to `uid` (the group is left as it
// is, as runc does). A listed file the cgroup lacks is skipped, as the spec
// requires; no other file is touched.
Result<> delegate_cgroup(const std::string& dir, uid_t uid);

// create: whether the container's cgroups, where they exist already, are
// fit for a new container (config-linux.md: the runtime "MUST generate an
// error if such a check fails"); errors name linux.cgroupsPath. Refused: a
// path in the way that is not a directory (a cgroup interface file such as
// "memory.max"), a cgroup with processes in it or below it (the container
// would share limits, freeze and kill with them), and a frozen or freezing
// one (its init would never run). runc makes the same two checks and, like
// it, an existing cgroup that is empty and thawed is used; unlike runc,
// delete then leaves it in place, since ocirun removes only the cgroups its
// create made.
Result<> check_cgroup_fit(const std::vector<std::string>& dirs);

// The huge page sizes of this kernel, in the cgroup files' spelling ("2MB",
// "1GB"), from /sys/kernel/mm/hugepages/hugepages-<n>kB; none when the
// kernel has no huge pages.
Result<std::vector<std::string>> host_hugepage_sizes();

// Freezes every process of the container and waits until the kernel says
// they are frozen (cgroup.events "frozen 1" on v2, freezer.state FROZEN on
// v1). Thaw undoes it.
Result<> freeze_cgroup(const ContainerCgroups& cg);
Result<> thaw_cgroup(const ContainerCgroups& cg);
// "running", "paused" (frozen) or "pausing" (freezing), for state.
Result<std::string> freezer_state(const ContainerCgroups& cg);

// The pids in the container's cgroup (its main one: the v2 dir on a pure v2
// host, else the first v1 dir that has them).
Result<std::vector<int>> cgroup_pids(const ContainerCgroups& cg);

// Sends SIGKILL to every process of the cgroup: cgroup.kill where the
// kernel has it (5.14), else freeze, signal each pid, thaw (so no process
// can fork a new one between the listing and the signals).
Result<> kill_cgroup(const ContainerCgroups& cg);

// Statistics as flat key -> value pairs, each key prefixed by its file
// ("memory.stat.anon", "memory.current", "pids.current", "cpu.stat.usage_usec",
// "memory.events.oom_kill", "io.stat.8:0.rbytes" ...). Files the host lacks
// are left out.
Result<std::map<std::string, std::uint64_t>> read_cgroup_stats(const ContainerCgroups& cg);

// Pure parsers used by read_cgroup_stats: "key value" lines, and io.stat's
// "maj:min key=value ..." lines.
void parse_flat_keyed(std::string_view text, const std::string& prefix, std::map<std::string, std::uint64_t>& out);
void parse_nested_keyed(std::string_view text, const std::string& prefix, std::map<std::string, std::uint64_t>& out);

// update: memory.checkBeforeUpdate refuses a limit below the current usage.
Result<> check_memory_before_update(const ContainerCgroups& cg, const LinuxResources& r);

}  // namespace ocirun
