// linux.memoryPolicy: the NUMA policy of the container's init, set with
// set_mempolicy(2) and inherited by every process of the container (across
// fork and execve). Deciding (the syscall's arguments) is apart from doing.
#pragma once

#include <vector>

#include "ocirun/error.hpp"
#include "ocirun/spec.hpp"

namespace ocirun {

// The arguments of set_mempolicy(2).
struct MempolicyArgs {
  int mode = 0;                     // MPOL_* | MPOL_F_* flags
  std::vector<unsigned long> mask;  // the node bitmap, empty for no nodes
  unsigned long maxnode = 0;        // as the syscall counts it (bits + 1)
};

// Pure: the arguments for a policy of the config.
MempolicyArgs mempolicy_args(const MemoryPolicy& policy);

// Sets the calling thread's policy.
Result<> apply_memory_policy(const MemoryPolicy& policy);

}  // namespace ocirun
