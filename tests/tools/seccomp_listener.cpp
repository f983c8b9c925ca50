// seccomp-listener SOCKET OUT: a seccomp agent for the integration tests.
// Listens on SOCKET (AF_UNIX, SOCK_STREAM), takes one connection from the
// runtime, writes the container process state it sent to OUT (and
// OUT.fds: the number of fds that came with it), then answers every
// notification of the filter with EXDEV (errno 18), appending the syscall
// number of each to OUT.calls. Exits when the filter has no task left.
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: seccomp-listener SOCKET OUT\n");
    return 2;
  }
  int s = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
  if (::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 || ::listen(s, 1) < 0) {
    std::perror("bind");
    return 1;
  }
  int c = ::accept4(s, nullptr, nullptr, SOCK_CLOEXEC);
  if (c < 0) return 1;
  std::string state;
  int fd = -1, nfds = 0;
  for (;;) {
    char buf[4096];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
    iovec iov{buf, sizeof buf};
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = control;
    mh.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(c, &mh, MSG_CMSG_CLOEXEC);
    if (n <= 0) break;
    for (cmsghdr* cm = CMSG_FIRSTHDR(&mh); cm != nullptr; cm = CMSG_NXTHDR(&mh, cm))
      if (cm->cmsg_type == SCM_RIGHTS) {
        nfds += static_cast<int>((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        std::memcpy(&fd, CMSG_DATA(cm), sizeof fd);
      }
    state.append(buf, static_cast<std::size_t>(n));
  }
  ::close(c);
  std::string out = argv[2];
  if (FILE* f = std::fopen(out.c_str(), "w")) {
    std::fputs(state.c_str(), f);
    std::fclose(f);
  }
  if (FILE* f = std::fopen((out + ".fds").c_str(), "w")) {
    std::fprintf(f, "%d\n", nfds);
    std::fclose(f);
  }
  if (fd < 0) return 1;
  seccomp_notif_sizes sizes{};
  ::syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes);
  std::string req_buf(std::max<std::size_t>(sizes.seccomp_notif, sizeof(seccomp_notif)), '\0');
  std::string resp_buf(std::max<std::size_t>(sizes.seccomp_notif_resp, sizeof(seccomp_notif_resp)), '\0');
  for (;;) {
    std::memset(req_buf.data(), 0, req_buf.size());
    auto* req = reinterpret_cast<seccomp_notif*>(req_buf.data());
    if (::ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
      if (errno == EINTR) continue;
      return 0;  // ENOENT: no task left under the filter
    }
    auto* resp = reinterpret_cast<seccomp_notif_resp*>(resp_buf.data());
    std::memset(resp, 0, resp_buf.size());
    resp->id = req->id;
    resp->error = -EXDEV;
    if (FILE* f = std::fopen((out + ".calls").c_str(), "a")) {
      std::fprintf(f, "%d\n", req->data.nr);
      std::fclose(f);
    }
    ::ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp);
  }
}
