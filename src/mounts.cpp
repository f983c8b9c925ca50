#include "ocirun/mounts.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

#include "ocirun/fs.hpp"

namespace ocirun::mnt {

namespace {

Result<UniqueFd> openat2_fd(int dir_fd, const std::string& path, int flags, std::uint64_t resolve, mode_t mode = 0) {
  struct open_how how {};
  how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & O_CREAT) ? mode : 0;
  how.resolve = resolve;
  for (;;) {
    int fd = static_cast<int>(::syscall(SYS_openat2, dir_fd, path.c_str(), &how, sizeof how));
    if (fd >= 0) return UniqueFd(fd);
    // EAGAIN: a rename raced with the lookup; it is safe to retry.
    if (errno != EAGAIN && errno != EINTR) return fail_errno("open `" + path + "`");
  }
}

std::string display(std::string_view clean) {
  std::string out("/");
  if (clean != ".") out.append(clean);
  return out;
}

// parent and last component of a clean relative path ("a/b" -> "a", "b").
std::pair<std::string, std::string> split_last(const std::string& clean) {
  std::size_t slash = clean.rfind('/');
  if (slash == std::string::npos) return {".", clean};
  return {clean.substr(0, slash), clean.substr(slash + 1)};
}

}  // namespace

std::string clean_in_root(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    std::string_view part = path.substr(pos, next - pos);
    pos = next + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  if (parts.empty()) return ".";
  std::string out;
  for (std::string_view p : parts) {
    if (!out.empty()) out.push_back('/');
    out.append(p);
  }
  return out;
}

Result<UniqueFd> open_in_root(int root_fd, std::string_view path, int flags, bool no_symlinks) {
  std::uint64_t resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | (no_symlinks ? RESOLVE_NO_SYMLINKS : 0);
  std::string clean = clean_in_root(path);
  Result<UniqueFd> fd = openat2_fd(root_fd, clean, flags, resolve);
  if (!fd) return fail_errno("open `" + display(clean) + "` in the rootfs", fd.error().code);
  return fd;
}

