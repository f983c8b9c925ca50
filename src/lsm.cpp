// AppArmor and SELinux exec labels: see lsm.hpp.
#include "ocirun/lsm.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "ocirun/fs.hpp"

namespace ocirun {

namespace {

Result<> write_attr(int dir, const char* name, const std::string& value, const char* what) {
  UniqueFd fd(::openat(dir, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return fail_errno(std::string(what) + ": open attr/" + name);
  // One write: the kernel parses each write as a whole.
  ssize_t n = ::write(fd.get(), value.data(), value.size());
  if (n < 0) return fail_errno(std::string(what) + ": write attr/" + name);
  if (static_cast<std::size_t>(n) != value.size()) return fail(std::string(what) + ": short write", EIO);
  return {};
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

Result<UniqueFd> open_lsm_attr(const Process& proc) {
  if (proc.apparmor_profile.empty() && proc.selinux_label.empty()) return UniqueFd();
  UniqueFd dir(::open("/proc/thread-self/attr", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return fail_errno("open /proc/thread-self/attr");
  struct statfs sfs {};
  if (::fstatfs(dir.get(), &sfs) < 0) return fail_errno("fstatfs /proc/thread-self/attr");
  if (sfs.f_type != PROC_SUPER_MAGIC) return fail("/proc/thread-self/attr is not on a procfs", EXDEV);
  return dir;
}

Result<> apply_lsm_labels(const Process& proc, int attr) {
  if (!proc.apparmor_profile.empty()) {
    // The AppArmor-specific directory (Linux 5.1+), else the shared file.
    UniqueFd aa(::openat(attr, "apparmor", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
    std::string cmd = "exec " + proc.apparmor_profile;
    TRY(write_attr(aa ? aa.get() : attr, "exec", cmd, "process.apparmorProfile"));
  }
  if (!proc.selinux_label.empty()) TRY(write_attr(attr, "exec", proc.selinux_label, "process.selinuxLabel"));
  return {};
}

}  // namespace ocirun
