// Operations on a container's cgroups after create: freeze, thaw, kill all,
// list pids, read stats.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <charconv>

#include "ocirun/cgroup_apply.hpp"
#include "ocirun/fs.hpp"
#include "ocirun/sys.hpp"
#include "ocirun/unique_fd.hpp"

namespace ocirun {

namespace {

// How long freeze waits for the kernel to report the cgroup frozen: a task
// in an uninterruptible sleep (I/O, a vfork parent) holds it off.
constexpr int kFreezeWaitMs = 10000;

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

Result<std::string> read_in(const std::string& dir, const char* file) {
  UniqueFd fd = TRY(fs::open_dir_at(AT_FDCWD, dir));
  return fs::read_file_at(fd.get(), file);
}

Result<> write_in(const std::string& dir, const char* file, std::string_view value) {
  return sys::write_file(dir + "/" + file, value);
}

bool parse_u64(std::string_view s, std::uint64_t* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

std::string freezer_dir(const ContainerCgroups& cg) {
  if (cg.pure_v2) return cg.unified;
  auto it = cg.v1.find("freezer");
  return it == cg.v1.end() ? "" : it->second;
}

// v2: "frozen 1" in cgroup.events.
Result<bool> v2_frozen(const std::string& dir) {
  std::map<std::string, std::uint64_t> ev;
  parse_flat_keyed(TRY(read_in(dir, "cgroup.events")), "", ev);
  return ev["frozen"] == 1;
}

Result<> set_frozen(const ContainerCgroups& cg, bool frozen) {
  std::string dir = freezer_dir(cg);
  if (dir.empty()) return fail("the freezer cgroup controller is not mounted on this host", ENOTSUP);
  if (cg.pure_v2) {
    TRY(write_in(dir, "cgroup.freeze", frozen ? "1" : "0"));
    for (int waited = 0; waited < kFreezeWaitMs; waited++) {
      if (TRY(v2_frozen(dir)) == frozen) return {};
      ::usleep(1000);
    }
  } else {
    const char* want = frozen ? "FROZEN" : "THAWED";
    for (int waited = 0; waited < kFreezeWaitMs; waited++) {
      // v1 may stop at FREEZING; writing FROZEN again retries the tasks
      // that were busy.
      if (waited % 50 == 0) TRY(write_in(dir, "freezer.state", want));
      if (trimmed(TRY(read_in(dir, "freezer.state"))) == want) return {};
      ::usleep(1000);
    }
  }
  if (frozen) (void)set_frozen(cg, false);
  return fail(std::string(frozen ? "freeze" : "thaw") + " `" + dir + "`: the kernel did not finish in time", ETIMEDOUT);
}

}  // namespace

void parse_flat_keyed(std::string_view text, const std::string& prefix, std::map<std::string, std::uint64_t>& out) {
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    std::size_t sp = line.find(' ');
    if (sp == std::string_view::npos) continue;
    std::uint64_t v = 0;
    if (parse_u64(line.substr(sp + 1), &v)) out[prefix + std::string(line.substr(0, sp))] = v;
  }
}

void parse_nested_keyed(std::string_view text, const std::string& prefix, std::map<std::string, std::uint64_t>& out) {
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    std::size_t sp = line.find(' ');
    if (sp == std::string_view::npos) continue;
    std::string head = prefix + std::string(line.substr(0, sp)) + ".";
    line.remove_prefix(sp + 1);
    while (!line.empty()) {
      std::size_t end = line.find(' ');
      std::string_view kv = line.substr(0, end);
      line = end == std::string_view::npos ? std::string_view() : line.substr(end + 1);
      std::size_t eq = kv.find('=');
      std::uint64_t v = 0;
      if (eq != std::string_view::npos && parse_u64(kv.substr(eq + 1), &v))
        out[head + std::string(kv.substr(0, eq))] = v;
    }
  }
}

Result<> freeze_cgroup(const ContainerCgroups& cg) { return set_frozen(cg, true); }
Result<> thaw_cgroup(const ContainerCgroups& cg) { return set_frozen(cg, false); }

Result<std::string> freezer_state(const ContainerCgroups& cg) {
  std::string dir = freezer_dir(cg);
  if (dir.empty()) return std::string("running");
  if (cg.pure_v2) {
    std::string want = trimmed(TRY(read_in(dir, "cgroup.freeze")));
    bool frozen = TRY(v2_frozen(dir));
    if (want == "1") return std::string(frozen ? "paused" : "pausing");
    return std::string("running");
  }
  std::string s = trimmed(TRY(read_in(dir, "freezer.state")));
  if (s == "FROZEN") return std::string("paused");
  if (s == "FREEZING") return std::string("pausing");
  return std::string("running");
}

