// Capabilities decided: the sets as the config gives them, what the host
// cannot grant dropped with a warning, ambient capabilities the kernel
// would refuse dropped, inheritable never widened (CVE-2022-29162).
#include <catch2/catch.hpp>

#include <linux/capability.h>

#include "ocirun/capabilities.hpp"
#include "ocirun/privileges.hpp"

using namespace ocirun;

namespace {

CapabilitySet set_of(std::initializer_list<int> caps) {
  CapabilitySet s;
  for (int c : caps) s.add(c);
  return s;
}

std::uint64_t bits(std::initializer_list<int> caps) { return set_of(caps).bits; }

// This machine's bounding set: everything to CAP_CHECKPOINT_RESTORE but
// CAP_SYS_RESOURCE.
constexpr std::uint64_t kHost = ((std::uint64_t{1} << 41) - 1) & ~(std::uint64_t{1} << CAP_SYS_RESOURCE);

}  // namespace

TEST_CASE("capabilities: each set exactly as configured") {
  Capabilities want;
  want.bounding = set_of({CAP_CHOWN, CAP_KILL, CAP_NET_RAW, CAP_SETPCAP});
  want.effective = set_of({CAP_CHOWN, CAP_KILL});
  want.permitted = set_of({CAP_CHOWN, CAP_KILL, CAP_NET_RAW});
  want.inheritable = set_of({CAP_NET_RAW});
  want.ambient = set_of({CAP_NET_RAW});
  CapabilityPlan p = plan_capabilities(want, kHost);
  CHECK(p.bounding == want.bounding.bits);
  CHECK(p.effective == want.effective.bits);
  CHECK(p.permitted == want.permitted.bits);
  CHECK(p.inheritable == want.inheritable.bits);
  CHECK(p.ambient == want.ambient.bits);
  CHECK(p.warnings.empty());
}

TEST_CASE("capabilities: CVE-2022-29162: inheritable is never widened") {
  Capabilities want;
  want.bounding = set_of({CAP_CHOWN, CAP_SYS_ADMIN});
  want.permitted = set_of({CAP_CHOWN, CAP_SYS_ADMIN});
  want.effective = set_of({CAP_CHOWN, CAP_SYS_ADMIN});
  CapabilityPlan p = plan_capabilities(want, kHost);
  CHECK(p.inheritable == 0);
  CHECK(p.ambient == 0);
}

TEST_CASE("capabilities: one the host lacks is dropped from every set, with a warning") {
  Capabilities want;
  want.bounding = set_of({CAP_SYS_RESOURCE, CAP_KILL});
  want.effective = set_of({CAP_SYS_RESOURCE, CAP_KILL});
  want.permitted = set_of({CAP_SYS_RESOURCE, CAP_KILL});
  want.inheritable = set_of({CAP_SYS_RESOURCE});
  want.ambient = set_of({CAP_SYS_RESOURCE});
  CapabilityPlan p = plan_capabilities(want, kHost);
  CHECK(p.bounding == bits({CAP_KILL}));
  CHECK(p.effective == bits({CAP_KILL}));
  CHECK(p.permitted == bits({CAP_KILL}));
  CHECK(p.inheritable == 0);
  CHECK(p.ambient == 0);
  REQUIRE(p.warnings.size() == 1);
  CHECK(p.warnings[0] == "process.capabilities: not in this host's bounding set, dropped: CAP_SYS_RESOURCE");
}

TEST_CASE("capabilities: ambient ones not both permitted and inheritable are dropped, with a warning") {
  Capabilities want;
  want.permitted = set_of({CAP_NET_RAW, CAP_KILL});
  want.inheritable = set_of({CAP_NET_RAW, CAP_CHOWN});
  want.ambient = set_of({CAP_NET_RAW, CAP_KILL, CAP_CHOWN});
  CapabilityPlan p = plan_capabilities(want, kHost);
  CHECK(p.ambient == bits({CAP_NET_RAW}));
  REQUIRE(p.warnings.size() == 1);
  CHECK(p.warnings[0] ==
        "process.capabilities.ambient: not both permitted and inheritable, dropped: CAP_CHOWN, CAP_KILL");
}

TEST_CASE("capabilities: the grantable set is this process's bounding set") {
  std::uint64_t g = grantable_capabilities();
  // Every process has some bounding set; none past the kernel's last.
  CHECK(g != 0);
  CHECK((g >> (kCapLast + 1)) == 0);
}
