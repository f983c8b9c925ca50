// The container's init, from clone3 to the exec of the user's program.
// Everything here runs in the child: it cannot return errors to a caller,
// so each step's failure goes to the runtime over the sync socket as
// {errno, message} and the init exits (see the diagram in
// container_create.cpp). The steps run in the order the kernel requires:
// namespaces before mounts, mounts before pivot_root, everything that needs
// privilege before the switch to the container's user.
#include "ocirun/container_init.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstring>

#include "ocirun/fs.hpp"
#include "ocirun/hooks.hpp"
#include "ocirun/lsm.hpp"
#include "ocirun/memory_policy.hpp"
#include "ocirun/privileges.hpp"
#include "ocirun/rootfs.hpp"
#include "ocirun/sync.hpp"
#include "ocirun/sys.hpp"
#include "ocirun/sysctl.hpp"

namespace ocirun {

namespace {

// The state as hooks in the container's namespaces see it: the pid is the
// init's own there.
std::string own_state_json(const InitContext& ctx, Status status) {
  ContainerState st = *ctx.state;
  st.pid = ::getpid();
  return hook_state_json(st, status);
}


// The hooks that run before pivot_root: prestart and createRuntime in the
// runtime (which it does when we ask), then createContainer here, in the
// container's namespaces, with paths that still resolve in the runtime's
// mount tree.
Result<> run_create_hooks(const InitContext& ctx) {
  const Hooks& hooks = ctx.spec->hooks;
  if (!hooks.prestart.empty() || !hooks.create_runtime.empty()) {
    TRY(sync_send(ctx.sync_fd, SyncType::Hooks));
    TRY(sync_expect(ctx.sync_fd, SyncType::HooksDone));
  }
  if (!hooks.create_container.empty())
    TRY(run_hooks(hooks.create_container, "createContainer", own_state_json(ctx, Status::Creating)));
  return {};
}

}  // namespace

// ---- the process: shared with exec's child (container_init.hpp) ----

// /dev/console as a bind mount of the pty's slave. CVE-2025-52565: by fd
// both ends: the source is the slave we hold (checked to be on a devpts),
// the target is opened inside the root without following a symlink and
// must be a file or a device, so that a symlink or mount that the rootfs
// or the config's mounts put at /dev/console cannot redirect the bind onto
// something else (a /proc file, say). No /dev/console and no way to make
// one (a read-only /dev): nothing is bound, as before.
static Result<> bind_console(int slave) {
  struct statfs sfs {};
  if (::fstatfs(slave, &sfs) < 0) return fail_errno("fstatfs the pty");
  if (sfs.f_type != DEVPTS_SUPER_MAGIC) return fail("the pty is not on a devpts", EXDEV);
  UniqueFd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return fail_errno("open /");
  auto open_target = [&]() -> Result<UniqueFd> {
    Result<UniqueFd> existing = sys::open_in_root(root.get(), "dev/console", O_PATH | O_NOFOLLOW);
    if (existing || existing.error().code != ENOENT) return existing;
    return sys::open_in_root(root.get(), "dev/console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY, 0600);
  };
  Result<UniqueFd> target = open_target();
  if (!target) return {};
  struct stat st {};
  if (::fstat(target->get(), &st) < 0) return fail_errno("fstat /dev/console");
  if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
    return fail("/dev/console is neither a file nor a device: not mounting over it (CVE-2025-52565)", ELOOP);
  UniqueFd tree(static_cast<int>(
      ::syscall(SYS_open_tree, slave, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH)));
  if (!tree) return fail_errno("open_tree the pty");
  if (::syscall(SYS_move_mount, tree.get(), "", target->get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return fail_errno("bind /dev/console");
  return {};
}

// process.terminal: a pty from the container's own devpts, its master sent
// to the caller's console socket, its slave the process's controlling
// terminal, stdio and (with bind_dev_console) /dev/console.
Result<> setup_terminal(const Process& proc, int console_fd, bool bind_dev_console) {
  UniqueFd master(::open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master) master.reset(::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master) return fail_errno("open /dev/ptmx");
  int unlock = 0;
  if (::ioctl(master.get(), TIOCSPTLCK, &unlock) < 0) return fail_errno("unlock the pty");
  // TIOCGPTPEER opens the slave through the master, not by a path that
  // something in the container could have replaced.
  int raw_slave = ::ioctl(master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (raw_slave < 0) return fail_errno("open the pty's slave");
  UniqueFd slave(raw_slave);
  if (proc.console_size) {
    winsize ws{proc.console_size->height, proc.console_size->width, 0, 0};
    if (::ioctl(slave.get(), TIOCSWINSZ, &ws) < 0) return fail_errno("process.consoleSize");
  }
  if (::fchown(slave.get(), proc.user.uid, static_cast<gid_t>(-1)) < 0) return fail_errno("chown the pty");
  unsigned ptn = 0;
  if (::ioctl(master.get(), TIOCGPTN, &ptn) < 0) return fail_errno("TIOCGPTN");
  // /dev/console is the terminal too, when /dev is the container's own.
  // (Not in the host's mount namespace: the mount would be the host's.)
  if (bind_dev_console) TRY(bind_console(slave.get()));
  TRY_CTX(sys::send_fd(console_fd, master.get(), "/dev/pts/" + std::to_string(ptn)), "--console-socket");
  if (::setsid() < 0) return fail_errno("setsid");
  if (::ioctl(slave.get(), TIOCSCTTY, 0) < 0) return fail_errno("make the pty the controlling terminal");
  for (int fd = 0; fd < 3; fd++)
    if (::dup2(slave.get(), fd) < 0) return fail_errno("dup2 the pty");
  return {};
}

Result<> apply_rlimits(const Process& p) {
  for (const Rlimit& r : p.rlimits) {
    struct rlimit rl {
      r.soft, r.hard
    };
    if (::setrlimit(static_cast<int>(r.type), &rl) < 0)
      return fail_errno(std::string("process.rlimits ") + rlimit_name(r.type));
  }
  return {};
}

// process.scheduler, with sched_setattr(2), whose struct glibc lacks.
Result<> apply_scheduler(const Scheduler& sch) {
  struct SchedAttr {
    std::uint32_t size;
    std::uint32_t policy;
    std::uint64_t flags;
    std::int32_t nice;
    std::uint32_t priority;
    std::uint64_t runtime;
    std::uint64_t deadline;
    std::uint64_t period;
  } attr{sizeof(SchedAttr), static_cast<std::uint32_t>(sch.policy), sch.flags, sch.nice,
         static_cast<std::uint32_t>(sch.priority), sch.runtime, sch.deadline, sch.period};
  if (::syscall(SYS_sched_setattr, 0, &attr, 0) < 0) return fail_errno("process.scheduler: sched_setattr");
  return {};
}

// process.ioPriority, set on the init (ioprio_set(2), which glibc does not
// wrap): every process of the container descends from it and inherits it.
// Not IOPRIO_WHO_PGRP: the init is still in its caller's process group,
// and that would reach the caller's shell and its other children.
Result<> apply_io_priority(const IoPriority& io) {
  constexpr int kWhoProcess = 1;  // IOPRIO_WHO_PROCESS
  int value = (static_cast<int>(io.io_class) << 13) | io.priority;
  if (::syscall(SYS_ioprio_set, kWhoProcess, 0, value) < 0) return fail_errno("process.ioPriority: ioprio_set");
  return {};
}

// Loads the seccomp filter and, when it notifies, hands its listener fd to
// the runtime at the other end of `sock` and waits until the listener has
// it (the user's program must not make a notified syscall before).
Result<> load_seccomp_filter(const SeccompProgram& prog, int sock) {
  UniqueFd listener = TRY(load_seccomp(prog));
  if (listener) {
    TRY_CTX(sync_send_fd(sock, SyncType::SeccompFd, listener.get()), "linux.seccomp.listenerPath");
    TRY_CTX(sync_expect(sock, SyncType::SeccompDone), "linux.seccomp.listenerPath");
  }
  return {};
}

// process.cwd, entered and then checked to be inside the container's root:
// a cwd such as /proc/self/fd/N would otherwise enter a directory the
// runtime had open on the host (CVE-2024-21626). glibc's getcwd fails
// with ENOENT when the kernel reports the cwd unreachable from the root.
static Result<> enter_cwd(const std::string& cwd) {
  if (::chdir(cwd.c_str()) < 0) return fail_errno("process.cwd: chdir `" + cwd + "`");
  char buf[4096];
  if (::getcwd(buf, sizeof buf) == nullptr) {
    if (errno != ENOENT) return fail_errno("process.cwd: getcwd");
    buf[0] = '\0';
  }
  if (buf[0] != '/')
    return fail("process.cwd: `" + cwd + "` is outside the container's root (CVE-2024-21626)", EPERM);
  return {};
}

// The value of NAME in an environment, or nullptr.
static const char* env_value(const std::vector<std::string>& env, std::string_view name) {
  for (const std::string& e : env)
    if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=')
      return e.c_str() + name.size() + 1;
  return nullptr;
}

// args[0] as execve wants it: as given when it has a slash, else looked up
// in the container's PATH, with the messages callers match on.
Result<std::string> find_executable(const Process& p) {
  const std::string& name = p.args[0];
  if (name.find('/') != std::string::npos) {
    struct stat st {};
    if (::stat(name.c_str(), &st) < 0) return fail_errno("exec: \"" + name + "\": stat " + name);
    if (S_ISDIR(st.st_mode)) return fail("exec: \"" + name + "\": is a directory", EISDIR);
    return name;
  }
  const char* path = env_value(p.env, "PATH");
  std::string_view dirs = path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  while (true) {
    std::size_t colon = dirs.find(':');
    std::string candidate(dirs.substr(0, colon));
    if (candidate.empty()) candidate.push_back('.');  // an empty entry is the cwd, as execvp has it
    candidate.push_back('/');
    candidate.append(name);
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return fail("exec: \"" + name + "\": executable file not found in $PATH", ENOENT);
}

// Only stdio and the preserved fds reach the user's program.
static Result<> close_other_fds(unsigned preserve_fds) {
  for (unsigned fd = 3; fd < 3 + preserve_fds; fd++) {
    int flags = ::fcntl(static_cast<int>(fd), F_GETFD);
    if (flags >= 0) ::fcntl(static_cast<int>(fd), F_SETFD, flags & ~FD_CLOEXEC);
  }
  if (::syscall(SYS_close_range, 3 + preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    return fail_errno("close_range");
  return {};
}

// The confinement steps the init and exec's child share, from the seccomp
// filter (without noNewPrivileges) to the closing of the fds; returns the
// program to exec. The LSM labels come just before; (with noNewPrivileges)
// the seccomp filter later, right before execve.
Result<std::string> confine_process(const Process& proc, const Confinement& conf, int sync_fd,
                                    unsigned preserve_fds) {
  // Without noNewPrivileges, loading a filter takes CAP_SYS_ADMIN, which
  // the user switch may drop: it loads here (seccomp.hpp says when else).
  if (conf.seccomp && !proc.no_new_privileges) TRY(load_seccomp_filter(*conf.seccomp, sync_fd));
  if (conf.caps) TRY(drop_bounding_set(*conf.caps));
  TRY_CTX(switch_user(proc.user, conf.caps.has_value()), "process.user");
  if (conf.caps) TRY(apply_capabilities(*conf.caps));
  else TRY_CTX(clear_inheritable(), "process.capabilities");
  if (proc.user.umask) ::umask(static_cast<mode_t>(*proc.user.umask));
  TRY(enter_cwd(proc.cwd));
  // Before seccomp, which it lets load without CAP_SYS_ADMIN.
  if (proc.no_new_privileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return fail_errno("process.noNewPrivileges");
  std::string executable = TRY(find_executable(proc));
  TRY(refuse_runtime_binary(executable, conf));
  TRY(close_other_fds(preserve_fds));
  return executable;
}

namespace {

// Everything up to Ready: the container as the config describes it.
Result<> prepare(const InitContext& ctx, std::string& executable) {
  const Spec& spec = *ctx.spec;
  const Process& proc = *spec.process;

  // With a user namespace, the runtime sends the bind mounts' trees
  // before RuntimeDone (rootfs.hpp: make_bind_trees).
  std::vector<UniqueFd> bind_trees;
  if (ctx.new_userns || ctx.new_cgroupns)
    bind_trees = TRY_CTX(receive_bind_trees(ctx.sync_fd, spec.mounts.size()), "wait for the runtime");
  if (ctx.new_userns) {
    // The runtime wrote our uid/gid maps; until then we were nobody here.
    if (::setresgid(0, 0, 0) < 0) return fail_errno("setresgid 0 in the user namespace");
    if (::setresuid(0, 0, 0) < 0) return fail_errno("setresuid 0 in the user namespace");
  }
  if (ctx.user_join >= 0) {
    // Joined by path: root there, if the namespace maps root (as a
    // container's does); then the new namespaces, owned by it.
    if (::setns(ctx.user_join, CLONE_NEWUSER) < 0) return fail_errno("join the user namespace");
    if (::setresgid(0, 0, 0) < 0) return fail_errno("setresgid 0 in the user namespace");
    if (::setresuid(0, 0, 0) < 0) return fail_errno("setresuid 0 in the user namespace");
    if (ctx.unshare_flags != 0 && ::unshare(static_cast<int>(ctx.unshare_flags)) < 0)
      return fail_errno("unshare the namespaces of the user namespace");
  }
  // The cgroup namespace is made here, not by clone3: its root is the
  // cgroup of the process that makes it, and only now are we in ours.
  if (ctx.new_cgroupns && ::unshare(CLONE_NEWCGROUP) < 0) return fail_errno("unshare the cgroup namespace");
  for (const InitContext::Join& j : ctx.joins)
    if (::setns(j.fd, static_cast<int>(j.type)) < 0)
      return fail_errno(std::string("join the ") + namespace_type_name(j.type) + " namespace");
  if (!ctx.no_new_keyring) {
    // A session keyring of its own, so the container cannot read the host's keys.
    if (::syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, nullptr) < 0 && errno != ENOSYS)
      return fail_errno("create a session keyring");
  }
  if (!spec.hostname.empty() && ::sethostname(spec.hostname.data(), spec.hostname.size()) < 0)
    return fail_errno("hostname");
  if (!spec.domainname.empty() && ::setdomainname(spec.domainname.data(), spec.domainname.size()) < 0)
    return fail_errno("domainname");

  // Made before the container's mounts exist (lsm.hpp).
  UniqueFd lsm_procfs = TRY(open_lsm_procfs(proc, 3 + static_cast<int>(ctx.preserve_fds)));
  if (ctx.mount_ns) {
    Rootfs root = TRY_CTX(prepare_rootfs(ctx, bind_trees), "rootfs");
    TRY(run_create_hooks(ctx));
    TRY_CTX(enter_rootfs(ctx, root), "rootfs");
  } else {
    // The host's mount namespace: no mount and no pivot_root (which
    // would move the host's root), only a chroot into the rootfs, as runc.
    TRY(write_sysctls(spec.linux));
    TRY(run_create_hooks(ctx));
    if (::chdir(ctx.rootfs.c_str()) < 0 || ::chroot(".") < 0 || ::chdir("/") < 0)
      return fail_errno("rootfs: chroot `" + ctx.rootfs + "`");
  }
  if (proc.terminal) TRY_CTX(setup_terminal(proc, ctx.console_fd, ctx.mount_ns), "process.terminal");
  TRY(apply_rlimits(proc));
  if (proc.scheduler) TRY(apply_scheduler(*proc.scheduler));
  if (proc.io_priority) TRY(apply_io_priority(*proc.io_priority));
  if (spec.linux.memory_policy) TRY(apply_memory_policy(*spec.linux.memory_policy));
  if (spec.linux.personality &&
      ::personality(static_cast<unsigned long>(spec.linux.personality->domain)) < 0)
    return fail_errno("linux.personality");

  // The LSM exec label, before the user switch (as runc): a profile that
  // is not loaded fails create, not start. It takes effect at the execve
  // (and in the startContainer hooks, which the init forks).
  if (lsm_procfs) TRY(apply_lsm_labels(proc, lsm_procfs.get()));
  lsm_procfs.reset();
  executable = TRY(confine_process(proc, *ctx.confinement, ctx.sync_fd, ctx.preserve_fds));
  return {};
}

[[noreturn]] void die(int fd, const Error& e) {
  (void)sync_send(fd, SyncType::Error, e.code, e.msg);
  ::_exit(1);
}

}  // namespace

// Until its next turn the init makes syscalls only, on its own stack: the
// runtime runs on, in the same memory when clone3_vm made the init.
static int accept_start(int listen_fd) {
  long conn;
  do {
    conn = sys::raw_syscall(SYS_accept4, listen_fd, 0, 0, SOCK_CLOEXEC);
  } while (conn == -EINTR);
  return static_cast<int>(conn);
}

// EOF on the sync socket: the runtime has exited (its memory is the init's
// alone), or has closed its end.
static void wait_runtime_exit(int sync_fd) {
  char c;
  long n;
  do {
    n = sys::raw_syscall(SYS_read, sync_fd, reinterpret_cast<long>(&c), 1);
  } while (n > 0 || n == -EINTR);
}

void init_main(const InitContext& ctx) {
  // The user's program starts with no signal blocked or ignored, whatever
  // the runtime's caller left (run blocks them all to forward them).
  sys::reset_signals();

  std::string executable;
  if (Result<> r = prepare(ctx, executable); !r) die(ctx.sync_fd, r.error());

  // What the init needs after Ready, in memory of its own: after Ready the
  // runtime frees what ctx points to.
  const Process& proc = *ctx.spec->process;
  const std::vector<Hook> start_hooks = ctx.spec->hooks.start_container;
  const std::string hook_state = start_hooks.empty() ? std::string() : own_state_json(ctx, Status::Created);
  // With noNewPrivileges, the seccomp filter: the last step before the
  // exec, so that it does not restrict the runtime.
  std::optional<SeccompProgram> last_filter;
  if (ctx.confinement->seccomp && proc.no_new_privileges) last_filter = *ctx.confinement->seccomp;
  const std::vector<std::string> args = proc.args;
  const std::vector<std::string> env = proc.env;
  std::vector<char*> argv = sys::c_strings(args);
  std::vector<char*> envp = sys::c_strings(env);
  const int sync_fd = ctx.sync_fd;
  const int listen_fd = ctx.listen_fd;
  const bool runtime_starts = ctx.runtime_starts;

  // Ready: the runtime records us as created and exits; from here on its
  // death must not kill us.
  ::prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
  if (!sync_send(sync_fd, SyncType::Ready)) ::_exit(1);

  // Wait for `start`. Its connection is CLOEXEC: a successful exec closes
  // it, which is how start learns the exec succeeded.
  int conn = accept_start(listen_fd);
  if (conn < 0) ::_exit(1);
  sys::raw_syscall(SYS_close, listen_fd);
  // Our turn: after the create runtime's exit, or (run) once its Start
  // has come, after which it waits for the answer.
  if (!runtime_starts) wait_runtime_exit(sync_fd);
  sys::raw_syscall(SYS_close, sync_fd);
  if (!sync_expect(conn, SyncType::Start)) ::_exit(1);

  // startContainer hooks: in the container, before the user's program.
  if (!start_hooks.empty())
    if (Result<> r = run_hooks(start_hooks, "startContainer", hook_state); !r) die(conn, r.error());
  if (last_filter)
    if (Result<> r = load_seccomp_filter(*last_filter, conn); !r) die(conn, r.error());
  ::execve(executable.c_str(), argv.data(), envp.data());
  die(conn, fail_errno("exec `" + executable + "`").value());
}

}  // namespace ocirun