Result<std::vector<int>> cgroup_pids(const ContainerCgroups& cg) {
  std::string dir = cg.pure_v2 ? cg.unified : "";
  for (const char* c : {"pids", "memory", "freezer", "cpu", "devices"})
    if (dir.empty() && cg.v1.count(c)) dir = cg.v1.at(c);
  if (dir.empty() && !cg.v1.empty()) dir = cg.v1.begin()->second;
  if (dir.empty()) dir = cg.unified;
  std::vector<int> out;
  if (dir.empty()) return out;
  std::string procs = TRY(read_in(dir, "cgroup.procs"));
  std::size_t pos = 0;
  while (pos < procs.size()) {
    std::size_t nl = procs.find('\n', pos);
    if (nl == std::string::npos) nl = procs.size();
    std::uint64_t pid = 0;
    if (parse_u64(std::string_view(procs).substr(pos, nl - pos), &pid) && pid > 0)
      out.push_back(static_cast<int>(pid));
    pos = nl + 1;
  }
  return out;
}

Result<> kill_cgroup(const ContainerCgroups& cg) {
  // cgroup.kill (5.14+) kills the whole tree in the kernel, with no window
  // for a fork to escape.
  if (cg.pure_v2) {
    Result<> r = write_in(cg.unified, "cgroup.kill", "1");
    if (r || r.error().code != ENOENT) return r;
  }
  // Otherwise: frozen, nobody can fork between the listing and the signals.
  bool frozen = static_cast<bool>(freeze_cgroup(cg));
  Result<std::vector<int>> pids = cgroup_pids(cg);
  if (pids)
    for (int pid : *pids)
      if (Result<UniqueFd> fd = sys::pidfd_open(pid); fd) (void)sys::pidfd_send_signal(fd->get(), SIGKILL);
  // SIGKILL is delivered once the tasks thaw.
  if (frozen) TRY(thaw_cgroup(cg));
  if (!pids) return tl::unexpected(pids.error());
  return {};
}

Result<std::map<std::string, std::uint64_t>> read_cgroup_stats(const ContainerCgroups& cg) {
  std::map<std::string, std::uint64_t> out;
  // A single number.
  auto single = [&](const std::string& dir, const char* file) {
    Result<std::string> t = read_in(dir, file);
    std::uint64_t v = 0;
    if (t && parse_u64(trimmed(*t), &v)) out[file] = v;
  };
  auto flat = [&](const std::string& dir, const char* file) {
    if (Result<std::string> t = read_in(dir, file); t) parse_flat_keyed(*t, std::string(file) + ".", out);
  };
  // hugetlb.<size>.<suffix> for every page size the kernel has.
  auto hugetlb = [&](const std::string& dir, std::string_view suffix) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return;
    while (dirent* e = ::readdir(d)) {
      std::string_view n = e->d_name;
      if (n.starts_with("hugetlb.") && n.ends_with(suffix) && n.find(".rsvd.") == std::string_view::npos)
        single(dir, e->d_name);
    }
    ::closedir(d);
  };
  if (cg.pure_v2) {
    const std::string& d = cg.unified;
    flat(d, "memory.stat");
    flat(d, "memory.events");
    single(d, "memory.current");
    single(d, "memory.peak");
    single(d, "memory.swap.current");
    flat(d, "cpu.stat");
    single(d, "pids.current");
    if (Result<std::string> t = read_in(d, "io.stat"); t) parse_nested_keyed(*t, "io.stat.", out);
    hugetlb(d, ".current");
    return out;
  }
  if (auto it = cg.v1.find("memory"); it != cg.v1.end()) {
    flat(it->second, "memory.stat");
    flat(it->second, "memory.oom_control");
    single(it->second, "memory.usage_in_bytes");
    single(it->second, "memory.max_usage_in_bytes");
    single(it->second, "memory.failcnt");
    single(it->second, "memory.memsw.usage_in_bytes");
  }
  if (auto it = cg.v1.find("cpu"); it != cg.v1.end()) flat(it->second, "cpu.stat");
  if (auto it = cg.v1.find("cpuacct"); it != cg.v1.end()) single(it->second, "cpuacct.usage");
  if (auto it = cg.v1.find("pids"); it != cg.v1.end()) single(it->second, "pids.current");
  if (auto it = cg.v1.find("hugetlb"); it != cg.v1.end()) hugetlb(it->second, ".usage_in_bytes");
  return out;
}

}  // namespace ocirun
