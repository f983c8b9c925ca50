// The Catch2 (v2) runner for the unit suite: pure logic, no root needed.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
