// `ocirun create`, `start`, `kill`, `delete`, `run`: the lifecycle
// commands, each a thin layer over container.hpp that reads its flags.
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>

#include "ocirun/commands.hpp"
#include "ocirun/console.hpp"
#include "ocirun/container.hpp"
#include "ocirun/log.hpp"
#include "ocirun/notify_socket.hpp"
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
  NotifyProxy notify;
  ContainerState st;
  {
    ContainerLock lock = TRY_CTX(store.lock(id), "start");
    st = TRY_CTX(lock.load(), "start");
    trace::phase("start: lock and load state");
    // Bound before the exec, so that no notification is lost.
    notify = TRY_CTX(NotifyProxy::open(lock.dir_fd(), host_notify_socket()), "start: NOTIFY_SOCKET");
    TRY_CTX(start_container(lock, st), "start");
  }
  // As runc: start returns once the container said READY=1 (or exited).
  if (notify) {
    UniqueFd init = TRY_CTX(open_init(st), "start: NOTIFY_SOCKET");
    TRY_CTX(notify.wait_ready(init.get(), st.pid), "start: NOTIFY_SOCKET");
  }
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
  // What a create or delete killed half-way left of its state dir.
  if (force) TRY_CTX(store.sweep_leftovers(), "delete");
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
// (run is a subreaper: orphans of the container come to it), proxies the
// terminal and the notify socket when there are, and returns the init's
// wait status.
Result<int> supervise(pid_t init, int pidfd, const sigset_t& forwarded, ConsoleProxy* console,
                      NotifyProxy& notify) {
  int sfd = ::signalfd(-1, &forwarded, SFD_CLOEXEC);
  if (sfd < 0) return fail_errno("signalfd");
  UniqueFd guard(sfd);
  for (;;) {
    // Reap first: the init may have exited before its SIGCHLD was read.
    int wstatus = 0;
    pid_t p;
    while ((p = ::waitpid(-1, &wstatus, WNOHANG)) > 0)
      if (p == init) {
        // What it printed and notified last.
        if (console) console->drain();
        if (notify) notify.drain(::getpid());
        return wstatus;
      }
    pollfd fds[4] = {{sfd, POLLIN, 0},
                     {notify.fd(), POLLIN, 0},
                     {console ? console->master_fd() : -1, POLLIN, 0},
                     {console ? console->input_fd() : -1, POLLIN, 0}};
    if (::poll(fds, 4, -1) < 0) {
      if (errno == EINTR) continue;
      return fail_errno("poll");
    }
    // Notifications go on for as long as the container runs; systemd
    // watches run, which exits with it.
    if (fds[1].revents & POLLIN)
      if (Result<bool> r = notify.forward_one(::getpid()); !r) log::warn("run: " + r.error().msg);
    // The terminal: closed when nobody in the container holds it any more
    // (the init's exit follows), or when run's own stdio fail; the
    // container is supervised all the same.
    if (fds[2].revents != 0) {
      Result<bool> more = console->pump_output();
      if (!more) log::warn("run: " + more.error().msg);
      if (!more || !*more) console = nullptr;
    }
    if (console && fds[3].revents != 0)
      if (Result<> r = console->pump_input(); !r) {
        log::warn("run: " + r.error().msg);
        console = nullptr;
      }
    if (!(fds[0].revents & POLLIN)) continue;
    signalfd_siginfo si{};
    ssize_t n = ::read(sfd, &si, sizeof si);
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<ssize_t>(sizeof si)) return fail_errno("read signalfd");
    if (si.ssi_signo == SIGCHLD) continue;
    // A resized terminal resizes the container's; the kernel tells its
    // foreground process group (as runc does, not forwarded).
    if (si.ssi_signo == SIGWINCH && console) {
      console->resize();
      continue;
    }
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

  // The terminal: with no console socket, run in the foreground is it.
  o.console_here = !detach;
  o.start_here = true;
  Created c = TRY_CTX(create_container(o), "run");
  // The terminal in raw mode and at the caller's size before the program
  // starts, which may read either at once.
  std::optional<ConsoleProxy> console;
  Result<> started;
  if (c.console) {
    Result<ConsoleProxy> proxy = ConsoleProxy::start(std::move(c.console));
    if (proxy) console.emplace(std::move(*proxy));
    else started = tl::unexpected(proxy.error());
  }
  Result<NotifyProxy> notify = NotifyProxy::open(c.lock.dir_fd(), host_notify_socket());
  if (started && !notify) started = tl::unexpected(notify.error());
  if (started) started = start_container(c.lock, c.state, c.own_marks);
  if (!started) {
    console.reset();
    (void)delete_container(c.lock, true);
    return tl::unexpected(with_context(started.error(), "run"));
  }
  if (detach) {
    { ContainerLock unlocked = std::move(c.lock); }  // others may act on it meanwhile
    if (*notify) TRY_CTX(notify->wait_ready(c.pidfd.get(), c.state.pid), "run: NOTIFY_SOCKET");
    return 0;
  }

  // While it runs, others may act on it (kill, state, delete): unlock.
  pid_t init = c.state.pid;
  UniqueFd pidfd = std::move(c.pidfd);
  { ContainerLock unlocked = std::move(c.lock); }
  Result<int> wstatus = supervise(init, pidfd.get(), forwarded, console ? &*console : nullptr, *notify);
  console.reset();  // the caller's terminal as it was
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
