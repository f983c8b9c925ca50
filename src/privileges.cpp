// Capabilities, the user switch and no_new_privs: see privileges.hpp for
// the order and why.
#include "ocirun/privileges.hpp"

#include <cap-ng.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ocirun/capabilities.hpp"
#include "ocirun/log.hpp"
#include "ocirun/lsm.hpp"

namespace ocirun {

namespace {

std::string names_of(std::uint64_t bits) {
  std::string out;
  for (int cap = 0; cap < 64; cap++) {
    if (((bits >> cap) & 1) == 0) continue;
    if (!out.empty()) out += ", ";
    const char* name = capability_name(cap);
    out += name != nullptr ? name : "capability " + std::to_string(cap);
  }
  return out;
}

}  // namespace

std::uint64_t grantable_capabilities() {
  std::uint64_t bits = 0;
  // PR_CAPBSET_READ is 1 for a capability in our bounding set, 0 for one
  // dropped, and fails (EINVAL) past the kernel's last capability.
  for (int cap = 0; cap < 64; cap++) {
    int in_set = ::prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
    if (in_set < 0) break;
    if (in_set == 1) bits |= std::uint64_t{1} << cap;
  }
  return bits;
}

CapabilityPlan plan_capabilities(const Capabilities& want, std::uint64_t grantable) {
  CapabilityPlan p;
  std::uint64_t asked = want.bounding.bits | want.effective.bits | want.permitted.bits |
                        want.inheritable.bits | want.ambient.bits;
  if (std::uint64_t missing = asked & ~grantable; missing != 0)
    p.warnings.push_back("process.capabilities: not in this host's bounding set, dropped: " + names_of(missing));
  p.bounding = want.bounding.bits & grantable;
  p.effective = want.effective.bits & grantable;
  p.permitted = want.permitted.bits & grantable;
  // CVE-2022-29162: the inheritable set is exactly the config's, never
  // widened to the bounding set as runc once did.
  p.inheritable = want.inheritable.bits & grantable;
  std::uint64_t ambient = want.ambient.bits & grantable;
  p.ambient = ambient & p.permitted & p.inheritable;
  if (std::uint64_t refused = ambient & ~p.ambient; refused != 0)
    p.warnings.push_back("process.capabilities.ambient: not both permitted and inheritable, dropped: " +
                         names_of(refused));
  return p;
}

Result<> drop_bounding_set(const CapabilityPlan& caps) {
  // By prctl rather than capng_apply(CAPNG_SELECT_BOUNDS), which reads the
  // current sets back from /proc/<pid>/status: the container's /proc may
  // not be mounted, or not be a procfs at all.
  for (int cap = 0; cap <= kCapLast; cap++) {
    if ((caps.bounding >> cap) & 1) continue;
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
      return fail_errno(std::string("process.capabilities.bounding: drop ") + capability_name(cap));
  }
  return {};
}

Result<> switch_user(const User& u, bool keep_caps) {
  // Without it, leaving uid 0 clears the permitted set, and the
  // capabilities the config grants a non-root user could not be set.
  if (keep_caps && ::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) return fail_errno("prctl PR_SET_KEEPCAPS");
  std::vector<gid_t> groups(u.additional_gids.begin(), u.additional_gids.end());
  if (::setgroups(groups.size(), groups.data()) < 0) return fail_errno("setgroups");
  if (::setresgid(u.gid, u.gid, u.gid) < 0) return fail_errno("setresgid " + std::to_string(u.gid));
  if (::setresuid(u.uid, u.uid, u.uid) < 0) return fail_errno("setresuid " + std::to_string(u.uid));
  if (keep_caps && ::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) return fail_errno("prctl PR_SET_KEEPCAPS");
  return {};
}

Result<> apply_capabilities(const CapabilityPlan& caps) {
  capng_clear(CAPNG_SELECT_ALL);
  for (int cap = 0; cap <= kCapLast; cap++) {
    auto add = [&](std::uint64_t set, capng_type_t type) {
      if ((set >> cap) & 1) capng_update(CAPNG_ADD, type, static_cast<unsigned>(cap));
    };
    add(caps.effective, CAPNG_EFFECTIVE);
    add(caps.permitted, CAPNG_PERMITTED);
    add(caps.inheritable, CAPNG_INHERITABLE);
    add(caps.ambient, CAPNG_AMBIENT);
  }
  // Two steps: an ambient capability can be raised only once it is in the
  // permitted and inheritable sets that the first step sets.
  if (int rc = capng_apply(CAPNG_SELECT_CAPS); rc < 0)
    return fail_errno("process.capabilities: capset (libcap-ng " + std::to_string(rc) + ")");
  // Whatever ambient set the runtime's caller had does not pass on.
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) return fail_errno("prctl PR_CAP_AMBIENT_CLEAR_ALL");
  if (caps.ambient != 0)
    if (int rc = capng_apply(CAPNG_SELECT_AMBIENT); rc < 0)
      return fail_errno("process.capabilities.ambient: raise (libcap-ng " + std::to_string(rc) + ")");
  return {};
}

