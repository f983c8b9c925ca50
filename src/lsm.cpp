// AppArmor and SELinux exec labels: see lsm.hpp.
#include "ocirun/lsm.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "ocirun/fs.hpp"
#include "ocirun/mounts.hpp"

namespace ocirun {

namespace {

// The inode of a procfs's root directory (PROC_ROOT_INO in the kernel).
constexpr ino_t kProcRootIno = 1;

// This thread's directory in `procfs`, as that procfs names it:
// "<tgid>/task/<tid>". Read from its own thread-self link, so it is right
// in whatever pid namespace the procfs belongs to; not followed.
Result<std::string> thread_dir(int procfs) {
  char buf[64];
  ssize_t n = ::readlinkat(procfs, "thread-self", buf, sizeof buf - 1);
  if (n < 0) return fail_errno("readlink thread-self in the private procfs");
  return std::string(buf, static_cast<std::size_t>(n));
}

// One write, on a file opened under `procfs` crossing no symlink and no
// mount, and checked to be on procfs (mnt::open_proc_file): a mount over
// the attribute (CVE-2019-16884, CVE-2025-52881) makes this fail, never
// write elsewhere.
Result<> write_attr(int procfs, const std::string& path, const std::string& value) {
  UniqueFd fd = TRY(mnt::open_proc_file(procfs, path, O_WRONLY));
  // The kernel parses each write as a whole.
  ssize_t n = ::write(fd.get(), value.data(), value.size());
  if (n < 0) return fail_errno("write `/proc/" + path + "`");
  if (static_cast<std::size_t>(n) != value.size()) return fail("write `/proc/" + path + "`: short write", EIO);
  return {};
}

Result<> apply_apparmor(int procfs, const std::string& dir, const std::string& profile) {
  const std::string cmd = "exec " + profile;
  // The AppArmor directory (Linux 5.1+) works whichever LSM owns the
  // shared files; the shared file on older kernels.
  Result<> r = write_attr(procfs, dir + "/attr/apparmor/exec", cmd);
  if (!r && r.error().code == ENOENT && ::faccessat(procfs, (dir + "/attr/apparmor").c_str(), F_OK, 0) < 0)
    r = write_attr(procfs, dir + "/attr/exec", cmd);
  if (!r && r.error().code == ENOENT)
    // AppArmor's answer for a profile it does not have.
    return fail("AppArmor profile `" + profile + "` is not loaded (apparmor_parser loads it): " + r.error().msg,
                ENOENT);
  return r;
}

}  // namespace

bool apparmor_enabled() {
  // As libapparmor's aa_is_enabled: the module's parameter says Y.
  Result<std::string> v = fs::read_file_at(AT_FDCWD, "/sys/module/apparmor/parameters/enabled");
  return v && !v->empty() && (*v)[0] == 'Y';
}

bool selinux_enabled() {
  // As libselinux's is_selinux_enabled: selinuxfs is mounted.
  struct statfs sfs {};
  return ::statfs("/sys/fs/selinux", &sfs) == 0 && sfs.f_type == SELINUX_MAGIC;
}

Result<> check_lsm_labels(const Process& proc) {
  if (!proc.apparmor_profile.empty() && !apparmor_enabled())
    return fail("process.apparmorProfile: `" + proc.apparmor_profile + "` asked for, but AppArmor is not enabled on this host",
                ENOTSUP);
  if (!proc.selinux_label.empty() && !selinux_enabled())
    return fail("process.selinuxLabel: `" + proc.selinux_label + "` asked for, but SELinux is not enabled on this host",
                ENOTSUP);
  return {};
}

Result<UniqueFd> open_lsm_procfs(const Process& proc, int min_fd) {
  if (proc.apparmor_profile.empty() && proc.selinux_label.empty()) return UniqueFd();
  Result<UniqueFd> procfs = mnt::private_procfs();
  if (!procfs) {
    // /proc's own mount, cloned without what is mounted on it; a fake
    // /proc (another filesystem, or a subdirectory of a procfs bound
    // there) fails the checks. (No log line: the init has no log fd.)
    procfs = TRY_CTX(mnt::clone_tree(AT_FDCWD, "/proc", false), "LSM labels: " + procfs.error().msg);
    TRY_CTX(mnt::check_fs_type(procfs->get(), PROC_SUPER_MAGIC, "/proc"), "LSM labels");
    struct stat st {};
    if (::fstat(procfs->get(), &st) < 0) return fail_errno("LSM labels: stat /proc");
    if (st.st_ino != kProcRootIno) return fail("LSM labels: /proc is not the root of a procfs", EXDEV);
  }
  // Above the preserved fds: the init closes-on-exec only from there on.
  int fd = ::fcntl(procfs->get(), F_DUPFD_CLOEXEC, min_fd);
  if (fd < 0) return fail_errno("LSM labels: dup the procfs fd");
  return UniqueFd(fd);
}

Result<> apply_lsm_labels(const Process& proc, int procfs) {
  std::string dir = TRY_CTX(thread_dir(procfs), "LSM labels");
  if (!proc.apparmor_profile.empty())
    TRY_CTX(apply_apparmor(procfs, dir, proc.apparmor_profile), "process.apparmorProfile");
  if (!proc.selinux_label.empty())
    TRY_CTX(write_attr(procfs, dir + "/attr/exec", proc.selinux_label), "process.selinuxLabel");
  return {};
}

}  // namespace ocirun
