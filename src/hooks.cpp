#include "ocirun/hooks.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ocirun/sys.hpp"
#include "ocirun/unique_fd.hpp"

namespace ocirun {

namespace {

// What a hook wrote is kept up to this size for the error message.
constexpr std::size_t kMaxOutput = 4096;

}  // namespace

Result<> run_hook(const Hook& hook, std::string_view state_json) {
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) < 0) return fail_errno("pipe");
  UniqueFd in_r(in[0]), in_w(in[1]);
  if (::pipe2(out, O_CLOEXEC) < 0) return fail_errno("pipe");
  UniqueFd out_r(out[0]), out_w(out[1]);

  // argv[0] is args[0] when given, as execv's semantics say; else the path.
  std::vector<std::string> args = hook.args;
  if (args.empty()) args.push_back(hook.path);
  std::vector<char*> argv = sys::c_strings(args);
  std::vector<char*> envp = sys::c_strings(hook.env);

  UniqueFd pidfd;
  Result<pid_t> pid = sys::clone3(0, &pidfd);
  if (!pid) return tl::unexpected(pid.error());
  if (*pid == 0) {
    // The child: stdin from the state pipe, stdout and stderr to the
    // capture pipe; nothing else of the runtime's survives the exec.
    // A hook does not outlive the runtime that ran it: a create killed
    // mid-way must leave no process behind.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    ::dup2(in_r.get(), 0);
    ::dup2(out_w.get(), 1);
    ::dup2(out_w.get(), 2);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(hook.path.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  in_r.reset();
  out_w.reset();

  // The state goes in first; a hook that does not read it gets EPIPE here,
  // which is its business, not an error.
  std::string_view rest = state_json;
  ::fcntl(in_w.get(), F_SETFL, O_NONBLOCK);
  std::string output;
  bool timed_out = false;
  int timeout_ms = hook.timeout ? static_cast<int>(std::min<std::int64_t>(*hook.timeout, 86400) * 1000) : -1;
  for (;;) {
    pollfd fds[2] = {{out_r.get(), POLLIN, 0}, {in_w ? in_w.get() : -1, POLLOUT, 0}};
    int n = ::poll(fds, 2, timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno("poll");
    if (n == 0) {
      timed_out = true;
      break;
    }
    if (in_w && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t w = ::write(in_w.get(), rest.data(), rest.size());
      if (w > 0) rest.remove_prefix(static_cast<std::size_t>(w));
      if (w < 0 || rest.empty()) in_w.reset();
    }
    if (fds[0].revents & (POLLIN | POLLHUP)) {
      char buf[1024];
      ssize_t r = ::read(out_r.get(), buf, sizeof buf);
      if (r <= 0) break;  // EOF: the hook (and anything it started) closed its output
      if (output.size() < kMaxOutput) output.append(buf, std::min<std::size_t>(static_cast<std::size_t>(r), kMaxOutput - output.size()));
    }
  }
  if (timed_out) (void)sys::pidfd_send_signal(pidfd.get(), SIGKILL);
  int status = 0;
  while (::waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
  }
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
  std::string tail = output.empty() ? "" : ": " + output;
  if (timed_out) return fail("timed out after " + std::to_string(*hook.timeout) + "s" + tail, ETIMEDOUT);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && output.empty())
    return fail("cannot execute `" + hook.path + "`", ENOENT);
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
    return fail("exit status " + std::to_string(WEXITSTATUS(status)) + tail, ECHILD);
  if (WIFSIGNALED(status)) return fail("killed by signal " + std::to_string(WTERMSIG(status)) + tail, ECHILD);
  return {};
}

Result<> run_hooks(const std::vector<Hook>& hooks, std::string_view kind, std::string_view state_json) {
  for (std::size_t i = 0; i < hooks.size(); i++)
    TRY_CTX(run_hook(hooks[i], state_json),
            std::string(kind) + " hook " + std::to_string(i) + " (" + hooks[i].path + ")");
  return {};
}

}  // namespace ocirun
