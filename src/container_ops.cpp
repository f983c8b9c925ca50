// kill and delete: acting on a container's init through a pidfd, so that a
// pid reused by another process after the init died is never signalled.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>

#include "ocirun/cgroup_apply.hpp"
#include "ocirun/container.hpp"
#include "ocirun/container_pause.hpp"
#include "ocirun/fs.hpp"
#include "ocirun/hooks.hpp"
#include "ocirun/log.hpp"
#include "ocirun/sys.hpp"
#include "ocirun/trace.hpp"

namespace ocirun {

namespace {

// How long delete --force waits for a SIGKILLed init to exit.
constexpr int kKillWaitMs = 10000;

Result<ino_t> pid_ns_inode(pid_t pid) {
  struct stat st {};
  std::string p = "/proc/" + std::to_string(pid) + "/ns/pid";
  if (::stat(p.c_str(), &st) < 0) return fail_errno("stat `" + p + "`");
  return st.st_ino;
}

// Every process in the init's pid namespace (the container has its own).
Result<std::vector<pid_t>> pids_in_namespace_of(pid_t init) {
  ino_t ns = TRY(pid_ns_inode(init));
  std::vector<pid_t> out;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return fail_errno("opendir /proc");
  while (dirent* e = ::readdir(d)) {
    pid_t pid = 0;
    std::string_view name = e->d_name;
    auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (ec != std::errc() || end != name.data() + name.size()) continue;
    Result<ino_t> ino = pid_ns_inode(pid);
    if (ino && *ino == ns) out.push_back(pid);
  }
  ::closedir(d);
  return out;
}

// Every process in the container's cgroup: how a container without a pid
// namespace of its own is found (its processes outlive its init).
Result<std::vector<pid_t>> pids_in_cgroup(const ContainerState& st) {
  std::vector<pid_t> out;
  const std::string* dirs = find_extra(st, kCgroupDirsKey);
  if (dirs == nullptr || dirs->empty()) return out;
  std::string first = dirs->substr(0, dirs->find('\n'));
  UniqueFd dir = TRY(fs::open_dir_at(AT_FDCWD, first));
  std::string procs = TRY(fs::read_file_at(dir.get(), "cgroup.procs"));
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

// Signals every process of the container but the init: through its pid
// namespace when it has one, else through its cgroup.
Result<> signal_others(const ContainerState& st, int sig) {
  std::vector<pid_t> pids = st.own_pid_namespace ? TRY(pids_in_namespace_of(st.pid)) : TRY(pids_in_cgroup(st));
  for (pid_t p : pids) {
    if (p == st.pid) continue;
    Result<UniqueFd> fd = sys::pidfd_open(p);
    if (fd) (void)sys::pidfd_send_signal(fd->get(), sig);
  }
  return {};
}

Result<> wait_exit(int pidfd, int timeout_ms) {
  pollfd p{pidfd, POLLIN, 0};
  int n;
  do {
    n = ::poll(&p, 1, timeout_ms);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return fail_errno("poll pidfd");
  if (n == 0) return fail("the container's init did not exit", ETIMEDOUT);
  return {};
}

}  // namespace

Result<> remove_cgroups(const ContainerState& st) {
  for (auto it = st.cleanup.rbegin(); it != st.cleanup.rend(); ++it) {
    if (it->kind != "cgroup") continue;
    // The container's own cgroup is the one no other recorded dir is under.
    bool leaf = true;
    for (const CleanupEntry& other : st.cleanup)
      if (other.path.size() > it->path.size() && other.path.compare(0, it->path.size(), it->path) == 0 &&
          other.path[it->path.size()] == '/')
        leaf = false;
    // A cgroup stays busy for a moment after its last process exited.
    int tries = 0;
    while (::rmdir(it->path.c_str()) < 0) {
      if (errno == ENOENT) break;
      if (errno == EBUSY && leaf && ++tries < 100) {
        ::usleep(10000);
        continue;
      }
      // A parent shared with another container is not ours to remove now.
      if (!leaf && (errno == EBUSY || errno == ENOTEMPTY)) break;
      return fail_errno("remove cgroup `" + it->path + "`");
    }
  }
  // The default parent, ocirun/, goes with the last container under it; it
  // may have been made by another container, so it is not in our record.
  // Busy (another container's cgroup is in it) is fine.
  const std::string* dflt = find_extra(st, kCgroupDefaultKey);
  const std::string* dirs = find_extra(st, kCgroupDirsKey);
  if (dflt != nullptr && dirs != nullptr) {
    std::size_t pos = 0;
    while (pos < dirs->size()) {
      std::size_t nl = dirs->find('\n', pos);
      if (nl == std::string::npos) nl = dirs->size();
      std::string leaf = dirs->substr(pos, nl - pos);
      std::string parent = leaf.substr(0, leaf.rfind('/'));
      if (::rmdir(parent.c_str()) < 0 && errno != ENOENT && errno != EBUSY && errno != ENOTEMPTY)
        return fail_errno("remove cgroup `" + parent + "`");
      pos = nl + 1;
    }
  }
  return {};
}

Result<UniqueFd> open_init(const ContainerState& st) {
  if (st.pid <= 0) return fail("the container has no process", ESRCH);
  UniqueFd fd = TRY(sys::pidfd_open(st.pid));
  // The pidfd pins the process: if the start time still matches now, the
  // fd refers to the init and not to a newcomer that reused its pid.
  if (!init_alive(st)) return fail("the container's process has exited", ESRCH);
  return fd;
}

Result<> kill_container(const ContainerState& st, int sig, bool all) {
  if (current_status(st) == Status::Stopped || st.status == Status::Creating)
    return fail("container not running", ESRCH);
  Result<UniqueFd> init = open_init(st);
  if (!init) {
    if (init.error().code == ESRCH) return fail("container not running", ESRCH);
    return tl::unexpected(init.error());
  }
  // Every process but the init first, so that none is orphaned by the
  // init's death mid-way and missed.
  if (all) TRY(signal_others(st, sig));
  TRY(sys::pidfd_send_signal(init->get(), sig));
  // A paused container dies only once thawed (runc does the same).
  if (sig == SIGKILL) thaw_after_kill(st);
  return {};
}

Result<> delete_container(ContainerLock& lock, bool force) {
  Result<ContainerState> loaded = lock.load();
  // A record that cannot be read (a crash of the machine during a write:
  // state files are not fsynced) names nothing to kill or remove; --force
  // removes the record itself, so that the id can be used again.
  if (!loaded && force && loaded.error().code != ENOENT) {
    log::warn("delete: " + loaded.error().msg + ": removing the unreadable record");
    return lock.remove();
  }
  ContainerState st = TRY(std::move(loaded));
  trace::phase("delete: load state");
  Status status = current_status(st);
  // A created container has not run anything yet: like runc, delete kills
  // its waiting init without --force. A creating one whose lock we hold was
  // left by a killed create.
  if ((status == Status::Running || status == Status::Paused) && !force)
    return fail("cannot delete container " + st.id + " that is not stopped: " + status_name(status));
  if (st.pid > 0) {
    Result<UniqueFd> init = open_init(st);
    if (init) {
      TRY_CTX(sys::pidfd_send_signal(init->get(), SIGKILL), "kill the container's init");
      thaw_after_kill(st);  // a frozen init would never exit
      TRY(wait_exit(init->get(), kKillWaitMs));
    }
  }
  trace::phase("delete: kill init");
  // Without a pid namespace of its own, the container's other processes
  // survive its init: they are killed through the cgroup, or its cgroup
  // could not be removed.
  if (!st.own_pid_namespace) {
    // cgroup.kill, or SIGKILL to each with the cgroup frozen: a process
    // forking meanwhile cannot leave a child behind.
    const std::string* dirs = find_extra(st, kCgroupDirsKey);
    Result<ContainerCgroups> cg = dirs != nullptr ? container_cgroups_of(*dirs) : fail("no cgroups recorded");
    for (int tries = 0; tries < kKillWaitMs / 10; tries++) {
      std::vector<pid_t> left = TRY(pids_in_cgroup(st));
      if (left.empty()) break;
      if (!cg || !kill_cgroup(*cg)) TRY(signal_others(st, SIGKILL));
      ::usleep(10000);
    }
  }
  // The poststop hooks run after the container is gone; their failure is a
  // warning and the rest go on (runtime.md, lifecycle step 13).
  Hooks hooks = TRY(saved_hooks(lock.dir_fd(), st));
  trace::phase("delete: read hooks");
  TRY(remove_cgroups(st));
  trace::phase("delete: remove cgroups");
  TRY(lock.remove());
  trace::phase("delete: remove state");
  std::string state = hook_state_json(st, Status::Stopped);
  for (std::size_t i = 0; i < hooks.poststop.size(); i++)
    if (Result<> r = run_hook(hooks.poststop[i], state); !r)
      log::warn("delete: poststop hook " + std::to_string(i) + " (" + hooks.poststop[i].path + "): " + r.error().msg);
  return {};
}

}  // namespace ocirun
