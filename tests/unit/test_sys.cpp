#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "ocirun/sys.hpp"

using namespace ocirun;

TEST_CASE("raw_syscall: failure is the return value, errno is left alone", "[sys]") {
  errno = 1234;
  CHECK(sys::raw_syscall(SYS_close, -1) == -EBADF);
  CHECK(errno == 1234);
  CHECK(sys::raw_syscall(SYS_getpid) == ::getpid());
}

namespace {

struct Shared {
  int written = 0;
  pid_t seen_pid = 0;
};

int child(void* arg) {
  auto* s = static_cast<Shared*>(arg);
  s->written = 42;
  s->seen_pid = static_cast<pid_t>(sys::raw_syscall(SYS_getpid));
  return 7;
}

}  // namespace

TEST_CASE("clone3_vm: the child runs on its stack, in this memory, and exits with fn's value", "[sys]") {
  constexpr std::size_t kStack = 64 * 1024;
  void* stack = ::mmap(nullptr, kStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  REQUIRE(stack != MAP_FAILED);
  Shared s;
  UniqueFd pidfd;
  Result<pid_t> pid = sys::clone3_vm(0, &pidfd, -1, stack, kStack, child, &s);
#if defined(__x86_64__)
  REQUIRE(pid);
  CHECK(pidfd);
  int status = 0;
  REQUIRE(::waitpid(*pid, &status, 0) == *pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 7);
  // What it wrote is in this process's memory: no copy was made.
  CHECK(s.written == 42);
  CHECK(s.seen_pid == *pid);
#else
  REQUIRE(!pid);
  CHECK(pid.error().code == ENOSYS);
#endif
  ::munmap(stack, kStack);
}

TEST_CASE("move_above: a low fd is copied above min, close-on-exec, and the original closed", "[sys]") {
  int low = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  REQUIRE(low >= 0);
  Result<UniqueFd> moved = sys::move_above(UniqueFd(low), low + 10);
  REQUIRE(moved);
  CHECK(moved->get() >= low + 10);
  CHECK((::fcntl(moved->get(), F_GETFD) & FD_CLOEXEC) != 0);
  CHECK(::fcntl(low, F_GETFD) == -1);
  // Already above: the same fd; empty: still empty.
  int kept = moved->get();
  Result<UniqueFd> same = sys::move_above(std::move(*moved), 3);
  REQUIRE(same);
  CHECK(same->get() == kept);
  Result<UniqueFd> none = sys::move_above(UniqueFd(), 100);
  REQUIRE(none);
  CHECK(!*none);
}
