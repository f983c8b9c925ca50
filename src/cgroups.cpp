#include "ocirun/cgroups.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

}  // namespace ocirun
