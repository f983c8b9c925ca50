#include <catch2/catch.hpp>

#include <csignal>

#include "ocirun/signals.hpp"

using namespace ocirun;

TEST_CASE("signals: names, SIG prefix, case, numbers", "[signals]") {
  CHECK(*parse_signal("KILL") == SIGKILL);
  CHECK(*parse_signal("SIGKILL") == SIGKILL);
  CHECK(*parse_signal("sigterm") == SIGTERM);
  CHECK(*parse_signal("9") == 9);
  CHECK(*parse_signal("64") == 64);
  CHECK(*parse_signal("CHLD") == SIGCHLD);
  CHECK(*parse_signal("SIGCLD") == SIGCHLD);
  CHECK(*parse_signal("WINCH") == SIGWINCH);
}

TEST_CASE("signals: real-time signals", "[signals]") {
  CHECK(*parse_signal("RTMIN") == 34);
  CHECK(*parse_signal("SIGRTMIN+3") == 37);
  CHECK(*parse_signal("RTMAX") == 64);
  CHECK(*parse_signal("RTMAX-1") == 63);
  CHECK(!parse_signal("RTMIN+31"));
  CHECK(!parse_signal("RTMIN-1"));
  CHECK(!parse_signal("RTMAX+1"));
}

TEST_CASE("signals: bad signals are refused", "[signals]") {
  CHECK(parse_signal("FOO").error().msg == "unknown signal \"FOO\"");
  CHECK(!parse_signal("0"));
  CHECK(!parse_signal("65"));
  CHECK(!parse_signal("-9"));
  CHECK(!parse_signal(""));
  CHECK(!parse_signal("9x"));
}

TEST_CASE("signals: names of numbers", "[signals]") {
  CHECK(signal_name(SIGKILL) == "SIGKILL");
  CHECK(signal_name(SIGABRT) == "SIGABRT");
  CHECK(signal_name(34) == "SIGRTMIN");
  CHECK(signal_name(40) == "SIGRTMIN+6");
  CHECK(signal_name(0).empty());
}
