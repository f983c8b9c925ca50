#include "ocirun/sync.hpp"

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

Result<SyncMessage> sync_recv(int fd) {
  char buf[sizeof(Header) + kMaxMsg];
  ssize_t n;
  do {
    n = ::recv(fd, buf, sizeof buf, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return fail_errno("sync: recv");
  if (n == 0) return fail("the container's init exited", EPIPE);
  if (static_cast<std::size_t>(n) < sizeof(Header)) return fail("sync: short message", EPROTO);
  Header h;
  std::memcpy(&h, buf, sizeof h);
  SyncMessage m;
  m.type = static_cast<SyncType>(h.type);
  m.code = h.code;
  m.msg.assign(buf + sizeof h, static_cast<std::size_t>(n) - sizeof h);
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
