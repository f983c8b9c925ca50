#include "ocirun/fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <ctime>
#include <vector>

namespace ocirun::fs {

namespace {

std::string quoted(std::string_view s) {
  std::string out = "`";
  out += s;
  out += '`';
  return out;
}

// Opens a directory found inside the tree being removed (a single name from
// readdir). openat2's RESOLVE_NO_XDEV fails with EXDEV on a mount point,
// bind mounts of the same filesystem included, so a host directory
// bind-mounted into the tree is never emptied; kernels before 5.6 fall back
// to comparing st_dev, which catches other filesystems only.
Result<UniqueFd> open_inner_dir(int dir_fd, const char* name) {
  struct open_how how {};
  how.flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  how.resolve = RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH;
  long fd = ::syscall(SYS_openat2, dir_fd, name, &how, sizeof how);
  if (fd >= 0) return UniqueFd(static_cast<int>(fd));
  if (errno == EXDEV) return fail_errno("open " + quoted(name) + " (a mount point)", EBUSY);
  if (errno != ENOSYS) return fail_errno("open " + quoted(name));

  UniqueFd sub(::openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!sub) return fail_errno("open " + quoted(name));
  struct stat parent {}, child {};
  if (::fstat(dir_fd, &parent) < 0 || ::fstat(sub.get(), &child) < 0) return fail_errno("stat " + quoted(name));
  if (parent.st_dev != child.st_dev) return fail_errno("open " + quoted(name) + " (a mount point)", EBUSY);
  return sub;
}

// The top of the tree is where the caller said, so it may be any path.
Result<UniqueFd> open_top_dir(int dir_fd, const char* name) {
  UniqueFd fd(::openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return fail_errno("open " + quoted(name));
  return fd;
}

constexpr int kMaxRemoveDepth = 64;

Result<> remove_entry(int dir_fd, const char* name, int depth) {
  if (::unlinkat(dir_fd, name, 0) == 0 || errno == ENOENT) return {};
  // unlink(2) of a directory fails with EISDIR on Linux: empty it first.
  if (errno != EISDIR) return fail_errno("unlink " + quoted(name));
  if (depth >= kMaxRemoveDepth) return fail("remove " + quoted(name) + ": directory tree too deep", ELOOP);

  UniqueFd sub = TRY(depth == 0 ? open_top_dir(dir_fd, name) : open_inner_dir(dir_fd, name));
  // fdopendir takes the fd it is given: hand it a duplicate.
  int dup_fd = ::fcntl(sub.get(), F_DUPFD_CLOEXEC, 0);
  if (dup_fd < 0) return fail_errno("dup");
  DIR* dir = ::fdopendir(dup_fd);
  if (!dir) {
    ::close(dup_fd);
    return fail_errno("opendir " + quoted(name));
  }
  // Names are collected first: removing entries while readdir walks the
  // directory may make it skip some.
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* e = ::readdir(dir)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
    errno = 0;
  }
  int read_errno = errno;
  ::closedir(dir);
  if (read_errno != 0) return fail_errno("readdir " + quoted(name), read_errno);

  for (const std::string& n : names) TRY_CTX(remove_entry(sub.get(), n.c_str(), depth + 1), name);
  if (::unlinkat(dir_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return fail_errno("rmdir " + quoted(name));
  return {};
}

}  // namespace

Result<> write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("write");
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}


Result<> mkdir_p(const std::string& path, mode_t mode) {
  if (path.empty()) return fail("mkdir: empty path");
  if (::mkdir(path.c_str(), mode) == 0) return {};
  if (errno == ENOENT) {
    // A parent is missing: make it, then retry this one.
    std::size_t slash = path.find_last_of('/');
    while (slash != std::string::npos && slash > 0 && path[slash - 1] == '/') slash--;
    if (slash == std::string::npos || slash == 0) return fail_errno("mkdir " + quoted(path));
    TRY(mkdir_p(path.substr(0, slash), mode));
    if (::mkdir(path.c_str(), mode) == 0) return {};
  }
  if (errno != EEXIST) return fail_errno("mkdir " + quoted(path));
  // EEXIST: fine if it is a directory (or a symlink to one, as /var/run is).
  struct stat st {};
  if (::stat(path.c_str(), &st) < 0) return fail_errno("stat " + quoted(path));
  if (!S_ISDIR(st.st_mode)) return fail("mkdir " + quoted(path) + ": not a directory", ENOTDIR);
  return {};
}

Result<UniqueFd> open_dir_at(int dir_fd, const std::string& name) {
  UniqueFd fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return fail_errno("open " + quoted(name));
  return fd;
}

Result<> write_file_atomic(int dir_fd, std::string_view name, std::string_view data, mode_t mode) {
  std::string target(name);
  // The temp name starts with a dot and has a random part, so that two
  // writers never share one and a leftover from a killed writer never
  // blocks the next (O_EXCL would otherwise fail forever).
  std::string tmp;
  UniqueFd fd;
  for (int attempt = 0; attempt < 16 && !fd; attempt++) {
    tmp = "." + target + ".tmp-" + random_suffix();
    fd.reset(::openat(dir_fd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
    if (!fd && errno != EEXIST) return fail_errno("create " + quoted(tmp));
  }
  if (!fd) return fail_errno("create " + quoted(tmp));

  auto written = [&]() -> Result<> {
    TRY_CTX(fs::write_all(fd.get(), data), quoted(tmp));
    // An existing file is swapped with the new one, then its old content
    // unlinked under the temp name: readers see one or the other whole, as
    // with a rename over it. A rename over a file makes ext4 write the new
    // data out first (auto_da_alloc), a disk flush per state save where
    // /run is not a tmpfs; nothing here must outlive a reboot, so that
    // durability buys nothing. Anything but a regular file there (none
    // yet, a directory in the way), or a filesystem without
    // RENAME_EXCHANGE: a plain rename, which fails where it should.
    struct stat old {};
    if (::fstatat(dir_fd, target.c_str(), &old, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(old.st_mode)) {
      if (::renameat2(dir_fd, tmp.c_str(), dir_fd, target.c_str(), RENAME_EXCHANGE) == 0) {
        ::unlinkat(dir_fd, tmp.c_str(), 0);
        return {};
      }
      if (errno != EINVAL) return fail_errno("exchange " + quoted(tmp) + " with " + quoted(target));
    }
    if (::renameat(dir_fd, tmp.c_str(), dir_fd, target.c_str()) < 0)
      return fail_errno("rename " + quoted(tmp) + " to " + quoted(target));
    return {};
  }();
  if (!written) {
    ::unlinkat(dir_fd, tmp.c_str(), 0);
    return written;
  }
  return {};
}

Result<std::string> read_file_at(int dir_fd, std::string_view name, std::size_t max_size) {
  std::string path(name);
  UniqueFd fd(::openat(dir_fd, path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return fail_errno("open " + quoted(path));
  struct stat st {};
  if (::fstat(fd.get(), &st) < 0) return fail_errno("stat " + quoted(path));
  if (!S_ISREG(st.st_mode)) return fail("read " + quoted(path) + ": not a regular file");
  std::string text;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("read " + quoted(path));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > max_size)
      return fail("read " + quoted(path) + ": file too large (over " + std::to_string(max_size) + " bytes)", EFBIG);
  }
  return text;
}

Result<> remove_tree_at(int dir_fd, std::string_view name) {
  std::string n(name);
  return remove_entry(dir_fd, n.c_str(), 0);
}

std::string random_suffix(std::size_t len) {
  static const char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string bytes(len, '\0');
  ssize_t got = ::getrandom(bytes.data(), len, GRND_NONBLOCK);
  if (got != static_cast<ssize_t>(len)) {
    // No entropy yet (early boot) or no getrandom: uniqueness, not secrecy,
    // is what matters here, so the pid, the time and a counter will do.
    static std::atomic<unsigned> counter{0};
    struct timespec ts {};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    unsigned long long x = (static_cast<unsigned long long>(::getpid()) << 40) ^
                           static_cast<unsigned long long>(ts.tv_nsec) ^
                           (static_cast<unsigned long long>(ts.tv_sec) << 20) ^ counter.fetch_add(1);
    for (std::size_t i = 0; i < len; i++) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      bytes[i] = static_cast<char>(x >> 56);
    }
  }
  std::string out(len, 'a');
  for (std::size_t i = 0; i < len; i++)
    out[i] = kChars[static_cast<unsigned char>(bytes[i]) % (sizeof kChars - 1)];
  return out;
}

}  // namespace ocirun::fs
