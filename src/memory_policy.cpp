#include "ocirun/memory_policy.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdint>

namespace ocirun {

MempolicyArgs mempolicy_args(const MemoryPolicy& policy) {
  MempolicyArgs a;
  a.mode = static_cast<int>(policy.mode) | policy.flags;
  if (policy.nodes.empty()) return a;
  // The parser bounds node numbers (kMaxCpuNumber), so the mask is at most
  // 8 KiB however the ranges are written.
  std::uint32_t highest = 0;
  for (const CpuRange& r : policy.nodes) highest = std::max(highest, r.last);
  constexpr std::uint32_t kBits = sizeof(unsigned long) * CHAR_BIT;
  a.mask.assign(highest / kBits + 1, 0);
  for (const CpuRange& r : policy.nodes)
    for (std::uint32_t n = r.first; n <= r.last; n++) a.mask[n / kBits] |= 1UL << (n % kBits);
  // The kernel reads maxnode - 1 bits (a historical off-by-one that every
  // caller, libnuma included, compensates for).
  a.maxnode = static_cast<unsigned long>(a.mask.size()) * kBits + 1;
  return a;
}

Result<> apply_memory_policy(const MemoryPolicy& policy) {
  MempolicyArgs a = mempolicy_args(policy);
  if (::syscall(SYS_set_mempolicy, a.mode, a.mask.empty() ? nullptr : a.mask.data(), a.maxnode) < 0)
    return fail_errno("linux.memoryPolicy: set_mempolicy");
  return {};
}

}  // namespace ocirun
