// floor-ns: the least a runtime must do to run /bin/true in a container,
// done the shortest way, so that the benchmark shows how far each runtime
// is from the physical limit:
//
//   floor-ns ROOTFS [CGROUP_DIR...]
//
// 1. mkdir each CGROUP_DIR (a v1 cpuset cgroup gets its parent's cpus and
//    mems, or it refuses tasks);
// 2. clone into new mount, pid, network, ipc and uts namespaces;
// 3. the parent writes the child's pid to each cgroup.procs, then lets it go;
// 4. the child makes its mounts private, binds ROOTFS onto itself, mounts
//    /proc there, pivot_root()s into it, detaches the old root, and execs
//    /bin/true;
// 5. the parent reaps it and removes the cgroups.
// No config parsing, no state, no devices, no security settings: a floor.
// Exits with the child's status (1 on a setup failure, with a message).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int die(const char* what) {
  fprintf(stderr, "floor-ns: %s: %s\n", what, strerror(errno));
  return 1;
}

static int write_str(const char* path, const char* s) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, s, strlen(s));
  close(fd);
  return n == (ssize_t)strlen(s) ? 0 : -1;
}

// A new v1 cpuset cgroup has no cpus and no mems until it is given some.
static int inherit_cpuset(const char* dir) {
  static const char* files[] = {"cpuset.cpus", "cpuset.mems"};
  for (int i = 0; i < 2; i++) {
    char path[4096], parent[4096], value[256];
    snprintf(parent, sizeof parent, "%s/../%s", dir, files[i]);
    int fd = open(parent, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? 0 : -1;  // not a cpuset hierarchy
    ssize_t n = read(fd, value, sizeof value - 1);
    close(fd);
    if (n <= 0) return -1;
    value[n] = '\0';
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    if (write_str(path, value) < 0) return -1;
  }
  return 0;
}

static int child_main(const char* rootfs, int go_fd) {
  char c;
  if (read(go_fd, &c, 1) != 1) _exit(1);
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) _exit(die("make / private"));
  if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) _exit(die("bind the rootfs"));
  if (chdir(rootfs) < 0) _exit(die("chdir rootfs"));
  if (mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) _exit(die("mount proc"));
  if (syscall(SYS_pivot_root, ".", ".") < 0) _exit(die("pivot_root"));
  if (umount2(".", MNT_DETACH) < 0) _exit(die("detach the old root"));
  if (chdir("/") < 0) _exit(die("chdir /"));
  char* argv[] = {"true", NULL};
  char* envp[] = {"PATH=/bin:/usr/bin", NULL};
  execve("/bin/true", argv, envp);
  _exit(die("exec /bin/true"));
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: floor-ns ROOTFS [CGROUP_DIR...]\n");
    return 2;
  }
  const char* rootfs = argv[1];
  int ncg = argc - 2;
  char** cgroups = argv + 2;

  for (int i = 0; i < ncg; i++) {
    if (mkdir(cgroups[i], 0755) < 0 && errno != EEXIST) return die(cgroups[i]);
    if (inherit_cpuset(cgroups[i]) < 0) return die(cgroups[i]);
  }
  int go[2];
  if (pipe2(go, O_CLOEXEC) < 0) return die("pipe");
  // A raw clone without a new stack returns twice, like fork.
  long flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | SIGCHLD;
  pid_t pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
  if (pid < 0) return die("clone");
  if (pid == 0) {
    close(go[1]);
    child_main(rootfs, go[0]);
  }
  close(go[0]);
  char num[16];
  snprintf(num, sizeof num, "%d", pid);
  int failed = 0;
  for (int i = 0; i < ncg && !failed; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/cgroup.procs", cgroups[i]);
    if (write_str(path, num) < 0) failed = die(path);
  }
  if (failed) kill(pid, SIGKILL);
  else if (write(go[1], "g", 1) != 1) failed = die("start the child");
  close(go[1]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  // A v1 cgroup can stay busy for a moment after its last task is reaped.
  for (int i = ncg - 1; i >= 0; i--) {
    for (int tries = 0; rmdir(cgroups[i]) < 0; tries++) {
      if (errno == ENOENT) break;
      if (errno != EBUSY || tries >= 200) {
        failed = die(cgroups[i]);
        break;
      }
      usleep(5000);
    }
  }
  if (failed) return 1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
