// Resource writes into the container's cgroups: the "do" half of
// cgroup_resources.cpp, on the v2 tree or the v1 controllers.
#include "ocirun/cgroup_apply.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "ocirun/bpf_devices.hpp"
#include "ocirun/fs.hpp"
#include "ocirun/unique_fd.hpp"

namespace ocirun {

namespace {

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == ',')) i++;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\n' && s[j] != ',') j++;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// One write(2) of the whole value: a cgroup file takes each write as one
// command, so a value must never be split.
Result<> write_one(int dir_fd, const std::string& file, std::string_view value) {
  UniqueFd fd(::openat(dir_fd, file.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return fail_errno("open `" + file + "`");
  ssize_t n = ::write(fd.get(), value.data(), value.size());
  if (n < 0) return fail_errno("write `" + std::string(value) + "` to `" + file + "`");
  if (static_cast<std::size_t>(n) != value.size()) return fail("write `" + file + "`: short write", EIO);
  return {};
}

// The processes of the cgroup at dir_fd and of the cgroups below it, to a
// fixed depth (a cgroup tree deeper than that is not what create expects).
Result<std::size_t> count_procs(int dir_fd, int depth) {
  std::string procs = TRY(fs::read_file_at(dir_fd, "cgroup.procs"));
  std::size_t n = static_cast<std::size_t>(std::count(procs.begin(), procs.end(), '\n'));
  if (depth == 0) return n;
  int dup = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return fail_errno("dup");
  DIR* d = ::fdopendir(dup);
  if (d == nullptr) {
    ::close(dup);
    return fail_errno("opendir");
  }
  std::vector<std::string> subdirs;
  while (dirent* e = ::readdir(d))
    if (e->d_type == DT_DIR && std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
      subdirs.emplace_back(e->d_name);
  ::closedir(d);
  for (const std::string& sub : subdirs) {
    Result<UniqueFd> fd = fs::open_dir_at(dir_fd, sub);
    if (!fd && fd.error().code == ENOENT) continue;  // removed meanwhile
    if (!fd) return tl::unexpected(fd.error());
    n += TRY(count_procs(fd->get(), depth - 1));
  }
  return n;
}

}  // namespace

Result<> delegate_cgroup(const std::string& dir, uid_t uid) {
  std::optional<std::string> list;
  Result<std::string> text = [] () -> Result<std::string> {
    UniqueFd dir = TRY(fs::open_dir_at(AT_FDCWD, "/sys/kernel/cgroup"));
    return fs::read_file_at(dir.get(), "delegate");
  }();
  if (text) list = std::move(*text);
  else if (text.error().code != ENOENT) return tl::unexpected(with_context(text.error(), "cgroup ownership"));
  UniqueFd fd = TRY_CTX(fs::open_dir_at(AT_FDCWD, dir), "cgroup ownership");
  if (::fchown(fd.get(), uid, static_cast<gid_t>(-1)) < 0) return fail_errno("cgroup ownership: chown `" + dir + "`");
  for (const std::string& f : delegate_files(list))
    if (::fchownat(fd.get(), f.c_str(), uid, static_cast<gid_t>(-1), AT_SYMLINK_NOFOLLOW) < 0 && errno != ENOENT)
      return fail_errno("cgroup ownership: chown `" + dir + "/" + f + "`");
  return {};
}

Result<> check_cgroup_fit(const std::vector<std::string>& dirs) {
  for (const std::string& dir : dirs) {
    struct stat st {};
    if (::lstat(dir.c_str(), &st) < 0) {
      if (errno == ENOENT) continue;  // made by create
      if (errno == ENOTDIR) return fail("linux.cgroupsPath: a component of `" + dir + "` is a file, not a cgroup", ENOTDIR);
      return fail_errno("linux.cgroupsPath: stat `" + dir + "`");
    }
    if (!S_ISDIR(st.st_mode)) return fail("linux.cgroupsPath: `" + dir + "` is a file, not a cgroup", ENOTDIR);
    UniqueFd fd = TRY_CTX(fs::open_dir_at(AT_FDCWD, dir), "linux.cgroupsPath");
    std::size_t procs = TRY_CTX(count_procs(fd.get(), 16), "linux.cgroupsPath: `" + dir + "`");
    if (procs > 0)
      return fail("linux.cgroupsPath: cgroup `" + dir + "` is not empty: " + std::to_string(procs) +
                      " process(es) in it or below it",
                  EBUSY);
    // v2: cgroup.events says frozen (itself or by an ancestor), or a freeze
    // was asked; v1: the freezer hierarchy's state.
    bool frozen = false;
    if (Result<std::string> ev = fs::read_file_at(fd.get(), "cgroup.events"); ev) {
      std::map<std::string, std::uint64_t> kv;
      parse_flat_keyed(*ev, "", kv);
      frozen = kv["frozen"] == 1;
    }
    if (Result<std::string> f = fs::read_file_at(fd.get(), "cgroup.freeze"); f) frozen = frozen || f->starts_with("1");
    if (Result<std::string> f = fs::read_file_at(fd.get(), "freezer.state"); f) frozen = frozen || !f->starts_with("THAWED");
    if (frozen) return fail("linux.cgroupsPath: cgroup `" + dir + "` is frozen", EBUSY);
  }
  return {};
}

Result<std::vector<std::string>> host_hugepage_sizes() {
  std::vector<std::string> out;
  DIR* d = ::opendir("/sys/kernel/mm/hugepages");
  if (d == nullptr) {
    if (errno == ENOENT) return out;  // a kernel without huge pages
    return fail_errno("opendir `/sys/kernel/mm/hugepages`");
  }
  while (dirent* e = ::readdir(d))
    if (std::string size = hugepage_dir_to_size(e->d_name); !size.empty()) out.push_back(std::move(size));
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

ContainerCgroups classify_cgroup_dirs(const std::vector<CgroupHierarchy>& hierarchies,
                                      const std::vector<std::string>& dirs) {
  ContainerCgroups cg;
  for (const std::string& dir : dirs) {
    const CgroupHierarchy* best = nullptr;
    for (const CgroupHierarchy& h : hierarchies)
      if (dir.size() > h.mount_point.size() && dir.compare(0, h.mount_point.size(), h.mount_point) == 0 &&
          dir[h.mount_point.size()] == '/' && (best == nullptr || h.mount_point.size() > best->mount_point.size()))
        best = &h;
    if (best == nullptr) continue;
    if (best->controllers.empty()) {
      cg.unified = dir;
      cg.unified_mount = best->mount_point;
    } else {
      for (const std::string& c : words(best->controllers)) cg.v1[c] = dir;
    }
  }
  bool real_v1 = false;
  for (const auto& [name, dir] : cg.v1) real_v1 = real_v1 || !name.starts_with("name=");
  cg.pure_v2 = !cg.unified.empty() && !real_v1;
  return cg;
}

Result<ContainerCgroups> container_cgroups_of(const std::string& joined_dirs) {
  std::vector<CgroupHierarchy> h = TRY(cgroup_hierarchies());
  std::vector<std::string> dirs;
  std::size_t pos = 0;
  while (pos < joined_dirs.size()) {
    std::size_t nl = joined_dirs.find('\n', pos);
    if (nl == std::string::npos) nl = joined_dirs.size();
    if (nl > pos) dirs.push_back(joined_dirs.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return classify_cgroup_dirs(h, dirs);
}

Result<> apply_writes(int dir_fd, const std::vector<CgroupWrite>& writes) {
  for (const CgroupWrite& w : writes) {
    Result<> r = write_one(dir_fd, w.file, w.value);
    if (!r && r.error().code == ENOENT) {
      if (!w.alt_file.empty()) r = write_one(dir_fd, w.alt_file, w.alt_value);
      else if (w.optional) continue;
    }
    if (!r) return tl::unexpected(with_context(r.error(), w.field));
  }
  return {};
}

Result<> enable_controllers(const std::string& mount_point, const std::string& leaf,
                            const std::vector<std::string>& controllers) {
  UniqueFd root = TRY(fs::open_dir_at(AT_FDCWD, mount_point));
  std::vector<std::string> available = words(TRY(fs::read_file_at(root.get(), "cgroup.controllers")));
  for (const std::string& c : controllers)
    if (!contains(available, c)) return fail("the `" + c + "` cgroup controller is not available on this host", ENOTSUP);
  // Every directory from the mount point down to the leaf's parent.
  std::vector<std::string> dirs{mount_point};
  std::string rel = leaf.substr(std::min(leaf.size(), mount_point.size() + 1));
  std::size_t pos = 0;
  while (true) {
    std::size_t slash = rel.find('/', pos);
    if (slash == std::string::npos) break;
    dirs.push_back(mount_point + "/" + rel.substr(0, slash));
    pos = slash + 1;
  }
  for (const std::string& d : dirs) {
    UniqueFd fd = TRY(fs::open_dir_at(AT_FDCWD, d));
    std::vector<std::string> on = words(TRY(fs::read_file_at(fd.get(), "cgroup.subtree_control")));
    for (const std::string& c : controllers) {
      if (contains(on, c)) continue;
      TRY_CTX(write_one(fd.get(), "cgroup.subtree_control", "+" + c), "enable `" + c + "` in `" + d + "`");
    }
  }
  return {};
}

Result<> apply_resources(const ContainerCgroups& cg, const LinuxResources& r, bool devices) {
  if (!r.hugepage_limits.empty()) TRY(check_hugepage_sizes(r.hugepage_limits, TRY(host_hugepage_sizes())));
  if (cg.pure_v2) {
    std::vector<CgroupWrite> writes = TRY(plan_cgroup_v2(r));
    DeviceRuleSet rules = TRY(reduce_device_rules(effective_device_rules(r.devices)));
    // The controllers the config asks for must be there; the usual ones
    // (for stats and limits set later by update) are enabled when they are.
    std::vector<std::string> needed = needed_controllers(writes);
    TRY_CTX(enable_controllers(cg.unified_mount, cg.unified, needed), "cgroups");
    UniqueFd root = TRY(fs::open_dir_at(AT_FDCWD, cg.unified_mount));
    std::vector<std::string> available = words(TRY(fs::read_file_at(root.get(), "cgroup.controllers")));
    for (const char* c : {"cpu", "memory", "pids", "io"})
      if (contains(available, c) && !contains(needed, c)) (void)enable_controllers(cg.unified_mount, cg.unified, {c});
    UniqueFd leaf = TRY(fs::open_dir_at(AT_FDCWD, cg.unified));
    TRY(apply_writes(leaf.get(), writes));
    // The devices: an eBPF program, since v2 has no devices controller.
    if (!devices) return {};
    std::vector<bpf_insn> prog = build_device_filter(rules);
    UniqueFd prog_fd = TRY_CTX(load_device_filter(prog), "linux.resources.devices");
    TRY_CTX(attach_device_filter(leaf.get(), prog_fd.get()), "linux.resources.devices");
    return {};
  }

  // The current memory limit orders the memory and memsw writes (update).
  CgroupV1Now now;
  if (auto mem = cg.v1.find("memory"); mem != cg.v1.end() && r.memory.limit.value_or(0) != 0 && r.memory.swap) {
    UniqueFd dir = TRY(fs::open_dir_at(AT_FDCWD, mem->second));
    std::string text = TRY(fs::read_file_at(dir.get(), "memory.limit_in_bytes"));
    now.memory_limit = std::strtoull(text.c_str(), nullptr, 10);
  }
  std::vector<CgroupWrite> writes = TRY(plan_cgroup_v1(r, now));
  std::map<std::string, UniqueFd> open;
  for (const CgroupWrite& w : writes) {
    if (w.controller == "devices" && !devices) continue;
    std::string dir;
    if (w.controller == "unified") {
      dir = cg.unified;
    } else if (auto it = cg.v1.find(w.controller); it != cg.v1.end()) {
      dir = it->second;
    }
    if (dir.empty()) {
      // The default device rules ask nothing of a host without the devices
      // controller; a rule of the config does.
      if (w.controller == "devices" && r.devices.empty()) continue;
      if (w.optional) continue;
      return fail(w.field + ": the `" + w.controller + "` cgroup controller is not mounted on this host", ENOTSUP);
    }
    auto it = open.find(dir);
    if (it == open.end()) it = open.emplace(dir, TRY(fs::open_dir_at(AT_FDCWD, dir))).first;
    TRY(apply_writes(it->second.get(), {w}));
  }
  return {};
}

Result<> check_memory_before_update(const ContainerCgroups& cg, const LinuxResources& r) {
  if (!r.memory.check_before_update.value_or(false) || r.memory.limit.value_or(0) <= 0) return {};
  std::string dir = cg.pure_v2 ? cg.unified : (cg.v1.count("memory") ? cg.v1.at("memory") : "");
  if (dir.empty()) return {};
  UniqueFd fd = TRY(fs::open_dir_at(AT_FDCWD, dir));
  std::string usage = TRY(fs::read_file_at(fd.get(), cg.pure_v2 ? "memory.current" : "memory.usage_in_bytes"));
  std::uint64_t used = std::strtoull(usage.c_str(), nullptr, 10);
  if (static_cast<std::uint64_t>(*r.memory.limit) < used)
    return fail("linux.resources.memory.limit: " + std::to_string(*r.memory.limit) + " is below the current usage " +
                    std::to_string(used) + " (checkBeforeUpdate)",
                EBUSY);
  return {};
}

}  // namespace ocirun