Result<UniqueFd> mkdir_all(int root_fd, std::string_view path, mode_t mode) {
  std::string clean = clean_in_root(path);
  UniqueFd dir = TRY(openat2_fd(root_fd, ".", O_PATH | O_DIRECTORY, RESOLVE_IN_ROOT));
  if (clean == ".") return dir;
  std::string prefix;
  std::size_t pos = 0;
  while (pos < clean.size()) {
    std::size_t next = clean.find('/', pos);
    if (next == std::string::npos) next = clean.size();
    std::string part = clean.substr(pos, next - pos);
    pos = next + 1;
    if (!prefix.empty()) prefix.push_back('/');
    prefix.append(part);
    // Each step resolves the whole prefix in the root: a symlink anywhere
    // (an image's, or one swapped in since the last step) stays inside.
    for (int attempt = 0;; attempt++) {
      Result<UniqueFd> next_dir = openat2_fd(root_fd, prefix, O_PATH | O_DIRECTORY,
                                             RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
      if (next_dir) {
        dir = std::move(*next_dir);
        break;
      }
      if (next_dir.error().code != ENOENT || attempt > 8)
        return fail_errno("mkdir `" + display(prefix) + "` in the rootfs", next_dir.error().code);
      // A dangling symlink here would make mkdirat fail with EEXIST and the
      // next lookup ENOENT again: the attempt limit ends that loop.
      if (::mkdirat(dir.get(), part.c_str(), mode) < 0 && errno != EEXIST)
        return fail_errno("mkdir `" + display(prefix) + "` in the rootfs");
    }
  }
  return dir;
}

Result<UniqueFd> make_target(int root_fd, std::string_view path, bool file, bool no_symlinks) {
  std::string clean = clean_in_root(path);
  std::uint64_t resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | (no_symlinks ? RESOLVE_NO_SYMLINKS : 0);
  Result<UniqueFd> existing = openat2_fd(root_fd, clean, O_PATH, resolve);
  if (existing) return existing;
  if (existing.error().code != ENOENT)
    return fail_errno("open `" + display(clean) + "` in the rootfs", existing.error().code);
  if (!file) {
    UniqueFd dir = TRY(mkdir_all(root_fd, clean));
    if (no_symlinks) return open_in_root(root_fd, clean, O_PATH, true);
    return dir;
  }
  auto [parent, name] = split_last(clean);
  UniqueFd pdir = TRY(mkdir_all(root_fd, parent));
  // O_EXCL | O_NOFOLLOW: made here, in a directory of the rootfs, or refused.
  UniqueFd f(::openat(pdir.get(), name.c_str(), O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0644));
  if (!f && errno != EEXIST) return fail_errno("create `" + display(clean) + "` in the rootfs");
  return open_in_root(root_fd, clean, O_PATH, no_symlinks);
}

Result<UniqueFd> clone_tree(int dir_fd, const std::string& path, bool recursive) {
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (path.empty() ? AT_EMPTY_PATH : 0) |
                   (recursive ? AT_RECURSIVE : 0);
  int fd = ::open_tree(dir_fd, path.c_str(), flags);
  if (fd < 0) return fail_errno("open_tree `" + path + "`");
  return UniqueFd(fd);
}

Result<UniqueFd> new_filesystem(const std::string& type, const std::string& source, const MountOptions& opts) {
  UniqueFd fs(::fsopen(type.c_str(), FSOPEN_CLOEXEC));
  if (!fs) return fail_errno("fsopen `" + type + "`");
  auto config = [&](unsigned cmd, const std::string& key, const char* value) -> Result<> {
    if (::fsconfig(fs.get(), cmd, key.empty() ? nullptr : key.c_str(), value, 0) < 0)
      return fail_errno("fsconfig `" + (value ? key + "=" + value : key) + "`");
    return {};
  };
  if (!source.empty()) TRY(config(FSCONFIG_SET_STRING, "source", source.c_str()));
  for (const std::string& f : opts.sb_flags) TRY(config(FSCONFIG_SET_FLAG, f, nullptr));
  for (const std::string& p : opts.fs_params) {
    std::size_t eq = p.find('=');
    if (eq == std::string::npos) TRY(config(FSCONFIG_SET_FLAG, p, nullptr));
    else TRY(config(FSCONFIG_SET_STRING, p.substr(0, eq), p.c_str() + eq + 1));
  }
  TRY(config(FSCONFIG_CMD_CREATE, "", nullptr));
  int m = ::fsmount(fs.get(), FSMOUNT_CLOEXEC, 0);
  if (m < 0) return fail_errno("fsmount `" + type + "`");
  return UniqueFd(m);
}

Result<> set_attrs(int mnt_fd, const MountAttrChange& change, bool recursive) {
  if (change.empty()) return {};
  struct mount_attr attr {};
  attr.attr_set = change.set;
  attr.attr_clr = change.clr;
  if (::mount_setattr(mnt_fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0)
    return fail_errno("mount_setattr");
  return {};
}

Result<> set_propagation(int mnt_fd, unsigned long propagation) {
  if (propagation == 0) return {};
  struct mount_attr attr {};
  attr.propagation = propagation & ~static_cast<unsigned long>(MS_REC);
  unsigned flags = AT_EMPTY_PATH | ((propagation & MS_REC) ? AT_RECURSIVE : 0);
  if (::mount_setattr(mnt_fd, "", flags, &attr, sizeof attr) < 0) return fail_errno("set propagation");
  return {};
}

Result<> attach(int mnt_fd, int target_fd) {
  if (::move_mount(mnt_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) == 0) return {};
  int err = errno;
  // A directory onto a file, or the reverse: move_mount says EINVAL where
  // mount(2) said ENOTDIR, and callers (Podman, Docker) show the user
  // runc's "not a directory".
  struct stat from {}, to {};
  if (err == EINVAL && ::fstat(mnt_fd, &from) == 0 && ::fstat(target_fd, &to) == 0 &&
      S_ISDIR(from.st_mode) != S_ISDIR(to.st_mode))
    return fail(std::string("move_mount: ") + (S_ISDIR(from.st_mode) ? "a directory onto a file" : "a file onto a directory") +
                    ": not a directory",
                ENOTDIR);
  errno = err;
  return fail_errno("move_mount");
}

Result<> check_fs_type(int fd, long magic, std::string_view what) {
  struct statfs sf {};
  if (::fstatfs(fd, &sf) < 0) return fail_errno("statfs " + std::string(what));
  if (static_cast<long>(sf.f_type) != magic) return fail(std::string(what) + " is not on the expected filesystem", EXDEV);
  return {};
}

Result<UniqueFd> private_procfs() {
  MountOptions none;
  UniqueFd proc = TRY(new_filesystem("proc", "proc", none));
  TRY(check_fs_type(proc.get(), PROC_SUPER_MAGIC, "the private procfs"));
  return proc;
}

Result<UniqueFd> open_proc_file(int proc_fd, std::string_view path, int flags) {
  std::string p(path);
  while (!p.empty() && p[0] == '/') p.erase(0, 1);
  UniqueFd fd = TRY(openat2_fd(proc_fd, p, flags,
                               RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV));
  TRY(check_fs_type(fd.get(), PROC_SUPER_MAGIC, "`/proc/" + p + "`"));
  return fd;
}

Result<> copy_tree(int src_fd, int dst_fd) {
  int dup = ::openat(src_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup < 0) return fail_errno("open the directory to copy");
  DIR* d = ::fdopendir(dup);
  if (d == nullptr) {
    ::close(dup);
    return fail_errno("fdopendir");
  }
  struct Closer {
    DIR* d;
    ~Closer() { ::closedir(d); }
  } closer{d};
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    if (::fstatat(src_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return fail_errno("stat `" + name + "`");
    if (S_ISDIR(st.st_mode)) {
      if (::mkdirat(dst_fd, name.c_str(), st.st_mode & 07777) < 0 && errno != EEXIST)
        return fail_errno("mkdir `" + name + "`");
      UniqueFd s(::openat(src_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      UniqueFd t(::openat(dst_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!s || !t) return fail_errno("open `" + name + "`");
      TRY_CTX(copy_tree(s.get(), t.get()), name);
    } else if (S_ISREG(st.st_mode)) {
      UniqueFd s(::openat(src_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      UniqueFd t(::openat(dst_fd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 07777));
      if (!s || !t) return fail_errno("copy `" + name + "`");
      char buf[65536];
      for (;;) {
        ssize_t n = ::read(s.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail_errno("read `" + name + "`");
        if (n == 0) break;
        TRY_CTX(fs::write_all(t.get(), std::string_view(buf, static_cast<std::size_t>(n))), name);
      }
    } else if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<std::size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlinkat(src_fd, name.c_str(), target.data(), target.size());
      if (n < 0) return fail_errno("readlink `" + name + "`");
      target.resize(static_cast<std::size_t>(n));
      if (::symlinkat(target.c_str(), dst_fd, name.c_str()) < 0) return fail_errno("symlink `" + name + "`");
    } else if (::mknodat(dst_fd, name.c_str(), st.st_mode, st.st_rdev) < 0) {
      return fail_errno("mknod `" + name + "`");
    }
    if (::fchownat(dst_fd, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
      return fail_errno("chown `" + name + "`");
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    ::utimensat(dst_fd, name.c_str(), times, AT_SYMLINK_NOFOLLOW);
  }
  return {};
}

}  // namespace ocirun::mnt
