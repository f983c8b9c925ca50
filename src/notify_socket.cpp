// NOTIFY_SOCKET proxying; the design is described in notify_socket.hpp.
#include "ocirun/notify_socket.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>

#include "ocirun/sys.hpp"

namespace ocirun {

namespace {

constexpr const char* kNotifySocketName = "notify.sock";

// NOTIFY_SOCKET as sd_notify reads it: a path, or "@name" for the abstract
// namespace.
Result<std::pair<sockaddr_un, socklen_t>> host_address(const std::string& host) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (host.size() >= sizeof addr.sun_path) return fail("NOTIFY_SOCKET `" + host + "`: path too long", ENAMETOOLONG);
  host.copy(addr.sun_path, sizeof addr.sun_path - 1);
  socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + host.size());
  if (host[0] == '@') addr.sun_path[0] = '\0';  // abstract: no trailing NUL counts
  else len += 1;
  return std::pair{addr, len};
}

}  // namespace

std::optional<std::string> host_notify_socket() {
  const char* v = ::getenv("NOTIFY_SOCKET");
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

void add_notify_socket(Spec& spec, const std::string& notify_dir) {
  Mount m;
  m.destination = kNotifyMountPoint;
  m.source = notify_dir;
  m.type = "bind";
  // Read-only is enough to send to a socket, and keeps the container from
  // putting anything else there.
  m.options = {"bind", "nosuid", "noexec", "nodev", "ro"};
  spec.mounts.push_back(std::move(m));
  if (spec.process) {
    std::erase_if(spec.process->env, [](const std::string& e) { return e.starts_with("NOTIFY_SOCKET="); });
    spec.process->env.push_back(std::string("NOTIFY_SOCKET=") + kNotifyContainerSocket);
  }
}

bool notify_says_ready(std::string_view message) {
  while (!message.empty()) {
    std::size_t nl = message.find('\n');
    if (message.substr(0, nl) == "READY=1") return true;
    if (nl == std::string_view::npos) break;
    message.remove_prefix(nl + 1);
  }
  return false;
}

std::string notify_forwarded(std::string_view message, pid_t mainpid) {
  if (mainpid <= 0 || !notify_says_ready(message)) return std::string(message);
  return "MAINPID=" + std::to_string(mainpid) + "\n" + std::string(message);
}

Result<NotifyProxy> NotifyProxy::open(int state_dir_fd, std::optional<std::string> host) {
  NotifyProxy p;
  if (!host) return p;
  UniqueFd dir(::openat(state_dir_fd, kNotifyDir, O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir) {
    if (errno == ENOENT) return p;  // created without NOTIFY_SOCKET: nothing to proxy
    return fail_errno("open the notify dir");
  }
  p.m_host = std::move(*host);
  TRY(host_address(p.m_host));  // refused now, not after the container is started
  p.m_sock.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!p.m_sock) return fail_errno("notify socket");
  // Through the dir's fd: the state dir's path can be longer than a
  // socket address allows.
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string path = sys::fd_path(dir.get()) + "/" + kNotifySocketName;
  path.copy(addr.sun_path, sizeof addr.sun_path - 1);
  ::unlink(path.c_str());  // a socket of an earlier start that failed
  if (::bind(p.m_sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
    return fail_errno("bind the notify socket");
  // Any user of the container may notify, as with systemd's NotifyAccess=all.
  if (::chmod(path.c_str(), 0777) < 0) return fail_errno("chmod the notify socket");
  return p;
}

Result<bool> NotifyProxy::forward_one(pid_t mainpid) {
  char buf[4096];
  ssize_t n;
  do {
    n = ::recv(m_sock.get(), buf, sizeof buf, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN) return false;
    return fail_errno("notify socket: recv");
  }
  std::string_view message(buf, static_cast<std::size_t>(n));
  std::string out = notify_forwarded(message, mainpid);
  auto [addr, len] = TRY(host_address(m_host));
  UniqueFd s(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!s) return fail_errno("socket");
  if (::sendto(s.get(), out.data(), out.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&addr), len) < 0)
    return fail_errno("forward to NOTIFY_SOCKET `" + m_host + "`");
  return notify_says_ready(message);
}

void NotifyProxy::drain(pid_t mainpid) {
  pollfd p{m_sock.get(), POLLIN, 0};
  while (::poll(&p, 1, 0) > 0 && (p.revents & POLLIN))
    if (!forward_one(mainpid)) return;
}

Result<> NotifyProxy::wait_ready(int pidfd, pid_t mainpid) {
  pollfd fds[2] = {{m_sock.get(), POLLIN, 0}, {pidfd, POLLIN, 0}};
  for (;;) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return fail_errno("poll");
    }
    if (fds[0].revents & POLLIN)
      if (TRY(forward_one(mainpid))) return {};
    // Exited without READY=1: nothing more will come.
    if (fds[1].revents != 0 && !(fds[0].revents & POLLIN)) return {};
  }
}

}  // namespace ocirun
