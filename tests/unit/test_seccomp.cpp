// linux.seccomp applied: the plan (names, actions, errnos, operators,
// flags, skipped rules), the compiled program for the engines' default
// profiles, and programs loaded in a child process that then makes the
// syscalls (no root needed: the child sets no_new_privs first).
#include <catch2/catch.hpp>

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <set>
#include <string>

#include "ocirun/json.hpp"
#include "ocirun/seccomp.hpp"
#include "test_util.hpp"

using namespace ocirun;
using test::read_fixture;

namespace {

LinuxSeccomp parse_fixture(const std::string& rel) {
  return test::value_of(test::parse_linux_section(read_fixture(rel), "seccomp", parse_linux_seccomp), rel);
}

LinuxSeccomp parse_body(const std::string& body) {
  std::string text = R"({"ociVersion": "1.2.0", "linux": {"seccomp": )" + body + "}}";
  return test::value_of(test::parse_linux_section(text, "seccomp", parse_linux_seccomp), body);
}

SeccompSyscall rule(std::string name, SeccompAction a, std::optional<std::uint16_t> e = std::nullopt) {
  SeccompSyscall s;
  s.names = {std::move(name)};
  s.action = a;
  s.errno_ret = e;
  return s;
}

// Runs `body` in a child under `prog` (no_new_privs set); the child's exit
// status is body's return value, 255 if the filter failed to load.
template <typename F>
int in_child_under(const SeccompProgram& prog, F body) {
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) ::_exit(255);
    if (!load_seccomp(prog)) ::_exit(255);
    ::_exit(body());
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  if (WIFSIGNALED(status)) return 1000 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

SeccompProgram compile_ok(const LinuxSeccomp& s) {
  SeccompPlan plan = test::value_of(plan_seccomp(s));
  return test::value_of(compile_seccomp(plan));
}

}  // namespace

TEST_CASE("seccomp plan: actions and their errnos") {
  CHECK(seccomp_action_value(SeccompAction::Errno, std::nullopt) == SCMP_ACT_ERRNO(EPERM));
  CHECK(seccomp_action_value(SeccompAction::Errno, 38) == SCMP_ACT_ERRNO(38));
  CHECK(seccomp_action_value(SeccompAction::Trace, std::nullopt) == SCMP_ACT_TRACE(EPERM));
  CHECK(seccomp_action_value(SeccompAction::Trace, 7) == SCMP_ACT_TRACE(7));
  CHECK(seccomp_action_value(SeccompAction::Kill, std::nullopt) == SCMP_ACT_KILL);
  CHECK(seccomp_action_value(SeccompAction::KillThread, std::nullopt) == SCMP_ACT_KILL_THREAD);
  CHECK(seccomp_action_value(SeccompAction::KillProcess, std::nullopt) == SCMP_ACT_KILL_PROCESS);
  CHECK(seccomp_action_value(SeccompAction::Trap, std::nullopt) == SCMP_ACT_TRAP);
  CHECK(seccomp_action_value(SeccompAction::Allow, std::nullopt) == SCMP_ACT_ALLOW);
  CHECK(seccomp_action_value(SeccompAction::Log, std::nullopt) == SCMP_ACT_LOG);
  CHECK(seccomp_action_value(SeccompAction::Notify, std::nullopt) == SCMP_ACT_NOTIFY);
}

TEST_CASE("seccomp plan: names, unknown names skipped, default-action rules dropped") {
  LinuxSeccomp s;
  s.default_action = SeccompAction::Allow;
  s.default_errno_ret = std::nullopt;
  SeccompSyscall r = rule("mkdir", SeccompAction::Errno, 18);
  r.names.push_back("no_such_syscall_at_all");
  r.names.push_back("socketcall");  // not on x86_64: a pseudo-number, kept
  s.syscalls.push_back(r);
  s.syscalls.push_back(rule("getpid", SeccompAction::Allow));  // = default: dropped
  SeccompPlan p = test::value_of(plan_seccomp(s));
  REQUIRE(p.rules.size() == 2);
  CHECK(p.rules[0].name == "mkdir");
  CHECK(p.rules[0].nr == seccomp_syscall_resolve_name("mkdir"));
  CHECK(p.rules[0].action == SCMP_ACT_ERRNO(18));
  CHECK(p.rules[1].name == "socketcall");
  REQUIRE(p.debug.size() == 2);
  CHECK(p.debug[0].find("`no_such_syscall_at_all` unknown to libseccomp") != std::string::npos);
  CHECK(p.debug[0].find("linux.seccomp.syscalls[0]") == 0);
  CHECK(p.debug[1] == "linux.seccomp.syscalls[1]: skipped, its action is the default action");
  // The program still compiles: the pseudo-number is libseccomp's to map.
  CHECK_FALSE(compile_ok(s).code.empty());
}

