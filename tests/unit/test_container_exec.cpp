// exec's pure parts: the process it runs (from the container's own and the
// flags, or from --process) and ps's table filter.
#include <catch2/catch.hpp>

#include "ocirun/commands.hpp"
#include "ocirun/container_exec.hpp"

using namespace ocirun;

namespace {

Process base_process() {
  Process p;
  p.args = {"sleep", "1000"};
  p.env = {"PATH=/bin", "FOO=old"};
  p.cwd.push_back('/');  // (not = "/": a g++ 12 -Wrestrict false positive)
  p.user.uid = 5;
  p.user.gid = 6;
  return p;
}

}  // namespace

TEST_CASE("exec: the container's process with the flags applied", "[exec]") {
  ExecOptions o;
  o.args = {"sh", "-c", "true"};
  o.env = {"FOO=new", "BAR=1"};
  o.cwd.emplace("/tmp");
  o.user.emplace("1000:1001");
  o.additional_gids = {"5", "7"};
  o.no_new_privs = true;
  o.caps = {"CAP_NET_ADMIN"};
  o.tty = true;
  Result<Process> p = plan_exec_process(base_process(), o);
  REQUIRE(p);
  CHECK(p->args == std::vector<std::string>{"sh", "-c", "true"});
  CHECK(p->env == std::vector<std::string>{"PATH=/bin", "FOO=new", "BAR=1"});
  CHECK(p->cwd == "/tmp");
  CHECK(p->user.uid == 1000);
  CHECK(p->user.gid == 1001);
  CHECK(p->user.additional_gids == std::vector<std::uint32_t>{5, 7});
  CHECK(p->no_new_privileges);
  CHECK(p->terminal);
  REQUIRE(p->capabilities);
  std::uint64_t bit = std::uint64_t{1} << 12;  // CAP_NET_ADMIN
  CHECK(p->capabilities->bounding.bits == bit);
  CHECK(p->capabilities->effective.bits == bit);
  CHECK(p->capabilities->permitted.bits == bit);
  // CVE-2022-29162: --cap never reaches the inheritable or ambient sets.
  CHECK(p->capabilities->inheritable.bits == 0);
  CHECK(p->capabilities->ambient.bits == 0);
}

TEST_CASE("exec: -u UID keeps the gid; bad flags are errors", "[exec]") {
  ExecOptions o;
  o.args = {"true"};
  o.user.emplace("42");
  Result<Process> p = plan_exec_process(base_process(), o);
  REQUIRE(p);
  CHECK(p->user.uid == 42);
  CHECK(p->user.gid == 6);
  o.user.emplace("x");
  CHECK_FALSE(plan_exec_process(base_process(), o));
  o.user.reset();
  o.cwd.emplace("relative");
  CHECK_FALSE(plan_exec_process(base_process(), o));
  o.cwd.reset();
  o.caps = {"NET_ADMIN"};
  CHECK_FALSE(plan_exec_process(base_process(), o));
  ExecOptions none;
  CHECK_FALSE(plan_exec_process(base_process(), none));
}

TEST_CASE("exec: --process is the whole process; its errors name the JSON path", "[exec]") {
  ExecOptions o;
  o.process_json.emplace(R"({"args": ["ls"], "cwd": "/x", "env": ["A=1"]})");
  o.env = {"IGNORED=1"};
  Result<Process> p = plan_exec_process(base_process(), o);
  REQUIRE(p);
  CHECK(p->args == std::vector<std::string>{"ls"});
  CHECK(p->env == std::vector<std::string>{"A=1"});
  CHECK(p->cwd == "/x");
  o.process_json.emplace(R"({"args": ["ls"], "cwd": "/", "user": {"uid": "x"}})");
  Result<Process> bad = plan_exec_process(base_process(), o);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().msg.find("--process") != std::string::npos);
  CHECK(bad.error().msg.find("user.uid") != std::string::npos);
}

TEST_CASE("ps: the header and the container's lines", "[exec]") {
  std::string out =
      "UID        PID  PPID  C STIME TTY          TIME CMD\n"
      "root         1     0  0 10:00 ?        00:00:01 /sbin/init\n"
      "root       120     1  0 10:00 ?        00:00:00 sleep 1000\n"
      "root      1200   120  0 10:00 ?        00:00:00 sh\n";
  Result<std::string> t = filter_ps_output(out, {120});
  REQUIRE(t);
  CHECK(*t == "UID        PID  PPID  C STIME TTY          TIME CMD\n"
              "root       120     1  0 10:00 ?        00:00:00 sleep 1000\n");
  Result<std::string> first = filter_ps_output("  PID COMMAND\n    7 sh\n   77 x\n", {7});
  REQUIRE(first);
  CHECK(*first == "  PID COMMAND\n    7 sh\n");
  CHECK_FALSE(filter_ps_output("USER COMMAND\nroot sh\n", {1}));
}