Result<> clear_inheritable() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capget, &header, data) < 0) return fail_errno("capget");
  for (__user_cap_data_struct& d : data) d.inheritable = 0;
  if (::syscall(SYS_capset, &header, data) < 0) return fail_errno("capset: clear the inheritable set");
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) return fail_errno("prctl PR_CAP_AMBIENT_CLEAR_ALL");
  return {};
}

Result<Confinement> plan_confinement(const Spec& spec) {
  Confinement c;
  const Process& proc = *spec.process;
  TRY(check_lsm_labels(proc));
  if (proc.capabilities) {
    c.caps = plan_capabilities(*proc.capabilities, grantable_capabilities());
    for (const std::string& w : c.caps->warnings) log::warn(w);
  }
  struct stat self {};
  if (::stat("/proc/self/exe", &self) < 0) return fail_errno("stat /proc/self/exe");
  c.runtime_dev = self.st_dev;
  c.runtime_ino = self.st_ino;
  if (spec.linux.seccomp) {
    SeccompPlan plan = TRY(plan_seccomp(*spec.linux.seccomp));
    for (const std::string& d : plan.debug) log::debug(d);
    c.seccomp = TRY(compile_seccomp(plan));
  }
  return c;
}

Result<> refuse_runtime_binary(const std::string& executable, const Confinement& conf) {
  std::string path = executable;
  // The kernel follows at most 4 levels of interpreters (BINPRM_MAX_RECURSION).
  for (int depth = 0; depth < 5; depth++) {
    struct stat st {};
    if (::stat(path.c_str(), &st) < 0) return {};  // execve will say why
    if (st.st_dev == conf.runtime_dev && st.st_ino == conf.runtime_ino)
      return fail("process.args[0]: `" + executable + "`" + (depth > 0 ? " (through its #! interpreter `" + path + "`)" : "") +
                      " is the runtime's own binary: refused (CVE-2019-5736)",
                  EPERM);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!fd || !S_ISREG(st.st_mode)) return {};
    char head[256];
    ssize_t n = ::read(fd.get(), head, sizeof head);
    if (n < 2 || head[0] != '#' || head[1] != '!') return {};
    std::string_view line(head + 2, static_cast<std::size_t>(n) - 2);
    line = line.substr(0, line.find('\n'));
    std::size_t b = line.find_first_not_of(" \t");
    if (b == std::string_view::npos) return {};
    line.remove_prefix(b);
    path = std::string(line.substr(0, line.find_first_of(" \t")));
  }
  return {};
}

Result<> forward_seccomp_listener(const ContainerState& st, Status status, int fd) {
  const std::string* path = find_extra(st, kSeccompListenerKey);
  if (path == nullptr) return fail("linux.seccomp.listenerPath: not recorded", EPROTO);
  const std::string* meta = find_extra(st, kSeccompMetadataKey);
  std::string json = seccomp_process_state_json(st, status, meta ? *meta : std::string());
  TRY_CTX(send_seccomp_listener(*path, json, fd), "linux.seccomp.listenerPath");
  return {};
}

}  // namespace ocirun
