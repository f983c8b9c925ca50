// events: cgroup statistics in runc's JSON format, and OOM kills. See
// container_events.hpp.
#include "ocirun/container_events.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <set>
#include <vector>

#include "ocirun/fs.hpp"
#include "ocirun/json.hpp"

namespace ocirun {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return s;
}

std::optional<std::string> read_in(const std::string& dir, const char* file) {
  Result<UniqueFd> fd = fs::open_dir_at(AT_FDCWD, dir);
  if (!fd) return std::nullopt;
  Result<std::string> t = fs::read_file_at(fd->get(), file, 1u << 20);
  if (!t) return std::nullopt;
  return std::move(*t);
}

bool parse_u64(std::string_view s, std::uint64_t* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// A limit file: a number, or "max"; -1 (v1 memsw on some kernels) too.
void read_limit(StatsMap& m, const std::string& dir, const char* file) {
  std::optional<std::string> t = read_in(dir, file);
  if (!t) return;
  std::string_view v = trim(*t);
  std::uint64_t n = 0;
  if (v == "max" || v == "-1") m[file] = kNoLimit;
  else if (parse_u64(v, &n)) m[file] = n;
}

// v1 blkio's "8:0 Read 123" lines (and a closing "Total 123").
void read_blkio(StatsMap& m, const std::string& dir, const char* file) {
  std::optional<std::string> t = read_in(dir, file);
  if (!t) return;
  std::string_view text = *t;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    std::size_t a = line.find(' ');
    std::size_t b = a == std::string_view::npos ? a : line.find(' ', a + 1);
    if (b == std::string_view::npos) continue;
    std::uint64_t v = 0;
    if (!parse_u64(line.substr(b + 1), &v)) continue;
    m[std::string(file) + "." + std::string(line.substr(0, a)) + "." + std::string(line.substr(a + 1, b - a - 1))] = v;
  }
}

std::uint64_t get(const StatsMap& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? 0 : it->second;
}

// A limit as runc reports it: "max" is the largest uint64.
std::uint64_t get_limit(const StatsMap& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? kNoLimit : it->second;
}

// runc's MemoryEntry: limit and failcnt always, usage and max if non-zero.
void memory_entry(json::Writer& w, const char* key, std::uint64_t limit, std::uint64_t usage, std::uint64_t max,
                  std::uint64_t failcnt) {
  w.key(key).begin_object().key("limit").value(limit);
  if (usage != 0) w.key("usage").value(usage);
  if (max != 0) w.key("max").value(max);
  w.key("failcnt").value(failcnt).end_object();
}

void nonzero(json::Writer& w, const char* key, std::uint64_t v) {
  if (v != 0) w.key(key).value(v);
}

struct BlkioEntry {
  std::uint64_t major = 0, minor = 0;
  std::string op;
  std::uint64_t value = 0;
};

// Keys "<prefix><maj>:<min>.<name>" of the map, as entries with op `op`.
void collect_blkio(const StatsMap& m, const std::string& prefix, const std::string& name, const std::string& op,
                   std::vector<BlkioEntry>& out) {
  for (auto it = m.lower_bound(prefix); it != m.end() && it->first.starts_with(prefix); ++it) {
    std::string_view rest = std::string_view(it->first).substr(prefix.size());
    std::size_t dot = rest.find('.');
    if (dot == std::string_view::npos || rest.substr(dot + 1) != name) continue;
    std::string_view dev = rest.substr(0, dot);
    std::size_t colon = dev.find(':');
    BlkioEntry e;
    if (colon == std::string_view::npos || !parse_u64(dev.substr(0, colon), &e.major) ||
        !parse_u64(dev.substr(colon + 1), &e.minor))
      continue;
    e.op = op;
    e.value = it->second;
    out.push_back(e);
  }
}

void blkio_list(json::Writer& w, const char* key, const std::vector<BlkioEntry>& list) {
  if (list.empty()) return;
  w.key(key).begin_array();
  for (const BlkioEntry& e : list) {
    w.begin_object();
    nonzero(w, "major", e.major);
    nonzero(w, "minor", e.minor);
    if (!e.op.empty()) w.key("op").value(e.op);
    nonzero(w, "value", e.value);
    w.end_object();
  }
  w.end_array();
}

// The hugetlb page sizes named by keys "hugetlb.<size>.<suffix>".
std::set<std::string> hugetlb_sizes(const StatsMap& m) {
  std::set<std::string> out;
  for (auto it = m.lower_bound("hugetlb."); it != m.end() && it->first.starts_with("hugetlb."); ++it) {
    std::string_view rest = std::string_view(it->first).substr(8);
    out.emplace(rest.substr(0, rest.find('.')));
  }
  return out;
}

}  // namespace

