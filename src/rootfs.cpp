// The rootfs: the config's mounts inside it, the devices, sysctl, then
// pivot_root, masked and read-only paths. Runs in the init (see
// container_create.cpp), in the container's mount namespace. The safety
// rules, each with the attack it blocks:
// - every path inside the container is resolved in the rootfs (openat2
//   RESOLVE_IN_ROOT, mnt::open_in_root), and directories are made with an
//   fd-based mkdir -p (CVE-2024-45310);
// - mounts are made detached and attached by fd (move_mount), so a symlink
//   swapped in after the destination was resolved cannot redirect them
//   (CVE-2021-30465);
// - a proc or sysfs destination may not cross a symlink, and the /proc the
//   container gets must be a procfs (CVE-2019-16884, CVE-2023-27561,
//   CVE-2023-28642);
// - masked files are covered with the host's /dev/null, opened before
//   pivot_root and checked to be the char device 1:3, never the image's
//   (CVE-2025-31133);
// - sysctls are written through a private procfs (CVE-2025-52881).
#include "ocirun/rootfs.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ocirun/cgroups.hpp"
#include "ocirun/container.hpp"
#include "ocirun/devices.hpp"
#include "ocirun/fs.hpp"
#include "ocirun/lsm.hpp"
#include "ocirun/mount_options.hpp"
#include "ocirun/mounts.hpp"
#include "ocirun/sync.hpp"
#include "ocirun/sys.hpp"
#include "ocirun/sysctl.hpp"

