// ptrace-attach PID: tries PTRACE_ATTACH on PID; prints "attached" (and
// detaches) or "ptrace: <error>". Static, so it runs inside a container.
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  pid_t pid = static_cast<pid_t>(std::atoi(argv[1]));
  if (::ptrace(PTRACE_ATTACH, pid, nullptr, nullptr) < 0) {
    std::printf("ptrace: %s\n", std::strerror(errno));
    return 1;
  }
  ::waitpid(pid, nullptr, __WALL);
  ::ptrace(PTRACE_DETACH, pid, nullptr, nullptr);
  std::printf("attached\n");
  return 0;
}
