// create: the runtime's side of making a container.
//
// The protocol between the runtime and the container's init:
//
//   ocirun create (runtime)                    init (clone3_vm: shares the
//   -----------------------                    runtime's memory until exec)
//   state dir <root>/<id>, status creating
//   record, then mkdir, the container's cgroups
//   socketpair(SEQPACKET)  +  start.sock (listening, in the state dir),
//   the turn pipe, the init's stack
//   join pid/time namespaces by path, or unshare time (for children);
//   with a user namespace, join the others by path too (back after clone3)
//   clone3(CLONE_VM, CLONE_NEW*, ----------->  PDEATHSIG=SIGKILL, not dumpable;
//          CLONE_PIDFD)                        read(turn pipe) ... blocks
//   write the pid to each cgroup.procs
//   [new userns] write uid_map, gid_map
//   [new userns] MountSource{fd, index}        (queued on the sync socket)
//     (open_tree, idmapped; rootfs.hpp)
//   [userns or cgroupns] RuntimeDone           (queued)
//   oom_score_adj
//   save pid + start time (delete --force
//     can now find it), the config copy
//   write(turn pipe) ----------------------->  each bind mount's detached tree;
//   recv ... blocks                            become root in the userns,
//                                              [userns by path] join it, be
//                                              root there, unshare the rest;
//                                              unshare the cgroup namespace,
//                                              join namespaces by path,
//                                              hostname, mounts, pivot_root,
//                                              sysctl, rlimits, user, cwd,
//                                              resolve args[0], close fds;
//                                              copy what it needs after Ready
//                      <---------------------  Ready  (or Error{errno, msg}, exit)
//   write the pid file, save status created,   PDEATHSIG cleared
//   exit                                       accept() on start.sock ... blocks
//
//   ocirun start
//   connect(start.sock), Start ------------->  (waits for EOF on the sync
//   recv ... blocks                            socket: create has exited)
//                                              execve(args)
//   EOF (the connection was CLOEXEC): exec     or Error{errno, msg} on failure
//   succeeded; save status running
//
// `run` sends Start itself, and then the init does not wait for an exit.
//
// The two take turns, because they share the heap, the globals and errno:
// each hands the turn over with a send (or the turn pipe's write) and goes
// straight to its blocking receive, touching nothing but its own stack in
// between; the init, after Ready, makes syscalls only until its turn comes
// back. Without the shared memory there would be a fork: a copy of the page
// tables, copy-on-write faults on both sides, and the runtime's text faulted
// in again by the init. (With a time namespace, which the runtime could not
// leave while it shares its memory, and where this build has no clone3_vm,
// the init is a fork after all, and the protocol the same.)
//
// Hooks the init asks for (Hooks, HooksDone) and a seccomp listener it
// hands over (SeccompFd, SeccompDone) are turns of the same kind.
//
// The init never re-executes the runtime: it is a clone of it, and the only
// exec it does is the user's program. The socket pair and start.sock are
// SOCK_SEQPACKET, so each message is one datagram.
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

#include "ocirun/cgroup_apply.hpp"
#include "ocirun/cgroups.hpp"
#include "ocirun/container.hpp"
#include "ocirun/console.hpp"
#include "ocirun/container_init.hpp"
#include "ocirun/fs.hpp"
#include "ocirun/hooks.hpp"
#include "ocirun/log.hpp"
#include "ocirun/lsm.hpp"
#include "ocirun/net_devices.hpp"
#include "ocirun/notify_socket.hpp"
#include "ocirun/privileges.hpp"
#include "ocirun/rootfs.hpp"
#include "ocirun/sync.hpp"
#include "ocirun/sys.hpp"
#include "ocirun/trace.hpp"

