// sdnotify: both ends of the sd_notify(3) protocol, for the tests of
// NOTIFY_SOCKET proxying. Built static, so that it runs inside a busybox
// container (which has nothing that sends on a datagram unix socket).
//   sdnotify send MESSAGE   sends MESSAGE ("READY=1", "STATUS=x\nREADY=1")
//                           to $NOTIFY_SOCKET, as sd_notify does
//   sdnotify listen PATH    binds a datagram socket at PATH and prints each
//                           message it receives followed by a line "--",
//                           until one says READY=1
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

static socklen_t address(const char* path, sockaddr_un* addr) {
  std::memset(addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  std::strncpy(addr->sun_path, path, sizeof addr->sun_path - 1);
  socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + std::strlen(addr->sun_path));
  if (path[0] == '@') addr->sun_path[0] = '\0';
  else len += 1;
  return len;
}

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "send") == 0) {
    const char* path = std::getenv("NOTIFY_SOCKET");
    if (path == nullptr) {
      std::fprintf(stderr, "sdnotify: NOTIFY_SOCKET is not set\n");
      return 1;
    }
    sockaddr_un addr;
    socklen_t len = address(path, &addr);
    int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sendto(s, argv[2], std::strlen(argv[2]), 0, reinterpret_cast<sockaddr*>(&addr), len) < 0) {
      std::perror("sdnotify: sendto");
      return 1;
    }
    return 0;
  }
  if (argc == 3 && std::strcmp(argv[1], "listen") == 0) {
    sockaddr_un addr;
    socklen_t len = address(argv[2], &addr);
    unlink(argv[2]);
    int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (bind(s, reinterpret_cast<sockaddr*>(&addr), len) < 0) {
      std::perror("sdnotify: bind");
      return 1;
    }
    char buf[4097];
    for (;;) {
      ssize_t n = recv(s, buf, sizeof buf - 1, 0);
      if (n < 0) {
        std::perror("sdnotify: recv");
        return 1;
      }
      buf[n] = '\0';
      std::printf("%s\n--\n", buf);
      std::fflush(stdout);
      // READY=1 as a whole line of the message.
      for (char* line = std::strtok(buf, "\n"); line != nullptr; line = std::strtok(nullptr, "\n"))
        if (std::strcmp(line, "READY=1") == 0) return 0;
    }
  }
  std::fprintf(stderr, "usage: sdnotify send MESSAGE | sdnotify listen PATH\n");
  return 2;
}
