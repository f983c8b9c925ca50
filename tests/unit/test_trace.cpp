#include <catch2/catch.hpp>

#include "ocirun/trace.hpp"

using namespace ocirun;

TEST_CASE("trace: a line names the phase, its duration and the time since start", "[trace]") {
  CHECK(trace::format_line("create: load config", 412000, 655000) == "trace create: load config: 412 us (at 655 us)");
}

TEST_CASE("trace: nanoseconds round to the nearest microsecond", "[trace]") {
  CHECK(trace::format_line("p", 1499, 1500) == "trace p: 1 us (at 2 us)");
  CHECK(trace::format_line("p", 499, 500) == "trace p: 0 us (at 1 us)");
  CHECK(trace::format_line("p", 12345678901, 12345678901) == "trace p: 12345679 us (at 12345679 us)");
}

TEST_CASE("trace: a negative duration (a clock that stepped) reads as zero", "[trace]") {
  CHECK(trace::format_line("p", -5000, 0) == "trace p: 0 us (at 0 us)");
}
