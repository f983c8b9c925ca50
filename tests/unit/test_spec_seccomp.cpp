// linux.seccomp: the engines' default profiles, every field, every rule
// refused with the exact JSON path, the name tables, and hostile sizes.
#include <catch2/catch.hpp>

#include <cerrno>
#include <set>
#include <string>

#include "ocirun/json.hpp"
#include "ocirun/spec_seccomp.hpp"
#include "test_util.hpp"

using namespace ocirun;
using test::read_fixture;

namespace {

// Parses linux.seccomp of a whole config.json text.
Result<LinuxSeccomp> parse_config_seccomp(const std::string& text) {
  return test::parse_linux_section(text, "seccomp", parse_linux_seccomp);
}

// Parses `body` where config.json has it, so error paths read as the user
// will see them.
Result<LinuxSeccomp> parse_in_config(const std::string& body) {
  return parse_config_seccomp(R"({"ociVersion": "1.2.0", "linux": {"seccomp": )" + body + "}}");
}

LinuxSeccomp parse_ok(const std::string& body) { return test::value_of(parse_in_config(body), body); }

// The message of the error that `body` must give, after checking its code.
std::string error_of(const std::string& body) { return test::einval_message(parse_in_config(body), body); }

// A profile whose only rule is `rule`.
std::string with_rule(const std::string& rule) {
  return R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [)" + rule + "]}";
}

const SeccompSyscall* find_rule(const LinuxSeccomp& s, std::string_view name) {
  for (const SeccompSyscall& call : s.syscalls) {
    for (const std::string& n : call.names) {
      if (n == name) return &call;
    }
  }
  return nullptr;
}

}  // namespace

TEST_CASE("seccomp: Docker's default profile") {
  auto s = parse_config_seccomp(read_fixture("seccomp/docker-default.json"));
  if (!s) FAIL(s.error().msg);
  CHECK(s->default_action == SeccompAction::Errno);
  CHECK_FALSE(s->default_errno_ret);
  CHECK(s->architectures ==
        std::vector<SeccompArch>{SeccompArch::X86_64, SeccompArch::X86, SeccompArch::X32});
  CHECK_FALSE(s->flags);
  CHECK_FALSE(s->listener_path);
  CHECK(s->syscalls.size() == 12);
  std::size_t names = 0;
  for (const SeccompSyscall& call : s->syscalls) names += call.names.size();
  CHECK(names == 357);
  CHECK(s->syscalls[0].action == SeccompAction::Allow);
  CHECK(find_rule(*s, "read") != nullptr);
  CHECK(find_rule(*s, "arch_prctl") != nullptr);  // an amd64-only rule was kept
  CHECK(find_rule(*s, "mount") == nullptr);       // CAP_SYS_ADMIN only

  std::vector<std::uint64_t> personalities;
  for (const SeccompSyscall& call : s->syscalls) {
    if (call.names == std::vector<std::string>{"personality"}) {
      REQUIRE(call.args.size() == 1);
      CHECK(call.args[0].index == 0u);
      CHECK(call.args[0].op == SeccompOperator::Eq);
      personalities.push_back(call.args[0].value);
    }
  }
  CHECK(personalities == std::vector<std::uint64_t>{0, 8, 131072, 131080, 4294967295});

  const SeccompSyscall* clone = find_rule(*s, "clone");
  REQUIRE(clone != nullptr);
  CHECK(clone->action == SeccompAction::Allow);
  REQUIRE(clone->args.size() == 1);
  CHECK(clone->args[0].index == 0u);
  CHECK(clone->args[0].value == 2114060288u);  // the CLONE_NEW* flags
  CHECK(clone->args[0].value_two == 0u);
  CHECK(clone->args[0].op == SeccompOperator::MaskedEq);
}

