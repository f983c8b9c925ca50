// linux.seccomp: plan (pure), compile (libseccomp), load (seccomp(2)), and
// the hand-over of a notify listener fd. See seccomp.hpp.
#include "ocirun/seccomp.hpp"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "ocirun/fs.hpp"
#include "ocirun/json.hpp"
#include "ocirun/sys.hpp"

namespace ocirun {

namespace {

std::uint32_t arch_value(SeccompArch a) {
  switch (a) {
    case SeccompArch::X86: return SCMP_ARCH_X86;
    case SeccompArch::X86_64: return SCMP_ARCH_X86_64;
    case SeccompArch::X32: return SCMP_ARCH_X32;
    case SeccompArch::Arm: return SCMP_ARCH_ARM;
    case SeccompArch::Aarch64: return SCMP_ARCH_AARCH64;
    case SeccompArch::Mips: return SCMP_ARCH_MIPS;
    case SeccompArch::Mips64: return SCMP_ARCH_MIPS64;
    case SeccompArch::Mips64N32: return SCMP_ARCH_MIPS64N32;
    case SeccompArch::MipsEl: return SCMP_ARCH_MIPSEL;
    case SeccompArch::MipsEl64: return SCMP_ARCH_MIPSEL64;
    case SeccompArch::MipsEl64N32: return SCMP_ARCH_MIPSEL64N32;
    case SeccompArch::Ppc: return SCMP_ARCH_PPC;
    case SeccompArch::Ppc64: return SCMP_ARCH_PPC64;
    case SeccompArch::Ppc64Le: return SCMP_ARCH_PPC64LE;
    case SeccompArch::S390: return SCMP_ARCH_S390;
    case SeccompArch::S390X: return SCMP_ARCH_S390X;
    case SeccompArch::Parisc: return SCMP_ARCH_PARISC;
    case SeccompArch::Parisc64: return SCMP_ARCH_PARISC64;
    case SeccompArch::RiscV64: return SCMP_ARCH_RISCV64;
    // libseccomp 2.5 knows neither: 0 is refused by plan_seccomp.
    case SeccompArch::LoongArch64:
    case SeccompArch::M68k:
    case SeccompArch::Sh:
    case SeccompArch::ShEb: return 0;
  }
  return 0;
}

int operator_value(SeccompOperator op) {
  switch (op) {
    case SeccompOperator::Ne: return SCMP_CMP_NE;
    case SeccompOperator::Lt: return SCMP_CMP_LT;
    case SeccompOperator::Le: return SCMP_CMP_LE;
    case SeccompOperator::Eq: return SCMP_CMP_EQ;
    case SeccompOperator::Ge: return SCMP_CMP_GE;
    case SeccompOperator::Gt: return SCMP_CMP_GT;
    case SeccompOperator::MaskedEq: return SCMP_CMP_MASKED_EQ;
  }
  return SCMP_CMP_EQ;
}

// The syscalls the init makes between loading a notify filter and the
// listener getting its fd: notifying them would wait for an answer that
// cannot come.
constexpr const char* kInitAfterLoad[] = {"sendmsg"};

}  // namespace

bool seccomp_arch_supported(SeccompArch a) { return arch_value(a) != 0; }

std::vector<SeccompFlag> seccomp_supported_flags() {
  std::vector<SeccompFlag> out;
  for (SeccompFlag f : all_seccomp_flags()) {
    unsigned bits = 0;
    switch (f) {
      case SeccompFlag::Tsync: bits = SECCOMP_FILTER_FLAG_TSYNC; break;
      case SeccompFlag::Log: bits = SECCOMP_FILTER_FLAG_LOG; break;
      case SeccompFlag::SpecAllow: bits = SECCOMP_FILTER_FLAG_SPEC_ALLOW; break;
      case SeccompFlag::WaitKillableRecv:
        bits = SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_NEW_LISTENER;
        break;
    }
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, bits, nullptr) < 0 && errno == EFAULT) out.push_back(f);
  }
  return out;
}

std::string libseccomp_version() {
  const scmp_version* v = seccomp_version();
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->micro);
}

