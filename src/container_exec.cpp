// exec: the runtime's side and the child's side (the protocol is drawn in
// container_exec.hpp). The child reuses the init's confinement steps
// (container_init.hpp), so an exec'd process gets what the init got.
#include "ocirun/container_exec.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>

#include "ocirun/capabilities.hpp"
#include "ocirun/console.hpp"
#include "ocirun/container.hpp"
#include "ocirun/container_init.hpp"
#include "ocirun/fs.hpp"
#include "ocirun/log.hpp"
#include "ocirun/lsm.hpp"
#include "ocirun/privileges.hpp"
#include "ocirun/sync.hpp"
#include "ocirun/sys.hpp"

namespace ocirun {

namespace {

Result<std::uint32_t> parse_id(std::string_view what, std::string_view text) {
  std::uint32_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v == static_cast<std::uint32_t>(-1))
    return fail(std::string(what) + ": invalid id \"" + std::string(text) + "\"", EINVAL);
  return v;
}

void set_env(std::vector<std::string>& env, const std::string& entry) {
  std::size_t eq = entry.find('=');
  std::string name = entry.substr(0, eq == std::string::npos ? entry.size() : eq + 1);
  std::erase_if(env, [&](const std::string& e) { return e.compare(0, name.size(), name) == 0; });
  env.push_back(entry);
}

// The dirs of the container's cgroups, one per hierarchy.
std::vector<std::string> cgroup_dirs(const ContainerState& st) {
  std::vector<std::string> out;
  const std::string* dirs = find_extra(st, kCgroupDirsKey);
  if (dirs == nullptr) return out;
  std::size_t pos = 0;
  while (pos < dirs->size()) {
    std::size_t nl = dirs->find('\n', pos);
    if (nl == std::string::npos) nl = dirs->size();
    if (nl > pos) out.push_back(dirs->substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

// The namespaces of the init that this process is not in: the CLONE_NEW*
// flags for setns(pidfd, ...). Compared by inode on the host's /proc.
Result<int> namespaces_to_join(pid_t init) {
  struct Ns {
    const char* name;
    int flag;
  };
  static constexpr Ns kNs[] = {{"user", CLONE_NEWUSER}, {"mnt", CLONE_NEWNS},     {"pid", CLONE_NEWPID},
                               {"net", CLONE_NEWNET},   {"ipc", CLONE_NEWIPC},    {"uts", CLONE_NEWUTS},
                               {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME}};
  int flags = 0;
  for (const Ns& ns : kNs) {
    struct stat mine {}, theirs {};
    std::string self = std::string("/proc/self/ns/") + ns.name;
    std::string other = "/proc/" + std::to_string(init) + "/ns/" + ns.name;
    if (::stat(self.c_str(), &mine) < 0) {
      if (errno == ENOENT) continue;  // a kernel without this namespace type
      return fail_errno("stat `" + self + "`");
    }
    if (::stat(other.c_str(), &theirs) < 0) return fail_errno("stat `" + other + "`");
    if (mine.st_ino != theirs.st_ino || mine.st_dev != theirs.st_dev) flags |= ns.flag;
  }
  return flags;
}

// process.execCPUAffinity: a CPU list as sched_setaffinity wants it.
Result<> set_affinity(const CpuList& cpus, const char* what) {
  std::size_t n = 1;
  for (const CpuRange& r : cpus) n = std::max<std::size_t>(n, r.last + 1);
  cpu_set_t* set = CPU_ALLOC(n);
  if (set == nullptr) return fail_errno(what);
  std::size_t size = CPU_ALLOC_SIZE(n);
  CPU_ZERO_S(size, set);
  for (const CpuRange& r : cpus)
    for (std::uint32_t c = r.first; c <= r.last; c++) CPU_SET_S(c, size, set);
  int rc = ::sched_setaffinity(0, size, set);
  CPU_FREE(set);
  if (rc < 0) return fail_errno(what);
  return {};
}

struct ChildContext {
  const Process* proc = nullptr;
  const Confinement* conf = nullptr;
  int sync_fd = -1;
  int init_pidfd = -1;
  int join_flags = 0;   // CLONE_NEW* but CLONE_NEWPID (joined for us by the runtime)
  int root_fd = -1;     // without a mount namespace of its own: the init's root
  int console_fd = -1;  // with process.terminal
  unsigned preserve_fds = 0;
  bool new_keyring = true;
};

Result<std::string> child_prepare(const ChildContext& c) {
  TRY_CTX(sync_expect(c.sync_fd, SyncType::RuntimeDone), "wait for the runtime");
  // In every cgroup of the container now: the final affinity (config.md).
  if (c.proc->exec_cpu_affinity && !c.proc->exec_cpu_affinity->final.empty())
    TRY(set_affinity(c.proc->exec_cpu_affinity->final, "process.execCPUAffinity.final"));
  // Made before the container's mounts are ours (CVE-2019-16884,
  // CVE-2025-52881), and above the preserved fds.
  UniqueFd lsm_procfs = TRY(open_lsm_procfs(*c.proc, 3 + static_cast<int>(c.preserve_fds)));
  // One setns through the init's pidfd joins them all at once, in the
  // order the kernel needs (the user namespace first).
  if (c.join_flags != 0 && ::setns(c.init_pidfd, c.join_flags) < 0)
    return fail_errno("join the container's namespaces");
  if (c.root_fd >= 0 && (::fchdir(c.root_fd) < 0 || ::chroot(".") < 0 || ::chdir("/") < 0))
    return fail_errno("chroot to the container's root");
  if (c.new_keyring && ::syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, nullptr) < 0 && errno != ENOSYS &&
      errno != EDQUOT)
    return fail_errno("create a session keyring");
  const Process& proc = *c.proc;
  if (proc.terminal) TRY_CTX(setup_terminal(proc, c.console_fd, false), "process.terminal");
  TRY(apply_rlimits(proc));
  if (proc.scheduler) TRY(apply_scheduler(*proc.scheduler));
  if (proc.io_priority) TRY(apply_io_priority(*proc.io_priority));
  // Before the user switch and the seccomp filter, as in the init.
  if (lsm_procfs) TRY(apply_lsm_labels(proc, lsm_procfs.get()));
  lsm_procfs.reset();
  return confine_process(proc, *c.conf, c.sync_fd, c.preserve_fds);
}

[[noreturn]] void child_die(int fd, const Error& e) {
  (void)sync_send(fd, SyncType::Error, e.code, e.msg);
  ::_exit(127);
}

[[noreturn]] void child_main(const ChildContext& c) {
  // Not dumpable until execve: until then it holds the runtime's fds and
  // memory, which a process of the container could reach by ptrace or
  // /proc/<pid>/{fd,environ,mem} (CVE-2016-9962).
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  sys::reset_signals();

  Result<std::string> executable = child_prepare(c);
  if (!executable) child_die(c.sync_fd, executable.error());
  const Process& proc = *c.proc;
  if (c.conf->seccomp && proc.no_new_privileges)
    if (Result<> r = load_seccomp_filter(*c.conf->seccomp, c.sync_fd); !r) child_die(c.sync_fd, r.error());
  std::vector<char*> argv = sys::c_strings(proc.args);
  std::vector<char*> envp = sys::c_strings(proc.env);
  ::execve(executable->c_str(), argv.data(), envp.data());
  child_die(c.sync_fd, fail_errno("exec `" + *executable + "`").value());
}

int exit_code(int wstatus) {
  if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) return 128 + WTERMSIG(wstatus);
  return 255;
}

// Not detached: forwards the signals exec gets to the process, proxies the
// terminal, and returns the process's wait status.
Result<int> supervise(pid_t pid, int pidfd, const sigset_t& forwarded, ConsoleProxy* console) {
  UniqueFd sfd(::signalfd(-1, &forwarded, SFD_CLOEXEC));
  if (!sfd) return fail_errno("signalfd");
  for (;;) {
    int wstatus = 0;
    pid_t p = ::waitpid(pid, &wstatus, WNOHANG);
    if (p == pid) {
      if (console) console->drain();
      return wstatus;
    }
    pollfd fds[3] = {{sfd.get(), POLLIN, 0},
                     {console ? console->master_fd() : -1, POLLIN, 0},
                     {console ? console->input_fd() : -1, POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      return fail_errno("poll");
    }
    if (fds[1].revents != 0) {
      Result<bool> more = console->pump_output();
      if (!more) log::warn("exec: " + more.error().msg);
      if (!more || !*more) console = nullptr;
    }
    if (console && fds[2].revents != 0)
      if (Result<> r = console->pump_input(); !r) {
        log::warn("exec: " + r.error().msg);
        console = nullptr;
      }
    if (!(fds[0].revents & POLLIN)) continue;
    signalfd_siginfo si{};
    ssize_t n = ::read(sfd.get(), &si, sizeof si);
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<ssize_t>(sizeof si)) return fail_errno("read signalfd");
    if (si.ssi_signo == SIGCHLD) continue;
    if (si.ssi_signo == SIGWINCH && console) {
      console->resize();
      continue;
    }
    (void)sys::pidfd_send_signal(pidfd, static_cast<int>(si.ssi_signo));
  }
}

// The child's answer: EOF once execve succeeded, else its error; on the
// way, a notify filter's listener fd for the config's listener.
Result<> wait_exec(int sock, const ContainerState& st) {
  for (;;) {
    Result<SyncMessage> m = sync_recv(sock);
    if (!m) {
      // EOF: the exec closed the child's end (close-on-exec).
      if (m.error().code == EPIPE) return {};
      return tl::unexpected(m.error());
    }
    if (m->type == SyncType::Error) return tl::unexpected(Error{m->code, std::move(m->msg)});
    if (m->type != SyncType::SeccompFd) return fail("sync: unexpected message", EPROTO);
    TRY(forward_seccomp_listener(st, Status::Running, m->fd.get()));
    TRY(sync_send(sock, SyncType::SeccompDone));
  }
}

}  // namespace

Result<Process> plan_exec_process(const Process& base, const ExecOptions& o) {
  if (o.process_json) {
    Process p = TRY_CTX(parse_process(*o.process_json), "--process");
    if (o.tty) p.terminal = true;
    return p;
  }
  if (o.args.empty()) return fail("exec: a command or --process is required", EINVAL);
  Process p = base;
  p.args = o.args;
  p.terminal = o.tty;
  if (o.cwd) {
    if (o.cwd->empty() || (*o.cwd)[0] != '/') return fail("--cwd: `" + *o.cwd + "` is not an absolute path", EINVAL);
    p.cwd = *o.cwd;
  }
  for (const std::string& e : o.env) {
    if (e.empty() || e[0] == '=') return fail("--env: invalid variable \"" + e + "\"", EINVAL);
    set_env(p.env, e.find('=') == std::string::npos ? e + "=" : e);
  }
  if (o.user) {
    std::string_view u = *o.user;
    std::size_t colon = u.find(':');
    p.user.uid = TRY(parse_id("--user", u.substr(0, colon)));
    if (colon != std::string_view::npos) p.user.gid = TRY(parse_id("--user", u.substr(colon + 1)));
  }
  for (const std::string& g : o.additional_gids) p.user.additional_gids.push_back(TRY(parse_id("--additional-gids", g)));
  if (o.no_new_privs) p.no_new_privileges = true;
  if (!o.caps.empty()) {
    if (!p.capabilities) p.capabilities = Capabilities{};
    for (const std::string& name : o.caps) {
      std::optional<int> cap = capability_from_name(name);
      if (!cap) return fail("--cap: unknown capability \"" + name + "\"", EINVAL);
      std::uint64_t bit = std::uint64_t{1} << *cap;
      p.capabilities->bounding.bits |= bit;
      p.capabilities->effective.bits |= bit;
      p.capabilities->permitted.bits |= bit;
    }
  }
  if (o.apparmor) p.apparmor_profile = *o.apparmor;
  if (o.process_label) p.selinux_label = *o.process_label;
  return p;
}

bool container_frozen(const ContainerState& st) {
  for (const std::string& dir : cgroup_dirs(st)) {
    Result<UniqueFd> d = fs::open_dir_at(AT_FDCWD, dir);
    if (!d) continue;
    if (Result<std::string> v2 = fs::read_file_at(d->get(), "cgroup.freeze"); v2 && v2->starts_with("1"))
      return true;
    if (Result<std::string> v1 = fs::read_file_at(d->get(), "freezer.state"); v1 && !v1->starts_with("THAWED"))
      return true;
  }
  return false;
}

Result<std::vector<pid_t>> container_pids(const ContainerState& st) {
  std::vector<pid_t> out;
  std::vector<std::string> dirs = cgroup_dirs(st);
  if (dirs.empty()) return out;
  UniqueFd dir = TRY(fs::open_dir_at(AT_FDCWD, dirs[0]));
  std::string procs = TRY_CTX(fs::read_file_at(dir.get(), "cgroup.procs"), "read `" + dirs[0] + "/cgroup.procs`");
  std::size_t pos = 0;
  while (pos < procs.size()) {
    std::size_t nl = procs.find('\n', pos);
    if (nl == std::string::npos) nl = procs.size();
    pid_t pid = 0;
    auto [end, ec] = std::from_chars(procs.data() + pos, procs.data() + nl, pid);
    if (ec == std::errc() && end == procs.data() + nl && pid > 0) out.push_back(pid);
    pos = nl + 1;
  }
  return out;
}

Result<int> exec_container(const ExecOptions& o) {
  // 1. The container, its saved config, and what it refuses.
  TRY(validate_container_id(o.id));
  StateStore store = TRY(StateStore::open(o.state_root, false));
  ContainerState st;
  Spec spec;
  {
    // Locked only while read: a copy of the lock's fd in the child would
    // hold it until the exec.
    ContainerLock lock = TRY(store.lock(o.id));
    st = TRY(lock.load());
    std::string text = TRY_CTX(fs::read_file_at(lock.dir_fd(), "config.json"), "read the container's saved config.json");
    spec = TRY_CTX(parse_spec(text), "saved config.json");
  }
  Status status = current_status(st);
  if (status == Status::Stopped || status == Status::Creating)
    return fail("container not running (it is " + std::string(status_name(status)) + ")", ESRCH);
  if (!o.ignore_paused && (status == Status::Paused || container_frozen(st)))
    return fail("cannot exec in a paused container (use --ignore-paused to override)", EBUSY);
  if (!spec.process) return fail("saved config.json: process: missing", EINVAL);
  spec.process = TRY(plan_exec_process(*spec.process, o));
  const Process& proc = *spec.process;
  bool console_here = proc.terminal && !o.console_socket;
  if (console_here && o.detach) return fail("--tty with --detach needs --console-socket to send the terminal to", EINVAL);
  if (!proc.terminal && o.console_socket) return fail("--console-socket needs --tty (or process.terminal: true)", EINVAL);
  Confinement conf = TRY(plan_confinement(spec));

  // 2. The init, by pidfd, checked not to be a newcomer with its pid.
  int min_fd = 3 + static_cast<int>(o.preserve_fds);
  Result<UniqueFd> opened = open_init(st);
  if (!opened) {
    if (opened.error().code == ESRCH) return fail("container not running", ESRCH);
    return tl::unexpected(opened.error());
  }
  UniqueFd init = TRY(sys::move_above(std::move(*opened), min_fd));
  int join = TRY(namespaces_to_join(st.pid));
  UniqueFd root;
  if (!(join & CLONE_NEWNS)) {
    // The init chrooted in the host's mount namespace: so does the child.
    root.reset(::open(("/proc/" + std::to_string(st.pid) + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) return fail_errno("open the container's root");
    root = TRY(sys::move_above(std::move(root), min_fd));
    if (!init_alive(st)) return fail("container not running", ESRCH);
  }

  // 3. The channels to the child, above the preserved fds.
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) return fail_errno("socketpair");
  UniqueFd runtime_end(pair[0]);
  UniqueFd child_end = TRY(sys::move_above(UniqueFd(pair[1]), min_fd));
  UniqueFd console, console_back;
  if (o.console_socket) {
    console = TRY_CTX(sys::connect_unix(*o.console_socket), "--console-socket");
    console = TRY(sys::move_above(std::move(console), min_fd));
  } else if (console_here) {
    int sp[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) return fail_errno("socketpair");
    console_back.reset(sp[0]);
    console = TRY(sys::move_above(UniqueFd(sp[1]), min_fd));
  }

  // 4. The cgroups: the v2 one at clone3 (CLONE_INTO_CGROUP: the child is
  //    never outside it), the v1 ones before the child runs anything.
  std::vector<std::string> dirs = cgroup_dirs(st);
  UniqueFd v2_dir;
  std::vector<std::string> write_dirs;
  for (const std::string& d : dirs) {
    struct statfs sfs {};
    if (!v2_dir && ::statfs(d.c_str(), &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC) {
      v2_dir.reset(::open(d.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
      if (!v2_dir) return fail_errno("open cgroup `" + d + "`");
      v2_dir = TRY(sys::move_above(std::move(v2_dir), min_fd));
      continue;
    }
    write_dirs.push_back(d);
  }

  // 5. The child, in the init's pid namespace (which setns can only give
  //    to children: the runtime joins it for clone3 and returns).
  UniqueFd own_pid_ns;
  if (join & CLONE_NEWPID) {
    own_pid_ns.reset(::open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC));
    if (!own_pid_ns) return fail_errno("open /proc/self/ns/pid");
    if (::setns(init.get(), CLONE_NEWPID) < 0) return fail_errno("join the container's pid namespace");
  }
  sigset_t all, old;
  ::sigfillset(&all);
  if (!o.detach) ::sigprocmask(SIG_BLOCK, &all, &old);
  ChildContext c;
  c.proc = &proc;
  c.conf = &conf;
  c.sync_fd = child_end.get();
  c.init_pidfd = init.get();
  c.join_flags = join & ~CLONE_NEWPID;
  c.root_fd = root.get();
  c.console_fd = console.get();
  c.preserve_fds = o.preserve_fds;
  // The initial affinity, inherited by the child before it is in the
  // container's cgroups (CLONE_INTO_CGROUP or the writes below).
  if (proc.exec_cpu_affinity && !proc.exec_cpu_affinity->initial.empty())
    if (Result<> r = set_affinity(proc.exec_cpu_affinity->initial, "process.execCPUAffinity.initial"); !r) {
      if (own_pid_ns) (void)::setns(own_pid_ns.get(), CLONE_NEWPID);
      if (!o.detach) ::sigprocmask(SIG_SETMASK, &old, nullptr);
      return tl::unexpected(r.error());
    }
  UniqueFd pidfd;
  Result<pid_t> cloned = sys::clone3(0, &pidfd, v2_dir.get());
  if (cloned && *cloned == 0) child_main(c);
  if (own_pid_ns && ::setns(own_pid_ns.get(), CLONE_NEWPID) < 0 && cloned) {
    (void)sys::pidfd_send_signal(pidfd.get(), SIGKILL);
    return fail_errno("return to the runtime's pid namespace");
  }
  if (!cloned) return tl::unexpected(with_context(cloned.error(), "clone3 the process"));
  pid_t pid = *cloned;
  child_end.reset();
  console.reset();

  // From here a failure kills the child.
  auto abort_exec = [&](Error e) -> Result<int> {
    (void)sys::pidfd_send_signal(pidfd.get(), SIGKILL);
    int ws;
    ::waitpid(pid, &ws, 0);
    if (!o.detach) ::sigprocmask(SIG_SETMASK, &old, nullptr);
    return tl::unexpected(std::move(e));
  };
  for (const std::string& d : write_dirs)
    if (Result<> r = sys::write_file(d + "/cgroup.procs", std::to_string(pid)); !r)
      return abort_exec(with_context(r.error(), "cgroups"));
  if (Result<> r = sync_send(runtime_end.get(), SyncType::RuntimeDone); !r) return abort_exec(r.error());
  UniqueFd master;
  if (console_back) {
    // The child sends the master before it execs; a failure before that
    // shows on the sync socket.
    pollfd p[2] = {{console_back.get(), POLLIN, 0}, {runtime_end.get(), POLLIN, 0}};
    while (::poll(p, 2, -1) < 0 && errno == EINTR) {
    }
    if (p[0].revents & POLLIN) {
      Result<UniqueFd> got = recv_fd(console_back.get());
      if (!got) return abort_exec(with_context(got.error(), "process.terminal"));
      master = std::move(*got);
    }
  }
  if (Result<> r = wait_exec(runtime_end.get(), st); !r) return abort_exec(r.error());

  // 6. What the caller waits for.
  if (o.pid_file)
    if (Result<> r = sys::write_pid_file(*o.pid_file, pid); !r) return abort_exec(r.error());
  if (o.pidfd_socket) {
    Result<UniqueFd> sock = sys::connect_unix(*o.pidfd_socket);
    if (!sock) return abort_exec(with_context(sock.error(), "--pidfd-socket"));
    if (Result<> r = sys::send_fd(sock->get(), pidfd.get(), "pidfd"); !r)
      return abort_exec(with_context(r.error(), "--pidfd-socket"));
  }
  if (o.detach) return 0;

  std::optional<ConsoleProxy> proxy;
  if (master) {
    Result<ConsoleProxy> started = ConsoleProxy::start(std::move(master));
    if (!started) return abort_exec(started.error());
    proxy.emplace(std::move(*started));
  }
  Result<int> wstatus = supervise(pid, pidfd.get(), all, proxy ? &*proxy : nullptr);
  proxy.reset();
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
  if (!wstatus) return tl::unexpected(wstatus.error());
  return exit_code(*wstatus);
}

}  // namespace ocirun