Result<StatsMap> read_container_stats(const ContainerCgroups& cg) {
  StatsMap m = TRY(read_cgroup_stats(cg));
  if (cg.pure_v2) {
    for (const char* f : {"memory.max", "memory.swap.max", "pids.max"}) read_limit(m, cg.unified, f);
    return m;
  }
  if (auto it = cg.v1.find("memory"); it != cg.v1.end())
    for (const char* f : {"memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.memsw.max_usage_in_bytes",
                          "memory.memsw.failcnt", "memory.kmem.usage_in_bytes", "memory.kmem.limit_in_bytes",
                          "memory.kmem.max_usage_in_bytes", "memory.kmem.failcnt", "memory.kmem.tcp.usage_in_bytes",
                          "memory.kmem.tcp.limit_in_bytes", "memory.kmem.tcp.max_usage_in_bytes",
                          "memory.kmem.tcp.failcnt"})
      read_limit(m, it->second, f);
  if (auto it = cg.v1.find("pids"); it != cg.v1.end()) read_limit(m, it->second, "pids.max");
  if (auto it = cg.v1.find("cpuacct"); it != cg.v1.end())
    if (std::optional<std::string> t = read_in(it->second, "cpuacct.stat"))
      parse_flat_keyed(*t, "cpuacct.stat.", m);
  if (auto it = cg.v1.find("blkio"); it != cg.v1.end()) {
    read_blkio(m, it->second, "blkio.throttle.io_service_bytes_recursive");
    read_blkio(m, it->second, "blkio.throttle.io_serviced_recursive");
  }
  return m;
}

std::string stats_data_json(const StatsMap& m, bool v2) {
  json::Writer w;
  w.begin_object();

  // cpu: nanoseconds. v2 counts microseconds; v1's cpuacct.stat counts
  // USER_HZ ticks (100 per second on every Linux runc supports).
  std::uint64_t total = v2 ? get(m, "cpu.stat.usage_usec") * 1000 : get(m, "cpuacct.usage");
  std::uint64_t kernel = v2 ? get(m, "cpu.stat.system_usec") * 1000 : get(m, "cpuacct.stat.system") * 10000000;
  std::uint64_t user = v2 ? get(m, "cpu.stat.user_usec") * 1000 : get(m, "cpuacct.stat.user") * 10000000;
  std::uint64_t throttled = v2 ? get(m, "cpu.stat.throttled_usec") * 1000 : get(m, "cpu.stat.throttled_time");
  w.key("cpu").begin_object();
  w.key("usage").begin_object();
  nonzero(w, "total", total);
  w.key("kernel").value(kernel).key("user").value(user).end_object();
  w.key("throttling").begin_object();
  nonzero(w, "periods", get(m, "cpu.stat.nr_periods"));
  nonzero(w, "throttledPeriods", get(m, "cpu.stat.nr_throttled"));
  nonzero(w, "throttledTime", throttled);
  w.end_object().end_object();

  w.key("memory").begin_object();
  nonzero(w, "cache", get(m, v2 ? "memory.stat.file" : "memory.stat.cache"));
  if (v2) {
    memory_entry(w, "usage", get_limit(m, "memory.max"), get(m, "memory.current"), get(m, "memory.peak"),
                 get(m, "memory.events.max"));
    memory_entry(w, "swap", get_limit(m, "memory.swap.max"), get(m, "memory.swap.current"), 0, 0);
    memory_entry(w, "kernel", 0, 0, 0, 0);
    memory_entry(w, "kernelTCP", 0, 0, 0, 0);
  } else {
    memory_entry(w, "usage", get_limit(m, "memory.limit_in_bytes"), get(m, "memory.usage_in_bytes"),
                 get(m, "memory.max_usage_in_bytes"), get(m, "memory.failcnt"));
    memory_entry(w, "swap", get_limit(m, "memory.memsw.limit_in_bytes"), get(m, "memory.memsw.usage_in_bytes"),
                 get(m, "memory.memsw.max_usage_in_bytes"), get(m, "memory.memsw.failcnt"));
    memory_entry(w, "kernel", get_limit(m, "memory.kmem.limit_in_bytes"), get(m, "memory.kmem.usage_in_bytes"),
                 get(m, "memory.kmem.max_usage_in_bytes"), get(m, "memory.kmem.failcnt"));
    memory_entry(w, "kernelTCP", get_limit(m, "memory.kmem.tcp.limit_in_bytes"),
                 get(m, "memory.kmem.tcp.usage_in_bytes"), get(m, "memory.kmem.tcp.max_usage_in_bytes"),
                 get(m, "memory.kmem.tcp.failcnt"));
  }
  const std::string raw_prefix = "memory.stat.";
  auto raw = m.lower_bound(raw_prefix);
  if (raw != m.end() && raw->first.starts_with(raw_prefix)) {
    w.key("raw").begin_object();
    for (; raw != m.end() && raw->first.starts_with(raw_prefix); ++raw)
      w.key(std::string_view(raw->first).substr(raw_prefix.size())).value(raw->second);
    w.end_object();
  }
  w.end_object();

  w.key("pids").begin_object();
  nonzero(w, "current", get(m, "pids.current"));
  std::uint64_t pids_limit = get(m, "pids.max");
  if (pids_limit != kNoLimit) nonzero(w, "limit", pids_limit);
  w.end_object();

  std::vector<BlkioEntry> bytes, ios;
  if (v2) {
    collect_blkio(m, "io.stat.", "rbytes", "Read", bytes);
    collect_blkio(m, "io.stat.", "wbytes", "Write", bytes);
    collect_blkio(m, "io.stat.", "rios", "Read", ios);
    collect_blkio(m, "io.stat.", "wios", "Write", ios);
  } else {
    for (const char* op : {"Read", "Write", "Sync", "Async", "Discard", "Total"}) {
      collect_blkio(m, "blkio.throttle.io_service_bytes_recursive.", op, op, bytes);
      collect_blkio(m, "blkio.throttle.io_serviced_recursive.", op, op, ios);
    }
  }
  w.key("blkio").begin_object();
  blkio_list(w, "ioServiceBytesRecursive", bytes);
  blkio_list(w, "ioServicedRecursive", ios);
  w.end_object();

  w.key("hugetlb").begin_object();
  for (const std::string& size : hugetlb_sizes(m)) {
    std::string base = "hugetlb." + size + ".";
    w.key(size).begin_object();
    nonzero(w, "usage", get(m, base + (v2 ? "current" : "usage_in_bytes")));
    nonzero(w, "max", get(m, base + "max_usage_in_bytes"));
    w.key("failcnt").value(get(m, base + (v2 ? "events.max" : "failcnt"))).end_object();
  }
  w.end_object();
  w.key("intel_rdt").begin_object().end_object();
  w.key("network_interfaces").null();  // runc's nil slice: the container's links are not read
  w.end_object();
  return w.take();
}

