#include <catch2/catch.hpp>

#include "ocirun/notify_socket.hpp"

using namespace ocirun;

TEST_CASE("notify: READY=1 only as a whole line", "[notify]") {
  CHECK(notify_says_ready("READY=1"));
  CHECK(notify_says_ready("READY=1\n"));
  CHECK(notify_says_ready("STATUS=up\nREADY=1\n"));
  CHECK_FALSE(notify_says_ready("READY=0"));
  CHECK_FALSE(notify_says_ready("STATUS=READY=1"));
  CHECK_FALSE(notify_says_ready("READY=10"));
  CHECK_FALSE(notify_says_ready(""));
}

TEST_CASE("notify: MAINPID goes first in the READY message only", "[notify]") {
  CHECK(notify_forwarded("READY=1\n", 42) == "MAINPID=42\nREADY=1\n");
  CHECK(notify_forwarded("STATUS=x", 42) == "STATUS=x");
  CHECK(notify_forwarded("READY=1", 0) == "READY=1");
}

TEST_CASE("notify: the state dir is mounted at /run/notify, NOTIFY_SOCKET replaced", "[notify]") {
  Spec spec;
  spec.process.emplace();
  spec.process->env = {"PATH=/bin", "NOTIFY_SOCKET=/host/path"};
  add_notify_socket(spec, "/run/ocirun/c1/notify");
  REQUIRE(spec.mounts.size() == 1);
  CHECK(spec.mounts[0].destination == "/run/notify");
  CHECK(spec.mounts[0].source == "/run/ocirun/c1/notify");
  CHECK(spec.mounts[0].type == "bind");
  CHECK(std::find(spec.mounts[0].options.begin(), spec.mounts[0].options.end(), "ro") != spec.mounts[0].options.end());
  CHECK(spec.process->env == std::vector<std::string>{"PATH=/bin", "NOTIFY_SOCKET=/run/notify/notify.sock"});
}
