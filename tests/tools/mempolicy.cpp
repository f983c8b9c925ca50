/* Prints the calling process's NUMA memory policy, as the container sees it:
 * "<mode>[ static| relative][ nodes=<n,...>]". A static helper that the
 * integration tests bind into a busybox container (which has no numactl). */
#include <cstdio>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  static const char *const modes[] = {"default", "preferred", "bind", "interleave",
                                      "local", "preferred_many", "weighted_interleave"};
  int mode = 0;
  unsigned long mask[16] = {0};
  if (syscall(SYS_get_mempolicy, &mode, mask, sizeof mask * 8, nullptr, 0UL) < 0) {
    perror("get_mempolicy");
    return 1;
  }
  int base = mode & 0xff;
  printf("%s", base < 7 ? modes[base] : "unknown");
  if (mode & (1 << 15)) printf(" static");
  if (mode & (1 << 14)) printf(" relative");
  if (mode & (1 << 13)) printf(" balancing");
  const char *sep = " nodes=";
  for (unsigned n = 0; n < sizeof mask * 8; n++)
    if (mask[n / (sizeof mask[0] * 8)] & (1UL << (n % (sizeof mask[0] * 8)))) {
      printf("%s%u", sep, n);
      sep = ",";
    }
  printf("\n");
  return 0;
}