std::string stats_event_json(std::string_view id, const StatsMap& m, bool pure_v2) {
  json::Writer w;
  w.begin_object().key("type").value("stats").key("id").value(id).key("data").raw(stats_data_json(m, pure_v2));
  w.end_object();
  return w.take();
}

std::string oom_event_json(std::string_view id) {
  json::Writer w;
  w.begin_object().key("type").value("oom").key("id").value(id).end_object();
  return w.take();
}

std::uint64_t oom_kill_count(const StatsMap& m) {
  return get(m, "memory.events.oom_kill") + get(m, "memory.oom_control.oom_kill");
}

Result<StatsMap> read_oom_counters(const ContainerCgroups& cg) {
  StatsMap m;
  if (cg.pure_v2) {
    if (std::optional<std::string> t = read_in(cg.unified, "memory.events")) parse_flat_keyed(*t, "memory.events.", m);
  } else if (auto it = cg.v1.find("memory"); it != cg.v1.end()) {
    if (std::optional<std::string> t = read_in(it->second, "memory.oom_control"))
      parse_flat_keyed(*t, "memory.oom_control.", m);
  }
  return m;
}

Result<std::uint64_t> parse_duration_ns(std::string_view text) {
  auto bad = [&] { return fail("invalid duration " + json::quoted(text) + " (expected e.g. 5s, 500ms, 1m30s)", EINVAL); };
  if (text.empty()) return bad();
  if (text == "0") return std::uint64_t{0};
  long double total = 0;
  std::string_view s = text;
  while (!s.empty()) {
    std::size_t i = 0;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) i++;
    if (i == 0) return bad();
    double number = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + i, number);
    if (ec != std::errc() || end != s.data() + i) return bad();
    s.remove_prefix(i);
    std::size_t u = 0;
    while (u < s.size() && !((s[u] >= '0' && s[u] <= '9') || s[u] == '.')) u++;
    std::string_view unit = s.substr(0, u);
    s.remove_prefix(u);
    long double mult = 0;
    if (unit == "ns") mult = 1;
    else if (unit == "us" || unit == "\xc2\xb5s" || unit == "\xce\xbcs") mult = 1e3;
    else if (unit == "ms") mult = 1e6;
    else if (unit == "s") mult = 1e9;
    else if (unit == "m") mult = 60e9;
    else if (unit == "h") mult = 3600e9;
    else return bad();
    total += number * mult;
  }
  if (total >= 9.2e18L) return fail("duration " + json::quoted(text) + " is too long", ERANGE);
  return static_cast<std::uint64_t>(total);
}

}  // namespace ocirun
