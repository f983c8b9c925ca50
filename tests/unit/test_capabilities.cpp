#include <catch2/catch.hpp>

#include <linux/capability.h>

#include <set>
#include <string>

#include "ocirun/capabilities.hpp"

using namespace ocirun;

TEST_CASE("capabilities: first, last and some in between", "[capabilities]") {
  CHECK(capability_from_name("CAP_CHOWN") == 0);
  CHECK(capability_from_name("CAP_SYS_ADMIN") == CAP_SYS_ADMIN);
  CHECK(capability_from_name("CAP_NET_BIND_SERVICE") == CAP_NET_BIND_SERVICE);
  CHECK(capability_from_name("CAP_BPF") == 39);
  CHECK(capability_from_name("CAP_CHECKPOINT_RESTORE") == 40);
  CHECK(kCapLast == CAP_LAST_CAP);
  CHECK(std::string(capability_name(0)) == "CAP_CHOWN");
  CHECK(std::string(capability_name(kCapLast)) == "CAP_CHECKPOINT_RESTORE");
}

TEST_CASE("capabilities: every number round-trips through its unique name", "[capabilities]") {
  std::set<std::string> names;
  for (int cap = 0; cap <= kCapLast; cap++) {
    const char* name = capability_name(cap);
    REQUIRE(name != nullptr);
    CHECK(capability_from_name(name) == cap);
    names.insert(name);
  }
  CHECK(names.size() == static_cast<std::size_t>(kCapLast + 1));
}

TEST_CASE("capabilities: only exact CAP_ names are known", "[capabilities]") {
  for (const char* bad : {"", "CAP_", "CAP", "CHOWN", "cap_chown", "CAP_chown", "CAP_CHOWN ", " CAP_CHOWN",
                          "CAP_FOO", "CAP_CHOWNX", "CAP_CHECKPOINT_RESTOR"}) {
    INFO(bad);
    CHECK_FALSE(capability_from_name(bad).has_value());
  }
  // A NUL inside must not end the comparison early.
  CHECK_FALSE(capability_from_name(std::string_view("CAP_KILL\0X", 10)).has_value());
}

TEST_CASE("capabilities: numbers out of range have no name", "[capabilities]") {
  CHECK(capability_name(-1) == nullptr);
  CHECK(capability_name(kCapLast + 1) == nullptr);
  CHECK(capability_name(63) == nullptr);
}