namespace ocirun {

namespace {

constexpr const char* kStartSocket = "start.sock";

// What the config asks of the namespaces, and the fds of those joined by path.
struct NamespacePlan {
  std::uint64_t clone_flags = 0;  // namespaces clone3 makes new
  bool new_userns = false;
  std::vector<UniqueFd> owned;    // every fd opened for a path
  std::vector<InitContext::Join> joins;  // joined by the init, in order
  // With a user namespace (new or joined), the other namespaces joined by
  // path are joined by the runtime for clone3's child instead (see
  // plan_namespaces).
  std::vector<InitContext::Join> runtime_joins;
  int user_join = -1;             // joined by the init, first
  std::uint64_t unshare_flags = 0;  // made by the init once in user_join
  int pid_join = -1;              // joined by the runtime, for its children
  int time_join = -1;
  bool new_time = false;
  bool mount_ns = true;           // new or joined; without, the init chroots
};

// Without a mount namespace of its own, the container shares the host's
// mount table: runc then only chroots into the rootfs (runc#1702), and
// still mounts the config's mounts, leaking them on the host each run
// (runc#1907). Here what would change the host's mounts or the bundle's
// files is refused instead; the rest (a chroot, and everything that is
// not about mounts) works as with a mount namespace.
Result<> refuse_without_mount_ns(const Spec& spec) {
  const Linux& l = spec.linux;
  const char* why = ": needs a mount namespace (linux.namespaces has none), or the host's mounts would change";
  if (!spec.mounts.empty()) return fail(std::string("mounts") + why, ENOTSUP);
  if (spec.root.readonly) return fail(std::string("root.readonly") + why, ENOTSUP);
  if (!l.masked_paths.empty()) return fail(std::string("linux.maskedPaths") + why, ENOTSUP);
  if (!l.readonly_paths.empty()) return fail(std::string("linux.readonlyPaths") + why, ENOTSUP);
  if (l.rootfs_propagation) return fail(std::string("linux.rootfsPropagation") + why, ENOTSUP);
  if (!l.devices.empty()) return fail(std::string("linux.devices") + why, ENOTSUP);
  return {};
}

// The name of a namespace type in /proc/PID/ns.
const char* proc_ns_name(NamespaceType t) {
  switch (t) {
    case NamespaceType::Mount: return "mnt";
    case NamespaceType::Cgroup: return "cgroup";
    case NamespaceType::Uts: return "uts";
    case NamespaceType::Ipc: return "ipc";
    case NamespaceType::User: return "user";
    case NamespaceType::Pid: return "pid";
    case NamespaceType::Network: return "net";
    case NamespaceType::Time: return "time";
  }
  return "";
}

// Order of setns in the init: the mount namespace last, since joining it
// changes how the init sees the other paths (it already holds their fds).
int join_rank(NamespaceType t) {
  switch (t) {
    case NamespaceType::Network: return 0;
    case NamespaceType::Ipc: return 1;
    case NamespaceType::Uts: return 2;
    case NamespaceType::Cgroup: return 3;
    case NamespaceType::Mount: return 4;
    default: return 5;
  }
}

Result<NamespacePlan> plan_namespaces(const Spec& spec) {
  NamespacePlan plan;
  bool has_mount = false;
  for (std::size_t i = 0; i < spec.linux.namespaces.size(); i++) {
    const LinuxNamespace& ns = spec.linux.namespaces[i];
    std::string where = "linux.namespaces[" + std::to_string(i) + "]";
    if (ns.type == NamespaceType::Mount) has_mount = true;
    if (!ns.path) {
      if (ns.type == NamespaceType::User) plan.new_userns = true;
      if (ns.type == NamespaceType::Time) plan.new_time = true;
      else plan.clone_flags |= static_cast<std::uint64_t>(ns.type);
      continue;
    }
    UniqueFd fd(::open(ns.path->c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return tl::unexpected(with_context(fail_errno("open `" + *ns.path + "`").value(), where + ".path"));
    // A path to the wrong kind of namespace (or to no namespace) is refused
    // before anything joins it.
    Result<int> type = sys::ns_type(fd.get());
    if (!type || *type != static_cast<int>(ns.type))
      return fail(where + ".path: `" + *ns.path + "` is not a " + namespace_type_name(ns.type) + " namespace");
    int raw = fd.get();
    plan.owned.push_back(std::move(fd));
    if (ns.type == NamespaceType::Pid) plan.pid_join = raw;
    else if (ns.type == NamespaceType::Time) plan.time_join = raw;
    else if (ns.type == NamespaceType::User) plan.user_join = raw;
    else plan.joins.push_back({raw, ns.type});
  }
  plan.mount_ns = has_mount;
  std::stable_sort(plan.joins.begin(), plan.joins.end(),
                   [](const InitContext::Join& a, const InitContext::Join& b) {
                     return join_rank(a.type) < join_rank(b.type);
                   });
  // With a user namespace, the namespaces joined by path belong, as a
  // rule, to another user namespace (the host's, a pod's), over which the
  // init has no capability once in its own: setns would fail with EPERM.
  // The runtime, still root on the host, joins them instead just before
  // clone3 and returns to its own right after, so the init is born in
  // them (runc's nsexec joins them before it unshares the user namespace,
  // to the same effect).
  if (plan.new_userns || plan.user_join >= 0) std::swap(plan.runtime_joins, plan.joins);
  if (plan.user_join >= 0) {
    // The new namespaces must belong to the joined user namespace (or
    // the init, root there, could not mount in its own mount namespace):
    // the init makes them with unshare once it has joined it. A new pid
    // namespace would need a process born after that join, which this
    // runtime does not have.
    std::uint64_t pid = static_cast<std::uint64_t>(NamespaceType::Pid);
    if (plan.clone_flags & pid)
      return fail("linux.namespaces: a new pid namespace together with a user namespace joined by path is not supported yet",
                  ENOTSUP);
    // The cgroup namespace is made by the init in any case (below).
    plan.unshare_flags = plan.clone_flags & ~static_cast<std::uint64_t>(CLONE_NEWCGROUP);
    plan.clone_flags &= CLONE_NEWCGROUP;
  }
  if (plan.new_userns) plan.clone_flags |= CLONE_NEWUSER;
  return plan;
}

// Fields that are read and, on this host, deliberately not applied (as runc
// does); said with --debug, so that nobody believes them applied.
void note_ignored_fields(const Spec& spec) {
  // linux.mountLabel: applied by the init (rootfs.cpp) when SELinux is
  // enabled. Said here: the init's debug lines have no log file. A debug
  // line, not a warning: without --log, warnings go to stderr, which is the
  // container's stderr too.
  if (!spec.linux.mount_label.empty() && !selinux_enabled())
    log::debug("linux.mountLabel: SELinux is not enabled on this host; ignored, as runc does");
}

// Fields this build cannot honour at all; refused, as the spec requires of
// unsupported values, rather than silently ignored.
Result<> refuse_unsupported(const Spec& spec) {
  // process.execCPUAffinity does not apply to the init (config.md), only to
  // exec; scheduler and ioPriority are applied by the init.
  const Linux& l = spec.linux;
  if (l.intel_rdt) return fail("linux.intelRdt: not supported yet", ENOTSUP);
  return {};
}

Result<std::string> absolute_dir(const std::string& path) {
  char* real = ::realpath(path.c_str(), nullptr);
  if (real == nullptr) return fail_errno("bundle `" + path + "`");
  std::string out(real);
  std::free(real);
  return out;
}

sockaddr_un start_socket_addr(int dir_fd, socklen_t* len) {
  // Through the state dir's fd: a socket path is limited to 108 bytes, and
  // state dirs under containerd's root can be longer than that.
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string p = sys::fd_path(dir_fd) + "/" + kStartSocket;
  p.copy(addr.sun_path, sizeof addr.sun_path - 1);
  *len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + p.size() + 1);
  return addr;
}

Result<UniqueFd> listen_start_socket(int dir_fd) {
  UniqueFd s(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  if (!s) return fail_errno("socket");
  socklen_t len;
  sockaddr_un addr = start_socket_addr(dir_fd, &len);
  if (::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), len) < 0) return fail_errno("bind start.sock");
  if (::listen(s.get(), 1) < 0) return fail_errno("listen start.sock");
  return s;
}

std::string id_map_text(const std::vector<IdMapping>& maps) {
  std::string out;
  for (const IdMapping& m : maps)
    out += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " + std::to_string(m.size) + "\n";
  return out;
}

std::string time_offsets_text(const TimeOffsets& t) {
  std::string out;
  if (t.monotonic) out += "monotonic " + std::to_string(t.monotonic->secs) + " " + std::to_string(t.monotonic->nanosecs) + "\n";
  if (t.boottime) out += "boottime " + std::to_string(t.boottime->secs) + " " + std::to_string(t.boottime->nanosecs) + "\n";
  return out;
}

// A new v1 cpuset cgroup starts with no cpus and no memory nodes, and
// refuses tasks (ENOSPC) until it has some: it gets its parent's, as in
// runc. A parent made by a concurrent create may not have its own yet (that
// create is between its mkdir and this step): it is filled first, from its
// parent, so the value copied is never empty. Other directories have no
// cpuset files and are left alone.
Result<std::string> inherit_cpuset_file(const std::string& dir, const char* file) {
  UniqueFd ddir = TRY(fs::open_dir_at(AT_FDCWD, dir));
  std::string mine = TRY(fs::read_file_at(ddir.get(), file));
  if (mine.find_first_not_of(" \n") != std::string::npos) return mine;
  std::size_t slash = dir.rfind('/');
  if (slash == std::string::npos || slash == 0) return fail("`" + dir + "`: no " + file + " to inherit", ENOSPC);
  std::string value = TRY(inherit_cpuset_file(dir.substr(0, slash), file));
  TRY(sys::write_file(dir + "/" + file, value));
  return value;
}

Result<> inherit_cpuset(const std::string& dir) {
  for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
    if (Result<std::string> r = inherit_cpuset_file(dir, file); !r) {
      if (r.error().code == ENOENT) return {};  // not a v1 cpuset hierarchy
      return tl::unexpected(r.error());
    }
  }
  return {};
}

// A copy of config.json in the state dir, for the commands that run after
// create (the hooks of start and delete) and must not depend on the bundle.
constexpr const char* kConfigCopy = "config.json";

// It is the text this create parsed, not the file read again: the bundle's
// may have changed since.
Result<> save_config_copy(int state_dir_fd, std::string_view text) {
  UniqueFd fd(::openat(state_dir_fd, kConfigCopy, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd) return fail_errno("save config.json");
  TRY_CTX(fs::write_all(fd.get(), text), "save config.json");
  return {};
}

// The init's side, once it has its turn: close what is not its own, then run.
[[noreturn]] void start_init(const InitContext& ctx, const std::vector<int>& keep) {
  // The runtime's other fds (the state store's lock among them: a flock
  // held by a copy of its fd would block `start`) are closed here.
  unsigned lo = 3 + ctx.preserve_fds;
  std::vector<int> sorted = keep;
  std::sort(sorted.begin(), sorted.end());
  for (int fd : sorted) {
    if (static_cast<unsigned>(fd) > lo) ::syscall(SYS_close_range, lo, static_cast<unsigned>(fd) - 1, 0);
    lo = static_cast<unsigned>(fd) + 1;
  }
  ::syscall(SYS_close_range, lo, ~0U, 0);
  init_main(ctx);
}

// What the init starts with: the runtime's frame holds it until Ready.
struct InitLaunch {
  const InitContext* ctx;
  const std::vector<int>* keep;
  int turn_read;   // the init's turn comes as one byte on this pipe...
  int turn_write;  // ...or as EOF, when the runtime died first
};

// The init's first steps. Made by clone3_vm, it shares the runtime's
// memory: heap, globals, errno. The runtime runs on until it has placed
// the init (cgroups, maps, its pid saved), so until then the init makes
// syscalls only, on its own stack, then waits for its turn.
int init_entry(void* arg) {
  const InitLaunch& launch = *static_cast<const InitLaunch*>(arg);
  // If the runtime dies before we are ready, so do we: nobody would clean up.
  // (Had it died already, the turn pipe gives EOF, or Ready fails with EPIPE.)
  sys::raw_syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
  // No ptrace and no /proc/<pid>/mem of the init until it execs the user's
  // program: it holds the runtime's fds and memory (CVE-2016-9962).
  sys::raw_syscall(SYS_prctl, PR_SET_DUMPABLE, 0);
  sys::raw_syscall(SYS_close, launch.turn_write);
  char turn;
  long n;
  do {
    n = sys::raw_syscall(SYS_read, launch.turn_read, reinterpret_cast<long>(&turn), 1);
  } while (n == -EINTR);
  if (n != 1) ::_exit(1);
  start_init(*launch.ctx, *launch.keep);
}

// The init's stack, when it shares the runtime's memory. Never unmapped by
// the runtime: the init runs on it until its exec, which drops it with the
// rest of this memory. Pages are used as touched (the init needs some tens
// of KiB); the lowest page is a guard.
constexpr std::size_t kInitStackSize = 512 * 1024;

Result<void*> map_init_stack() {
  void* stack = ::mmap(nullptr, kInitStackSize, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return fail_errno("mmap the init's stack");
  if (::mprotect(stack, static_cast<std::size_t>(::getpagesize()), PROT_NONE) < 0) {
    Error e = fail_errno("mprotect the init's stack guard").value();
    ::munmap(stack, kInitStackSize);
    return tl::unexpected(std::move(e));
  }
  return stack;
}

// The init's answer to Start: EOF when the exec succeeded, or its error.
// Before it, when the init's seccomp filter loads at the exec and
// notifies, the filter's listener fd: it goes to the config's listener
// before the init may exec. Fails (and kills the init) when that hand-over
// fails.
std::optional<Error> init_error(const Result<SyncMessage>& m) {
  if (m && m->type == SyncType::Error) return Error{m->code, m->msg};
  return std::nullopt;
}

Result<std::optional<Error>> start_reply(int sock, const ContainerState& st) {
  Result<SyncMessage> first = sync_recv(sock);
  if (!first || first->type != SyncType::SeccompFd) return init_error(first);
  Result<> r = forward_seccomp_listener(st, Status::Created, first->fd.get());
  if (r) r = sync_send(sock, SyncType::SeccompDone);
  if (!r) {
    if (Result<UniqueFd> init = open_init(st); init) (void)sys::pidfd_send_signal(init->get(), SIGKILL);
    return tl::unexpected(r.error());
  }
  return init_error(sync_recv(sock));
}

// This process's own dumpable flag and oom_score_adj, once the init that
// shared its memory (and so changed them) has exec'd or is gone.
void restore_own_marks(const Created::OwnMarks& marks) {
  // The init made the memory undumpable (init_entry), so this process too.
  if (::prctl(PR_SET_DUMPABLE, marks.dumpable, 0, 0, 0) < 0)
    log::warn("restore the runtime's dumpable flag: " + fail_errno("prctl").value().msg);
  // The kernel gives a new oom_score_adj to every process sharing the memory.
  if (marks.oom_score_adj)
    if (Result<> r = sys::write_file("/proc/self/oom_score_adj", std::to_string(*marks.oom_score_adj)); !r)
      log::warn("restore the runtime's oom_score_adj: " + r.error().msg);
}

}  // namespace

Result<Created> create_container(const CreateOptions& o) {
  // 1. Everything that can be refused is refused before anything is made.
  TRY(validate_container_id(o.id));
  std::string bundle = TRY(absolute_dir(o.bundle));
  std::string config_text;
  Spec spec = TRY(load_spec(bundle, &config_text));
  trace::phase("create: load config");
  if (!spec.process) return fail("config.json: process: required to create a container");
  // Socket activation (the contract's LISTEN_FDS): the listening fds
  // systemd gave us, from fd 3 on, pass through like preserved fds, and the
  // program is told it is their listener. As sd_listen_fds(3) says, they
  // are ours only if LISTEN_PID is our pid.
  unsigned preserve_fds = o.preserve_fds;
  const char* listen_pid = ::getenv("LISTEN_PID");
  const char* listen = ::getenv("LISTEN_FDS");
  if (listen != nullptr && listen_pid != nullptr && std::to_string(::getpid()) == listen_pid) {
    char* end = nullptr;
    unsigned long n = std::strtoul(listen, &end, 10);
    if (end != listen && *end == '\0' && n > 0 && n < 65536) {
      preserve_fds += static_cast<unsigned>(n);
      std::erase_if(spec.process->env, [](const std::string& e) {
        return e.starts_with("LISTEN_FDS=") || e.starts_with("LISTEN_PID=");
      });
      spec.process->env.push_back("LISTEN_FDS=" + std::to_string(n));
      spec.process->env.push_back("LISTEN_PID=1");
    }
  }
  TRY_CTX(refuse_unsupported(spec), "config.json");
  TRY(check_net_devices(spec.linux.net_devices));
  // The pty's master goes to the caller's console socket; without one
  // nobody would read the terminal (runc refuses the same).
  bool console_here = spec.process->terminal && !o.console_socket && o.console_here;
  if (spec.process->terminal && !o.console_socket && !console_here)
    return fail("process.terminal needs --console-socket to send the terminal to", EINVAL);
  if (!spec.process->terminal && o.console_socket)
    return fail("--console-socket needs process.terminal: true in config.json", EINVAL);
  NamespacePlan ns = TRY_CTX(plan_namespaces(spec), "config.json");
  if (!ns.mount_ns) TRY_CTX(refuse_without_mount_ns(spec), "config.json");
  note_ignored_fields(spec);
  Confinement confinement = TRY_CTX(plan_confinement(spec), "config.json");
  TRY_CTX(validate_cgroups_path(spec.linux.cgroups_path), "config.json");
  std::vector<CgroupHierarchy> hierarchies = TRY_CTX(cgroup_hierarchies(), "cgroups");
  std::string rootfs = spec.root.path[0] == '/' ? spec.root.path : bundle + "/" + spec.root.path;
  rootfs = TRY_CTX(absolute_dir(rootfs), "root.path");
  trace::phase("create: checks");

  // 2. The state dir, before anything else exists: a create killed from
  //    here on leaves a record that delete --force acts on.
  StateStore store = TRY(StateStore::open(o.state_root, true));
  ContainerState st;
  st.oci_version = spec.oci_version;
  st.id = o.id;
  st.status = Status::Creating;
  st.bundle = bundle;
  st.rootfs = rootfs;
  st.created = Timestamp::now();
  st.owner_uid = ::geteuid();
  for (const auto& [k, v] : spec.annotations) st.annotations.emplace_back(k, v);
  st.own_pid_namespace = spec.linux.find_namespace(NamespaceType::Pid) != nullptr &&
                         !spec.linux.find_namespace(NamespaceType::Pid)->path;
  // The cgroups: recorded in the first state file, before they are made,
  // so that delete --force removes them even after a create killed
  // half-way (and no second write is needed for them).
  std::vector<std::string> cgroup_dirs;
  for (const CgroupHierarchy& h : hierarchies) {
    std::string rel = container_cgroup(h, spec.linux.cgroups_path, o.id);
    if (st.cgroup_path.empty()) st.cgroup_path = "/" + rel;
    for (std::string& d : missing_dirs(h.mount_point, rel)) st.cleanup.push_back({"cgroup", std::move(d)});
    cgroup_dirs.push_back(h.mount_point + "/" + rel);
  }
  // kill --all and delete find the container's processes through these.
  std::string joined;
  for (const std::string& d : cgroup_dirs) joined += (joined.empty() ? "" : "\n") + d;
  set_extra(st, kCgroupDirsKey, std::move(joined));
  // The default layout's shared parent (ocirun/) is ours to remove once
  // the last container under it is gone, whoever made it.
  if (spec.linux.cgroups_path.empty()) set_extra(st, kCgroupDefaultKey, "1");
  // start and delete need not read the config copy to learn there are none.
  set_extra(st, kPostHooksKey, spec.hooks.poststart.empty() && spec.hooks.poststop.empty() ? "none" : "some");
  // An existing cgroup must be empty and thawed (config-linux.md, "fit
  // for purpose").
  TRY(check_cgroup_fit(cgroup_dirs));
  // Where the seccomp listener fd goes, for `start` too (privileges.hpp).
  if (spec.linux.seccomp && spec.linux.seccomp->listener_path) {
    set_extra(st, kSeccompListenerKey, *spec.linux.seccomp->listener_path);
    set_extra(st, kSeccompMetadataKey, spec.linux.seccomp->listener_metadata.value_or(""));
  }
  ContainerLock lock = TRY(store.create(st));
  trace::phase("create: state dir");

  UniqueFd pidfd;
  pid_t pid = 0;
  // On any failure below: kill the init if there is one, remove the
  // cgroups and the dir.
  auto abort_create = [&](Error e) -> tl::unexpected<Error> {
    if (pidfd) {
      (void)sys::pidfd_send_signal(pidfd.get(), SIGKILL);
      ::waitpid(pid, nullptr, 0);
      // The lifecycle goes on at delete, and so to the poststop hooks
      // (runtime.md, steps 12 and 13); their failures are warnings.
      std::string state = hook_state_json(st, Status::Stopped);
      for (std::size_t i = 0; i < spec.hooks.poststop.size(); i++)
        if (Result<> r = run_hook(spec.hooks.poststop[i], state); !r)
          log::warn("create: poststop hook " + std::to_string(i) + ": " + r.error().msg);
    }
    if (Result<> r = remove_cgroups(st); !r) log::warn("create: cleanup: " + r.error().msg);
    if (Result<> r = lock.remove(); !r) log::warn("create: cleanup: " + r.error().msg);
    return tl::unexpected<Error>(std::move(e));
  };

  // NOTIFY_SOCKET: the dir that start binds the proxy's socket in, mounted
  // into the container (notify_socket.hpp). Made here, in the state dir,
  // so that delete removes it with the rest.
  // (Without a mount namespace there is no mount to reach it through.)
  if (ns.mount_ns && host_notify_socket()) {
    if (::mkdirat(lock.dir_fd(), kNotifyDir, 0755) < 0)
      return abort_create(with_context(fail_errno("mkdir").value(), "NOTIFY_SOCKET"));
    char* dir = ::realpath((sys::fd_path(lock.dir_fd()) + "/" + kNotifyDir).c_str(), nullptr);
    if (dir == nullptr) return abort_create(with_context(fail_errno("realpath").value(), "NOTIFY_SOCKET"));
    add_notify_socket(spec, dir);
    std::free(dir);
  }

  // The cgroups, recorded in the state file store.create wrote.
  for (const CleanupEntry& c : st.cleanup) {
    if (::mkdir(c.path.c_str(), 0755) < 0 && errno != EEXIST)
      return abort_create(with_context(fail_errno("mkdir `" + c.path + "`").value(), "cgroups"));
    if (Result<> r = inherit_cpuset(c.path); !r) return abort_create(with_context(r.error(), "cgroups"));
  }

  trace::phase("create: make cgroups");
  // 3. The channels to the init, at fd numbers above the preserved ones.
  int min_fd = 3 + static_cast<int>(preserve_fds);
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
    return abort_create(fail_errno("socketpair").value());
  UniqueFd runtime_end(pair[0]);
  Result<UniqueFd> init_end = sys::move_above(UniqueFd(pair[1]), min_fd);
  if (!init_end) return abort_create(init_end.error());
  Result<UniqueFd> listening = listen_start_socket(lock.dir_fd());
  if (!listening) return abort_create(listening.error());
  Result<UniqueFd> listener = sys::move_above(std::move(*listening), min_fd);
  if (!listener) return abort_create(listener.error());
  std::vector<int> keep{init_end->get(), listener->get()};
  for (UniqueFd& fd : ns.owned) {
    int old = fd.get();
    Result<UniqueFd> moved = sys::move_above(std::move(fd), min_fd);
    if (!moved) return abort_create(moved.error());
    for (InitContext::Join& j : ns.joins)
      if (j.fd == old) j.fd = moved->get();
    for (InitContext::Join& j : ns.runtime_joins)
      if (j.fd == old) j.fd = moved->get();
    if (ns.user_join == old) ns.user_join = moved->get();
    if (ns.pid_join == old) ns.pid_join = moved->get();
    if (ns.time_join == old) ns.time_join = moved->get();
    fd = std::move(*moved);
  }
  for (const InitContext::Join& j : ns.joins) keep.push_back(j.fd);
  if (ns.user_join >= 0) keep.push_back(ns.user_join);
  UniqueFd console;
  if (o.console_socket) {
    Result<UniqueFd> connected = sys::connect_unix(*o.console_socket);
    if (!connected) return abort_create(with_context(connected.error(), "--console-socket"));
    Result<UniqueFd> moved = sys::move_above(std::move(*connected), min_fd);
    if (!moved) return abort_create(moved.error());
    console = std::move(*moved);
    keep.push_back(console.get());
  }
  // The caller's own console: the init sends the master over a socket pair.
  UniqueFd console_back;
  if (console_here) {
    int sp[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) return abort_create(fail_errno("socketpair").value());
    console_back.reset(sp[0]);
    Result<UniqueFd> moved = sys::move_above(UniqueFd(sp[1]), min_fd);
    if (!moved) return abort_create(moved.error());
    console = std::move(*moved);
    keep.push_back(console.get());
  }

  trace::phase("create: sockets");
  // 4. Namespaces that only apply to children: joined or made here, and
  //    undone right after clone3, so that the hooks this runtime runs later
  //    are in the runtime's namespaces, not the container's.
  UniqueFd own_pid_ns, own_time_ns;
  if (ns.pid_join >= 0) own_pid_ns.reset(::open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC));
  if (ns.time_join >= 0 || ns.new_time)
    own_time_ns.reset(::open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC));
  if (ns.pid_join >= 0 && ::setns(ns.pid_join, CLONE_NEWPID) < 0)
    return abort_create(with_context(fail_errno("setns").value(), "join the pid namespace"));
  if (ns.time_join >= 0 && ::setns(ns.time_join, CLONE_NEWTIME) < 0)
    return abort_create(with_context(fail_errno("setns").value(), "join the time namespace"));
  if (ns.new_time) {
    if (::unshare(CLONE_NEWTIME) < 0) return abort_create(with_context(fail_errno("unshare").value(), "time namespace"));
    // Offsets can be set only before the first process enters the namespace.
    if (!spec.linux.time_offsets.empty())
      if (Result<> r = sys::write_file("/proc/self/timens_offsets", time_offsets_text(spec.linux.time_offsets)); !r)
        return abort_create(with_context(r.error(), "linux.timeOffsets"));
  }