TEST_CASE("seccomp plan: operators, and one argument compared twice") {
  LinuxSeccomp s = parse_body(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
    {"names": ["personality"], "action": "SCMP_ACT_ERRNO",
     "args": [{"index": 0, "value": 5, "op": "SCMP_CMP_GE"}, {"index": 0, "value": 10, "op": "SCMP_CMP_LE"}]},
    {"names": ["clone"], "action": "SCMP_ACT_ERRNO",
     "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"},
              {"index": 1, "value": 3, "op": "SCMP_CMP_NE"}]}]})");
  SeccompPlan p = test::value_of(plan_seccomp(s));
  REQUIRE(p.rules.size() == 3);
  // libseccomp cannot AND two comparisons of one argument: one rule each.
  CHECK(p.rules[0].args.size() == 1);
  CHECK(p.rules[0].args[0].op == SCMP_CMP_GE);
  CHECK(p.rules[1].args[0].op == SCMP_CMP_LE);
  CHECK(p.rules[1].args[0].a == 10);
  REQUIRE(p.rules[2].args.size() == 2);
  CHECK(p.rules[2].args[0].op == SCMP_CMP_MASKED_EQ);
  CHECK(p.rules[2].args[0].a == 2114060288);
  CHECK(p.rules[2].args[0].b == 0);
  CHECK(p.rules[2].args[1].op == SCMP_CMP_NE);
  CHECK(p.rules[2].args[1].index == 1);
  CHECK_FALSE(compile_ok(s).code.empty());
  // Every operator maps to a distinct libseccomp one.
  std::set<int> ops;
  for (SeccompOperator op : all_seccomp_operators()) {
    LinuxSeccomp one;
    SeccompSyscall r = rule("mkdir", SeccompAction::Errno);
    r.args.push_back({1, 0700, 0, op});
    one.syscalls.push_back(r);
    SeccompPlan pl = test::value_of(plan_seccomp(one));
    ops.insert(pl.rules.at(0).args.at(0).op);
  }
  CHECK(ops == std::set<int>{SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT,
                             SCMP_CMP_MASKED_EQ});
}

TEST_CASE("seccomp plan: flags and architectures") {
  LinuxSeccomp s = parse_body(R"({"defaultAction": "SCMP_ACT_ALLOW",
    "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
    "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]})");
  SeccompPlan p = test::value_of(plan_seccomp(s));
  CHECK(p.flags == (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW));
  CHECK(p.arches == std::vector<std::uint32_t>{SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32});
  REQUIRE(p.debug.size() == 1);
  CHECK(p.debug[0].find("WAIT_KILLABLE_RECV ignored") != std::string::npos);

  LinuxSeccomp n = parse_body(R"({"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/l.sock",
    "flags": ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", "SECCOMP_FILTER_FLAG_TSYNC"],
    "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]})");
  SeccompPlan pn = test::value_of(plan_seccomp(n));
  CHECK(pn.notify);
  CHECK(pn.flags == (SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_TSYNC |
                     SECCOMP_FILTER_FLAG_TSYNC_ESRCH));

  LinuxSeccomp bad = parse_body(R"({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_M68K"]})");
  Result<SeccompPlan> r = plan_seccomp(bad);
  REQUIRE_FALSE(r);
  CHECK(r.error().msg == "linux.seccomp.architectures[0]: SCMP_ARCH_M68K is not supported by this build's libseccomp");
}

TEST_CASE("seccomp plan: notify that would deadlock the init is refused") {
  LinuxSeccomp s = parse_body(R"({"defaultAction": "SCMP_ACT_NOTIFY", "listenerPath": "/run/l.sock"})");
  Result<SeccompPlan> r = plan_seccomp(s);
  REQUIRE_FALSE(r);
  CHECK(r.error().msg.find("linux.seccomp.defaultAction: SCMP_ACT_NOTIFY") == 0);
  LinuxSeccomp t = parse_body(R"({"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/l.sock",
    "syscalls": [{"names": ["mkdir", "sendmsg"], "action": "SCMP_ACT_NOTIFY"}]})");
  Result<SeccompPlan> rt = plan_seccomp(t);
  REQUIRE_FALSE(rt);
  CHECK(rt.error().msg.find("linux.seccomp.syscalls[0]: SCMP_ACT_NOTIFY on `sendmsg`") == 0);
}

