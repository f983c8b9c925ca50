#include "ocirun/sys.hpp"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "ocirun/fs.hpp"

namespace ocirun::sys {

Result<pid_t> clone3(std::uint64_t flags, UniqueFd* pidfd, int cgroup_fd) {
  int raw_pidfd = -1;
  struct clone_args args {};
  args.flags = flags | CLONE_PIDFD;
  args.pidfd = reinterpret_cast<std::uint64_t>(&raw_pidfd);
  args.exit_signal = SIGCHLD;
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<std::uint64_t>(cgroup_fd);
  }
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0) return fail_errno("clone3");
  if (pid > 0) pidfd->reset(raw_pidfd);
  return static_cast<pid_t>(pid);
}

#if defined(__x86_64__)
// clone3 on a new stack. The child cannot return from the syscall into C++:
// its stack has no frames. So it calls fn(arg) there and exits with its
// value; the parent returns the pid, or -errno. (clone3 keeps r8 and r9, the
// syscall instruction clobbers only rcx and r11; the stack top is 16-byte
// aligned, as a call wants.)
extern "C" long ocirun_clone3_on_stack(clone_args* args, std::size_t size, int (*fn)(void*), void* arg);
asm(R"(
  .text
  .globl ocirun_clone3_on_stack
  .type ocirun_clone3_on_stack, @function
ocirun_clone3_on_stack:
  mov %rdx, %r8
  mov %rcx, %r9
  mov $435, %eax
  syscall
  test %rax, %rax
  jnz 1f
  xor %ebp, %ebp
  mov %r9, %rdi
  call *%r8
  mov %eax, %edi
  mov $60, %eax
  syscall
  ud2
1:
  ret
  .size ocirun_clone3_on_stack, .-ocirun_clone3_on_stack
)");
static_assert(SYS_clone3 == 435 && SYS_exit == 60);
#endif

Result<pid_t> clone3_vm(std::uint64_t flags, UniqueFd* pidfd, int cgroup_fd, void* stack, std::size_t stack_size,
                        int (*fn)(void*), void* arg) {
#if defined(__x86_64__)
  int raw_pidfd = -1;
  struct clone_args args {};
  args.flags = flags | CLONE_VM | CLONE_PIDFD;
  args.pidfd = reinterpret_cast<std::uint64_t>(&raw_pidfd);
  args.exit_signal = SIGCHLD;
  args.stack = reinterpret_cast<std::uint64_t>(stack);
  args.stack_size = stack_size;
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<std::uint64_t>(cgroup_fd);
  }
  long pid = ocirun_clone3_on_stack(&args, sizeof args, fn, arg);
  if (pid < 0) return fail_errno("clone3", static_cast<int>(-pid));
  pidfd->reset(raw_pidfd);
  return static_cast<pid_t>(pid);
#else
  (void)flags, (void)pidfd, (void)cgroup_fd, (void)stack, (void)stack_size, (void)fn, (void)arg;
  return fail("clone3 with CLONE_VM: no trampoline for this architecture", ENOSYS);
#endif
}

long raw_syscall(long number, long a, long b, long c, long d) {
#if defined(__x86_64__)
  long ret;
  register long r10 asm("r10") = d;
  asm volatile("syscall" : "=a"(ret) : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
  return ret;
#else
  // No clone3_vm here, so nobody else's errno to keep.
  long ret = ::syscall(number, a, b, c, d);
  return ret < 0 ? -errno : ret;
#endif
}

Result<UniqueFd> move_above(UniqueFd fd, int min) {
  if (!fd || fd.get() >= min) return fd;
  int n = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, min);
  if (n < 0) return fail_errno("fcntl F_DUPFD_CLOEXEC");
  return UniqueFd(n);
}

Result<UniqueFd> pidfd_open(pid_t pid) {
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return fail_errno("pidfd_open");
  return UniqueFd(fd);
}

Result<> pidfd_send_signal(int pidfd, int sig) {
  if (::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) < 0) return fail_errno("pidfd_send_signal");
  return {};
}

Result<UniqueFd> open_in_root(int root_fd, std::string_view path, int flags, mode_t mode) {
  struct open_how how {};
  how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  std::string p(path);
  for (;;) {
    int fd = static_cast<int>(::syscall(SYS_openat2, root_fd, p.c_str(), &how, sizeof how));
    if (fd >= 0) return UniqueFd(fd);
    // openat2 fails with EAGAIN when a rename raced with the lookup.
    if (errno != EAGAIN && errno != EINTR) return fail_errno("open `" + p + "`");
  }
}

Result<int> ns_type(int fd) {
  int t = ::ioctl(fd, NS_GET_NSTYPE);
  if (t < 0) return fail_errno("ioctl NS_GET_NSTYPE");
  return t;
}

Result<> send_fd(int sock, int fd, std::string_view data) {
  if (data.empty()) data = "fd";
  iovec iov{const_cast<char*>(data.data()), data.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  ssize_t n;
  do {
    n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return fail_errno("sendmsg");
  // A stream socket may take only part of it: the rest goes without the fd
  // (the fd arrives with the first byte, as the seccomp listener expects).
  std::string_view rest(data);
  rest.remove_prefix(static_cast<std::size_t>(n));
  if (!rest.empty()) TRY_CTX(fs::write_all(sock, rest), "send");
  return {};
}

Result<UniqueFd> connect_unix(const std::string& path) {
  UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) return fail_errno("socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return fail("socket path `" + path + "` is too long", ENAMETOOLONG);
  path.copy(addr.sun_path, sizeof addr.sun_path - 1);
  if (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
    return fail_errno("connect `" + path + "`");
  return s;
}

void reset_signals() {
  std::uint64_t changed = ~std::uint64_t{0};
  if (int fd = ::open("/proc/self/status", O_RDONLY | O_CLOEXEC); fd >= 0) {
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n > 0) {
      buf[n] = '\0';
      const char* ign = std::strstr(buf, "\nSigIgn:\t");
      const char* cgt = std::strstr(buf, "\nSigCgt:\t");
      if (ign != nullptr && cgt != nullptr)
        changed = std::strtoull(ign + 9, nullptr, 16) | std::strtoull(cgt + 9, nullptr, 16);
    }
  }
  // Bit N-1 is signal N.
  for (int sig = 1; sig < NSIG && sig <= 64; sig++)
    if (sig != SIGKILL && sig != SIGSTOP && ((changed >> (sig - 1)) & 1)) ::signal(sig, SIG_DFL);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

Result<> write_pid_file(const std::string& path, pid_t pid) {
  std::size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  UniqueFd dfd = TRY(fs::open_dir_at(AT_FDCWD, dir));
  TRY_CTX(fs::write_file_atomic(dfd.get(), name, std::to_string(pid), 0644), "pid file `" + path + "`");
  return {};
}

std::vector<char*> c_strings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const std::string& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

Result<> write_file(const std::string& path, std::string_view data) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return fail_errno("open `" + path + "`");
  TRY_CTX(fs::write_all(fd.get(), data), "write `" + path + "`");
  return {};
}

}  // namespace ocirun::sys
