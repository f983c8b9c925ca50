// bench-time: runs a command and prints how long it took, in microseconds,
// and the peak RSS of it and the children it waited for, in KiB:
//
//   bench-time [-m MNTNS] [-r N | -p N] [-e ERRFILE] -- CMD [ARG...]
//
//   -m MNTNS  join the mount namespace at path MNTNS first (crun runs in
//             one where cgroup2 is hidden, see run.sh), before the clock
//             starts, so joining costs the measurement nothing
//   -r N      run CMD N times in sequence (stop at the first failure)
//   -p N      run N copies of CMD at once; each `{}` in an argument becomes
//             the copy's index 0..N-1; the time is until the last one exits
//   -e FILE   the commands' standard error goes to FILE (appended)
//
// Prints "<microseconds> <maxrss KiB> <cpu microseconds>" on standard output
// (the CPU time, user and system, of the commands and the children they
// waited for: less disturbed by a busy machine than the elapsed time, which
// includes waiting for a CPU) and exits 0 when
// every run exited 0; otherwise says which failed and exits 1. The
// commands get /dev/null as standard input and output.
//
// The clock covers fork, exec, the command's whole run and the wait: what
// a caller such as containerd's shim pays for one runtime invocation. The
// timer is static and tiny, so its own fork costs little; run with CMD
// /bin/true it is the floor of any measurement (the "fork+exec" floor).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void usage(void) {
  fprintf(stderr, "usage: bench-time [-m MNTNS] [-r N | -p N] [-e ERRFILE] -- CMD [ARG...]\n");
  exit(2);
}

// argv with every "{}" replaced by the decimal index (a fresh copy).
static char** substitute(char** argv, int argc, int index) {
  char** out = calloc((size_t)argc + 1, sizeof *out);
  if (out == NULL) return NULL;
  char num[16];
  snprintf(num, sizeof num, "%d", index);
  for (int i = 0; i < argc; i++) {
    const char* a = argv[i];
    size_t n = 0;
    for (const char* p = a; (p = strstr(p, "{}")) != NULL; p += 2) n++;
    char* s = malloc(strlen(a) + n * strlen(num) + 1);
    if (s == NULL) return NULL;
    char* w = s;
    for (const char* p = a; *p;) {
      if (p[0] == '{' && p[1] == '}') {
        w = stpcpy(w, num);
        p += 2;
      } else {
        *w++ = *p++;
      }
    }
    *w = '\0';
    out[i] = s;
  }
  return out;
}

static pid_t spawn(char** argv, int null_fd, int err_fd) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  dup2(null_fd, 0);
  dup2(null_fd, 1);
  if (err_fd >= 0) dup2(err_fd, 2);
  execvp(argv[0], argv);
  fprintf(stderr, "bench-time: exec %s: %s\n", argv[0], strerror(errno));
  _exit(127);
}

// Waits for pid; returns its status, raises *maxrss to its peak and adds
// its CPU time to *cpu_us.
static int reap(pid_t pid, long* maxrss, long long* cpu_us) {
  int status = 0;
  struct rusage ru;
  while (wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) {
      perror("bench-time: wait4");
      exit(1);
    }
  }
  if (ru.ru_maxrss > *maxrss) *maxrss = ru.ru_maxrss;
  *cpu_us += (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
  return status;
}

static void report_failure(char** argv, int status) {
  if (WIFEXITED(status))
    fprintf(stderr, "bench-time: %s exited %d\n", argv[0], WEXITSTATUS(status));
  else if (WIFSIGNALED(status))
    fprintf(stderr, "bench-time: %s killed by signal %d\n", argv[0], WTERMSIG(status));
}

int main(int argc, char** argv) {
  const char* mntns = NULL;
  const char* errfile = NULL;
  long repeat = 1, parallel = 0;
  int opt;
  while ((opt = getopt(argc, argv, "+m:r:p:e:")) != -1) {
    switch (opt) {
      case 'm': mntns = optarg; break;
      case 'r': repeat = strtol(optarg, NULL, 10); break;
      case 'p': parallel = strtol(optarg, NULL, 10); break;
      case 'e': errfile = optarg; break;
      default: usage();
    }
  }
  if (optind >= argc || repeat < 1 || parallel < 0 || parallel > 10000) usage();
  char** cmd = argv + optind;
  int cmdc = argc - optind;

  if (mntns != NULL) {
    // setns(CLONE_NEWNS) moves the cwd to the namespace's root: keep ours.
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd) == NULL) cwd[0] = '\0';
    int fd = open(mntns, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNS) < 0) {
      fprintf(stderr, "bench-time: join mount namespace %s: %s\n", mntns, strerror(errno));
      return 1;
    }
    close(fd);
    if (cwd[0] != '\0' && chdir(cwd) < 0) {
      fprintf(stderr, "bench-time: chdir %s: %s\n", cwd, strerror(errno));
      return 1;
    }
  }
  int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0) {
    perror("bench-time: /dev/null");
    return 1;
  }
  int err_fd = -1;
  if (errfile != NULL) {
    err_fd = open(errfile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (err_fd < 0) {
      fprintf(stderr, "bench-time: %s: %s\n", errfile, strerror(errno));
      return 1;
    }
  }

  // Every argument list is made before the clock starts.
  long copies = parallel > 0 ? parallel : 1;
  char*** lists = calloc((size_t)copies, sizeof *lists);
  pid_t* pids = calloc((size_t)copies, sizeof *pids);
  if (lists == NULL || pids == NULL) return 1;
  for (long i = 0; i < copies; i++) {
    lists[i] = parallel > 0 ? substitute(cmd, cmdc, (int)i) : cmd;
    if (lists[i] == NULL) return 1;
  }

  long maxrss = 0;
  long long cpu_us = 0;
  int failed = 0;
  long long start = now_us();
  if (parallel > 0) {
    for (long i = 0; i < parallel; i++) pids[i] = spawn(lists[i], null_fd, err_fd);
    for (long i = 0; i < parallel; i++) {
      if (pids[i] < 0) {
        failed = 1;
        continue;
      }
      int status = reap(pids[i], &maxrss, &cpu_us);
      if (status != 0) {
        report_failure(lists[i], status);
        failed = 1;
      }
    }
  } else {
    for (long i = 0; i < repeat && !failed; i++) {
      pid_t pid = spawn(cmd, null_fd, err_fd);
      if (pid < 0) {
        failed = 1;
        break;
      }
      int status = reap(pid, &maxrss, &cpu_us);
      if (status != 0) {
        report_failure(cmd, status);
        failed = 1;
      }
    }
  }
  long long elapsed = now_us() - start;
  printf("%lld %ld %lld\n", elapsed, maxrss, cpu_us);
  return failed;
}