TEST_CASE("seccomp: Podman's default profile") {
  auto s = parse_config_seccomp(read_fixture("seccomp/podman-default.json"));
  if (!s) FAIL(s.error().msg);
  CHECK(s->default_action == SeccompAction::Errno);
  CHECK(s->default_errno_ret == 38u);  // ENOSYS
  std::size_t names = 0;
  for (const SeccompSyscall& call : s->syscalls) names += call.names.size();
  CHECK(names == 437);
  CHECK(s->syscalls[0].action == SeccompAction::Errno);
  CHECK(s->syscalls[0].errno_ret == 1u);  // EPERM
  bool saw_socket_rule = false;
  for (const SeccompSyscall& call : s->syscalls) {
    if (call.names == std::vector<std::string>{"socket"} && call.action == SeccompAction::Errno) {
      saw_socket_rule = true;
      CHECK(call.errno_ret == 22u);  // EINVAL, for AF_NETLINK + NETLINK_AUDIT
      REQUIRE(call.args.size() == 2);
      CHECK(call.args[1].index == 2u);
      CHECK(call.args[1].value == 9u);
    }
  }
  CHECK(saw_socket_rule);
}

TEST_CASE("seccomp: every field") {
  LinuxSeccomp s = parse_ok(R"({
    "defaultAction": "SCMP_ACT_TRACE",
    "defaultErrnoRet": 1234,
    "architectures": ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64"],
    "flags": ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
              "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"],
    "listenerPath": "/run/seccomp-agent.sock",
    "listenerMetadata": "MKNOD=/dev/null,/dev/net/tun",
    "syscalls": [
      {"names": ["getcwd", "chmod"], "action": "SCMP_ACT_ERRNO", "errnoRet": 65535},
      {"names": ["mount"], "action": "SCMP_ACT_NOTIFY"},
      {"names": ["ioctl"], "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 1, "value": 21524, "op": "SCMP_CMP_NE"},
                {"index": 5, "value": 18446744073709551615, "valueTwo": 18446744073709551615,
                 "op": "SCMP_CMP_MASKED_EQ"}]},
      {"names": ["not_a_syscall_yet"], "action": "SCMP_ACT_LOG"}
    ]})");
  CHECK(s.default_action == SeccompAction::Trace);
  CHECK(s.default_errno_ret == 1234u);
  CHECK(s.architectures == std::vector<SeccompArch>{SeccompArch::Aarch64, SeccompArch::Arm,
                                                    SeccompArch::RiscV64, SeccompArch::LoongArch64});
  REQUIRE(s.flags);
  CHECK(*s.flags == std::vector<SeccompFlag>{SeccompFlag::Tsync, SeccompFlag::Log, SeccompFlag::SpecAllow,
                                             SeccompFlag::WaitKillableRecv});
  CHECK(s.listener_path == "/run/seccomp-agent.sock");
  CHECK(s.listener_metadata == "MKNOD=/dev/null,/dev/net/tun");
  REQUIRE(s.syscalls.size() == 4);
  CHECK(s.syscalls[0].names == std::vector<std::string>{"getcwd", "chmod"});
  CHECK(s.syscalls[0].action == SeccompAction::Errno);
  CHECK(s.syscalls[0].errno_ret == 65535u);
  CHECK(s.syscalls[0].args.empty());
  CHECK(s.syscalls[1].action == SeccompAction::Notify);
  CHECK_FALSE(s.syscalls[1].errno_ret);
  REQUIRE(s.syscalls[2].args.size() == 2);
  CHECK(s.syscalls[2].args[0].index == 1u);
  CHECK(s.syscalls[2].args[0].value == 21524u);
  CHECK(s.syscalls[2].args[0].value_two == 0u);
  CHECK(s.syscalls[2].args[0].op == SeccompOperator::Ne);
  CHECK(s.syscalls[2].args[1].index == 5u);
  CHECK(s.syscalls[2].args[1].value == UINT64_MAX);
  CHECK(s.syscalls[2].args[1].value_two == UINT64_MAX);
  CHECK(s.syscalls[2].args[1].op == SeccompOperator::MaskedEq);
  // An unknown syscall name is the filter builder's business, not an error.
  CHECK(s.syscalls[3].names == std::vector<std::string>{"not_a_syscall_yet"});
  CHECK(seccomp_uses_notify(s));
}

