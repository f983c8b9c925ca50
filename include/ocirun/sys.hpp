// Thin wrappers of the syscalls the lifecycle uses, each returning Result and
// keeping errno, so that the code that decides reads without errno checks.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ocirun/error.hpp"
#include "ocirun/unique_fd.hpp"

namespace ocirun::sys {

// clone3 without CLONE_VM: returns 0 in the child and the child's pid in the
// parent, with a pidfd of the child in *pidfd (CLONE_PIDFD). `flags` holds
// the CLONE_NEW* flags; the exit signal is SIGCHLD. cgroup_fd >= 0 adds
// CLONE_INTO_CGROUP.
Result<pid_t> clone3(std::uint64_t flags, UniqueFd* pidfd, int cgroup_fd = -1);

// clone3 with CLONE_VM, as clone3 above otherwise: the child shares this
// process's memory (no copy of it, no copy-on-write faults after) and runs
// fn(arg) on [stack, stack + stack_size) until it execs or exits; this
// returns only in the parent. The caller must make the two take turns: they
// share the heap, errno and every global. ENOSYS on an architecture this
// build has no trampoline for (x86_64 only).
Result<pid_t> clone3_vm(std::uint64_t flags, UniqueFd* pidfd, int cgroup_fd, void* stack, std::size_t stack_size,
                        int (*fn)(void*), void* arg);

// A syscall that returns -errno on failure and leaves errno alone: for the
// code of a clone3_vm child that runs beside its parent, whose errno it
// shares.
long raw_syscall(long number, long a = 0, long b = 0, long c = 0, long d = 0);

// fd (an empty one too), or a close-on-exec copy of it at a number >= min,
// the original closed: so that it cannot collide with the fds a container
// is to keep (3 .. 3+preserve_fds-1).
Result<UniqueFd> move_above(UniqueFd fd, int min);

Result<UniqueFd> pidfd_open(pid_t pid);
Result<> pidfd_send_signal(int pidfd, int sig);

// openat2(2) with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS: `path` is
// resolved as if root_fd were "/", so symlinks in the tree cannot lead out.
Result<UniqueFd> open_in_root(int root_fd, std::string_view path, int flags, mode_t mode = 0);

// The namespace type (CLONE_NEW*) of a namespace fd (ioctl NS_GET_NSTYPE).
Result<int> ns_type(int fd);

// "/proc/self/fd/N", for the syscalls that take a path but must act on an fd.
std::string fd_path(int fd);

// Sends fd over a unix socket in an SCM_RIGHTS message whose data is
// `data` ("fd" if empty): the pty's name for runc's console socket
// protocol, the state JSON for a seccomp listener. The fd travels with the
// first byte; on a stream socket what sendmsg did not take follows.
Result<> send_fd(int sock, int fd, std::string_view data);

// A connected AF_UNIX stream socket (O_CLOEXEC) to `path`: the console
// socket, the pidfd socket, a seccomp listener.
Result<UniqueFd> connect_unix(const std::string& path);

// Every signal back to its default action and none blocked: what a
// process the runtime starts for the container begins with, whatever the
// runtime's caller left (run blocks them all to forward them). Only the
// signals /proc/self/status shows ignored or caught are reset, one system
// call each instead of sixty-two; all of them when it cannot be read.
void reset_signals();

// Writes `pid` to `path` atomically (a rename): containerd and conmon read
// the file as soon as create or exec returns.
Result<> write_pid_file(const std::string& path, pid_t pid);

// argv/envp for execve: pointers into `v`, null-terminated; valid while v is.
std::vector<char*> c_strings(const std::vector<std::string>& v);

// Writes `data` to an existing file at `path` (for /proc and /sys files).
Result<> write_file(const std::string& path, std::string_view data);

}  // namespace ocirun::sys
