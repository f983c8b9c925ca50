// `ocirun create`, `start`, `kill`, `delete`, `run`: the lifecycle
// commands, each a thin layer over container.hpp that reads its flags.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ocirun/commands.hpp"
#include "ocirun/container.hpp"
#include "ocirun/log.hpp"
#include "ocirun/signals.hpp"
#include "ocirun/sys.hpp"
#include "ocirun/trace.hpp"

namespace ocirun {

namespace {

Result<CreateOptions> create_options(const cli::Invocation& inv) {
  if (inv.global.systemd_cgroup) return fail("--systemd-cgroup: not supported yet", ENOTSUP);
  CreateOptions o;
  o.id = inv.args[0];
  o.bundle = std::string(inv.value("bundle").value_or("."));
  o.state_root = TRY(state_root(inv));
  if (auto v = inv.value("pid-file")) o.pid_file = std::string(*v);
  if (auto v = inv.value("console-socket")) o.console_socket = std::string(*v);
  if (auto v = inv.value("pidfd-socket")) o.pidfd_socket = std::string(*v);
  if (auto v = inv.value("preserve-fds")) {
    unsigned long long n = TRY(cli::parse_uint("preserve-fds", *v));
    if (n > 65536) return fail("--preserve-fds: too many file descriptors");
    o.preserve_fds = static_cast<unsigned>(n);
  }
  o.no_pivot = inv.flag("no-pivot");
  o.no_new_keyring = inv.flag("no-new-keyring");
  return o;
}

}  // namespace

Result<int> cmd_create(const cli::Invocation& inv) {
  CreateOptions o = TRY_CTX(create_options(inv), "create");
  TRY_CTX(create_container(o), "create");
  return 0;
}

Result<int> cmd_start(const cli::Invocation& inv) {
  const std::string& id = inv.args[0];
  TRY_CTX(validate_container_id(id), "start");
  StateStore store = TRY_CTX(StateStore::open(TRY(state_root(inv)), false), "start");
  ContainerLock lock = TRY_CTX(store.lock(id), "start");
  ContainerState st = TRY_CTX(lock.load(), "start");
  trace::phase("start: lock and load state");
  TRY_CTX(start_container(lock, st), "start");
  return 0;
}

Result<int> cmd_kill(const cli::Invocation& inv) {
  const std::string& id = inv.args[0];
  TRY_CTX(validate_container_id(id), "kill");
  int sig = inv.args.size() > 1 ? TRY_CTX(parse_signal(inv.args[1]), "kill") : 15;
  StateStore store = TRY_CTX(StateStore::open(TRY(state_root(inv)), false), "kill");
  ContainerState st = TRY_CTX(store.read(id), "kill");
  trace::phase("kill: load state");
  TRY_CTX(kill_container(st, sig, inv.flag("all")), "kill");
  trace::phase("kill: signal");
  return 0;
}

Result<int> cmd_delete(const cli::Invocation& inv) {
  const std::string& id = inv.args[0];
  TRY_CTX(validate_container_id(id), "delete");
  bool force = inv.flag("force");
  StateStore store = TRY_CTX(StateStore::open(TRY(state_root(inv)), false), "delete");
  Result<ContainerLock> lock = store.lock(id);
  // containerd relies on delete --force of a missing container succeeding.
  if (!lock && lock.error().code == ENOENT && force) return 0;
  if (!lock) return tl::unexpected(with_context(lock.error(), "delete"));
  trace::phase("delete: lock");
  TRY_CTX(delete_container(*lock, force), "delete");
  return 0;
}

namespace {

// The exit status `run` gives: the program's, or 128+N when signal N killed it.
int exit_code(int wstatus) {
  if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) return 128 + WTERMSIG(wstatus);
  return 255;
}

// In the foreground: forwards every signal run receives to the init, reaps
// (run is a subreaper: orphans of the container come to it), and returns the
// init's wait status.
Result<int> supervise(pid_t init, int pidfd, const sigset_t& forwarded) {
  int sfd = ::signalfd(-1, &forwarded, SFD_CLOEXEC);
  if (sfd < 0) return fail_errno("signalfd");
  UniqueFd guard(sfd);
  for (;;) {
    // Reap first: the init may have exited before its SIGCHLD was read.
    int wstatus = 0;
    pid_t p;
    while ((p = ::waitpid(-1, &wstatus, WNOHANG)) > 0)
      if (p == init) return wstatus;
    signalfd_siginfo si{};
    ssize_t n = ::read(sfd, &si, sizeof si);
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<ssize_t>(sizeof si)) return fail_errno("read signalfd");
    if (si.ssi_signo == SIGCHLD) continue;
    (void)sys::pidfd_send_signal(pidfd, static_cast<int>(si.ssi_signo));
  }
}

}  // namespace

Result<int> cmd_run(const cli::Invocation& inv) {
  CreateOptions o = TRY_CTX(create_options(inv), "run");
  bool detach = inv.flag("detach");
  if (!detach && !inv.flag("no-subreaper") && ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
    return fail_errno("run: become a subreaper");

  // Signals are blocked before the init exists, so that none sent to run
  // in between is lost; the init unblocks them for itself.
  sigset_t forwarded, old;
  ::sigfillset(&forwarded);
  if (!detach) ::sigprocmask(SIG_BLOCK, &forwarded, &old);

  Created c = TRY_CTX(create_container(o), "run");
  if (Result<> r = start_container(c.lock, c.state); !r) {
    (void)delete_container(c.lock, true);
    return tl::unexpected(with_context(r.error(), "run"));
  }
  if (detach) return 0;

  // While it runs, others may act on it (kill, state, delete): unlock.
  pid_t init = c.state.pid;
  UniqueFd pidfd = std::move(c.pidfd);
  { ContainerLock unlocked = std::move(c.lock); }
  Result<int> wstatus = supervise(init, pidfd.get(), forwarded);
  trace::phase("run: container ran");
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
  if (!wstatus) return tl::unexpected(with_context(wstatus.error(), "run"));

  if (!inv.flag("keep")) {
    StateStore store = TRY_CTX(StateStore::open(o.state_root, false), "run");
    Result<ContainerLock> lock = store.lock(o.id);
    // Someone else may have deleted it already, which is fine.
    if (lock) TRY_CTX(delete_container(*lock, true), "run: delete");
  }
  return exit_code(*wstatus);
}

}  // namespace ocirun