TEST_CASE("seccomp: the minimal profile and absent members") {
  LinuxSeccomp s = parse_ok(R"({"defaultAction": "SCMP_ACT_ALLOW"})");
  CHECK(s.default_action == SeccompAction::Allow);
  CHECK_FALSE(s.default_errno_ret);
  CHECK(s.architectures.empty());
  CHECK_FALSE(s.flags);
  CHECK_FALSE(s.listener_path);
  CHECK_FALSE(s.listener_metadata);
  CHECK(s.syscalls.empty());
  CHECK_FALSE(seccomp_uses_notify(s));

  // flags: [] is kept apart from absent; "" paths are Go's zero value.
  s = parse_ok(R"({"defaultAction": "SCMP_ACT_ALLOW", "flags": [], "listenerPath": "",
                   "listenerMetadata": "", "architectures": null, "syscalls": null, "future": 1})");
  REQUIRE(s.flags);
  CHECK(s.flags->empty());
  CHECK_FALSE(s.listener_path);
  CHECK_FALSE(s.listener_metadata);
}

TEST_CASE("seccomp: the name tables follow the spec") {
  const std::vector<std::string_view> actions{
      "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",
      "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY"};
  const std::vector<std::string_view> archs{
      "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
      "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
      "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390",
      "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",
      "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB"};
  const std::vector<std::string_view> flags{
      "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
      "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
  const std::vector<std::string_view> ops{"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
                                          "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};

  std::vector<std::string_view> got;
  for (SeccompAction a : all_seccomp_actions()) {
    got.push_back(seccomp_action_name(a));
    CHECK(seccomp_action_from_name(seccomp_action_name(a)) == a);
  }
  CHECK(got == actions);
  got.clear();
  for (SeccompArch a : all_seccomp_archs()) {
    got.push_back(seccomp_arch_name(a));
    CHECK(seccomp_arch_from_name(seccomp_arch_name(a)) == a);
  }
  CHECK(got == archs);
  got.clear();
  for (SeccompFlag f : all_seccomp_flags()) {
    got.push_back(seccomp_flag_name(f));
    CHECK(seccomp_flag_from_name(seccomp_flag_name(f)) == f);
  }
  CHECK(got == flags);
  got.clear();
  for (SeccompOperator op : all_seccomp_operators()) {
    got.push_back(seccomp_operator_name(op));
    CHECK(seccomp_operator_from_name(seccomp_operator_name(op)) == op);
  }
  CHECK(got == ops);

  CHECK_FALSE(seccomp_action_from_name("scmp_act_allow"));
  CHECK_FALSE(seccomp_action_from_name("SCMP_ACT_ALLOW "));
  CHECK_FALSE(seccomp_arch_from_name("SCMP_ARCH_NATIVE"));
  CHECK_FALSE(seccomp_flag_from_name("SECCOMP_FILTER_FLAG_NEW_LISTENER"));
  CHECK_FALSE(seccomp_operator_from_name(""));
  CHECK(seccomp_action_takes_errno(SeccompAction::Errno));
  CHECK(seccomp_action_takes_errno(SeccompAction::Trace));
  CHECK_FALSE(seccomp_action_takes_errno(SeccompAction::Allow));
}

TEST_CASE("seccomp: defaultAction") {
  CHECK(error_of("[]") == "linux.seccomp: expected object, got array");
  CHECK(error_of("{}") == "linux.seccomp.defaultAction: required field is missing");
  CHECK(error_of(R"({"defaultAction": null})") == "linux.seccomp.defaultAction: required field is missing");
  CHECK(error_of(R"({"defaultAction": 1})") == "linux.seccomp.defaultAction: expected string, got number");
  CHECK(error_of(R"({"defaultAction": "SCMP_ACT_FOO"})") ==
        R"(linux.seccomp.defaultAction: unknown seccomp action "SCMP_ACT_FOO")");
  CHECK(error_of(R"({"defaultAction": "SCMP_ACT_\n"})") ==
        R"(linux.seccomp.defaultAction: unknown seccomp action "SCMP_ACT_\n")");
}

TEST_CASE("seccomp: an errno only goes with SCMP_ACT_ERRNO or SCMP_ACT_TRACE") {
  for (std::string_view name : {"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
                                "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY"}) {
    std::string n(name);
    CHECK(error_of(R"({"defaultAction": ")" + n + R"(", "defaultErrnoRet": 1, "listenerPath": "/a"})") ==
          "linux.seccomp.defaultErrnoRet: not allowed with " + n + " (only with SCMP_ACT_ERRNO or SCMP_ACT_TRACE)");
    CHECK(error_of(with_rule(R"({"names": ["read"], "action": ")" + n + R"(", "errnoRet": 1})")) ==
          "linux.seccomp.syscalls[0].errnoRet: not allowed with " + n +
              " (only with SCMP_ACT_ERRNO or SCMP_ACT_TRACE)");
  }
  CHECK(parse_ok(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 0})").default_errno_ret == 0u);
  CHECK(parse_ok(with_rule(R"({"names": ["read"], "action": "SCMP_ACT_TRACE", "errnoRet": 38})"))
            .syscalls[0]
            .errno_ret == 38u);
}

TEST_CASE("seccomp: an errno fits the 16 bits the kernel keeps") {
  CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 65536})") ==
        "linux.seccomp.defaultErrnoRet: 65536 is out of range (0 to 65535)");
  CHECK(error_of(with_rule(R"({"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 70000})")) ==
        "linux.seccomp.syscalls[0].errnoRet: 70000 is out of range (0 to 65535)");
  CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": -1})") ==
        "linux.seccomp.defaultErrnoRet: expected a non-negative integer");
  CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 4294967296})") ==
        "linux.seccomp.defaultErrnoRet: integer out of range for 32 bits");
  CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1.5})") ==
        "linux.seccomp.defaultErrnoRet: expected integer, got a fraction");
  CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": "EPERM"})") ==
        "linux.seccomp.defaultErrnoRet: expected number, got string");
}

