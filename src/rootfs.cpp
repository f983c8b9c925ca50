// The rootfs: the config's mounts inside it, the default devices, then
// pivot_root. Runs in the init (see container_create.cpp), in the
// container's mount namespace; every path inside the container is resolved
// in the rootfs (openat2 RESOLVE_IN_ROOT), never through the host's tree.
#include "ocirun/rootfs.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ocirun/mount_options.hpp"
#include "ocirun/sys.hpp"

namespace ocirun {

namespace {

Result<> do_mount(const char* source, const std::string& target, const char* type, unsigned long flags,
                  const char* data) {
  if (::mount(source, target.c_str(), type, flags, data) < 0) return fail_errno("mount");
  return {};
}

Result<> mount_one(int root_fd, const std::string& bundle, const Mount& m) {
  MountOptions opts = TRY(parse_mount_options(m.options));
  std::string source = m.source;
  bool bind = opts.bind || m.type == "bind";
  if (bind && !source.empty() && source[0] != '/') source = bundle + "/" + source;  // relative to the bundle

  bool file = false;
  if (bind) {
    struct stat st {};
    if (::stat(source.c_str(), &st) < 0) return fail_errno("stat source `" + source + "`");
    file = !S_ISDIR(st.st_mode);
  }
  TRY(make_in_root(root_fd, m.destination, file));
  UniqueFd target = TRY(sys::open_in_root(root_fd, m.destination, O_PATH));
  std::string where = sys::fd_path(target.get());

  if (bind) {
    TRY(do_mount(source.c_str(), where, nullptr, MS_BIND | (opts.flags & MS_REC), nullptr));
    unsigned long rest = opts.flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
    if (rest != 0) {
      // Flags of a bind mount take a remount, of the new mount: reopen it.
      UniqueFd top = TRY(sys::open_in_root(root_fd, m.destination, O_PATH));
      TRY_CTX(do_mount(nullptr, sys::fd_path(top.get()), nullptr, MS_BIND | MS_REMOUNT | rest, nullptr),
              "remount");
    }
  } else {
    // The v1 hierarchies of a hybrid host come with the cgroup work; until
    // then a cgroup mount shows the unified hierarchy.
    const char* type = m.type == "cgroup" ? "cgroup2" : m.type.c_str();
    const char* src = source.empty() ? type : source.c_str();
    TRY(do_mount(src, where, type, opts.flags, opts.data.empty() ? nullptr : opts.data.c_str()));
  }
  if (opts.propagation != 0) {
    UniqueFd top = TRY(sys::open_in_root(root_fd, m.destination, O_PATH));
    TRY_CTX(do_mount(nullptr, sys::fd_path(top.get()), nullptr, opts.propagation, nullptr), "set propagation");
  }
  return {};
}

// The devices every container has (runtime-spec "Default Devices"), when
// /dev is a filesystem of the container's own.
Result<> make_default_devices(int root_fd, bool in_userns) {
  struct Dev {
    const char* name;
    unsigned major, minor;
  };
  static constexpr Dev kDevices[] = {{"null", 1, 3}, {"zero", 1, 5},    {"full", 1, 7},
                                     {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}};
  UniqueFd dev = TRY(sys::open_in_root(root_fd, "/dev", O_PATH | O_DIRECTORY));
  for (const Dev& d : kDevices) {
    std::string host = std::string("/dev/") + d.name;
    if (!in_userns && ::mknodat(dev.get(), d.name, S_IFCHR | 0666, makedev(d.major, d.minor)) == 0) {
      ::fchmodat(dev.get(), d.name, 0666, 0);  // mknod's mode is cut by the umask
      continue;
    }
    if (errno != EEXIST && errno != EPERM && !in_userns) return fail_errno("mknod `" + host + "`");
    // In a user namespace mknod is refused: bind the host's node instead.
    int fd = ::openat(dev.get(), d.name, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
    if (fd >= 0) ::close(fd);
    UniqueFd target = TRY(sys::open_in_root(root_fd, host, O_PATH));
    TRY_CTX(do_mount(host.c_str(), sys::fd_path(target.get()), nullptr, MS_BIND, nullptr), "bind " + host);
  }
  struct Link {
    const char* name;
    const char* target;
  };
  static constexpr Link kLinks[] = {{"fd", "/proc/self/fd"},      {"stdin", "/proc/self/fd/0"},
                                    {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
                                    {"ptmx", "pts/ptmx"}};
  for (const Link& l : kLinks)
    if (::symlinkat(l.target, dev.get(), l.name) < 0 && errno != EEXIST)
      return fail_errno(std::string("symlink /dev/") + l.name);
  return {};
}

bool has_mount_at(const Spec& spec, std::string_view dest) {
  for (const Mount& m : spec.mounts)
    if (m.destination == dest) return true;
  return false;
}

}  // namespace

Result<> make_in_root(int root_fd, const std::string& path, bool file) {
  std::string partial;
  std::size_t pos = 0;
  while (pos < path.size()) {
    std::size_t next = path.find('/', pos);
    if (next == std::string::npos) next = path.size();
    std::string part = path.substr(pos, next - pos);
    pos = next + 1;
    if (part.empty() || part == ".") continue;
    std::string parent = partial.empty() ? std::string("/") : partial;
    partial.push_back('/');
    partial.append(part);
    bool last = pos >= path.size();
    if (sys::open_in_root(root_fd, partial, O_PATH)) continue;  // exists
    UniqueFd dir = TRY(sys::open_in_root(root_fd, parent, O_PATH | O_DIRECTORY));
    if (last && file) {
      int fd = ::openat(dir.get(), part.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
      if (fd < 0 && errno != EEXIST) return fail_errno("create `" + partial + "`");
      if (fd >= 0) ::close(fd);
    } else if (::mkdirat(dir.get(), part.c_str(), 0755) < 0 && errno != EEXIST) {
      return fail_errno("mkdir `" + partial + "`");
    }
  }
  return {};
}

// Before the createContainer hooks, with paths still resolving in the
// runtime's tree.
Result<UniqueFd> prepare_rootfs(const InitContext& ctx) {
  const Spec& spec = *ctx.spec;
  // Nothing mounted here may propagate back to the host.
  unsigned long prop = MS_SLAVE | MS_REC;
  TRY_CTX(do_mount(nullptr, "/", nullptr, prop, nullptr), "make / a slave");
  // pivot_root needs the new root to be a mount point.
  TRY_CTX(do_mount(ctx.rootfs.c_str(), ctx.rootfs, nullptr, MS_BIND | MS_REC, nullptr), "bind the rootfs");
  UniqueFd root(::open(ctx.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return fail_errno("open rootfs `" + ctx.rootfs + "`");

  for (std::size_t i = 0; i < spec.mounts.size(); i++) {
    const Mount& m = spec.mounts[i];
    TRY_CTX(mount_one(root.get(), ctx.bundle, m), "mounts[" + std::to_string(i) + "] " + m.destination);
  }
  if (has_mount_at(spec, "/dev")) TRY_CTX(make_default_devices(root.get(), ctx.new_userns), "default devices");
  // The working directory is made here, as root and before the rootfs may
  // turn read-only; it is entered later as the user (who may then be
  // refused, as on any system).
  TRY_CTX(make_in_root(root.get(), spec.process->cwd, false), "process.cwd");
  return root;
}

Result<> enter_rootfs(const InitContext& ctx, int root_fd) {
  const Spec& spec = *ctx.spec;
  if (ctx.no_pivot) {
    // For a rootfs on a ramdisk, where pivot_root is refused.
    if (::chdir(ctx.rootfs.c_str()) < 0) return fail_errno("chdir rootfs");
    TRY_CTX(do_mount(ctx.rootfs.c_str(), "/", nullptr, MS_MOVE, nullptr), "move the rootfs to /");
    if (::chroot(".") < 0) return fail_errno("chroot");
  } else {
    // pivot_root(".", ".") stacks the old root on the new one; detaching it
    // then leaves the new root alone, without a directory for the old one.
    if (::fchdir(root_fd) < 0) return fail_errno("chdir rootfs");
    if (::syscall(SYS_pivot_root, ".", ".") < 0) return fail_errno("pivot_root");
    if (::umount2(".", MNT_DETACH) < 0) return fail_errno("detach the old root");
  }
  if (::chdir("/") < 0) return fail_errno("chdir /");

  if (spec.linux.rootfs_propagation) {
    const RootfsPropagation& rp = *spec.linux.rootfs_propagation;
    unsigned long flags = static_cast<unsigned long>(rp.type) | (rp.recursive ? MS_REC : 0);
    TRY_CTX(do_mount(nullptr, "/", nullptr, flags, nullptr), "linux.rootfsPropagation");
  }
  if (spec.root.readonly) {
    // A bind remount must keep the flags the mount already has (nosuid...).
    struct statvfs sv {};
    if (::statvfs("/", &sv) < 0) return fail_errno("statvfs /");
    unsigned long keep = sv.f_flag & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME);
    TRY_CTX(do_mount(nullptr, "/", nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, nullptr), "root.readonly");
  }
  return {};
}

}  // namespace ocirun