  // The namespaces joined by path for the init (with a user namespace;
  // see plan_namespaces), the mount namespace last: until clone3 the
  // runtime needs nothing of its own but memory; it returns right after.
  struct Own {
    UniqueFd fd;
    NamespaceType type;
  };
  std::vector<Own> own_ns;
  UniqueFd own_cwd;
  for (const InitContext::Join& j : ns.runtime_joins) {
    std::string self = std::string("/proc/self/ns/") + proc_ns_name(j.type);
    UniqueFd fd(::open(self.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return abort_create(with_context(fail_errno("open `" + self + "`").value(), "linux.namespaces"));
    own_ns.push_back({std::move(fd), j.type});
  }
  if (!ns.runtime_joins.empty()) own_cwd.reset(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  auto return_home = [&]() -> Result<> {
    for (auto it = own_ns.rbegin(); it != own_ns.rend(); ++it)
      if (::setns(it->fd.get(), static_cast<int>(it->type)) < 0)
        return fail_errno(std::string("return to the runtime's ") + namespace_type_name(it->type) + " namespace");
    if (own_cwd && ::fchdir(own_cwd.get()) < 0) return fail_errno("return to the runtime's working directory");
    return {};
  };
  for (const InitContext::Join& j : ns.runtime_joins)
    if (::setns(j.fd, static_cast<int>(j.type)) < 0) {
      Error e = fail_errno(std::string("join the ") + namespace_type_name(j.type) + " namespace").value();
      if (Result<> r = return_home(); !r) e = r.error();
      return abort_create(with_context(e, "linux.namespaces"));
    }

  // 5. The init.
  InitContext ctx;
  ctx.spec = &spec;
  ctx.state = &st;
  ctx.bundle = bundle;
  ctx.rootfs = rootfs;
  ctx.sync_fd = init_end->get();
  ctx.listen_fd = listener->get();
  ctx.console_fd = console.get();
  ctx.new_userns = ns.new_userns;
  ctx.mount_ns = ns.mount_ns;
  ctx.new_cgroupns = (ns.clone_flags & CLONE_NEWCGROUP) != 0;
  ctx.joins = ns.joins;
  ctx.user_join = ns.user_join;
  ctx.unshare_flags = ns.unshare_flags;
  if (const LinuxNamespace* m = spec.linux.find_namespace(NamespaceType::Mount); m != nullptr && !m->path)
    ctx.hierarchies = &hierarchies;
  ctx.preserve_fds = preserve_fds;
  ctx.no_pivot = o.no_pivot;
  ctx.no_new_keyring = o.no_new_keyring;
  ctx.confinement = &confinement;
  // On a v2 hierarchy the init is born in its cgroup (CLONE_INTO_CGROUP,
  // 5.7+): no moment outside it, and no cgroup.procs write for that one.
  ctx.runtime_starts = o.start_here;
  ContainerCgroups cgroups = classify_cgroup_dirs(hierarchies, cgroup_dirs);
  UniqueFd unified_fd;
  if (!cgroups.unified.empty())
    unified_fd.reset(::open(cgroups.unified.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  // The init's turn (init_entry): a pipe, above the preserved fds.
  int turn[2];
  if (::pipe2(turn, O_CLOEXEC) < 0) {
    (void)return_home();
    return abort_create(fail_errno("pipe").value());
  }
  // (The write end too: the init closes its copy, whatever its number.)
  Result<UniqueFd> turn_read = sys::move_above(UniqueFd(turn[0]), min_fd);
  Result<UniqueFd> turn_write = sys::move_above(UniqueFd(turn[1]), min_fd);
  if (!turn_read || !turn_write) {
    (void)return_home();
    return abort_create(!turn_read ? turn_read.error() : turn_write.error());
  }
  InitLaunch launch{&ctx, &keep, turn_read->get(), turn_write->get()};
  // The init shares this process's memory until its exec (clone3_vm):
  // no copy of the page tables, and none of the copy-on-write faults that
  // both processes would take after a fork. Where this build cannot do
  // that, it is a fork, with the same protocol; and with a time namespace,
  // which this process could not leave while another shares its memory
  // (setns fails with EUSERS).
  std::uint64_t clone_flags = ns.clone_flags & ~static_cast<std::uint64_t>(CLONE_NEWCGROUP);
  auto fork_init = [&](int cgroup_fd) -> Result<pid_t> {
    Result<pid_t> forked = sys::clone3(clone_flags, &pidfd, cgroup_fd);
    if (forked && *forked == 0) ::_exit(init_entry(&launch));
    return forked;
  };
  // What run restores once the init has exec'd (create exits instead):
  // read before the init can change it (init_entry).
  std::optional<Created::OwnMarks> own_marks;
  const int own_dumpable = o.start_here ? ::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) : 1;
  auto clone_init = [&](int cgroup_fd) -> Result<pid_t> {
    if (own_time_ns) return fork_init(cgroup_fd);
    void* stack = TRY(map_init_stack());
    Result<pid_t> vm = sys::clone3_vm(clone_flags, &pidfd, cgroup_fd, stack, kInitStackSize, init_entry, &launch);
    if (vm && o.start_here) own_marks.emplace().dumpable = own_dumpable;
    if (!vm) ::munmap(stack, kInitStackSize);
    // No trampoline here, or a kernel that refuses these flags with
    // CLONE_VM: a fork (whose own error, if any, is the one reported).
    if (!vm && (vm.error().code == ENOSYS || vm.error().code == EINVAL)) return fork_init(cgroup_fd);
    return vm;
  };
  Result<pid_t> cloned = clone_init(unified_fd ? unified_fd.get() : -1);
  if (!cloned && unified_fd && (cloned.error().code == EINVAL || cloned.error().code == E2BIG)) {
    unified_fd.reset();  // a kernel without CLONE_INTO_CGROUP
    cloned = clone_init(-1);
  }
  if (!cloned) {
    (void)return_home();
    return abort_create(with_context(cloned.error(), "create the init"));
  }
  pid = *cloned;
  if (Result<> r = return_home(); !r) return abort_create(r.error());
  if (own_pid_ns && ::setns(own_pid_ns.get(), CLONE_NEWPID) < 0)
    return abort_create(with_context(fail_errno("setns").value(), "return to the runtime's pid namespace"));
  if (own_time_ns && ::setns(own_time_ns.get(), CLONE_NEWTIME) < 0)
    return abort_create(with_context(fail_errno("setns").value(), "return to the runtime's time namespace"));
  init_end->reset();
  listener->reset();
  console.reset();
  turn_read->reset();
  ns.owned.clear();

  trace::phase("create: clone3");
  st.pid = pid;
  // 6. The init's cgroups, credentials and scores, set from outside before
  //    it runs anything of the container's.
  for (const std::string& dir : cgroup_dirs) {
    if (unified_fd && dir == cgroups.unified) continue;  // born there
    if (Result<> r = sys::write_file(dir + "/cgroup.procs", std::to_string(pid)); !r)
      return abort_create(with_context(r.error(), "cgroups"));
  }
  unified_fd.reset();
  if (ns.new_userns) {
    std::string base = "/proc/" + std::to_string(pid);
    if (Result<> r = sys::write_file(base + "/gid_map", id_map_text(spec.linux.gid_mappings)); !r)
      return abort_create(with_context(r.error(), "linux.gidMappings"));
    if (Result<> r = sys::write_file(base + "/uid_map", id_map_text(spec.linux.uid_mappings)); !r)
      return abort_create(with_context(r.error(), "linux.uidMappings"));
  }
  // The network devices, moved by the runtime (which has the host's
  // network namespace) before the init can run anything of the
  // container's; a namespace joined by path is the one they go to.
  if (!spec.linux.net_devices.empty()) {
    const LinuxNamespace* net = spec.linux.find_namespace(NamespaceType::Network);
    std::string netns = net && net->path ? *net->path : "/proc/" + std::to_string(pid) + "/ns/net";
    if (Result<> r = move_net_devices(spec.linux.net_devices, netns); !r) return abort_create(r.error());
  }
  // The bind mounts' trees, made here with the host's privileges for an
  // init that has none outside its user namespace (rootfs.hpp).
  if (ctx.new_userns) {
    Result<std::vector<MountSource>> trees = make_bind_trees(spec, bundle, pid);
    if (!trees) return abort_create(with_context(trees.error(), "rootfs"));
    for (const MountSource& t : *trees)
      if (Result<> r = sync_send_fd(runtime_end.get(), SyncType::MountSource, t.tree.get(), static_cast<int>(t.index)); !r)
        return abort_create(r.error());
  }
  if (ctx.new_userns || ctx.new_cgroupns)
    if (Result<> r = sync_send(runtime_end.get(), SyncType::RuntimeDone); !r) return abort_create(r.error());
  if (spec.process->oom_score_adj) {
    if (own_marks)
      if (Result<std::string> own = fs::read_file_at(AT_FDCWD, "/proc/self/oom_score_adj"); own)
        own_marks->oom_score_adj = std::atoi(own->c_str());
    std::string path = "/proc/" + std::to_string(pid) + "/oom_score_adj";
    if (Result<> r = sys::write_file(path, std::to_string(*spec.process->oom_score_adj)); !r)
      return abort_create(with_context(r.error(), "process.oomScoreAdj"));
  }

  trace::phase("create: place init");
  // 7. The record of its pid, so that delete --force can kill it should
  //    this create be killed after the init has stopped dying with it (its
  //    parent-death signal holds until Ready); and the config copy, always
  //    kept: delete runs the poststop hooks after the bundle may be gone,
  //    and exec needs the container's process, seccomp and namespaces.
  if (Result<ProcStat> ps = read_proc_stat(pid); ps) st.init_start_time = ps->start_time;
  if (Result<> r = lock.save(st); !r) return abort_create(r.error());
  if (Result<> r = save_config_copy(lock.dir_fd(), config_text); !r) return abort_create(r.error());
  trace::phase("create: save pid");

  // 8. The init's turn, until Ready or its reason not to be; on the way it
  //    asks for the prestart and createRuntime hooks and for the seccomp
  //    listener's hand-over. The two share memory: each hands the turn
  //    over with a send and goes straight to its receive, touching nothing
  //    in between but its own stack.
  if (::write(turn_write->get(), "", 1) != 1) return abort_create(fail_errno("give the init its turn").value());
  for (;;) {
    SyncType reply;
    {
      Result<SyncMessage> m = sync_recv(runtime_end.get());
      if (!m) return abort_create(m.error());
      if (m->type == SyncType::Error) return abort_create(Error{m->code, std::move(m->msg)});
      if (m->type == SyncType::Ready) break;
      if (m->type == SyncType::SeccompFd) {
        // The filter loaded before the user switch: its listener gets the fd now.
        if (Result<> r = forward_seccomp_listener(st, Status::Creating, m->fd.get()); !r)
          return abort_create(r.error());
        reply = SyncType::SeccompDone;
      } else if (m->type == SyncType::Hooks) {
        std::string state = hook_state_json(st, Status::Creating);
        if (Result<> r = run_hooks(spec.hooks.prestart, "prestart", state); !r) return abort_create(r.error());
        if (Result<> r = run_hooks(spec.hooks.create_runtime, "createRuntime", state); !r)
          return abort_create(r.error());
        reply = SyncType::HooksDone;
      } else {
        return abort_create(Error{EPROTO, "sync: unexpected message"});
      }
    }  // this turn's memory is freed before the init's begins
    if (Result<> r = sync_send(runtime_end.get(), reply); !r) return abort_create(r.error());
  }
  // Ready: from here the init makes syscalls only until its next turn
  // (init_main), and this process may do as it likes.
  // The init sent the pty's master before Ready.
  UniqueFd master;
  if (console_here) {
    Result<UniqueFd> got = recv_fd(console_back.get());
    if (!got) return abort_create(with_context(got.error(), "process.terminal"));
    master = std::move(*got);
  }
  // The limits, now that the init has made its devices and mounts (as runc
  // sets them at this point) and before it runs the container's program.
  if (Result<> r = apply_resources(cgroups, spec.linux.resources.value_or(LinuxResources{})); !r)
    return abort_create(r.error());
  // Cgroup ownership: the container's user gets its cgroup where the spec
  // says it should (pure v2, own cgroup namespace, cgroupfs mounted rw).
  if (wants_cgroup_delegation(spec, cgroups.pure_v2)) {
    Result<std::string> map = [&]() -> Result<std::string> {
      UniqueFd proc = TRY(fs::open_dir_at(AT_FDCWD, "/proc/" + std::to_string(pid)));
      return fs::read_file_at(proc.get(), "uid_map");
    }();
    if (!map) return abort_create(with_context(map.error(), "cgroup ownership"));
    std::optional<uid_t> uid = host_uid_of(spec.process->user.uid, *map);
    if (!uid) return abort_create(Error{EINVAL, "cgroup ownership: process.user.uid is not mapped to a host uid"});
    if (Result<> r = delegate_cgroup(cgroups.unified, *uid); !r) return abort_create(r.error());
  }
  trace::phase("create: init ready");

  // 9. The pid file and the created state: what callers wait for.
  if (o.pid_file)
    if (Result<> r = sys::write_pid_file(*o.pid_file, pid); !r) return abort_create(r.error());
  st.status = Status::Created;
  if (Result<> r = lock.save(st); !r) return abort_create(r.error());
  // --pidfd-socket: the caller gets a pidfd of the init, which names the
  // process for as long as it lives, where a pid could be reused.
  if (o.pidfd_socket) {
    Result<UniqueFd> sock = sys::connect_unix(*o.pidfd_socket);
    if (!sock) return abort_create(with_context(sock.error(), "--pidfd-socket"));
    if (Result<> r = sys::send_fd(sock->get(), pidfd.get(), "pidfd"); !r)
      return abort_create(with_context(r.error(), "--pidfd-socket"));
  }
  trace::phase("create: save created");
  return Created{std::move(lock), std::move(st), std::move(pidfd), std::move(master), own_marks};
}


Result<> start_container(ContainerLock& lock, ContainerState& st, const std::optional<Created::OwnMarks>& own_marks) {
  Status status = current_status(st);
  if (status != Status::Created)
    return fail("cannot start a container that is " + std::string(status_name(status)) + " (it must be created)");
  UniqueFd s(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  if (!s) return fail_errno("socket");
  socklen_t len;
  sockaddr_un addr = start_socket_addr(lock.dir_fd(), &len);
  if (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), len) < 0)
    return fail_errno("connect to the container's init");
  trace::phase("start: signal init");
  // From the Start on, the init may share this process's memory (run):
  // nothing here but the wait for its answer.
  TRY(sync_send(s.get(), SyncType::Start));
  // EOF: the exec closed the init's end. A message: the exec failed.
  Result<std::optional<Error>> reply = start_reply(s.get(), st);
  if (own_marks) restore_own_marks(*own_marks);
  std::optional<Error> init_failed = TRY(std::move(reply));
  if (init_failed) return tl::unexpected(std::move(*init_failed));
  trace::phase("start: wait exec");
  ::unlinkat(lock.dir_fd(), kStartSocket, 0);
  st.status = Status::Running;
  TRY(lock.save(st));
  trace::phase("start: save running");

  // poststart: in the runtime; a failure stops the container (runtime.md).
  Hooks hooks = TRY(saved_hooks(lock.dir_fd(), st));
  trace::phase("start: read hooks");
  if (!hooks.poststart.empty())
    if (Result<> r = run_hooks(hooks.poststart, "poststart", hook_state_json(st, Status::Running)); !r) {
      if (Result<UniqueFd> init = open_init(st); init) (void)sys::pidfd_send_signal(init->get(), SIGKILL);
      return tl::unexpected(r.error());
    }
  return {};
}

Result<Hooks> saved_hooks(int state_dir_fd, const ContainerState& state) {
  if (const std::string* post = find_extra(state, kPostHooksKey); post != nullptr && *post == "none") return Hooks{};
  Result<std::string> text = fs::read_file_at(state_dir_fd, kConfigCopy);
  if (!text) {
    if (text.error().code == ENOENT) return Hooks{};  // none were configured
    return tl::unexpected(text.error());
  }
  Spec spec = TRY_CTX(parse_spec(*text), "saved config.json");
  return std::move(spec.hooks);
}

}  // namespace ocirun