TEST_CASE("seccomp: architectures and flags") {
  CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86", "SCMP_ARCH_FOO"]})") ==
        R"(linux.seccomp.architectures[1]: unknown seccomp architecture "SCMP_ARCH_FOO")");
  CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "architectures": [3]})") ==
        "linux.seccomp.architectures[0]: expected string, got number");
  CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "architectures": "SCMP_ARCH_X86"})") ==
        "linux.seccomp.architectures: expected array, got string");
  CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_NEW_LISTENER"]})") ==
        R"(linux.seccomp.flags[0]: unknown seccomp flag "SECCOMP_FILTER_FLAG_NEW_LISTENER")");
  CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "flags": {}})") ==
        "linux.seccomp.flags: expected array, got object");
}

TEST_CASE("seccomp: listenerPath and listenerMetadata") {
  CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "run/agent.sock"})") ==
        R"(linux.seccomp.listenerPath: must be an absolute path, got "run/agent.sock")");
  CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": 1})") ==
        "linux.seccomp.listenerPath: expected string, got number");
  CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "listenerMetadata": "x"})") ==
        "linux.seccomp.listenerMetadata: must not be set without listenerPath");
  CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "", "listenerMetadata": "x"})") ==
        "linux.seccomp.listenerMetadata: must not be set without listenerPath");
  // A listener without any notify rule is ignored, as the spec says.
  CHECK(parse_ok(R"({"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/a"})").listener_path == "/a");
}

TEST_CASE("seccomp: SCMP_ACT_NOTIFY needs a listenerPath") {
  CHECK(error_of(R"({"defaultAction": "SCMP_ACT_NOTIFY"})") ==
        "linux.seccomp.listenerPath: required, since defaultAction is SCMP_ACT_NOTIFY");
  std::string rules;
  for (int i = 0; i < 13; i++) {
    if (i) rules += ',';
    rules += R"({"names": ["n)" + std::to_string(i) + R"("], "action": ")" +
             (i == 12 ? "SCMP_ACT_NOTIFY" : "SCMP_ACT_ALLOW") + "\"}";
  }
  CHECK(error_of(with_rule(rules)) == "linux.seccomp.listenerPath: required, since syscalls[12].action is SCMP_ACT_NOTIFY");
}

