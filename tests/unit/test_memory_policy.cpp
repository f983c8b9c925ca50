// linux.memoryPolicy to set_mempolicy(2) arguments.
#include <catch2/catch.hpp>

#include <climits>

#include "ocirun/memory_policy.hpp"

using namespace ocirun;

namespace {

MemoryPolicy policy(MemoryPolicyMode mode, CpuList nodes, int flags = 0) {
  MemoryPolicy p;
  p.mode = mode;
  p.nodes = std::move(nodes);
  p.flags = flags;
  return p;
}

constexpr unsigned long kBits = sizeof(unsigned long) * CHAR_BIT;

}  // namespace

TEST_CASE("memory policy: no nodes gives a null mask", "[memory_policy]") {
  MempolicyArgs a = mempolicy_args(policy(MemoryPolicyMode::Local, {}));
  CHECK(a.mode == 4);  // MPOL_LOCAL
  CHECK(a.mask.empty());
  CHECK(a.maxnode == 0);
}

TEST_CASE("memory policy: nodes and ranges set their bits, maxnode counts one more", "[memory_policy]") {
  // "0-3,7"
  MempolicyArgs a = mempolicy_args(policy(MemoryPolicyMode::Bind, {{0, 3}, {7, 7}}));
  CHECK(a.mode == 2);  // MPOL_BIND
  REQUIRE(a.mask.size() == 1);
  CHECK(a.mask[0] == 0x8fUL);
  CHECK(a.maxnode == kBits + 1);
}

TEST_CASE("memory policy: a high node makes a mask of several words", "[memory_policy]") {
  MempolicyArgs a = mempolicy_args(policy(MemoryPolicyMode::Interleave, {{kBits, kBits + 1}, {1, 1}}));
  REQUIRE(a.mask.size() == 2);
  CHECK(a.mask[0] == 0x2UL);
  CHECK(a.mask[1] == 0x3UL);
  CHECK(a.maxnode == 2 * kBits + 1);
}

TEST_CASE("memory policy: flags are or'ed into the mode", "[memory_policy]") {
  MempolicyArgs a = mempolicy_args(policy(MemoryPolicyMode::Preferred, {{0, 0}}, kMpolFStaticNodes));
  CHECK(a.mode == (1 | kMpolFStaticNodes));
  MempolicyArgs b = mempolicy_args(policy(MemoryPolicyMode::WeightedInterleave, {{0, 0}}, kMpolFRelativeNodes));
  CHECK(b.mode == (6 | kMpolFRelativeNodes));
}