std::uint32_t seccomp_action_value(SeccompAction a, std::optional<std::uint16_t> errno_ret) {
  std::uint16_t e = errno_ret.value_or(EPERM);
  switch (a) {
    case SeccompAction::Kill: return SCMP_ACT_KILL;
    case SeccompAction::KillProcess: return SCMP_ACT_KILL_PROCESS;
    case SeccompAction::KillThread: return SCMP_ACT_KILL_THREAD;
    case SeccompAction::Trap: return SCMP_ACT_TRAP;
    case SeccompAction::Errno: return SCMP_ACT_ERRNO(e);
    case SeccompAction::Trace: return SCMP_ACT_TRACE(e);
    case SeccompAction::Allow: return SCMP_ACT_ALLOW;
    case SeccompAction::Log: return SCMP_ACT_LOG;
    case SeccompAction::Notify: return SCMP_ACT_NOTIFY;
  }
  return SCMP_ACT_KILL_PROCESS;
}

Result<SeccompPlan> plan_seccomp(const LinuxSeccomp& s) {
  SeccompPlan p;
  if (s.default_action == SeccompAction::Notify)
    return fail("linux.seccomp.defaultAction: SCMP_ACT_NOTIFY would stop the init before it can hand over "
                "the listener; notify individual syscalls instead",
                ENOTSUP);
  p.default_action = seccomp_action_value(s.default_action, s.default_errno_ret);
  for (std::size_t i = 0; i < s.architectures.size(); i++) {
    std::uint32_t a = arch_value(s.architectures[i]);
    if (a == 0)
      return fail("linux.seccomp.architectures[" + std::to_string(i) + "]: " +
                      std::string(seccomp_arch_name(s.architectures[i])) + " is not supported by this build's libseccomp",
                  ENOTSUP);
    p.arches.push_back(a);
  }
  p.notify = seccomp_uses_notify(s);
  if (s.flags) {
    for (SeccompFlag f : *s.flags) {
      switch (f) {
        case SeccompFlag::Tsync: p.flags |= SECCOMP_FILTER_FLAG_TSYNC; break;
        case SeccompFlag::Log: p.flags |= SECCOMP_FILTER_FLAG_LOG; break;
        case SeccompFlag::SpecAllow: p.flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW; break;
        case SeccompFlag::WaitKillableRecv:
          // The kernel takes it only with a listener (EINVAL otherwise).
          if (p.notify) p.flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
          else p.debug.push_back("linux.seccomp.flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV ignored: no SCMP_ACT_NOTIFY rule");
          break;
      }
    }
  }
  // TSYNC and a listener go together only with TSYNC_ESRCH (seccomp(2)).
  if (p.notify && (p.flags & SECCOMP_FILTER_FLAG_TSYNC)) p.flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;

  for (std::size_t i = 0; i < s.syscalls.size(); i++) {
    const SeccompSyscall& call = s.syscalls[i];
    std::uint32_t action = seccomp_action_value(call.action, call.errno_ret);
    std::string where = "linux.seccomp.syscalls[" + std::to_string(i) + "]";
    if (action == p.default_action) {
      p.debug.push_back(where + ": skipped, its action is the default action");
      continue;
    }
    std::vector<SeccompCompare> args;
    bool same_arg_twice = false;
    for (const SeccompArg& a : call.args) {
      for (const SeccompCompare& c : args)
        if (c.index == a.index) same_arg_twice = true;
      args.push_back({a.index, operator_value(a.op), a.value, a.value_two});
    }
    for (const std::string& name : call.names) {
      int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) {
        p.debug.push_back(where + ": syscall `" + name + "` unknown to libseccomp " + libseccomp_version() +
                          ", skipped");
        continue;
      }
      if (call.action == SeccompAction::Notify)
        for (const char* used : kInitAfterLoad)
          if (name == used)
            return fail(where + ": SCMP_ACT_NOTIFY on `" + name +
                            "` would stop the init before it hands over the listener",
                        ENOTSUP);
      if (same_arg_twice) {
        for (const SeccompCompare& c : args) p.rules.push_back({name, nr, action, {c}, i});
      } else {
        p.rules.push_back({name, nr, action, args, i});
      }
    }
  }
  return p;
}