TEST_CASE("seccomp: syscalls names and action") {
  CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": {}})") ==
        "linux.seccomp.syscalls: expected array, got object");
  CHECK(error_of(with_rule("7")) == "linux.seccomp.syscalls[0]: expected object, got number");
  CHECK(error_of(with_rule(R"({"action": "SCMP_ACT_ALLOW"})")) ==
        "linux.seccomp.syscalls[0].names: required field is missing");
  CHECK(error_of(with_rule(R"({"names": "read", "action": "SCMP_ACT_ALLOW"})")) ==
        "linux.seccomp.syscalls[0].names: expected array, got string");
  CHECK(error_of(with_rule(R"({"names": [], "action": "SCMP_ACT_ALLOW"})")) ==
        "linux.seccomp.syscalls[0].names: must contain at least one syscall name");
  CHECK(error_of(with_rule(R"({"names": ["read", ""], "action": "SCMP_ACT_ALLOW"})")) ==
        "linux.seccomp.syscalls[0].names[1]: empty syscall name");
  CHECK(error_of(with_rule(R"({"names": ["read", 0], "action": "SCMP_ACT_ALLOW"})")) ==
        "linux.seccomp.syscalls[0].names[1]: expected string, got number");
  CHECK(error_of(with_rule(R"({"names": ["read\u0000write"], "action": "SCMP_ACT_ALLOW"})")) ==
        "linux.seccomp.syscalls[0].names[0]: string contains a NUL byte");
  CHECK(error_of(with_rule(R"({"names": ["read"]})")) == "linux.seccomp.syscalls[0].action: required field is missing");

  // The brief's example: the twelfth rule's action, named by its index.
  std::string rules;
  for (int i = 0; i < 13; i++) {
    if (i) rules += ',';
    rules += R"({"names": ["read"], "action": ")" + std::string(i == 12 ? "SCMP_ACT_FOO" : "SCMP_ACT_ALLOW") + "\"}";
  }
  CHECK(error_of(with_rule(rules)) == R"(linux.seccomp.syscalls[12].action: unknown seccomp action "SCMP_ACT_FOO")");
}

TEST_CASE("seccomp: syscall args") {
  auto arg_error = [](const std::string& arg) {
    return error_of(with_rule(R"({"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [)" + arg + "]}"));
  };
  const std::string path = "linux.seccomp.syscalls[0].args[0]";
  CHECK(arg_error(R"({"index": 6, "value": 0, "op": "SCMP_CMP_EQ"})") == path + ".index: 6 is out of range (0 to 5)");
  CHECK(arg_error(R"({"index": -1, "value": 0, "op": "SCMP_CMP_EQ"})") ==
        path + ".index: expected a non-negative integer");
  CHECK(arg_error(R"({"value": 0, "op": "SCMP_CMP_EQ"})") == path + ".index: required field is missing");
  CHECK(arg_error(R"({"index": 0, "op": "SCMP_CMP_EQ"})") == path + ".value: required field is missing");
  CHECK(arg_error(R"({"index": 0, "value": -1, "op": "SCMP_CMP_EQ"})") == path + ".value: expected a non-negative integer");
  CHECK(arg_error(R"({"index": 0, "value": 18446744073709551616, "op": "SCMP_CMP_EQ"})") ==
        path + ".value: integer out of range");
  CHECK(arg_error(R"({"index": 0, "value": 0.5, "op": "SCMP_CMP_EQ"})") == path + ".value: expected integer, got a fraction");
  CHECK(arg_error(R"({"index": 0, "value": 0, "valueTwo": -1, "op": "SCMP_CMP_EQ"})") ==
        path + ".valueTwo: expected a non-negative integer");
  CHECK(arg_error(R"({"index": 0, "value": 0})") == path + ".op: required field is missing");
  CHECK(arg_error(R"({"index": 0, "value": 0, "op": "SCMP_CMP_FOO"})") ==
        path + R"(.op: unknown seccomp operator "SCMP_CMP_FOO")");
  CHECK(arg_error("[]") == path + ": expected object, got array");
  CHECK(error_of(with_rule(R"({"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": {}})")) ==
        "linux.seccomp.syscalls[0].args: expected array, got object");
}

