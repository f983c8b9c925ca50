// The foreground terminal of `run`; see console.hpp.
#include "ocirun/console.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "ocirun/fs.hpp"

namespace ocirun {

Result<UniqueFd> recv_fd(int sock) {
  char name[256];
  iovec iov{name, sizeof name};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return fail_errno("recvmsg");
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (n == 0 || c == nullptr || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
    return fail("no fd received", EPROTO);
  int fd;
  std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
  return UniqueFd(fd);
}

Result<ConsoleProxy> ConsoleProxy::start(UniqueFd master) {
  // The master stays blocking (a full pty buffer makes writes wait, not
  // fail); reads follow a poll that said there is something to read.
  ConsoleProxy p;
  p.m_master = std::move(master);
  termios t{};
  if (::isatty(0) && ::tcgetattr(0, &t) == 0) {
    p.m_saved = t;
    // Raw: keys (^C among them) go to the container's terminal, whose own
    // line discipline gives them their meaning.
    ::cfmakeraw(&t);
    if (::tcsetattr(0, TCSANOW, &t) < 0) return fail_errno("stdin: raw mode");
    p.resize();
  }
  return p;
}

ConsoleProxy::ConsoleProxy(ConsoleProxy&& other) noexcept
    : m_master(std::move(other.m_master)), m_input_open(other.m_input_open), m_saved(other.m_saved) {
  other.m_saved.reset();
}

ConsoleProxy::~ConsoleProxy() {
  if (m_saved) ::tcsetattr(0, TCSANOW, &*m_saved);
}

void ConsoleProxy::resize() {
  winsize ws{};
  if (::ioctl(0, TIOCGWINSZ, &ws) == 0 && (ws.ws_row != 0 || ws.ws_col != 0)) ::ioctl(m_master.get(), TIOCSWINSZ, &ws);
}

Result<> ConsoleProxy::pump_input() {
  char buf[4096];
  ssize_t n = ::read(0, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return {};
  if (n <= 0) {
    // The end of input, which a terminal says with its EOF character; the
    // container sees it as the end of its input too.
    m_input_open = false;
    if (n == 0 && !m_saved) {
      char eof = 4;  // ^D, VEOF by default
      termios t{};
      if (::tcgetattr(m_master.get(), &t) == 0) eof = static_cast<char>(t.c_cc[VEOF]);
      (void)fs::write_all(m_master.get(), std::string_view(&eof, 1));
    }
    return {};
  }
  TRY_CTX(fs::write_all(m_master.get(), std::string_view(buf, static_cast<std::size_t>(n))), "write to the pty");
  return {};
}

Result<bool> ConsoleProxy::pump_output() {
  char buf[4096];
  ssize_t n;
  do {
    n = ::read(m_master.get(), buf, sizeof buf);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return false;  // EIO: no slave fd is open any more
  TRY_CTX(fs::write_all(1, std::string_view(buf, static_cast<std::size_t>(n))), "write to stdout");
  return true;
}

void ConsoleProxy::drain() {
  pollfd p{m_master.get(), POLLIN, 0};
  while (::poll(&p, 1, 0) > 0 && (p.revents & POLLIN)) {
    Result<bool> more = pump_output();
    if (!more || !*more) return;
  }
}

}  // namespace ocirun