Result<SeccompProgram> compile_seccomp(const SeccompPlan& plan) {
  struct Ctx {
    scmp_filter_ctx ctx;
    ~Ctx() { seccomp_release(ctx); }
  } c{seccomp_init(plan.default_action)};
  if (c.ctx == nullptr) return fail("linux.seccomp.defaultAction: libseccomp refused it");
  // We set no_new_privs ourselves, only when the config asks.
  if (int rc = seccomp_attr_set(c.ctx, SCMP_FLTATR_CTL_NNP, 0); rc < 0)
    return fail_errno("linux.seccomp: libseccomp: SCMP_FLTATR_CTL_NNP", -rc);
  for (std::uint32_t arch : plan.arches) {
    int rc = seccomp_arch_add(c.ctx, arch);
    if (rc < 0 && rc != -EEXIST) return fail_errno("linux.seccomp.architectures: libseccomp", -rc);
  }
  for (const SeccompRule& r : plan.rules) {
    std::vector<scmp_arg_cmp> cmps;
    for (const SeccompCompare& a : r.args)
      cmps.push_back({a.index, static_cast<scmp_compare>(a.op), a.a, a.b});
    int rc = seccomp_rule_add_array(c.ctx, r.action, r.nr, static_cast<unsigned>(cmps.size()), cmps.data());
    if (rc < 0)
      return fail_errno("linux.seccomp.syscalls[" + std::to_string(r.source) + "]: `" + r.name + "`: libseccomp",
                        -rc);
  }
  // libseccomp 2.5 exports to an fd only: a memfd, read back.
  UniqueFd mem(static_cast<int>(::syscall(SYS_memfd_create, "seccomp", MFD_CLOEXEC)));
  if (!mem) return fail_errno("linux.seccomp: memfd_create");
  if (int rc = seccomp_export_bpf(c.ctx, mem.get()); rc < 0)
    return fail_errno("linux.seccomp: libseccomp: export the filter", -rc);
  off_t size = ::lseek(mem.get(), 0, SEEK_END);
  if (size < 0 || size % sizeof(sock_filter) != 0) return fail("linux.seccomp: bad filter size", EIO);
  SeccompProgram prog;
  prog.code.resize(static_cast<std::size_t>(size) / sizeof(sock_filter));
  if (::pread(mem.get(), prog.code.data(), static_cast<std::size_t>(size), 0) != size)
    return fail_errno("linux.seccomp: read the filter");
  prog.flags = plan.flags;
  prog.notify = plan.notify;
  return prog;
}

Result<UniqueFd> load_seccomp(const SeccompProgram& prog) {
  sock_fprog fprog{static_cast<unsigned short>(prog.code.size()), const_cast<sock_filter*>(prog.code.data())};
  unsigned flags = prog.flags | (prog.notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0U);
  long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
  if (rc < 0) return fail_errno("linux.seccomp: load the filter");
  if (prog.notify) return UniqueFd(static_cast<int>(rc));
  return UniqueFd();
}

std::string seccomp_process_state_json(const ContainerState& st, Status status, const std::string& metadata) {
  json::Writer w;
  w.begin_object();
  w.key("ociVersion").value(st.oci_version);
  w.key("fds").begin_array().value("seccompFd").end_array();
  w.key("pid").value(static_cast<std::int64_t>(st.pid));
  if (!metadata.empty()) w.key("metadata").value(metadata);
  w.key("state").raw(hook_state_json(st, status));
  w.end_object();
  return w.take();
}

Result<> send_seccomp_listener(const std::string& path, const std::string& state_json, int fd) {
  UniqueFd s = TRY(sys::connect_unix(path));
  // One message: the fd with the first byte of the state, as the spec asks.
  TRY_CTX(sys::send_fd(s.get(), fd, state_json), "send to `" + path + "`");
  return {};
}

}  // namespace ocirun
