#include "ocirun/sync.hpp"

#include "ocirun/sys.hpp"

#include <sys/socket.h>

#include <cstring>

namespace ocirun {

namespace {

struct Header {
  std::uint32_t type;
  std::int32_t code;
};

// An error message longer than this is cut: it is for a person to read.
constexpr std::size_t kMaxMsg = 4096;

}  // namespace

Result<> sync_send(int fd, SyncType type, int code, std::string_view msg) {
  if (msg.size() > kMaxMsg) msg = msg.substr(0, kMaxMsg);
  char buf[sizeof(Header) + kMaxMsg];
  Header h{static_cast<std::uint32_t>(type), code};
  std::memcpy(buf, &h, sizeof h);
  std::memcpy(buf + sizeof h, msg.data(), msg.size());
  for (;;) {
    // MSG_NOSIGNAL: a peer that died gives EPIPE, not a SIGPIPE that kills us.
    ssize_t n = ::send(fd, buf, sizeof h + msg.size(), MSG_NOSIGNAL);
    if (n >= 0) return {};
    if (errno != EINTR) return fail_errno("sync: send");
  }
}

Result<> sync_send_fd(int fd, SyncType type, int pass, int code) {
  Header h{static_cast<std::uint32_t>(type), code};
  TRY_CTX(sys::send_fd(fd, pass, std::string_view(reinterpret_cast<const char*>(&h), sizeof h)), "sync");
  return {};
}

Result<SyncMessage> sync_recv(int fd) {
  char buf[sizeof(Header) + kMaxMsg];
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  iovec iov{buf, sizeof buf};
  msghdr mh{};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = control;
  mh.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  // An fd that came along is owned at once, whatever the message.
  UniqueFd received;
  for (cmsghdr* c = CMSG_FIRSTHDR(&mh); n >= 0 && c != nullptr; c = CMSG_NXTHDR(&mh, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
      int got;
      std::memcpy(&got, CMSG_DATA(c), sizeof got);
      received.reset(got);
    }
  if (n < 0) return fail_errno("sync: recv");
  if (n == 0) return fail("the container's init exited", EPIPE);
  if (static_cast<std::size_t>(n) < sizeof(Header)) return fail("sync: short message", EPROTO);
  Header h;
  std::memcpy(&h, buf, sizeof h);
  SyncMessage m;
  m.type = static_cast<SyncType>(h.type);
  m.code = h.code;
  m.msg.assign(buf + sizeof h, static_cast<std::size_t>(n) - sizeof h);
  m.fd = std::move(received);
  return m;
}

Result<> sync_expect(int fd, SyncType want) {
  SyncMessage m = TRY(sync_recv(fd));
  if (m.type == SyncType::Error) return fail(std::move(m.msg), m.code);
  if (m.type != want)
    return fail("sync: unexpected message " + std::to_string(static_cast<std::uint32_t>(m.type)), EPROTO);
  return {};
}

}  // namespace ocirun