TEST_CASE("seccomp: keys match as Go matches them, as in the rest of config.json") {
  // runc (Go's encoding/json) reads "DefaultAction" as defaultAction.
  LinuxSeccomp s = parse_ok(R"({"DefaultAction": "SCMP_ACT_ERRNO", "defaulterrnoret": 1,
                               "Architectures": ["SCMP_ARCH_X86_64"], "FLAGS": ["SECCOMP_FILTER_FLAG_LOG"],
                               "ListenerPath": "/run/l.sock", "ListenerMetadata": "m",
                               "Syscalls": [{"Names": ["read"], "Action": "SCMP_ACT_ERRNO", "ErrnoRet": 2,
                                             "Args": [{"Index": 1, "Value": 2, "ValueTwo": 3, "Op": "SCMP_CMP_EQ"}]}]})");
  CHECK(s.default_action == SeccompAction::Errno);
  CHECK(s.default_errno_ret == 1u);
  CHECK(s.architectures == std::vector<SeccompArch>{SeccompArch::X86_64});
  CHECK(s.flags == std::vector<SeccompFlag>{SeccompFlag::Log});
  CHECK(s.listener_path == "/run/l.sock");
  CHECK(s.listener_metadata == "m");
  REQUIRE(s.syscalls.size() == 1);
  CHECK(s.syscalls[0].names == std::vector<std::string>{"read"});
  CHECK(s.syscalls[0].errno_ret == 2u);
  REQUIRE(s.syscalls[0].args.size() == 1);
  CHECK(s.syscalls[0].args[0].index == 1u);
  CHECK(s.syscalls[0].args[0].value_two == 3u);
  // LONG S folds to s, as in Go.
  CHECK(parse_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"\xc5\xbf" "yscalls\": [{\"names\": [\"read\"], "
                 "\"action\": \"SCMP_ACT_LOG\"}]}")
            .syscalls.size() == 1);
  // Errors show the key as written.
  CHECK(error_of(R"({"DefaultAction": "SCMP_ACT_FOO"})") ==
        R"(linux.seccomp.DefaultAction: unknown seccomp action "SCMP_ACT_FOO")");
  // Values are not keys: they stay exact.
  CHECK(error_of(R"({"defaultAction": "scmp_act_allow"})") ==
        R"(linux.seccomp.defaultAction: unknown seccomp action "scmp_act_allow")");
}

TEST_CASE("seccomp: a known key given twice is refused, in one spelling or two") {
  CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "defaultAction": "SCMP_ACT_KILL"})") ==
        "linux.seccomp.defaultAction: duplicate key");
  CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "DefaultAction": "SCMP_ACT_KILL"})") ==
        R"(linux.seccomp.defaultAction: duplicate key (given as "defaultAction" and "DefaultAction"))");
  CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [], "syscalls": []})") ==
        "linux.seccomp.syscalls: duplicate key");
  CHECK(error_of(with_rule(R"({"names": ["read"], "action": "SCMP_ACT_ALLOW", "action": "SCMP_ACT_KILL"})")) ==
        "linux.seccomp.syscalls[0].action: duplicate key");
  CHECK(error_of(with_rule(R"({"names": ["read"], "Names": ["write"], "action": "SCMP_ACT_ALLOW"})")) ==
        R"(linux.seccomp.syscalls[0].names: duplicate key (given as "names" and "Names"))");
  CHECK(error_of(with_rule(R"({"names": ["read"], "action": "SCMP_ACT_ALLOW",
                               "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ", "value": 2}]})")) ==
        "linux.seccomp.syscalls[0].args[0].value: duplicate key");
  // Unknown keys may repeat: they are ignored anyway (Docker's profiles
  // carry "comment" and "includes").
  CHECK(parse_ok(R"({"defaultAction": "SCMP_ACT_ALLOW", "comment": "a", "comment": "b"})").default_action ==
        SeccompAction::Allow);
}

TEST_CASE("seccomp: 100k syscall names") {
  // One rule with 100k names, then 100k rules of one name each: both should
  // take milliseconds, so a quadratic step would show as seconds.
  std::string names;
  for (int i = 0; i < 100000; i++) {
    if (i) names += ',';
    names += "\"syscall_name_" + std::to_string(i) + "\"";
  }
  std::string one_rule = with_rule(R"({"names": [)" + names + R"(], "action": "SCMP_ACT_ALLOW"})");
  std::string many_rules;
  for (int i = 0; i < 100000; i++) {
    if (i) many_rules += ',';
    many_rules += R"({"names": ["s)" + std::to_string(i) + R"("], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
                      "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]})";
  }
  many_rules = with_rule(many_rules);

  LinuxSeccomp a = parse_ok(one_rule);
  LinuxSeccomp b = parse_ok(many_rules);
  REQUIRE(a.syscalls.size() == 1);
  CHECK(a.syscalls[0].names.size() == 100000);
  CHECK(a.syscalls[0].names[99999] == "syscall_name_99999");
  CHECK(b.syscalls.size() == 100000);
}
