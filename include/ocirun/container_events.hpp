// events: the container's cgroup statistics in runc's JSON format
// (runc's types/events.go), and its OOM kills.
//
//   {"type":"stats","id":"ID","data":{"cpu":{...},"memory":{...},
//    "pids":{...},"blkio":{...},"hugetlb":{...},"intel_rdt":{}}}
//   {"type":"oom","id":"ID"}
//
// The raw numbers come from read_cgroup_stats() (cgroup_apply.hpp) plus the
// limit files it does not read; turning them into runc's structure is pure.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "ocirun/cgroup_apply.hpp"
#include "ocirun/error.hpp"

namespace ocirun {

using StatsMap = std::map<std::string, std::uint64_t>;

// A limit file that says "max" reads as this.
inline constexpr std::uint64_t kNoLimit = UINT64_MAX;

// read_cgroup_stats() and the files runc's stats also report: memory and
// pids limits (memory.max / memory.limit_in_bytes, ...; "max" is kNoLimit),
// cpuacct.stat (v1 user/system ticks) and the v1 blkio recursive counters
// ("blkio.throttle.io_service_bytes_recursive.8:0.Read").
Result<StatsMap> read_container_stats(const ContainerCgroups& cg);

// The `data` object of a stats event, in runc's field names. pure_v2 says
// which files `m` came from. Runc's omitempty rules are kept (a zero usage
// is left out, limit and failcnt never are), so tools that decode runc's
// output find the same members.
std::string stats_data_json(const StatsMap& m, bool pure_v2);
// A whole event line (without the newline): type "stats" with data, or
// "oom" without.
std::string stats_event_json(std::string_view id, const StatsMap& m, bool pure_v2);
std::string oom_event_json(std::string_view id);

// The number of OOM kills so far: memory.events oom_kill on v2,
// memory.oom_control oom_kill on v1 (Linux 4.13); 0 when neither is there.
std::uint64_t oom_kill_count(const StatsMap& m);
// Only the files oom_kill_count() reads, for a cheap poll between stats.
Result<StatsMap> read_oom_counters(const ContainerCgroups& cg);

// A Go time.Duration as runc's --interval takes it ("5s", "500ms",
// "1m30s", "1.5s"; units ns, us, µs, ms, s, m, h), in nanoseconds.
Result<std::uint64_t> parse_duration_ns(std::string_view text);

}  // namespace ocirun
