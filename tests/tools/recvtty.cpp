// recvtty SOCKET [INPUT]: the receiving end of --console-socket and
// --pidfd-socket, for the tests. Listens on SOCKET, takes one fd over
// SCM_RIGHTS and prints the name that came with it on stderr. A pidfd: prints
// the pid it refers to (from /proc/self/fdinfo) and exits. A pty master:
// writes INPUT (if any) to the terminal and copies everything the terminal
// prints to stdout until the container's side is closed.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: recvtty SOCKET [INPUT]\n");
    return 2;
  }
  int ls = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
  unlink(argv[1]);
  if (bind(ls, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 || listen(ls, 1) < 0) {
    std::perror("recvtty: bind");
    return 1;
  }
  int conn = accept(ls, nullptr, nullptr);
  if (conn < 0) {
    std::perror("recvtty: accept");
    return 1;
  }
  char name[256] = {};
  iovec iov{name, sizeof name - 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  if (recvmsg(conn, &msg, 0) <= 0) {
    std::fprintf(stderr, "recvtty: no message\n");
    return 1;
  }
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (c == nullptr || c->cmsg_type != SCM_RIGHTS) {
    std::fprintf(stderr, "recvtty: no fd in the message\n");
    return 1;
  }
  int master;
  std::memcpy(&master, CMSG_DATA(c), sizeof master);
  std::fprintf(stderr, "recvtty: got %s\n", name);
  if (std::strcmp(name, "pidfd") == 0) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/self/fdinfo/%d", master);
    FILE* f = std::fopen(path, "r");
    char line[256];
    while (f != nullptr && std::fgets(line, sizeof line, f) != nullptr)
      if (std::strncmp(line, "Pid:", 4) == 0) std::fputs(line, stdout);
    return 0;
  }
  if (argc > 2) {
    ssize_t n = write(master, argv[2], std::strlen(argv[2]));
    (void)n;
  }
  char buf[4096];
  for (;;) {
    ssize_t n = read(master, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EIO once the last slave fd is closed
    if (write(1, buf, static_cast<size_t>(n)) < 0) break;
  }
  return 0;
}
