#include "ocirun/devices.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ocirun/mounts.hpp"

namespace ocirun {

namespace {

mode_t type_bits(DeviceType t) {
  switch (t) {
    case DeviceType::Block: return S_IFBLK;
    case DeviceType::Fifo: return S_IFIFO;
    case DeviceType::Char:
    case DeviceType::Unbuffered: break;
  }
  return S_IFCHR;
}

// The host's node at `path`, O_PATH, checked to be of the device's type
// and numbers: a host path cannot pass for another device.
Result<UniqueFd> open_host_node(const LinuxDevice& d) {
  UniqueFd fd(::open(d.path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return fail_errno("open the host's `" + d.path + "`");
  struct stat st {};
  if (::fstat(fd.get(), &st) < 0) return fail_errno("stat the host's `" + d.path + "`");
  if ((st.st_mode & S_IFMT) != type_bits(d.type) ||
      (d.type != DeviceType::Fifo && st.st_rdev != makedev(d.major, d.minor)))
    return fail("the host's `" + d.path + "` is not the device " + std::to_string(d.major) + ":" +
                    std::to_string(d.minor),
                EINVAL);
  return fd;
}

// The directory the last device went in: the next one is most often in the
// same (/dev), and opening it again in the rootfs costs three system calls.
struct ParentDir {
  std::string path;
  UniqueFd fd;
};

Result<> make_device(int root_fd, const LinuxDevice& d, bool bind, ParentDir& last) {
  std::string clean = mnt::clean_in_root(d.path);
  std::size_t slash = clean.rfind('/');
  std::string parent = slash == std::string::npos ? "." : clean.substr(0, slash);
  std::string name = slash == std::string::npos ? clean : clean.substr(slash + 1);
  if (clean == ".") return fail("a device cannot be the rootfs itself", EINVAL);
  if (!last.fd || last.path != parent) {
    last.fd = TRY(mnt::mkdir_all(root_fd, parent));
    last.path = parent;
  }
  const UniqueFd& dir = last.fd;
  // A file already there must be the requested device (config-linux.md:
  // "the runtime MUST generate an error" otherwise); if it is, it stays.
  struct stat old {};
  if (::fstatat(dir.get(), name.c_str(), &old, AT_SYMLINK_NOFOLLOW) == 0) {
    bool same = (old.st_mode & S_IFMT) == type_bits(d.type) &&
                (d.type == DeviceType::Fifo || old.st_rdev == makedev(d.major, d.minor));
    if (!same) return fail("`" + d.path + "` exists in the rootfs and is not the requested device", EEXIST);
    if (bind) return {};
    if (::unlinkat(dir.get(), name.c_str(), 0) < 0) return fail_errno("replace `" + d.path + "`");
  }
  mode_t perm = d.file_mode ? static_cast<mode_t>(*d.file_mode) : 0666;
  // A fifo needs no privilege, so it is always made, even in a user namespace.
  if (bind && d.type != DeviceType::Fifo) {
    UniqueFd host = TRY(open_host_node(d));
    UniqueFd f(::openat(dir.get(), name.c_str(), O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0600));
    if (!f) return fail_errno("create `" + d.path + "`");
    UniqueFd target(::openat(dir.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!target) return fail_errno("open `" + d.path + "`");
    UniqueFd tree = TRY(mnt::clone_tree(host.get(), "", false));
    TRY_CTX(mnt::attach(tree.get(), target.get()), "bind the host's `" + d.path + "`");
    return {};
  }
  dev_t dev = d.type == DeviceType::Fifo ? 0 : makedev(d.major, d.minor);
  // Made with its final mode (make_devices clears the umask), owned by us.
  if (::mknodat(dir.get(), name.c_str(), type_bits(d.type) | (perm & 0777), dev) < 0)
    return fail_errno("mknod `" + d.path + "`");
  // Owner and mode never follow a symlink swapped in for the node: both
  // change through the O_PATH fd of what was checked to be the node, and
  // only where they are not what they must be already.
  UniqueFd node(::openat(dir.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!node) return fail_errno("open `" + d.path + "`");
  struct stat st {};
  if (::fstat(node.get(), &st) < 0 || (st.st_mode & S_IFMT) != type_bits(d.type))
    return fail("`" + d.path + "` changed while it was made", EAGAIN);
  uid_t uid = d.uid.value_or(0);
  gid_t gid = d.gid.value_or(0);
  bool chowned = st.st_uid != uid || st.st_gid != gid;
  if (chowned && ::fchownat(node.get(), "", uid, gid, AT_EMPTY_PATH) < 0) return fail_errno("chown `" + d.path + "`");
  // A chown clears set-id bits, and mknod takes only the permission bits.
  if (chowned || (st.st_mode & 07777) != perm) {
    std::string via = "/proc/self/fd/" + std::to_string(node.get());
    if (::chmod(via.c_str(), perm) < 0) return fail_errno("chmod `" + d.path + "`");
  }
  return {};
}

}  // namespace

std::vector<LinuxDevice> default_devices() {
  std::vector<LinuxDevice> out;
  struct Dev {
    const char* path;
    unsigned major, minor;
  };
  static constexpr Dev kDevices[] = {{"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
                                     {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}};
  for (const Dev& d : kDevices) {
    LinuxDevice ld;
    ld.type = DeviceType::Char;
    ld.path = d.path;
    ld.major = d.major;
    ld.minor = d.minor;
    ld.file_mode = 0666;
    ld.uid = 0;
    ld.gid = 0;
    out.push_back(std::move(ld));
  }
  return out;
}

Result<UniqueFd> open_host_dev_null() {
  LinuxDevice null = default_devices()[0];
  return open_host_node(null);
}

Result<> make_devices(int root_fd, const std::vector<LinuxDevice>& devices, bool bind) {
  if (devices.empty()) return {};
  // The nodes get their modes as the config says, whatever the umask.
  mode_t umask = ::umask(0);
  ParentDir last;
  for (const LinuxDevice& d : devices)
    if (Result<> r = make_device(root_fd, d, bind, last); !r) {
      ::umask(umask);
      return tl::unexpected(with_context(r.error(), d.path));
    }
  ::umask(umask);
  return {};
}

Result<> make_dev_links(int root_fd) {
  UniqueFd dev = TRY(mnt::mkdir_all(root_fd, "/dev"));
  struct Link {
    const char* name;
    const char* target;
  };
  static constexpr Link kLinks[] = {{"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"},
                                    {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
                                    {"ptmx", "pts/ptmx"}};
  for (const Link& l : kLinks)
    if (::symlinkat(l.target, dev.get(), l.name) < 0 && errno != EEXIST)
      return fail_errno(std::string("symlink /dev/") + l.name);
  return {};
}

}  // namespace ocirun