TEST_CASE("seccomp: the engines' default profiles compile") {
  for (const char* f : {"seccomp/docker-default.json", "seccomp/podman-default.json"}) {
    INFO(f);
    LinuxSeccomp s = parse_fixture(f);
    SeccompPlan p = test::value_of(plan_seccomp(s));
    CHECK(p.rules.size() > 300);
    SeccompProgram prog = test::value_of(compile_seccomp(p));
    CHECK(prog.code.size() > 100);
    CHECK_FALSE(prog.notify);
  }
}

TEST_CASE("seccomp: a loaded program denies with the configured errno and allows the rest") {
  LinuxSeccomp s = parse_body(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
    {"names": ["mkdirat", "mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18},
    {"names": ["getpriority"], "action": "SCMP_ACT_ERRNO"},
    {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
     "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
    {"names": ["flock"], "action": "SCMP_ACT_ERRNO", "errnoRet": 33,
     "args": [{"index": 1, "value": 4, "valueTwo": 4, "op": "SCMP_CMP_MASKED_EQ"}]},
    {"names": ["getppid"], "action": "SCMP_ACT_KILL_PROCESS"}]})");
  SeccompProgram prog = compile_ok(s);
  CHECK(in_child_under(prog, [] { return ::mkdir("/nonexistent/x", 0700) < 0 && errno == 18 ? 0 : 1; }) == 0);
  CHECK(in_child_under(prog, [] {
          errno = 0;
          return ::syscall(SYS_getpriority, 0, 0) < 0 && errno == EPERM ? 0 : 1;
        }) == 0);
  // SCMP_CMP_EQ on the argument: 8 is denied, 0xffffffff (query) is not.
  CHECK(in_child_under(prog, [] { return ::syscall(SYS_personality, 8) < 0 && errno == 22 ? 0 : 1; }) == 0);
  CHECK(in_child_under(prog, [] { return ::syscall(SYS_personality, 0xffffffff) >= 0 ? 0 : 1; }) == 0);
  // MASKED_EQ: LOCK_NB (4) in the operation is denied, LOCK_UN (8) alone is not.
  CHECK(in_child_under(prog, [] { return ::syscall(SYS_flock, 0, 4 | 2) < 0 && errno == 33 ? 0 : 1; }) == 0);
  CHECK(in_child_under(prog, [] { return ::syscall(SYS_flock, 999, 8) < 0 && errno == EBADF ? 0 : 1; }) == 0);
  CHECK(in_child_under(prog, [] { return ::getpid() > 0 ? 0 : 1; }) == 0);
  CHECK(in_child_under(prog, [] { return static_cast<int>(::syscall(SYS_getppid)) > 0 ? 0 : 1; }) == 1000 + SIGSYS);
}

TEST_CASE("seccomp: the default action with its errno") {
  LinuxSeccomp s = parse_body(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38, "syscalls": [
    {"names": ["exit_group", "exit", "getpid"], "action": "SCMP_ACT_ALLOW"}]})");
  SeccompProgram prog = compile_ok(s);
  CHECK(in_child_under(prog, [] { return ::syscall(SYS_getppid) < 0 && errno == 38 ? 0 : 1; }) == 0);
  CHECK(in_child_under(prog, [] { return ::syscall(SYS_getpid) > 0 ? 0 : 1; }) == 0);
}

TEST_CASE("seccomp: the process state sent to a listener") {
  ContainerState st;
  st.oci_version = "1.3.0";
  st.id = "c1";
  st.pid = 4422;
  st.bundle = "/b";
  std::string text = seccomp_process_state_json(st, Status::Creating, "meta=1");
  json::Document doc = test::value_of(json::Document::parse(text));
  auto member = [](const json::Node& n, const char* key) {
    std::optional<json::Node> v = n.find(key);
    INFO(key);
    REQUIRE(v);
    return *v;
  };
  auto str = [&](const json::Node& n, const char* key) {
    return std::string(test::value_of(member(n, key).string()));
  };
  json::Node root = doc.root();
  CHECK(str(root, "ociVersion") == "1.3.0");
  CHECK(test::value_of(member(root, "pid").int64()) == 4422);
  CHECK(str(root, "metadata") == "meta=1");
  json::Node fds = member(root, "fds");
  REQUIRE(fds.size() == 1);
  CHECK(std::string(test::value_of(fds.at(0).string())) == "seccompFd");
  json::Node state = member(root, "state");
  CHECK(str(state, "status") == "creating");
  CHECK(str(state, "id") == "c1");
  // Without metadata, no member.
  CHECK(seccomp_process_state_json(st, Status::Created, "").find("metadata") == std::string::npos);
}
