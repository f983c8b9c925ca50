#include "ocirun/cgroups.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "ocirun/fs.hpp"
#include "ocirun/unique_fd.hpp"

namespace ocirun {

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    std::size_t p = s.find(sep);
    out.push_back(s.substr(0, p));
    if (p == std::string_view::npos) break;
    s.remove_prefix(p + 1);
  }
  return out;
}

std::string trim_slashes(std::string_view s) {
  while (!s.empty() && s.front() == '/') s.remove_prefix(1);
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return std::string(s);
}

bool has_all(const std::vector<std::string_view>& options, std::string_view controllers) {
  for (std::string_view c : split(controllers, ',')) {
    bool found = false;
    for (std::string_view o : options) found = found || o == c;
    if (!found) return false;
  }
  return true;
}

Result<std::string> read_proc(const char* name) {
  // /proc/self is a symlink, which open_dir_at does not follow.
  UniqueFd dir = TRY(fs::open_dir_at(AT_FDCWD, "/proc/" + std::to_string(::getpid())));
  return fs::read_file_at(dir.get(), name);
}

}  // namespace

std::vector<CgroupHierarchy> parse_cgroup_hierarchies(std::string_view mountinfo, std::string_view self_cgroup) {
  struct MountLine {
    std::string_view root, point, fstype;
    std::vector<std::string_view> options;
  };
  std::vector<MountLine> mounts;
  for (std::string_view line : split(mountinfo, '\n')) {
    // id parent major:minor root mount-point options [optional...] - fstype source super-options
    std::size_t dash = line.find(" - ");
    if (dash == std::string_view::npos) continue;
    std::vector<std::string_view> head = split(line.substr(0, dash), ' ');
    std::vector<std::string_view> tail = split(line.substr(dash + 3), ' ');
    if (head.size() < 5 || tail.size() < 3) continue;
    if (tail[0] != "cgroup" && tail[0] != "cgroup2") continue;
    mounts.push_back({head[3], head[4], tail[0], split(tail[2], ',')});
  }
  std::vector<CgroupHierarchy> out;
  for (std::string_view line : split(self_cgroup, '\n')) {
    // hierarchy-id:controllers:path
    std::vector<std::string_view> f = split(line, ':');
    if (f.size() != 3) continue;
    bool unified = f[0] == "0" && f[1].empty();
    for (const MountLine& m : mounts) {
      if (unified ? m.fstype != "cgroup2" : (m.fstype != "cgroup" || !has_all(m.options, f[1]))) continue;
      // The runtime's cgroup, seen from this mount (whose root may be a
      // sub-cgroup, as in a nested container).
      std::string path(f[2]);
      std::string root(m.root);
      if (root != "/" && path.compare(0, root.size(), root) == 0) path = path.substr(root.size());
      out.push_back({std::string(m.point), trim_slashes(path), unified ? "" : std::string(f[1])});
      break;
    }
  }
  bool v1 = false;
  for (const CgroupHierarchy& h : out) v1 = v1 || (!h.controllers.empty() && !h.controllers.starts_with("name="));
  for (CgroupHierarchy& h : out) h.pure_v2 = !v1 && h.controllers.empty();
  return out;
}

Result<std::vector<CgroupHierarchy>> cgroup_hierarchies() {
  std::string mountinfo = TRY(read_proc("mountinfo"));
  std::string self = TRY(read_proc("cgroup"));
  return parse_cgroup_hierarchies(mountinfo, self);
}

std::string container_cgroup(const CgroupHierarchy& h, std::string_view cgroups_path, std::string_view id) {
  if (!cgroups_path.empty() && cgroups_path[0] == '/') return trim_slashes(cgroups_path);
  std::string rel = cgroups_path.empty() ? "ocirun/" + std::string(id) : trim_slashes(cgroups_path);
  std::string parent = h.self_path;
  if (h.pure_v2) parent = parent.find('/') == std::string::npos ? "" : parent.substr(0, parent.rfind('/'));
  return parent.empty() ? rel : parent + "/" + rel;
}

std::vector<std::string> missing_dirs(const std::string& mount_point, const std::string& relative) {
  std::vector<std::string> out;
  std::string path = mount_point;
  for (std::string_view part : split(relative, '/')) {
    if (part.empty()) continue;
    path += '/';
    path += part;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) out.push_back(path);
  }
  return out;
}

Result<> validate_cgroups_path(std::string_view path) {
  auto bad = [&](std::string_view why) {
    std::string msg = "linux.cgroupsPath: invalid value \"";
    msg.append(path).append("\": ").append(why);
    return fail(msg, EINVAL);
  };
  if (path.empty()) return {};
  if (path.find('\n') != std::string_view::npos) return bad("a cgroup name cannot hold a newline");
  if (path == "/") return bad("the root cgroup belongs to the host");
  // slice:prefix:name, as systemd-driven runtimes write it.
  if (path[0] != '/' && std::count(path.begin(), path.end(), ':') == 2 && path.find('/') == std::string_view::npos)
    return bad("the \"slice:prefix:name\" form needs the systemd cgroup driver (--systemd-cgroup), "
               "which is not supported yet");
  std::string_view rest = path[0] == '/' ? path.substr(1) : path;
  for (std::string_view part : split(rest, '/')) {
    if (part.empty()) return bad("empty path component");
    if (part == ".") return bad("\".\" path component");
    if (part.starts_with("cgroup.") || part == "tasks" || part == "notify_on_release" || part == "release_agent")
    {
      // (appended: g++ 12 -O3 warns -Wrestrict on "`" + std::string here)
      std::string why = "`";
      why.append(part).append("` is a cgroup interface file, not a cgroup");
      return bad(why);
    }
  }
  return {};
}

bool wants_cgroup_delegation(const Spec& spec, bool pure_v2) {
  if (!pure_v2) return false;
  const LinuxNamespace* cgroupns = spec.linux.find_namespace(NamespaceType::Cgroup);
  if (cgroupns == nullptr || cgroupns->path) return false;
  for (const Mount& m : spec.mounts) {
    if (m.source != "cgroup" || trim_slashes(m.destination) != "sys/fs/cgroup") continue;
    if (std::find(m.options.begin(), m.options.end(), "ro") == m.options.end()) return true;
  }
  return false;
}

std::vector<std::string> delegate_files(const std::optional<std::string>& delegate_text) {
  if (!delegate_text) return {"cgroup.procs", "cgroup.subtree_control", "cgroup.threads"};
  std::vector<std::string> out;
  for (std::string_view line : split(*delegate_text, '\n')) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.empty() || line == "." || line == ".." || line.find('/') != std::string_view::npos) continue;
    out.emplace_back(line);
  }
  return out;
}

std::optional<uid_t> host_uid_of(std::uint32_t uid, std::string_view uid_map) {
  for (std::string_view line : split(uid_map, '\n')) {
    // "inside outside count", columns padded with spaces.
    std::uint64_t f[3];
    int n = 0;
    std::size_t i = 0;
    while (n < 3) {
      while (i < line.size() && line[i] == ' ') i++;
      if (i == line.size() || line[i] < '0' || line[i] > '9') break;
      std::uint64_t v = 0;
      while (i < line.size() && line[i] >= '0' && line[i] <= '9' && v < (1ull << 40)) v = v * 10 + static_cast<std::uint64_t>(line[i++] - '0');
      f[n++] = v;
    }
    if (n != 3) continue;
    if (uid >= f[0] && uid - f[0] < f[2]) return static_cast<uid_t>(f[1] + (uid - f[0]));
  }
  return std::nullopt;
}

}  // namespace ocirun