namespace ocirun {

namespace {

bool is_dest(const std::string& dest, std::string_view what) { return mnt::clean_in_root(dest) == what; }

bool has_mount_at(const Spec& spec, std::string_view dest) {
  for (const Mount& m : spec.mounts)
    if (is_dest(m.destination, dest)) return true;
  return false;
}

// The cgroup directory of the container in hierarchy h, as the runtime
// made it and recorded it in the state (computing it again here would race
// with the runtime moving this process into it).
Result<std::string> own_cgroup_dir(const InitContext& ctx, const CgroupHierarchy& h) {
  if (const std::string* dirs = find_extra(*ctx.state, kCgroupDirsKey)) {
    std::string_view rest = *dirs;
    while (!rest.empty()) {
      std::size_t nl = rest.find('\n');
      std::string_view d = rest.substr(0, nl);
      if (d.size() > h.mount_point.size() && d.starts_with(h.mount_point) && d[h.mount_point.size()] == '/')
        return std::string(d);
      if (nl == std::string_view::npos) break;
      rest.remove_prefix(nl + 1);
    }
  }
  return fail("no cgroup of the container in `" + h.mount_point + "`", ENOENT);
}

// One cgroup hierarchy, detached: a bind of the container's own directory
// from the host's. A new cgroup namespace is rooted at that directory, so
// the bind shows the container what a new mount of the hierarchy would
// (and its mountinfo names the root "/" there too), without a superblock
// per hierarchy per container: on a v1 host that is ten of them, kernel
// memory charged to the container and time spent in every create. A
// cgroup namespace joined by path is rooted where its maker chose: a new
// mount shows that root.
Result<UniqueFd> cgroup_tree(const InitContext& ctx, const CgroupHierarchy& h, bool unified) {
  const LinuxNamespace* ns = ctx.spec->linux.find_namespace(NamespaceType::Cgroup);
  if (ns != nullptr && ns->path) {
    MountOptions o;
    if (!unified)
      for (std::size_t pos = 0; pos <= h.controllers.size();) {
        std::size_t comma = h.controllers.find(',', pos);
        if (comma == std::string::npos) comma = h.controllers.size();
        if (comma > pos) o.fs_params.push_back(h.controllers.substr(pos, comma - pos));
        pos = comma + 1;
      }
    return mnt::new_filesystem(unified ? "cgroup2" : "cgroup", unified ? "cgroup2" : "cgroup", o);
  }
  std::string dir = TRY(own_cgroup_dir(ctx, h));
  return mnt::clone_tree(AT_FDCWD, dir, false);
}

// A `cgroup` mount. On a pure v2 host, the unified hierarchy; on a v1 or
// hybrid host (or for type cgroup2 asked for on one), a tmpfs holding each
// hierarchy the host has, named as the host names them. Read-only unless
// the config says rw.
Result<> mount_cgroup(const InitContext& ctx, int root_fd, const Mount& m, MountOptions opts) {
  if ((opts.attr.clr & MOUNT_ATTR_RDONLY) == 0) opts.attr.set |= MOUNT_ATTR_RDONLY;
  std::vector<CgroupHierarchy> own;
  if (ctx.hierarchies == nullptr) own = TRY(cgroup_hierarchies());
  const std::vector<CgroupHierarchy>& hs = ctx.hierarchies != nullptr ? *ctx.hierarchies : own;
  struct statfs sf {};
  bool pure_v2 = ::statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
  UniqueFd target = TRY(mnt::make_target(root_fd, m.destination, false, true));
  if (pure_v2 || m.type == "cgroup2") {
    for (const CgroupHierarchy& h : hs) {
      if (!h.controllers.empty()) continue;
      UniqueFd tree = TRY(cgroup_tree(ctx, h, true));
      TRY(mnt::set_attrs(tree.get(), opts.attr, false));
      TRY(mnt::attach(tree.get(), target.get()));
      return {};
    }
    return fail("no cgroup2 hierarchy on the host", ENOENT);
  }
  MountOptions tmpfs_opts;
  tmpfs_opts.fs_params = {"mode=755"};
  UniqueFd tmpfs = TRY(mnt::new_filesystem("tmpfs", "cgroup", tmpfs_opts));
  TRY(mnt::attach(tmpfs.get(), target.get()));
  for (const CgroupHierarchy& h : hs) {
    std::string name = h.mount_point.substr(h.mount_point.rfind('/') + 1);
    if (name.empty() || name == "." || name == "..") continue;
    if (::mkdirat(tmpfs.get(), name.c_str(), 0755) < 0) return fail_errno("mkdir `" + name + "`");
    UniqueFd sub(::openat(tmpfs.get(), name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub) return fail_errno("open `" + name + "`");
    UniqueFd tree = TRY_CTX(cgroup_tree(ctx, h, h.controllers.empty()), name);
    TRY(mnt::set_attrs(tree.get(), opts.attr, false));
    TRY_CTX(mnt::attach(tree.get(), sub.get()), name);
    // cpu,cpuacct is also reachable as cpu and as cpuacct, as on the host.
    if (name.find(',') != std::string::npos)
      for (std::size_t pos = 0; pos < name.size();) {
        std::size_t comma = name.find(',', pos);
        if (comma == std::string::npos) comma = name.size();
        std::string link = name.substr(pos, comma - pos);
        if (::symlinkat(name.c_str(), tmpfs.get(), link.c_str()) < 0 && errno != EEXIST)
          return fail_errno("symlink `" + link + "`");
        pos = comma + 1;
      }
  }
  TRY(mnt::set_attrs(tmpfs.get(), opts.attr, false));
  TRY(mnt::set_propagation(tmpfs.get(), opts.propagation));
  return {};
}

std::string id_map_text(const std::vector<IdMapping>& maps) {
  std::string out;
  for (const IdMapping& m : maps)
    out += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " + std::to_string(m.size) + "\n";
  return out;
}

// A user namespace with the mount's mappings, for an idmapped mount: a
// child made in a new one holds it while its maps are written and the
// namespace is opened, then exits.
Result<UniqueFd> userns_with_maps(const Mount& m) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return fail_errno("pipe");
  UniqueFd rd(p[0]), wr(p[1]);
  UniqueFd pidfd;
  pid_t pid = TRY(sys::clone3(CLONE_NEWUSER, &pidfd));
  if (pid == 0) {
    char c;
    wr.reset();
    (void)!::read(rd.get(), &c, 1);
    ::_exit(0);
  }
  rd.reset();
  // Through a procfs of this pid namespace, where the child's pid means
  // the child: the /proc in view before pivot_root is the host's.
  auto maps_and_ns = [&]() -> Result<UniqueFd> {
    UniqueFd proc = TRY(mnt::private_procfs());
    std::string dir = std::to_string(pid);
    for (auto [file, maps] : {std::pair{"uid_map", &m.uid_mappings}, std::pair{"gid_map", &m.gid_mappings}}) {
      UniqueFd f = TRY(mnt::open_proc_file(proc.get(), dir + "/" + file, O_WRONLY));
      TRY_CTX(fs::write_all(f.get(), id_map_text(*maps)), file);
    }
    UniqueFd ns(::openat(proc.get(), (dir + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns) return fail_errno("open the mapping's user namespace");
    return ns;
  };
  Result<UniqueFd> ns = maps_and_ns();
  wr.reset();  // the child reads EOF and exits
  ::waitpid(pid, nullptr, 0);
  return ns;
}

// The user namespace an idmapped mount maps through: one made with the
// mount's own mappings, or else the container's (`own_userns`, a path).
// Then mount_setattr MOUNT_ATTR_IDMAP on the detached tree, recursively for
// ridmap. The kernel wants CAP_SYS_ADMIN over the source filesystem's user
// namespace (the host's): with a user namespace, the runtime does this.
Result<> apply_idmap(const Mount& m, IdmapKind kind, int tree, const std::string& own_userns) {
  UniqueFd userns;
  if (!m.uid_mappings.empty()) {
    userns = TRY(userns_with_maps(m));
  } else {
    userns.reset(::open(own_userns.c_str(), O_RDONLY | O_CLOEXEC));
    if (!userns) return fail_errno("idmap: open the container's user namespace `" + own_userns + "`");
  }
  struct mount_attr attr {};
  attr.attr_set = MOUNT_ATTR_IDMAP;
  attr.userns_fd = static_cast<std::uint64_t>(userns.get());
  unsigned flags = AT_EMPTY_PATH | (kind == IdmapKind::Recursive ? AT_RECURSIVE : 0);
  if (::mount_setattr(tree, "", flags, &attr, sizeof attr) < 0) return fail_errno("idmap: mount_setattr");
  return {};
}

// The options of a mount as they apply: mappings on a mount make it
// idmapped, recursively for an rbind, as in runc.
Result<MountOptions> effective_options(const Mount& m) {
  MountOptions opts = TRY(parse_mount_options(m.options));
  if (opts.idmap == IdmapKind::None && !m.uid_mappings.empty())
    opts.idmap = opts.recursive ? IdmapKind::Recursive : IdmapKind::Top;
  return opts;
}

bool is_bind(const Mount& m, const MountOptions& opts) { return opts.bind || m.type == "bind"; }

// A bind mount's detached tree: its source (the runtime's path, in the
// runtime's mount tree; a relative one from the bundle) cloned, with every
// mount below it for rbind, idmapped if asked, with its attributes set.
// Made by the runtime for a container with a user namespace, else by the
// init, which is then root on the host.
Result<UniqueFd> bind_tree(const Mount& m, const MountOptions& opts, const std::string& bundle,
                           const std::string& own_userns) {
  if (opts.tmpcopyup) return fail("tmpcopyup: only for a tmpfs mount", EINVAL);
  std::string source = m.source;
  if (!source.empty() && source[0] != '/') source = bundle + "/" + source;
  UniqueFd src(::open(source.c_str(), O_PATH | O_CLOEXEC));
  if (!src) return fail_errno("open source `" + source + "`");
  UniqueFd tree = TRY(mnt::clone_tree(src.get(), "", opts.recursive));
  if (opts.idmap != IdmapKind::None) TRY(apply_idmap(m, opts.idmap, tree.get(), own_userns));
  TRY(mnt::set_attrs(tree.get(), opts.attr, false));
  TRY(mnt::set_attrs(tree.get(), opts.rattr, true));
  return tree;
}

// `remount`: mount(2) on the mount already at the destination, through
// /proc/self/fd of the fd that resolved it in the rootfs.
Result<> remount(int root_fd, const Mount& m, const MountOptions& opts) {
  UniqueFd target = TRY(mnt::open_in_root(root_fd, m.destination, O_PATH));
  std::string where = sys::fd_path(target.get());
  if (::mount(nullptr, where.c_str(), nullptr, opts.flags, opts.data.empty() ? nullptr : opts.data.c_str()) < 0)
    return fail_errno("remount");
  return {};
}

bool in_userns(const InitContext& ctx) { return ctx.new_userns || ctx.user_join >= 0; }

// A new filesystem's detached tree. sysfs in a user namespace without a
// network namespace of its own is refused by the kernel (EPERM: a sysfs
// shows the network namespace it is made in, which belongs to the host):
// then, as runc does, the host's /sys bound recursively, the config's
// attributes (ro in the default config) on every mount of it.
Result<UniqueFd> new_tree(const InitContext& ctx, const Mount& m, const MountOptions& opts) {
  std::string source = m.source.empty() ? m.type : m.source;
  Result<UniqueFd> made = mnt::new_filesystem(m.type, source, opts);
  if (made || m.type != "sysfs" || made.error().code != EPERM || !in_userns(ctx)) return made;
  UniqueFd tree = TRY_CTX(mnt::clone_tree(AT_FDCWD, "/sys", true), "sysfs: bind the host's /sys");
  MountAttrChange all = opts.attr;
  all.set |= opts.rattr.set;
  all.clr |= opts.rattr.clr;
  TRY_CTX(mnt::set_attrs(tree.get(), all, true), "sysfs: bind the host's /sys");
  return tree;
}

// One entry of mounts. `given`: the bind tree the runtime made for it
// (runtime_makes_bind_trees), or null.
Result<> mount_one(const InitContext& ctx, int root_fd, const Mount& m, UniqueFd* given) {
  MountOptions opts = TRY(effective_options(m));
  if (opts.remount) return remount(root_fd, m, opts);
  bool bind = is_bind(m, opts);
  if (!bind && (m.type == "cgroup" || m.type == "cgroup2")) return mount_cgroup(ctx, root_fd, m, opts);
  // A proc or sysfs destination that crosses a symlink (an image's /proc
  // linking elsewhere in the rootfs) is refused: CVE-2019-16884,
  // CVE-2023-27561, CVE-2023-28642.
  bool no_symlinks = m.type == "proc" || m.type == "sysfs" || is_dest(m.destination, "proc") ||
                     is_dest(m.destination, "sys");
  // In a user namespace the init cannot idmap (see apply_idmap): the
  // runtime does it for binds when both namespaces are new, not for
  // namespaces joined by path, nor for a new filesystem.
  if (opts.idmap != IdmapKind::None && in_userns(ctx) && !(bind && given))
    return fail(std::string("idmap: ") +
                    (bind ? "an idmapped bind mount with a user or mount namespace joined by path"
                          : "an idmapped mount of a new filesystem in a container with a user namespace") +
                    " is not supported",
                ENOTSUP);

  UniqueFd tree;
  bool file = false;
  if (bind) {
    if (given) tree = std::move(*given);
    else tree = TRY(bind_tree(m, opts, ctx.bundle, "/proc/self/ns/user"));
    struct stat st {};
    if (::fstat(tree.get(), &st) < 0) return fail_errno("stat source `" + m.source + "`");
    file = !S_ISDIR(st.st_mode);
  } else {
    if (m.type.empty()) return fail("type: required for a mount that is not a bind mount", EINVAL);
    // linux.mountLabel, when SELinux is enabled (else ignored, as runc does).
    const std::string& label = ctx.spec->linux.mount_label;
    if (!label.empty() && selinux_enabled()) add_mount_label(opts, m.type, label);
    tree = TRY(new_tree(ctx, m, opts));
    if (m.type == "proc") TRY(mnt::check_fs_type(tree.get(), PROC_SUPER_MAGIC, "the new proc mount"));
    if (m.type == "sysfs") TRY(mnt::check_fs_type(tree.get(), SYSFS_MAGIC, "the new sysfs mount"));
    if (opts.tmpcopyup) {
      if (m.type != "tmpfs") return fail("tmpcopyup: only for a tmpfs mount", EINVAL);
      Result<UniqueFd> old = mnt::open_in_root(root_fd, m.destination, O_RDONLY | O_DIRECTORY);
      if (old) TRY_CTX(mnt::copy_tree(old->get(), tree.get()), "tmpcopyup");
      else if (old.error().code != ENOENT) return tl::unexpected(old.error());
    }
    if (opts.idmap != IdmapKind::None) TRY(apply_idmap(m, opts.idmap, tree.get(), "/proc/self/ns/user"));
    TRY(mnt::set_attrs(tree.get(), opts.attr, false));
    TRY(mnt::set_attrs(tree.get(), opts.rattr, true));
  }
  UniqueFd target = TRY(mnt::make_target(root_fd, m.destination, file, no_symlinks));
  TRY(mnt::attach(tree.get(), target.get()));
  // Propagation, once attached: the fd now names the attached mount.
  TRY(mnt::set_propagation(tree.get(), opts.propagation));
  return {};
}

// The masks made so far: the first masked directory gets a new empty tmpfs
// and the first masked file the host's /dev/null; each later one a copy of
// that first mask, once it is attached (a detached mount cannot be copied
// on every kernel). One tmpfs superblock per container, not one per
// masked directory.
struct Masks {
  UniqueFd dev_null;  // the host's, verified before pivot_root
  UniqueFd dir;       // the first directory mask, attached
  UniqueFd file;      // the first file mask, attached
};

// maskedPaths: a directory gets an empty read-only tmpfs over it, anything
// else the host's /dev/null (verified before pivot_root, CVE-2025-31133).
Result<> mask_path(int root_fd, Masks& masks, const std::string& path) {
  Result<UniqueFd> target = mnt::open_in_root(root_fd, path, O_PATH);
  if (!target) {
    if (target.error().code == ENOENT) return {};
    return tl::unexpected(target.error());
  }
  struct stat st {};
  if (::fstat(target->get(), &st) < 0) return fail_errno("stat");
  bool dir = S_ISDIR(st.st_mode);
  UniqueFd& first = dir ? masks.dir : masks.file;
  UniqueFd tree;
  if (first) {
    tree = TRY(mnt::clone_tree(first.get(), "", false));
  } else if (dir) {
    MountOptions o;
    o.sb_flags = {"ro"};
    o.fs_params = {"size=0"};
    tree = TRY(mnt::new_filesystem("tmpfs", "tmpfs", o));
  } else {
    if (!masks.dev_null) return fail("no copy of the host's /dev/null", EINVAL);
    tree = std::move(masks.dev_null);
  }
  // Read-only for a directory; /dev/null itself stays writable, as the
  // program reading a masked file may expect of it.
  std::uint64_t attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC | (dir ? MOUNT_ATTR_RDONLY : 0);
  TRY(mnt::set_attrs(tree.get(), {attrs, 0}, false));
  TRY(mnt::attach(tree.get(), target->get()));
  // Attached, the fd names a mount of this namespace, which can be copied.
  if (!first) first = std::move(tree);
  return {};
}

// readonlyPaths: a recursive read-only bind of the path onto itself.
Result<> readonly_path(int root_fd, const std::string& path) {
  Result<UniqueFd> target = mnt::open_in_root(root_fd, path, O_PATH);
  if (!target) {
    if (target.error().code == ENOENT) return {};
    return tl::unexpected(target.error());
  }
  UniqueFd tree = TRY(mnt::clone_tree(target->get(), "", true));
  TRY(mnt::set_attrs(tree.get(), {MOUNT_ATTR_RDONLY, 0}, true));
  TRY(mnt::attach(tree.get(), target->get()));
  return {};
}

}  // namespace

// Before the createContainer hooks, with paths still resolving in the
// runtime's tree.
bool runtime_makes_bind_trees(const Spec& spec) {
  const LinuxNamespace* mount = spec.linux.find_namespace(NamespaceType::Mount);
  const LinuxNamespace* user = spec.linux.find_namespace(NamespaceType::User);
  return user != nullptr && !user->path && mount != nullptr && !mount->path;
}

Result<std::vector<MountSource>> make_bind_trees(const Spec& spec, const std::string& bundle, pid_t pid) {
  std::vector<MountSource> out;
  if (!runtime_makes_bind_trees(spec)) return out;
  std::string own_userns = "/proc/" + std::to_string(pid) + "/ns/user";
  for (std::size_t i = 0; i < spec.mounts.size(); i++) {
    const Mount& m = spec.mounts[i];
    std::string where = "mounts[" + std::to_string(i) + "] " + m.destination;
    MountOptions opts = TRY_CTX(effective_options(m), where);
    if (opts.remount || !is_bind(m, opts)) continue;
    UniqueFd tree = TRY_CTX(bind_tree(m, opts, bundle, own_userns), where);
    out.push_back({i, std::move(tree)});
  }
  return out;
}

Result<std::vector<UniqueFd>> receive_bind_trees(int sync_fd, std::size_t mount_count) {
  std::vector<UniqueFd> trees(mount_count);
  for (;;) {
    SyncMessage m = TRY(sync_recv(sync_fd));
    if (m.type == SyncType::RuntimeDone) return trees;
    if (m.type != SyncType::MountSource || !m.fd || m.code < 0 || static_cast<std::size_t>(m.code) >= mount_count)
      return fail("sync: unexpected message " + std::to_string(static_cast<std::uint32_t>(m.type)), EPROTO);
    trees[static_cast<std::size_t>(m.code)] = std::move(m.fd);
  }
}

Result<Rootfs> prepare_rootfs(const InitContext& ctx, std::vector<UniqueFd>& bind_trees) {
  const Spec& spec = *ctx.spec;
  // Refused before anything is mounted, so the error is the config's.
  for (const auto& [key, value] : spec.linux.sysctl) TRY(sysctl_path(key, spec.linux));
  // A root.path that is the host's / (a relative one climbing out of the
  // bundle with "..", say) would hand the container the host's tree.
  struct stat root_st {}, host_st {};
  if (::stat(ctx.rootfs.c_str(), &root_st) < 0 || ::stat("/", &host_st) < 0) return fail_errno("stat root.path");
  if (root_st.st_dev == host_st.st_dev && root_st.st_ino == host_st.st_ino)
    return fail("root.path: `" + ctx.rootfs + "` is the host's root directory", EINVAL);

  Rootfs out;
  // The host's /dev/null, now, before anything of the image's can stand
  // in for it.
  if (!spec.linux.masked_paths.empty()) {
    UniqueFd null = TRY_CTX(open_host_dev_null(), "linux.maskedPaths");
    UniqueFd copy = TRY_CTX(mnt::clone_tree(null.get(), "", false), "linux.maskedPaths: /dev/null");
    struct stat st {};
    if (::fstat(copy.get(), &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
      return fail("linux.maskedPaths: the copy of /dev/null is not the char device 1:3", EINVAL);
    out.dev_null = std::move(copy);
  }

  // Nothing mounted here may propagate back to the host.
  if (::mount(nullptr, "/", nullptr, MS_SLAVE | MS_REC, nullptr) < 0) return fail_errno("make / a slave");
  // pivot_root needs the new root to be a mount point: bind it onto itself.
  {
    UniqueFd dir(::open(ctx.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir) return fail_errno("open rootfs `" + ctx.rootfs + "`");
    UniqueFd tree = TRY_CTX(mnt::clone_tree(dir.get(), "", true), "bind the rootfs");
    TRY_CTX(mnt::attach(tree.get(), dir.get()), "bind the rootfs");
    out.root.reset(::openat(tree.get(), ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!out.root) return fail_errno("open the rootfs mount");
  }
  int root = out.root.get();

  for (std::size_t i = 0; i < spec.mounts.size(); i++) {
    const Mount& m = spec.mounts[i];
    UniqueFd* given = i < bind_trees.size() && bind_trees[i] ? &bind_trees[i] : nullptr;
    TRY_CTX(mount_one(ctx, root, m, given), "mounts[" + std::to_string(i) + "] " + m.destination);
  }
  // The container's /proc, if it has one, must be a procfs: a bind of
  // anything else there would fake it (CVE-2019-16884).
  if (has_mount_at(spec, "proc")) {
    UniqueFd proc = TRY_CTX(mnt::open_in_root(root, "/proc", O_PATH | O_DIRECTORY, true), "/proc");
    TRY(mnt::check_fs_type(proc.get(), PROC_SUPER_MAGIC, "the container's /proc"));
  }
  // Devices: the default set when /dev is the container's own, then the
  // config's. In a user namespace mknod is refused: bind the host's nodes.
  bool in_userns = ctx.new_userns || ctx.user_join >= 0;
  if (has_mount_at(spec, "dev")) {
    TRY_CTX(make_devices(root, default_devices(), in_userns), "default devices");
    TRY_CTX(make_dev_links(root), "default devices");
  }
  TRY_CTX(make_devices(root, spec.linux.devices, in_userns), "linux.devices");
  TRY(write_sysctls(spec.linux));
  // The working directory is made here, as root and before the rootfs may
  // turn read-only; it is entered later as the user (who may then be
  // refused, as on any system).
  // A cwd through a magic link (/proc/self/fd/N) is not made here (ELOOP):
  // the chdir after pivot_root refuses it, naming CVE-2024-21626.
  if (Result<UniqueFd> cwd = mnt::mkdir_all(root, spec.process->cwd); !cwd && cwd.error().code != ELOOP)
    return tl::unexpected(with_context(cwd.error(), "process.cwd"));
  return out;
}

Result<> enter_rootfs(const InitContext& ctx, Rootfs& rootfs) {
  const Spec& spec = *ctx.spec;
  if (ctx.no_pivot) {
    // For a rootfs on a ramdisk, where pivot_root is refused.
    if (::fchdir(rootfs.root.get()) < 0) return fail_errno("chdir rootfs");
    if (::mount(".", "/", nullptr, MS_MOVE, nullptr) < 0) return fail_errno("move the rootfs to /");
    if (::chroot(".") < 0) return fail_errno("chroot");
  } else {
    // pivot_root(".", ".") stacks the old root on the new one; detaching it
    // then leaves the new root alone, without a directory for the old one.
    if (::fchdir(rootfs.root.get()) < 0) return fail_errno("chdir rootfs");
    if (::syscall(SYS_pivot_root, ".", ".") < 0) return fail_errno("pivot_root");
    if (::umount2(".", MNT_DETACH) < 0) return fail_errno("detach the old root");
  }
  if (::chdir("/") < 0) return fail_errno("chdir /");
  rootfs.root.reset();

  // Masked and read-only paths, in the container's own view, after the
  // createContainer hooks (which may have mounted more).
  UniqueFd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return fail_errno("open /");
  Masks masks{std::move(rootfs.dev_null), {}, {}};
  for (const std::string& p : spec.linux.masked_paths)
    TRY_CTX(mask_path(root.get(), masks, p), "linux.maskedPaths " + p);
  for (const std::string& p : spec.linux.readonly_paths)
    TRY_CTX(readonly_path(root.get(), p), "linux.readonlyPaths " + p);

  if (spec.linux.rootfs_propagation) {
    const RootfsPropagation& rp = *spec.linux.rootfs_propagation;
    unsigned long flags = static_cast<unsigned long>(rp.type) | (rp.recursive ? MS_REC : 0);
    if (::mount(nullptr, "/", nullptr, flags, nullptr) < 0) return fail_errno("linux.rootfsPropagation");
  }
  if (spec.root.readonly) {
    // Only the read-only attribute changes: nosuid and the like stay.
    struct mount_attr attr {};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (::mount_setattr(AT_FDCWD, "/", 0, &attr, sizeof attr) < 0) return fail_errno("root.readonly");
  }
  return {};
}

}  // namespace ocirun
