// rt-timer: stands in for a runtime binary in front of a client (containerd's
// shim, conmon, Docker's shim) and logs how long each invocation of the real
// runtime took, for bench/clients.sh. A client execs it as "the runtime"; it
// runs the real runtime as its child with the same argv, standard streams,
// fds and environment, waits for it, appends one line to a log and exits as
// the runtime did (the same code, or the same signal).
//
// Configured when it is built, so that it reads no file and parses nothing
// at run time (clients do not pass environment variables through):
//
//   gcc -O2 -static -DRT_NAME='"crun"' -DRT_PATH='"/usr/bin/crun"'
//       -DRT_LOG='"/tmp/x/runtime.log"' [-DRT_HIDE='"/sys/fs/cgroup/unified"']
//       -o DIR/crun rt-timer.c
//
// RT_HIDE: before the clock starts, move into a new private mount namespace
// with an empty tmpfs over that path, and run the runtime there. On a hybrid
// cgroup host crun 1.8 refuses to run ("cgroups in hybrid mode not
// supported"); where cgroup2 is hidden it sees a v1 host. A namespace made
// per invocation (not one made once and joined) sees the mounts a client
// made just before (the container's rootfs): this host's mounts are private,
// nothing would propagate into an older namespace. Nothing propagates out:
// the root is made private recursively first, in the new namespace only.
//
// A log line, written with one write() in O_APPEND mode (invocations of
// several clients may end at once):
//
//   RT_NAME <TAB> start <TAB> runtime <TAB> setup <TAB> status <TAB> argv[1] <TAB> ...
//
// start: CLOCK_REALTIME in microseconds when the runtime was forked (to
// match the caller's $EPOCHREALTIME); runtime: microseconds from before the
// fork to after the wait (what the client would pay for the runtime itself,
// exec and all); setup: microseconds spent making RT_HIDE's namespace (0
// without it); status: the exit code, or 128 + the signal.
//
// Signals a client sends to "the runtime" (SIGTERM on a timeout) are passed
// on to the real one.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef RT_NAME
#error "build with -DRT_NAME='\"name\"'"
#endif
#ifndef RT_PATH
#error "build with -DRT_PATH='\"/path/to/runtime\"'"
#endif
#ifndef RT_LOG
#error "build with -DRT_LOG='\"/path/to/log\"'"
#endif

static long long clock_us(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static volatile pid_t child = 0;

static void forward(int sig) {
  if (child > 0) kill(child, sig);
}

static void die(const char* what) {
  // The client shows this as the runtime's error.
  fprintf(stderr, "rt-timer (%s): %s: %s\n", RT_NAME, what, strerror(errno));
  exit(1);
}

#ifdef RT_HIDE
// A new mount namespace in which RT_HIDE is an empty tmpfs.
static void hide(void) {
  if (unshare(CLONE_NEWNS) < 0) die("unshare(CLONE_NEWNS)");
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) die("make / private");
  if (mount("rt-timer-hide", RT_HIDE, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=4k") < 0)
    die("mount a tmpfs over " RT_HIDE);
}
#endif

// Appends s to buf (of size cap) at *len, tabs and newlines made spaces so
// that a line stays a line.
static void put(char* buf, size_t cap, size_t* len, const char* s) {
  for (; *s != '\0' && *len + 2 < cap; s++) buf[(*len)++] = (*s == '\t' || *s == '\n') ? ' ' : *s;
}

int main(int argc, char** argv) {
  (void)argc;
  long long setup = 0;
#ifdef RT_HIDE
  {
    long long t = clock_us(CLOCK_MONOTONIC);
    hide();
    setup = clock_us(CLOCK_MONOTONIC) - t;
  }
#endif
  long long start_wall = clock_us(CLOCK_REALTIME);
  long long start = clock_us(CLOCK_MONOTONIC);
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    argv[0] = (char*)RT_PATH;
    execv(RT_PATH, argv);
    fprintf(stderr, "rt-timer (%s): exec %s: %s\n", RT_NAME, RT_PATH, strerror(errno));
    _exit(127);
  }
  child = pid;
  static const int passed_on[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = forward;
  sa.sa_flags = SA_RESTART;
  for (size_t i = 0; i < sizeof passed_on / sizeof passed_on[0]; i++) sigaction(passed_on[i], &sa, NULL);

  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) die("waitpid");
  }
  long long took = clock_us(CLOCK_MONOTONIC) - start;
  int status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);

  char line[8192];
  int n = snprintf(line, sizeof line, "%s\t%lld\t%lld\t%lld\t%d", RT_NAME, start_wall, took, setup, status);
  size_t len = n > 0 && (size_t)n < sizeof line ? (size_t)n : 0;
  for (int i = 1; argv[i] != NULL; i++) {
    if (len + 2 < sizeof line) line[len++] = '\t';
    put(line, sizeof line, &len, argv[i]);
  }
  line[len++] = '\n';
  int fd = open(RT_LOG, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0) {
    ssize_t w = write(fd, line, len);
    (void)w;
    close(fd);
  }

  if (WIFSIGNALED(wstatus)) {
    // Die of the same signal, as the client expects of the runtime.
    signal(WTERMSIG(wstatus), SIG_DFL);
    raise(WTERMSIG(wstatus));
  }
  return status;
}
