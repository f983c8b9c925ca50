// The config.json model: every field parsed, every validation rule (one test
// each, checking the exact message, which starts with the JSON path, and
// EINVAL), and hostile inputs, generated here rather than kept as fixtures.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>

#include "ocirun/capabilities.hpp"
#include "ocirun/spec.hpp"
#include "test_util.hpp"

using namespace ocirun;
using test::repeat;

namespace {

// A config of tests/fixtures/config/.
std::string read_config_fixture(const std::string& name) { return test::read_fixture("config/" + name); }

// A minimal valid config with `extra` added as top-level members.
std::string config(std::string_view extra = "") {
  std::string s = R"({"ociVersion":"1.3.0","root":{"path":"rootfs"})";
  if (!extra.empty()) {
    s += ',';
    s += extra;
  }
  s += '}';
  return s;
}

// A config whose process has cwd "/" and args ["sh"], plus `members`.
std::string with_process(std::string_view members, std::string_view extra = "") {
  std::string p = R"("process":{"cwd":"/","args":["sh"])";
  if (!members.empty()) {
    p += ',';
    p += members;
  }
  p += '}';
  if (!extra.empty()) {
    p += ',';
    p += extra;
  }
  return config(p);
}

// A config with `members` in "linux", plus `extra` top-level members.
std::string with_linux(std::string_view members, std::string_view extra = "") {
  std::string l = "\"linux\":{" + std::string(members) + "}";
  if (!extra.empty()) {
    l += ',';
    l += extra;
  }
  return config(l);
}

Spec parse_ok(const std::string& text) { return test::value_of(parse_spec(text)); }

std::string parse_error(const std::string& text) { return test::einval_message(parse_spec(text)); }

}  // namespace

// ======================= valid configs =======================

TEST_CASE("spec: a minimal config", "[spec]") {
  Spec s = parse_ok(read_config_fixture("minimal.json"));
  CHECK(s.oci_version == "1.0.0");
  CHECK(s.root.path == "rootfs");
  CHECK_FALSE(s.root.readonly);
  CHECK(s.mounts.empty());
  CHECK_FALSE(s.process.has_value());
  CHECK(s.hostname.empty());
  CHECK(s.annotations.empty());
  CHECK(s.hooks.prestart.empty());
  CHECK(s.linux.namespaces.empty());
  CHECK_FALSE(s.linux.resources.has_value());
  CHECK_FALSE(s.linux.seccomp.has_value());
  CHECK_FALSE(s.linux.rootfs_propagation.has_value());
}

TEST_CASE("spec: the full fixture, every field", "[spec]") {
  Spec s = parse_ok(read_config_fixture("full.json"));
  CHECK(s.oci_version == "1.3.0");
  CHECK(s.root.path == "rootfs");
  CHECK(s.root.readonly);

  REQUIRE(s.mounts.size() == 3);
  CHECK(s.mounts[0].destination == "/proc");
  CHECK(s.mounts[0].type == "proc");
  CHECK(s.mounts[0].source == "proc");
  CHECK(s.mounts[0].options.empty());
  CHECK(s.mounts[1].options == std::vector<std::string>{"nosuid", "strictatime", "mode=755", "size=65536k"});
  CHECK(s.mounts[2].destination == "/data");  // relative: "relative to /"
  CHECK(s.mounts[2].type == "none");
  CHECK(s.mounts[2].source == "/volumes/testing");
  CHECK(s.mounts[2].options == std::vector<std::string>{"rbind", "rw", "idmap"});
  REQUIRE(s.mounts[2].uid_mappings.size() == 1);
  CHECK(s.mounts[2].uid_mappings[0].container_id == 0);
  CHECK(s.mounts[2].uid_mappings[0].host_id == 1000);
  CHECK(s.mounts[2].uid_mappings[0].size == 10);
  REQUIRE(s.mounts[2].gid_mappings.size() == 1);
  CHECK(s.mounts[2].gid_mappings[0].host_id == 2000);
  CHECK(s.mounts[2].gid_mappings[0].size == 20);

  REQUIRE(s.process.has_value());
  const Process& p = *s.process;
  CHECK(p.terminal);
  REQUIRE(p.console_size.has_value());
  CHECK(p.console_size->height == 25);
  CHECK(p.console_size->width == 80);
  CHECK(p.user.uid == 1);
  CHECK(p.user.gid == 2);
  CHECK(p.user.umask == 18u);
  CHECK(p.user.additional_gids == std::vector<std::uint32_t>{5, 6});
  CHECK(p.args == std::vector<std::string>{"sh", "-c", "echo hi"});
  CHECK(p.env == std::vector<std::string>{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                          "TERM=xterm", "EMPTY="});
  CHECK(p.cwd == "/root");
  REQUIRE(p.capabilities.has_value());
  const std::uint64_t audit = std::uint64_t{1} << 29, kill = std::uint64_t{1} << 5, bind = std::uint64_t{1} << 10;
  CHECK(p.capabilities->bounding.bits == (audit | kill | bind));
  CHECK(p.capabilities->permitted.bits == (audit | kill | bind));
  CHECK(p.capabilities->inheritable.bits == bind);
  CHECK(p.capabilities->effective.bits == (audit | kill));
  CHECK(p.capabilities->ambient.bits == bind);
  CHECK(p.capabilities->effective.has(5));
  CHECK_FALSE(p.capabilities->effective.has(10));
  REQUIRE(p.rlimits.size() == 2);
  CHECK(p.rlimits[0].type == RlimitType::Core);
  CHECK(static_cast<int>(p.rlimits[0].type) == RLIMIT_CORE);
  CHECK(p.rlimits[0].soft == 512);
  CHECK(p.rlimits[0].hard == 1024);
  CHECK(p.rlimits[1].type == RlimitType::Nofile);
  CHECK(p.rlimits[1].hard == RLIM_INFINITY);
  CHECK(std::string(rlimit_name(p.rlimits[1].type)) == "RLIMIT_NOFILE");
  CHECK(p.apparmor_profile == "acme_secure_profile");
  CHECK(p.selinux_label == "system_u:system_r:svirt_lxc_net_t:s0:c124,c675");
  CHECK(p.no_new_privileges);
  CHECK(p.oom_score_adj == -500);
  REQUIRE(p.scheduler.has_value());
  CHECK(p.scheduler->policy == SchedulerPolicy::Deadline);
  CHECK(p.scheduler->nice == -5);
  CHECK(p.scheduler->priority == 0);
  CHECK(p.scheduler->flags == (kSchedFlagResetOnFork | kSchedFlagReclaim));
  CHECK(p.scheduler->runtime == 10000000);
  CHECK(p.scheduler->deadline == 30000000);
  CHECK(p.scheduler->period == 100000000);
  REQUIRE(p.io_priority.has_value());
  CHECK(p.io_priority->io_class == IoPriorityClass::Idle);
  CHECK(p.io_priority->priority == 4);
  REQUIRE(p.exec_cpu_affinity.has_value());
  REQUIRE(p.exec_cpu_affinity->initial.size() == 1);
  CHECK(p.exec_cpu_affinity->initial[0].first == 7);
  CHECK(p.exec_cpu_affinity->initial[0].last == 7);
  REQUIRE(p.exec_cpu_affinity->final.size() == 2);
  CHECK(p.exec_cpu_affinity->final[0].first == 0);
  CHECK(p.exec_cpu_affinity->final[0].last == 3);
  CHECK(p.exec_cpu_affinity->final[1].first == 7);

  CHECK(s.hostname == "slartibartfast");
  CHECK(s.domainname == "foobarbaz.test");

  REQUIRE(s.hooks.prestart.size() == 2);
  CHECK(s.hooks.prestart[0].path == "/usr/bin/fix-mounts");
  CHECK(s.hooks.prestart[0].args == std::vector<std::string>{"fix-mounts", "arg1", "arg2"});
  CHECK(s.hooks.prestart[0].env == std::vector<std::string>{"key1=value1"});
  CHECK_FALSE(s.hooks.prestart[0].timeout.has_value());
  CHECK(s.hooks.prestart[1].path == "/usr/bin/setup-network");
  REQUIRE(s.hooks.create_runtime.size() == 1);
  CHECK(s.hooks.create_runtime[0].path == "/usr/bin/create-runtime");
  REQUIRE(s.hooks.create_container.size() == 1);
  CHECK(s.hooks.create_container[0].env == std::vector<std::string>{"A=2"});
  REQUIRE(s.hooks.start_container.size() == 1);
  CHECK(s.hooks.start_container[0].path == "/usr/bin/refresh-ldcache");
  REQUIRE(s.hooks.poststart.size() == 1);
  CHECK(s.hooks.poststart[0].timeout == 5);
  REQUIRE(s.hooks.poststop.size() == 1);
  CHECK(s.hooks.poststop[0].args == std::vector<std::string>{"cleanup.sh", "-f"});

  CHECK(s.annotations.size() == 2);
  CHECK(s.annotations.at("com.example.key1") == "value1");
  CHECK(s.annotations.at("com.example.key2").empty());

  const Linux& l = s.linux;
  REQUIRE(l.namespaces.size() == 8);
  CHECK(l.namespaces[0].type == NamespaceType::Pid);
  CHECK(l.namespaces[0].path == "/proc/1234/ns/pid");
  CHECK(l.namespaces[1].type == NamespaceType::Network);
  CHECK_FALSE(l.namespaces[1].path.has_value());
  CHECK(l.namespaces[6].type == NamespaceType::Cgroup);
  CHECK_FALSE(l.namespaces[6].path.has_value());  // "" means no path
  CHECK(l.namespaces[7].type == NamespaceType::Time);
  CHECK(static_cast<std::uint32_t>(l.find_namespace(NamespaceType::User)->type) == 0x10000000u);
  CHECK(std::string(namespace_type_name(NamespaceType::Network)) == "network");
  REQUIRE(l.uid_mappings.size() == 1);
  CHECK(l.uid_mappings[0].host_id == 1000);
  CHECK(l.uid_mappings[0].size == 32000);
  REQUIRE(l.gid_mappings.size() == 1);
  REQUIRE(l.time_offsets.monotonic.has_value());
  CHECK(l.time_offsets.monotonic->secs == 172800);
  REQUIRE(l.time_offsets.boottime.has_value());
  CHECK(l.time_offsets.boottime->secs == -604800);
  CHECK(l.time_offsets.boottime->nanosecs == 999999999);
  REQUIRE(l.devices.size() == 4);
  CHECK(l.devices[0].type == DeviceType::Char);
  CHECK(l.devices[0].path == "/dev/fuse");
  CHECK(l.devices[0].major == 10);
  CHECK(l.devices[0].minor == 229);
  CHECK(l.devices[0].file_mode == 438u);
  CHECK(l.devices[0].uid == 0u);
  CHECK(l.devices[0].gid == 0u);
  CHECK(l.devices[1].type == DeviceType::Block);
  CHECK_FALSE(l.devices[1].uid.has_value());
  CHECK(l.devices[2].type == DeviceType::Unbuffered);
  CHECK(l.devices[2].major == 4095);
  CHECK(l.devices[2].minor == 1048575);
  CHECK(l.devices[3].type == DeviceType::Fifo);
  CHECK_FALSE(l.devices[3].file_mode.has_value());
  REQUIRE(l.net_devices.size() == 2);
  CHECK(l.net_devices[0].host_name == "eth0");
  CHECK(l.net_devices[0].name == "container_eth0");
  CHECK(l.net_devices[1].host_name == "ens4");
  CHECK(l.net_devices[1].name == "ens4");
  CHECK(l.cgroups_path == "/myRuntime/myContainer");
  CHECK(l.resources.has_value());
  REQUIRE(l.intel_rdt.has_value());
  CHECK(l.intel_rdt->clos_id == "guaranteed_group");
  CHECK(l.intel_rdt->l3_cache_schema == "L3:0=7f0;1=1f");
  CHECK(l.intel_rdt->mem_bw_schema == "MB:0=20;1=70");
  CHECK(l.intel_rdt->schemata == std::vector<std::string>{"L3:0=7f0;1=1f", "L2:0=f;1=f;2=f;3=f"});
  CHECK(l.intel_rdt->enable_monitoring);
  CHECK(l.sysctl.size() == 2);
  CHECK(l.sysctl.at("net.ipv4.ip_forward") == "1");
  CHECK(l.sysctl.at("net/core/somaxconn") == "256");
  CHECK(l.seccomp.has_value());
  REQUIRE(l.rootfs_propagation.has_value());
  CHECK(l.rootfs_propagation->type == PropagationType::Slave);
  CHECK_FALSE(l.rootfs_propagation->recursive);
  CHECK(l.masked_paths == std::vector<std::string>{"/proc/kcore", "/proc/latency_stats"});
  CHECK(l.readonly_paths == std::vector<std::string>{"/proc/asound", "/proc/bus"});
  CHECK(l.mount_label == "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811");
  REQUIRE(l.personality.has_value());
  CHECK(l.personality->domain == PersonalityDomain::Linux32);
  REQUIRE(l.memory_policy.has_value());
  CHECK(l.memory_policy->mode == MemoryPolicyMode::Interleave);
  REQUIRE(l.memory_policy->nodes.size() == 1);
  CHECK(l.memory_policy->nodes[0].first == 2);
  CHECK(l.memory_policy->nodes[0].last == 3);
  CHECK(l.memory_policy->flags == kMpolFStaticNodes);
}

TEST_CASE("spec: the config `runc spec` writes", "[spec]") {
  Spec s = parse_ok(read_config_fixture("runc-spec.json"));
  CHECK(s.oci_version == "1.0.2-dev");
  REQUIRE(s.process.has_value());
  CHECK(s.process->terminal);
  CHECK_FALSE(s.process->console_size.has_value());
  CHECK(s.process->user.uid == 0);
  CHECK(s.process->user.gid == 0);
  CHECK_FALSE(s.process->user.umask.has_value());
  CHECK(s.process->args == std::vector<std::string>{"sh"});
  CHECK(s.process->env.size() == 2);
  CHECK(s.process->cwd == "/");
  REQUIRE(s.process->capabilities.has_value());
  CHECK(s.process->capabilities->bounding.has(*capability_from_name("CAP_KILL")));
  CHECK(s.process->capabilities->inheritable.empty());  // absent set: empty
  REQUIRE(s.process->rlimits.size() == 1);
  CHECK(s.process->rlimits[0].type == RlimitType::Nofile);
  CHECK(s.process->no_new_privileges);
  CHECK_FALSE(s.process->oom_score_adj.has_value());
  CHECK(s.root.path == "rootfs");
  CHECK(s.root.readonly);
  CHECK(s.hostname == "runc");
  REQUIRE(s.mounts.size() == 7);
  CHECK(s.mounts[2].destination == "/dev/pts");
  CHECK(s.mounts[6].options.back() == "ro");
  CHECK(s.linux.namespaces.size() == 6);
  CHECK(s.linux.find_namespace(NamespaceType::Uts) != nullptr);
  CHECK(s.linux.find_namespace(NamespaceType::User) == nullptr);
  CHECK(s.linux.resources.has_value());
  CHECK(s.linux.masked_paths.size() == 10);
  CHECK(s.linux.readonly_paths.size() == 5);
}

TEST_CASE("spec: the example config of config.md", "[spec]") {
  // The spec's own example, trimmed of its resources and seccomp details
  // (another module's), with mounts and hooks as given there.
  Spec s = parse_ok(R"({
    "ociVersion": "1.0.1",
    "process": {
      "terminal": true,
      "user": {"uid": 1, "gid": 1, "additionalGids": [5, 6]},
      "args": ["sh"],
      "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
      "cwd": "/",
      "rlimits": [{"type": "RLIMIT_CORE", "hard": 1024, "soft": 1024},
                  {"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
      "apparmorProfile": "acme_secure_profile",
      "oomScoreAdj": 100,
      "selinuxLabel": "system_u:system_r:svirt_lxc_net_t:s0:c124,c675",
      "ioPriority": {"class": "IOPRIO_CLASS_IDLE", "priority": 4},
      "noNewPrivileges": true
    },
    "root": {"path": "rootfs", "readonly": true},
    "hostname": "slartibartfast",
    "mounts": [
      {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
       "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]}
    ],
    "hooks": {
      "prestart": [{"path": "/usr/bin/fix-mounts", "args": ["fix-mounts", "arg1", "arg2"], "env": ["key1=value1"]},
                   {"path": "/usr/bin/setup-network"}],
      "poststart": [{"path": "/usr/bin/notify-start", "timeout": 5}],
      "poststop": [{"path": "/usr/sbin/cleanup.sh", "args": ["cleanup.sh", "-f"]}]
    },
    "linux": {
      "devices": [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0}],
      "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 32000}],
      "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 32000}],
      "sysctl": {"net.ipv4.ip_forward": "1", "net.core.somaxconn": "256"},
      "cgroupsPath": "/myRuntime/myContainer",
      "rootfsPropagation": "slave",
      "timeOffsets": {"monotonic": {"secs": 172800, "nanosecs": 0}, "boottime": {"secs": 604800, "nanosecs": 0}},
      "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"},
                     {"type": "mount"}, {"type": "user"}, {"type": "cgroup"}, {"type": "time"}],
      "maskedPaths": ["/proc/kcore"],
      "readonlyPaths": ["/proc/sys"],
      "mountLabel": "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811"
    },
    "annotations": {"com.example.key1": "value1", "com.example.key2": "value2"}
  })");
  CHECK(s.process->oom_score_adj == 100);
  CHECK(s.hooks.prestart.size() == 2);
  CHECK(s.annotations.at("com.example.key2") == "value2");
}

TEST_CASE("spec: unknown properties are ignored at every level", "[spec]") {
  Spec s = parse_ok(R"({"ociVersion":"1.3.0","root":{"path":"r","x":1},"future":{"a":[1,2]},
    "process":{"cwd":"/","args":["sh"],"newThing":true,"user":{"uid":0,"gid":0,"sid":"S-1"}},
    "linux":{"namespaces":[{"type":"pid","extra":null}],"somethingNew":{}},
    "hooks":{"preFuture":[{"path":"relative is fine in an unknown hook"}]},
    "windows":{"layerFolders":[]},"solaris":7})");
  CHECK(s.root.path == "r");
  REQUIRE(s.linux.namespaces.size() == 1);
}

TEST_CASE("spec: Windows-only process fields are ignored on Linux", "[spec]") {
  // commandLine and user.username are defined for Windows only; here they
  // are unknown properties, whatever their value.
  Spec s = parse_ok(with_process(R"("commandLine": 42, "user": {"uid": 3, "gid": 4, "username": ["x"]})"));
  CHECK(s.process->user.uid == 3);
}

TEST_CASE("spec: null counts as absent, as in Go", "[spec]") {
  Spec s = parse_ok(with_process(R"("env": null, "capabilities": null, "terminal": null)",
                                 R"("mounts": null, "linux": {"namespaces": null, "seccomp": null})"));
  CHECK(s.process->env.empty());
  CHECK_FALSE(s.process->capabilities.has_value());
  CHECK_FALSE(s.linux.seccomp.has_value());
}

TEST_CASE("spec: load_spec reads <bundle>/config.json", "[spec]") {
  test::TempDir tmp;
  const std::string& dir = tmp.path;
  std::string file = tmp.sub("config.json");

  auto missing = load_spec(dir);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ENOENT);
  CHECK(missing.error().msg == "config.json: open: no such file or directory");

  { std::ofstream(file) << read_config_fixture("runc-spec.json"); }
  auto ok = load_spec(dir);
  REQUIRE(ok);
  CHECK(ok->hostname == "runc");

  { std::ofstream(file) << R"({"ociVersion":"1.3.0","root":{"path":""}})"; }
  auto bad = load_spec(dir);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == EINVAL);
  CHECK(bad.error().msg == "config.json: root.path: must not be empty");

  { std::ofstream(file) << R"({"ociVersion":)"; }
  auto truncated = load_spec(dir);
  REQUIRE_FALSE(truncated);
  CHECK(truncated.error().msg.rfind("config.json: invalid JSON at line 1 column 15", 0) == 0);
}

TEST_CASE("spec: parse_process reads a process on its own", "[spec]") {
  auto p = parse_process(R"({"cwd":"/work","args":["ls","-l"],"env":["A=1"],"user":{"uid":5,"gid":6},
                             "capabilities":{"bounding":["CAP_KILL"]}})");
  REQUIRE(p);
  CHECK(p->cwd == "/work");
  CHECK(p->args.size() == 2);
  CHECK(p->user.uid == 5);
  CHECK(p->capabilities->bounding.has(5));

  // The same checks as config.json's process, with paths from its root.
  auto bad = parse_process(R"({"cwd":"work","args":["ls"]})");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == EINVAL);
  CHECK(bad.error().msg == "cwd: must be an absolute path, got \"work\"");
  auto caps = parse_process(R"({"cwd":"/","args":["ls"],"capabilities":{"ambient":["CAP_NOPE"]}})");
  REQUIRE_FALSE(caps);
  CHECK(caps.error().msg == "capabilities.ambient[0]: unknown capability \"CAP_NOPE\"");
  auto notobj = parse_process("[]");
  REQUIRE_FALSE(notobj);
  CHECK(notobj.error().msg == "expected object, got array");
}

// ======================= ociVersion =======================

TEST_CASE("spec: ociVersion accepts SemVer 1.0.0 to 1.3.x", "[spec][version]") {
  for (const char* v : {"1.0.0", "1.0.2-dev", "1.1.0+dev", "1.2.1", "1.3.0", "1.3.7", "1.0.0-rc5",
                        "1.3.0-rc.1+build.5", "1.0.0-alpha-1.0", "1.0.0+001", "1.0.0-0.3.7"}) {
    INFO(v);
    std::string text = R"({"ociVersion":")" + std::string(v) + R"(","root":{"path":"r"}})";
    CHECK(parse_ok(text).oci_version == v);
  }
}

TEST_CASE("spec: ociVersion must be SemVer", "[spec][version]") {
  for (const char* v : {"", "1", "1.0", "v1.0.0", "01.0.0", "1.00.0", "1.0.00", "1.0.0-", "1.0.0+", "1.0.0-01",
                        "1.0.0 ", " 1.0.0", "1.0.0-a..b", "1.0.0+a+b", "1.0.0-é", "1.0.x", "1..0",
                        "1.0.0000000000000000000001"}) {
    INFO(v);
    std::string text = R"({"ociVersion":")" + std::string(v) + R"(","root":{"path":"r"}})";
    CHECK(parse_error(text) ==
          "ociVersion: invalid version \"" + std::string(v) + "\" (expected SemVer, such as \"1.2.0\")");
  }
}

TEST_CASE("spec: ociVersion other than 1.0 to 1.3 is unsupported", "[spec][version]") {
  for (const char* v : {"2.0.0", "1.4.0", "0.1.0", "1.10.0", "0.0.0-dev"}) {
    INFO(v);
    std::string text = R"({"ociVersion":")" + std::string(v) + R"(","root":{"path":"r"}})";
    CHECK(parse_error(text) ==
          "ociVersion: unsupported ociVersion \"" + std::string(v) + "\" (supported: 1.0.0 to 1.3.x)");
  }
}

TEST_CASE("spec: ociVersion is required and a string", "[spec][version]") {
  CHECK(parse_error(R"({"root":{"path":"r"}})") == "ociVersion: required field is missing");
  CHECK(parse_error(R"({"ociVersion":null,"root":{"path":"r"}})") == "ociVersion: required field is missing");
  CHECK(parse_error(R"({"ociVersion":1.3,"root":{"path":"r"}})") == "ociVersion: expected string, got number");
}

// ======================= structure =======================

TEST_CASE("spec: the document must be an object", "[spec]") {
  CHECK(parse_error("[]") == "expected object, got array");
  CHECK(parse_error("\"1.0.0\"") == "expected object, got string");
  CHECK(parse_error("null") == "expected object, got null");
}

TEST_CASE("spec: a known key given twice is an error", "[spec]") {
  CHECK(parse_error(R"({"ociVersion":"1.3.0","root":{"path":"a"},"ociVersion":"1.0.0"})") ==
        "ociVersion: duplicate key");
  CHECK(parse_error(config(R"("process":{"cwd":"/","args":["a"],"cwd":"/x"})")) == "process.cwd: duplicate key");
  CHECK(parse_error(with_linux(R"("namespaces":[{"type":"pid","type":"user"}])")) ==
        "linux.namespaces[0].type: duplicate key");
  // Unknown keys may repeat: they are ignored anyway.
  parse_ok(config(R"("x":1,"x":2)"));
}

TEST_CASE("spec: keys match as Go matches them, case aside", "[spec]") {
  // runc (Go's encoding/json) reads "Root" and "PATH" as root and path.
  Spec s = parse_ok(R"({"OciVersion":"1.3.0","Root":{"PATH":"r"},"PROCESS":{"Cwd":"/","args":["sh"]}})");
  CHECK(s.root.path == "r");
  CHECK(s.process->cwd == "/");
  // Go also folds KELVIN SIGN to k and LONG S to s.
  Spec l = parse_ok(with_linux("\"mas\u212aedPaths\":[\"/x\"],\"\u017fysctl\":{\"a.b\":\"1\"}"));
  CHECK(l.linux.masked_paths.size() == 1);
  CHECK(l.linux.sysctl.size() == 1);
  // Errors show the key as written.
  CHECK(parse_error(config(R"("Process":{"cwd":"x","args":["a"]})")) ==
        "Process.cwd: must be an absolute path, got \"x\"");
  CHECK(parse_error(R"({"ociVersion":"1.3.0","Root":{"PATH":""}})") == "Root.PATH: must not be empty");
  // Near misses are unknown keys, ignored.
  CHECK_FALSE(parse_ok(config(R"("processes":{"cwd":"x"},"proces":1,"pr\u00f3cess":2)")).process.has_value());
}

TEST_CASE("spec: one key in two spellings is a duplicate", "[spec]") {
  // Go would take the last (merging objects); refuse rather than differ.
  CHECK(parse_error(R"({"ociVersion":"1.3.0","root":{"path":"a"},"ROOT":{"path":"b"}})") ==
        "root: duplicate key (given as \"root\" and \"ROOT\")");
  CHECK(parse_error(with_linux("\"maskedPaths\":[],\"mas\u212aedPaths\":[\"/x\"]")) ==
        "linux.maskedPaths: duplicate key (given as \"maskedPaths\" and \"mas\xe2\x84\xaa" "edPaths\")");
  CHECK(parse_error(with_process(R"("Env":["A=1"],"env":["A=2"])")) ==
        "process.env: duplicate key (given as \"Env\" and \"env\")");
}

TEST_CASE("spec: root is required, with a non-empty path", "[spec]") {
  CHECK(parse_error(R"({"ociVersion":"1.3.0"})") == "root: required field is missing");
  CHECK(parse_error(R"({"ociVersion":"1.3.0","root":"rootfs"})") == "root: expected object, got string");
  CHECK(parse_error(R"({"ociVersion":"1.3.0","root":{}})") == "root.path: required field is missing");
  CHECK(parse_error(R"({"ociVersion":"1.3.0","root":{"path":""}})") == "root.path: must not be empty");
  CHECK(parse_error(R"({"ociVersion":"1.3.0","root":{"path":"r","readonly":"yes"}})") ==
        "root.readonly: expected boolean, got string");
  CHECK(parse_ok(R"({"ociVersion":"1.3.0","root":{"path":"/abs/rootfs"}})").root.path == "/abs/rootfs");
}

// ======================= mounts =======================

TEST_CASE("spec: mounts is an array of objects", "[spec][mounts]") {
  CHECK(parse_error(config(R"("mounts":{})")) == "mounts: expected array, got object");
  CHECK(parse_error(config(R"("mounts":["/proc"])")) == "mounts[0]: expected object, got string");
}

TEST_CASE("spec: mount destination is required and not empty", "[spec][mounts]") {
  CHECK(parse_error(config(R"("mounts":[{"destination":"/a"},{"type":"tmpfs"}])")) ==
        "mounts[1].destination: required field is missing");
  CHECK(parse_error(config(R"("mounts":[{"destination":""}])")) == "mounts[0].destination: must not be empty");
}

TEST_CASE("spec: a relative mount destination is taken relative to /", "[spec][mounts]") {
  Spec s = parse_ok(config(R"("mounts":[{"destination":"tmp"},{"destination":"/x/y"}])"));
  CHECK(s.mounts[0].destination == "/tmp");
  CHECK(s.mounts[1].destination == "/x/y");
}

TEST_CASE("spec: mount fields have their types", "[spec][mounts]") {
  CHECK(parse_error(config(R"("mounts":[{"destination":"/a","source":1}])")) ==
        "mounts[0].source: expected string, got number");
  CHECK(parse_error(config(R"("mounts":[{"destination":"/a","type":false}])")) ==
        "mounts[0].type: expected string, got boolean");
  CHECK(parse_error(config(R"("mounts":[{"destination":"/a","options":"ro"}])")) ==
        "mounts[0].options: expected array, got string");
  CHECK(parse_error(config(R"("mounts":[{"destination":"/a","options":["ro",1]}])")) ==
        "mounts[0].options[1]: expected string, got number");
}

TEST_CASE("spec: unknown mount options are data, empty ones an error", "[spec][mounts]") {
  Spec s = parse_ok(config(R"("mounts":[{"destination":"/a","options":["ro","size=1k","context=\"a,b\"","frob"]}])"));
  CHECK(s.mounts[0].options.size() == 4);
  CHECK(parse_error(config(R"("mounts":[{"destination":"/a","options":["ro",""]}])")) ==
        "mounts[0].options[1]: empty mount option");
}

TEST_CASE("spec: mount uidMappings and gidMappings go together", "[spec][mounts]") {
  CHECK(parse_error(config(R"("mounts":[{"destination":"/a","options":["idmap"],
      "uidMappings":[{"containerID":0,"hostID":1,"size":1}]}])")) ==
        "mounts[0].gidMappings: required with uidMappings");
  CHECK(parse_error(config(R"("mounts":[{"destination":"/a","options":["idmap"],
      "gidMappings":[{"containerID":0,"hostID":1,"size":1}]}])")) ==
        "mounts[0].uidMappings: required with gidMappings");
}

TEST_CASE("spec: idmap without mappings needs a user namespace", "[spec][mounts]") {
  CHECK(parse_error(config(R"("mounts":[{"destination":"/a"},{"destination":"/b","options":["rbind","ridmap"]}])")) ==
        "mounts[1].options: \"ridmap\" needs uidMappings and gidMappings on the mount or a user namespace");
  // With the container's user namespace, its mappings are used.
  parse_ok(with_linux(R"("namespaces":[{"type":"user"}],"uidMappings":[{"containerID":0,"hostID":1000,"size":1}],
                         "gidMappings":[{"containerID":0,"hostID":1000,"size":1}])",
                      R"("mounts":[{"destination":"/b","options":["idmap"]}])"));
}

TEST_CASE("spec: id mappings are checked as the kernel checks them", "[spec][mounts]") {
  auto mount_with = [](const std::string& mapping) {
    return config(R"("mounts":[{"destination":"/a","uidMappings":[)" + mapping +
                  R"(],"gidMappings":[{"containerID":0,"hostID":0,"size":1}]}])");
  };
  CHECK(parse_error(mount_with(R"({"containerID":0,"hostID":1000,"size":0})")) ==
        "mounts[0].uidMappings[0].size: must be at least 1");
  CHECK(parse_error(mount_with(R"({"containerID":4294967290,"hostID":0,"size":10})")) ==
        "mounts[0].uidMappings[0]: containerID 4294967290 + size 10 passes 4294967295");
  CHECK(parse_error(mount_with(R"({"containerID":0,"hostID":4294967295,"size":1})")) ==
        "mounts[0].uidMappings[0]: hostID 4294967295 + size 1 passes 4294967295");
  CHECK(parse_error(mount_with(R"({"containerID":0,"size":1})")) ==
        "mounts[0].uidMappings[0].hostID: required field is missing");
  CHECK(parse_error(mount_with(R"({"containerID":-1,"hostID":0,"size":1})")) ==
        "mounts[0].uidMappings[0].containerID: expected a non-negative integer");
  CHECK(parse_error(mount_with(R"({"containerID":0,"hostID":4294967296,"size":1})")) ==
        "mounts[0].uidMappings[0].hostID: integer out of range for 32 bits");
  // The largest extent the kernel takes.
  parse_ok(mount_with(R"({"containerID":0,"hostID":0,"size":4294967295})"));
}

// ======================= process =======================

TEST_CASE("spec: process is optional, an object", "[spec][process]") {
  CHECK_FALSE(parse_ok(config()).process.has_value());
  CHECK(parse_error(config(R"("process":[])")) == "process: expected object, got array");
}

TEST_CASE("spec: process.cwd is required and absolute", "[spec][process]") {
  CHECK(parse_error(config(R"("process":{"args":["sh"]})")) == "process.cwd: required field is missing");
  CHECK(parse_error(config(R"("process":{"args":["sh"],"cwd":"root"})")) ==
        "process.cwd: must be an absolute path, got \"root\"");
  CHECK(parse_error(config(R"("process":{"args":["sh"],"cwd":""})")) ==
        "process.cwd: must be an absolute path, got \"\"");
}

TEST_CASE("spec: process.args is required on Linux, with a non-empty first entry", "[spec][process]") {
  CHECK(parse_error(config(R"("process":{"cwd":"/"})")) == "process.args: required field is missing");
  CHECK(parse_error(config(R"("process":{"cwd":"/","args":[]})")) == "process.args: must have at least one entry");
  CHECK(parse_error(config(R"("process":{"cwd":"/","args":[""]})")) == "process.args[0]: must not be empty");
  CHECK(parse_error(config(R"("process":{"cwd":"/","args":["sh",7]})")) ==
        "process.args[1]: expected string, got number");
  // Later arguments may be empty strings.
  CHECK(parse_ok(config(R"("process":{"cwd":"/","args":["sh",""]})")).process->args.size() == 2);
}

TEST_CASE("spec: process.terminal and noNewPrivileges are booleans", "[spec][process]") {
  CHECK(parse_error(with_process(R"("terminal":"true")")) == "process.terminal: expected boolean, got string");
  CHECK(parse_error(with_process(R"("noNewPrivileges":1)")) ==
        "process.noNewPrivileges: expected boolean, got number");
}

TEST_CASE("spec: consoleSize is read only with a terminal", "[spec][process]") {
  // "Runtimes MUST ignore consoleSize if terminal is false or unset."
  Spec off = parse_ok(with_process(R"("consoleSize":"garbage")"));
  CHECK_FALSE(off.process->console_size.has_value());
  CHECK(parse_error(with_process(R"("terminal":true,"consoleSize":{"height":25})")) ==
        "process.consoleSize.width: required field is missing");
  CHECK(parse_error(with_process(R"("terminal":true,"consoleSize":{"height":65536,"width":80})")) ==
        "process.consoleSize.height: 65536 is over 65535 (struct winsize)");
  CHECK(parse_error(with_process(R"("terminal":true,"consoleSize":{"height":-1,"width":80})")) ==
        "process.consoleSize.height: expected a non-negative integer");
}

TEST_CASE("spec: process.user needs uid and gid", "[spec][process]") {
  CHECK(parse_error(with_process(R"("user":{"gid":0})")) == "process.user.uid: required field is missing");
  CHECK(parse_error(with_process(R"("user":{"uid":0})")) == "process.user.gid: required field is missing");
  CHECK(parse_error(with_process(R"("user":{"uid":"root","gid":0})")) ==
        "process.user.uid: expected integer, got string");
  // Absent user: root, as runc.
  CHECK(parse_ok(with_process("")).process->user.uid == 0);
}

TEST_CASE("spec: ids are uint32 and not (uid_t)-1", "[spec][process]") {
  CHECK(parse_error(with_process(R"("user":{"uid":-1,"gid":0})")) ==
        "process.user.uid: expected a non-negative integer");
  CHECK(parse_error(with_process(R"("user":{"uid":1.5,"gid":0})")) ==
        "process.user.uid: expected integer, got a fraction");
  CHECK(parse_error(with_process(R"("user":{"uid":4294967296,"gid":0})")) ==
        "process.user.uid: integer out of range for 32 bits");
  // setresuid(-1, -1, -1) changes nothing: the process would stay root.
  CHECK(parse_error(with_process(R"("user":{"uid":4294967295,"gid":0})")) ==
        "process.user.uid: uid 4294967295 is reserved (it means \"unchanged\" to the kernel)");
  CHECK(parse_error(with_process(R"("user":{"uid":0,"gid":4294967295})")) ==
        "process.user.gid: gid 4294967295 is reserved (it means \"unchanged\" to the kernel)");
  CHECK(parse_error(with_process(R"("user":{"uid":0,"gid":0,"additionalGids":[1,4294967295]})")) ==
        "process.user.additionalGids[1]: gid 4294967295 is reserved (it means \"unchanged\" to the kernel)");
  CHECK(parse_error(with_process(R"("user":{"uid":0,"gid":0,"additionalGids":["wheel"]})")) ==
        "process.user.additionalGids[0]: expected integer, got string");
  CHECK(parse_ok(with_process(R"("user":{"uid":4294967294,"gid":0})")).process->user.uid == 4294967294u);
}

TEST_CASE("spec: additionalGids are at most NGROUPS_MAX", "[spec][process]") {
  std::string gids = "0";
  gids += repeat(",1", 65535);
  CHECK(parse_ok(with_process(R"("user":{"uid":0,"gid":0,"additionalGids":[)" + gids + "]}")).process->user.additional_gids.size() ==
        65536);
  CHECK(parse_error(with_process(R"("user":{"uid":0,"gid":0,"additionalGids":[)" + gids + ",2]}")) ==
        "process.user.additionalGids: 65537 groups are more than setgroups() takes (65536)");
}

TEST_CASE("spec: umask is at most 0777", "[spec][process]") {
  CHECK(parse_ok(with_process(R"("user":{"uid":0,"gid":0,"umask":511})")).process->user.umask == 0777u);
  CHECK(parse_error(with_process(R"("user":{"uid":0,"gid":0,"umask":512})")) ==
        "process.user.umask: 01000 has bits outside 0777");
}

TEST_CASE("spec: env entries are NAME=VALUE", "[spec][process]") {
  CHECK(parse_error(with_process(R"("env":["A=1","PATH"])")) ==
        "process.env[1]: expected NAME=VALUE, got \"PATH\"");
  CHECK(parse_error(with_process(R"("env":["=x"])")) == "process.env[0]: empty variable name in \"=x\"");
  CHECK(parse_error(with_process(R"("env":"A=1")")) == "process.env: expected array, got string");
  CHECK(parse_error(with_process(R"("env":[null])")) == "process.env[0]: expected string, got null");
  Spec s = parse_ok(with_process(R"("env":["A=","B==","C=a=b"])"));
  CHECK(s.process->env == std::vector<std::string>{"A=", "B==", "C=a=b"});
}

TEST_CASE("spec: a name given twice in env keeps its last value", "[spec][process]") {
  Spec s = parse_ok(with_process(R"("env":["A=1","B=2","A=3","C=4","B=5"])"));
  CHECK(s.process->env == std::vector<std::string>{"A=3", "C=4", "B=5"});
}

TEST_CASE("spec: capabilities are known names", "[spec][process]") {
  CHECK(parse_error(with_process(R"("capabilities":{"bounding":["CAP_KILL","CAP_CHOWN","CAP_SYS_ADMIN","CAP_FOO"]})")) ==
        "process.capabilities.bounding[3]: unknown capability \"CAP_FOO\"");
  CHECK(parse_error(with_process(R"("capabilities":{"effective":["kill"]})")) ==
        "process.capabilities.effective[0]: unknown capability \"kill\"");
  CHECK(parse_error(with_process(R"("capabilities":{"permitted":"CAP_KILL"})")) ==
        "process.capabilities.permitted: expected array, got string");
  CHECK(parse_error(with_process(R"("capabilities":{"ambient":[21]})")) ==
        "process.capabilities.ambient[0]: expected string, got number");
  CHECK(parse_error(with_process(R"("capabilities":["CAP_KILL"])")) ==
        "process.capabilities: expected object, got array");
  Spec s = parse_ok(with_process(R"("capabilities":{"bounding":["CAP_KILL","CAP_KILL","CAP_CHECKPOINT_RESTORE"]})"));
  CHECK(s.process->capabilities->bounding.bits == ((std::uint64_t{1} << 5) | (std::uint64_t{1} << 40)));
  CHECK(s.process->capabilities->effective.empty());
}

TEST_CASE("spec: rlimits have known, distinct types and soft <= hard", "[spec][process]") {
  CHECK(parse_error(with_process(R"("rlimits":[{"type":"RLIMIT_FOO","soft":1,"hard":1}])")) ==
        "process.rlimits[0].type: unknown rlimit type \"RLIMIT_FOO\"");
  CHECK(parse_error(with_process(R"("rlimits":[{"type":"rlimit_nofile","soft":1,"hard":1}])")) ==
        "process.rlimits[0].type: unknown rlimit type \"rlimit_nofile\"");
  CHECK(parse_error(with_process(R"("rlimits":[{"type":"RLIMIT_NOFILE","soft":1,"hard":1},
      {"type":"RLIMIT_CORE","soft":1,"hard":1},{"type":"RLIMIT_NOFILE","soft":2,"hard":2}])")) ==
        "process.rlimits[2].type: duplicate rlimit type \"RLIMIT_NOFILE\"");
  CHECK(parse_error(with_process(R"("rlimits":[{"type":"RLIMIT_NOFILE","hard":1}])")) ==
        "process.rlimits[0].soft: required field is missing");
  CHECK(parse_error(with_process(R"("rlimits":[{"soft":1,"hard":1}])")) ==
        "process.rlimits[0].type: required field is missing");
  CHECK(parse_error(with_process(R"("rlimits":[{"type":"RLIMIT_NOFILE","soft":2048,"hard":1024}])")) ==
        "process.rlimits[0]: soft limit 2048 is above hard limit 1024");
  CHECK(parse_error(with_process(R"("rlimits":[{"type":"RLIMIT_NOFILE","soft":-1,"hard":1024}])")) ==
        "process.rlimits[0].soft: expected a non-negative integer");
  CHECK(parse_error(with_process(R"("rlimits":[{"type":"RLIMIT_NOFILE","soft":1,"hard":18446744073709551616}])")) ==
        "process.rlimits[0].hard: integer out of range");
  // Every type the kernel has.
  std::string all;
  for (const char* t : {"CPU", "FSIZE", "DATA", "STACK", "CORE", "RSS", "NPROC", "NOFILE", "MEMLOCK", "AS", "LOCKS",
                        "SIGPENDING", "MSGQUEUE", "NICE", "RTPRIO", "RTTIME"}) {
    if (!all.empty()) all += ',';
    all += R"({"type":"RLIMIT_)" + std::string(t) + R"(","soft":0,"hard":0})";
  }
  Spec s = parse_ok(with_process(R"("rlimits":[)" + all + "]"));
  CHECK(s.process->rlimits.size() == 16);
  CHECK(s.process->rlimits[15].type == RlimitType::Rttime);
}

TEST_CASE("spec: oomScoreAdj is -1000..1000", "[spec][process]") {
  CHECK(parse_ok(with_process(R"("oomScoreAdj":-1000)")).process->oom_score_adj == -1000);
  CHECK(parse_ok(with_process(R"("oomScoreAdj":0)")).process->oom_score_adj == 0);
  CHECK(parse_error(with_process(R"("oomScoreAdj":1001)")) == "process.oomScoreAdj: 1001 is outside -1000..1000");
  CHECK(parse_error(with_process(R"("oomScoreAdj":"1")")) == "process.oomScoreAdj: expected integer, got string");
}

TEST_CASE("spec: apparmorProfile and selinuxLabel are strings", "[spec][process]") {
  CHECK(parse_error(with_process(R"("apparmorProfile":true)")) ==
        "process.apparmorProfile: expected string, got boolean");
  CHECK(parse_error(with_process(R"("selinuxLabel":{})")) == "process.selinuxLabel: expected string, got object");
}

TEST_CASE("spec: scheduler policy and flags are known", "[spec][process]") {
  CHECK(parse_error(with_process(R"("scheduler":{})")) == "process.scheduler.policy: required field is missing");
  CHECK(parse_error(with_process(R"("scheduler":{"policy":"SCHED_FAST"})")) ==
        "process.scheduler.policy: unknown scheduler policy \"SCHED_FAST\"");
  CHECK(parse_error(with_process(R"("scheduler":{"policy":"SCHED_OTHER","flags":["SCHED_FLAG_RESET_ON_FORK","X"]})")) ==
        "process.scheduler.flags[1]: unknown scheduler flag \"X\"");
  Spec s = parse_ok(with_process(R"("scheduler":{"policy":"SCHED_RR","priority":99,"flags":[
      "SCHED_FLAG_DL_OVERRUN","SCHED_FLAG_KEEP_POLICY","SCHED_FLAG_KEEP_PARAMS",
      "SCHED_FLAG_UTIL_CLAMP_MIN","SCHED_FLAG_UTIL_CLAMP_MAX"]})"));
  CHECK(s.process->scheduler->policy == SchedulerPolicy::Rr);
  CHECK(s.process->scheduler->priority == 99);
  CHECK(s.process->scheduler->flags == 0x7c);
  for (const char* policy : {"SCHED_OTHER", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE"}) {
    INFO(policy);
    parse_ok(with_process(R"("scheduler":{"policy":")" + std::string(policy) + R"("})"));
  }
}

TEST_CASE("spec: scheduler values fit the policy", "[spec][process]") {
  CHECK(parse_error(with_process(R"("scheduler":{"policy":"SCHED_OTHER","nice":20})")) ==
        "process.scheduler.nice: 20 is outside -20..19");
  CHECK(parse_error(with_process(R"("scheduler":{"policy":"SCHED_OTHER","nice":-21})")) ==
        "process.scheduler.nice: -21 is outside -20..19");
  CHECK(parse_error(with_process(R"("scheduler":{"policy":"SCHED_OTHER","priority":5})")) ==
        "process.scheduler.priority: only SCHED_FIFO and SCHED_RR take a priority");
  CHECK(parse_error(with_process(R"("scheduler":{"policy":"SCHED_FIFO"})")) ==
        "process.scheduler.priority: 0 is outside 1..99 for SCHED_FIFO");
  CHECK(parse_error(with_process(R"("scheduler":{"policy":"SCHED_RR","priority":100})")) ==
        "process.scheduler.priority: 100 is outside 1..99 for SCHED_RR");
  CHECK(parse_error(with_process(R"("scheduler":{"policy":"SCHED_BATCH","deadline":5})")) ==
        "process.scheduler.deadline: only SCHED_DEADLINE takes runtime, deadline and period");
  CHECK(parse_error(with_process(R"("scheduler":{"policy":"SCHED_OTHER","nice":2147483648})")) ==
        "process.scheduler.nice: integer out of range for 32 bits");
}

TEST_CASE("spec: ioPriority has a known class and a priority 0..7", "[spec][process]") {
  CHECK(parse_error(with_process(R"("ioPriority":{"class":"IOPRIO_CLASS_NONE","priority":0})")) ==
        "process.ioPriority.class: unknown I/O priority class \"IOPRIO_CLASS_NONE\"");
  CHECK(parse_error(with_process(R"("ioPriority":{"priority":0})")) ==
        "process.ioPriority.class: required field is missing");
  CHECK(parse_error(with_process(R"("ioPriority":{"class":"IOPRIO_CLASS_BE"})")) ==
        "process.ioPriority.priority: required field is missing");
  CHECK(parse_error(with_process(R"("ioPriority":{"class":"IOPRIO_CLASS_BE","priority":8})")) ==
        "process.ioPriority.priority: 8 is outside 0..7");
  CHECK(parse_ok(with_process(R"("ioPriority":{"class":"IOPRIO_CLASS_RT","priority":0})")).process->io_priority->io_class ==
        IoPriorityClass::Rt);
}

TEST_CASE("spec: execCPUAffinity holds CPU lists", "[spec][process]") {
  Spec s = parse_ok(with_process(R"("execCPUAffinity":{"final":""})"));
  CHECK(s.process->exec_cpu_affinity->initial.empty());
  CHECK(s.process->exec_cpu_affinity->final.empty());
  CHECK(parse_error(with_process(R"("execCPUAffinity":{"initial":"0-3,a"})")) ==
        "process.execCPUAffinity.initial: invalid list \"0-3,a\": expected a number");
  CHECK(parse_error(with_process(R"("execCPUAffinity":{"final":"3-1"})")) ==
        "process.execCPUAffinity.final: invalid list \"3-1\": range 3-1 is reversed");
  CHECK(parse_error(with_process(R"("execCPUAffinity":{"final":7})")) ==
        "process.execCPUAffinity.final: expected string, got number");
}

TEST_CASE("spec: parse_cpu_list", "[spec][process]") {
  auto ok = [](std::string_view text) {
    auto r = parse_cpu_list(text);
    INFO(text);
    REQUIRE(r);
    return *r;
  };
  CHECK(ok("").empty());
  CHECK(ok("   ").empty());
  CpuList l = ok(" 0-3 , 7,9-9 ");
  REQUIRE(l.size() == 3);
  CHECK(l[0].first == 0);
  CHECK(l[0].last == 3);
  CHECK(l[1].first == 7);
  CHECK(l[2].last == 9);
  CHECK(ok("65535")[0].first == kMaxCpuNumber);
  CHECK(ok("0-65535")[0].last == kMaxCpuNumber);
  for (const char* bad : {",", "1,", ",1", "1,,2", "1-", "-1", "1--2", "1-2-3", "a", "1:2", "0x1", "65536",
                          "99999999999999999999999", "1 2"}) {
    INFO(bad);
    auto r = parse_cpu_list(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == EINVAL);
    CHECK(r.error().msg.rfind("invalid list \"", 0) == 0);
  }
  CHECK(parse_cpu_list("65536").error().msg == "invalid list \"65536\": numbers go up to 65535");
  CHECK(parse_cpu_list("1 2").error().msg == "invalid list \"1 2\": unexpected \"2\" at offset 2");
}

// ======================= hooks =======================

TEST_CASE("spec: hooks have an absolute path", "[spec][hooks]") {
  CHECK(parse_error(config(R"("hooks":{"poststop":[{"args":["x"]}]})")) ==
        "hooks.poststop[0].path: required field is missing");
  CHECK(parse_error(config(R"("hooks":{"createRuntime":[{"path":"/ok"},{"path":"bin/hook"}]})")) ==
        "hooks.createRuntime[1].path: must be an absolute path, got \"bin/hook\"");
  CHECK(parse_error(config(R"("hooks":{"startContainer":{}})")) ==
        "hooks.startContainer: expected array, got object");
  CHECK(parse_error(config(R"("hooks":[])")) == "hooks: expected object, got array");
}

TEST_CASE("spec: hook timeout is greater than zero", "[spec][hooks]") {
  CHECK(parse_error(config(R"("hooks":{"poststart":[{"path":"/h","timeout":0}]})")) ==
        "hooks.poststart[0].timeout: must be greater than zero, got 0");
  CHECK(parse_error(config(R"("hooks":{"poststart":[{"path":"/h","timeout":-3}]})")) ==
        "hooks.poststart[0].timeout: must be greater than zero, got -3");
  CHECK(parse_error(config(R"("hooks":{"poststart":[{"path":"/h","timeout":1.5}]})")) ==
        "hooks.poststart[0].timeout: expected integer, got a fraction");
}

TEST_CASE("spec: hook args and env have their types", "[spec][hooks]") {
  CHECK(parse_error(config(R"("hooks":{"prestart":[{"path":"/h","args":"x"}]})")) ==
        "hooks.prestart[0].args: expected array, got string");
  CHECK(parse_error(config(R"("hooks":{"createContainer":[{"path":"/h","env":["NOEQUALS"]}]})")) ==
        "hooks.createContainer[0].env[0]: expected NAME=VALUE, got \"NOEQUALS\"");
}

// ======================= annotations =======================

TEST_CASE("spec: annotations map non-empty keys to strings", "[spec][annotations]") {
  Spec s = parse_ok(config(R"("annotations":{"org.opencontainers.image.os":"linux","a":""})"));
  CHECK(s.annotations.at("org.opencontainers.image.os") == "linux");
  CHECK(s.annotations.find(std::string_view("a")) != s.annotations.end());
  CHECK(parse_error(config(R"("annotations":{"":"x"})")) == "annotations[\"\"]: empty annotation key");
  CHECK(parse_error(config(R"("annotations":{"com.example.n":2})")) ==
        "annotations[\"com.example.n\"]: expected string, got number");
  CHECK(parse_error(config(R"("annotations":{"k":"a","k":"b"})")) == "annotations[\"k\"]: duplicate key");
  CHECK(parse_error(config(R"("annotations":["a=b"])")) == "annotations: expected object, got array");
}

// ======================= hostname, domainname =======================

TEST_CASE("spec: hostname and domainname need a uts namespace", "[spec][uts]") {
  CHECK(parse_error(config(R"("hostname":"box")")) ==
        "hostname: setting it needs a uts namespace (no \"uts\" entry in linux.namespaces)");
  CHECK(parse_error(with_linux(R"("namespaces":[{"type":"pid"}])", R"("domainname":"example.org")")) ==
        "domainname: setting it needs a uts namespace (no \"uts\" entry in linux.namespaces)");
  // An empty hostname sets nothing, so it needs nothing.
  parse_ok(config(R"("hostname":"")"));
  CHECK(parse_ok(with_linux(R"("namespaces":[{"type":"uts","path":"/proc/1/ns/uts"}])", R"("hostname":"h")"))
            .hostname == "h");
}

TEST_CASE("spec: hostname and domainname fit in 64 bytes", "[spec][uts]") {
  std::string ns = R"("namespaces":[{"type":"uts"}])";
  parse_ok(with_linux(ns, "\"hostname\":\"" + std::string(64, 'h') + "\""));
  CHECK(parse_error(with_linux(ns, "\"hostname\":\"" + std::string(65, 'h') + "\"")) ==
        "hostname: \"" + std::string(64, 'h') + "\"... (65 bytes) is longer than 64 bytes");
  CHECK(parse_error(config(R"("domainname":5)")) == "domainname: expected string, got number");
}

// ======================= linux =======================

TEST_CASE("spec: linux is an object", "[spec][linux]") {
  CHECK(parse_error(config(R"("linux":[])")) == "linux: expected object, got array");
}

TEST_CASE("spec: namespace types are known", "[spec][linux]") {
  CHECK(parse_error(with_linux(R"("namespaces":[{"type":"pid"},{"type":"mount"},{"type":"foo"}])")) ==
        "linux.namespaces[2].type: unknown namespace type \"foo\"");
  CHECK(parse_error(with_linux(R"("namespaces":[{"type":"net"}])")) ==
        "linux.namespaces[0].type: unknown namespace type \"net\"");
  CHECK(parse_error(with_linux(R"("namespaces":[{"path":"/proc/1/ns/pid"}])")) ==
        "linux.namespaces[0].type: required field is missing");
  CHECK(parse_error(with_linux(R"("namespaces":["pid"])")) == "linux.namespaces[0]: expected object, got string");
}

TEST_CASE("spec: a namespace type given twice is an error", "[spec][linux]") {
  CHECK(parse_error(with_linux(R"("namespaces":[{"type":"pid"},{"type":"ipc"},{"type":"pid","path":"/x"}])")) ==
        "linux.namespaces[2].type: duplicate namespace type \"pid\"");
}

TEST_CASE("spec: a namespace path is absolute", "[spec][linux]") {
  CHECK(parse_error(with_linux(R"("namespaces":[{"type":"network","path":"run/netns/a"}])")) ==
        "linux.namespaces[0].path: must be an absolute path, got \"run/netns/a\"");
  CHECK(parse_error(with_linux(R"("namespaces":[{"type":"network","path":3}])")) ==
        "linux.namespaces[0].path: expected string, got number");
}

TEST_CASE("spec: every namespace type parses to its clone flag", "[spec][linux]") {
  Spec s = parse_ok(with_linux(R"("namespaces":[{"type":"mount"},{"type":"pid"},{"type":"network"},{"type":"uts"},
      {"type":"ipc"},{"type":"user"},{"type":"cgroup"},{"type":"time"}])"));
  std::uint32_t all = 0;
  for (const LinuxNamespace& ns : s.linux.namespaces) all |= static_cast<std::uint32_t>(ns.type);
  CHECK(all == (0x00020000u | 0x20000000u | 0x40000000u | 0x04000000u | 0x08000000u | 0x10000000u | 0x02000000u |
                0x00000080u));
}

TEST_CASE("spec: user namespace mappings need a user namespace", "[spec][linux]") {
  CHECK(parse_error(with_linux(R"("uidMappings":[{"containerID":0,"hostID":1000,"size":1}])")) ==
        "linux.uidMappings: needs a user namespace (no \"user\" entry in linux.namespaces)");
  CHECK(parse_error(with_linux(R"("namespaces":[{"type":"pid"}],"gidMappings":[{"containerID":0,"hostID":1000,"size":1}])")) ==
        "linux.gidMappings: needs a user namespace (no \"user\" entry in linux.namespaces)");
  CHECK(parse_error(with_linux(R"("uidMappings":[{"containerID":0,"hostID":1000,"size":0}])")) ==
        "linux.uidMappings[0].size: must be at least 1");
}

TEST_CASE("spec: timeOffsets name known clocks", "[spec][linux]") {
  std::string ns = R"("namespaces":[{"type":"time"}],)";
  CHECK(parse_error(with_linux(ns + R"("timeOffsets":{"realtime":{"secs":1}})")) ==
        "linux.timeOffsets[\"realtime\"]: unknown clock (expected \"monotonic\" or \"boottime\")");
  CHECK(parse_error(with_linux(ns + R"("timeOffsets":{"monotonic":{"secs":1},"monotonic":{"secs":2}})")) ==
        "linux.timeOffsets.monotonic: duplicate key");
  CHECK(parse_error(with_linux(ns + R"("timeOffsets":{"boottime":{"nanosecs":1000000000}})")) ==
        "linux.timeOffsets.boottime.nanosecs: 1000000000 is not below 1000000000");
  CHECK(parse_error(with_linux(ns + R"("timeOffsets":{"boottime":{"secs":"1"}})")) ==
        "linux.timeOffsets.boottime.secs: expected integer, got string");
  CHECK(parse_error(with_linux(ns + R"("timeOffsets":{"boottime":{"nanosecs":-1}})")) ==
        "linux.timeOffsets.boottime.nanosecs: expected a non-negative integer");
  Spec s = parse_ok(with_linux(ns + R"("timeOffsets":{"monotonic":{}})"));
  CHECK(s.linux.time_offsets.monotonic->secs == 0);
  CHECK_FALSE(s.linux.time_offsets.boottime.has_value());
}

TEST_CASE("spec: timeOffsets need a new time namespace", "[spec][linux]") {
  CHECK(parse_error(with_linux(R"("timeOffsets":{"monotonic":{"secs":1}})")) ==
        "linux.timeOffsets: needs a time namespace (no \"time\" entry in linux.namespaces)");
  CHECK(parse_error(with_linux(R"("namespaces":[{"type":"time","path":"/proc/1/ns/time"}],
                                 "timeOffsets":{"monotonic":{"secs":1}})")) ==
        "linux.timeOffsets: cannot be set when joining an existing time namespace (its entry has a path)");
  // An empty map asks for nothing.
  parse_ok(with_linux(R"("timeOffsets":{})"));
}

TEST_CASE("spec: device types are c, b, u and p", "[spec][linux]") {
  CHECK(parse_error(with_linux(R"("devices":[{"type":"x","path":"/dev/x","major":1,"minor":1}])")) ==
        "linux.devices[0].type: unknown device type \"x\" (expected \"c\", \"b\", \"u\" or \"p\")");
  CHECK(parse_error(with_linux(R"("devices":[{"type":"cb","path":"/dev/x","major":1,"minor":1}])")) ==
        "linux.devices[0].type: unknown device type \"cb\" (expected \"c\", \"b\", \"u\" or \"p\")");
  CHECK(parse_error(with_linux(R"("devices":[{"path":"/dev/x"}])")) == "linux.devices[0].type: required field is missing");
  CHECK(parse_error(with_linux(R"("devices":[{"type":"c"}])")) == "linux.devices[0].path: required field is missing");
  CHECK(parse_error(with_linux(R"("devices":[{"type":"c","path":"dev/x","major":1,"minor":1}])")) ==
        "linux.devices[0].path: must be an absolute path, got \"dev/x\"");
}

TEST_CASE("spec: major and minor are required except for fifos", "[spec][linux]") {
  CHECK(parse_error(with_linux(R"("devices":[{"type":"c","path":"/dev/x","minor":1}])")) ==
        "linux.devices[0].major: required for device type \"c\"");
  CHECK(parse_error(with_linux(R"("devices":[{"type":"b","path":"/dev/x","major":1}])")) ==
        "linux.devices[0].minor: required for device type \"b\"");
  CHECK(parse_error(with_linux(R"("devices":[{"type":"u","path":"/dev/x","major":1}])")) ==
        "linux.devices[0].minor: required for device type \"u\"");
  parse_ok(with_linux(R"("devices":[{"type":"p","path":"/dev/fifo"}])"));
}

TEST_CASE("spec: device numbers fit the kernel's dev_t", "[spec][linux]") {
  CHECK(parse_error(with_linux(R"("devices":[{"type":"c","path":"/dev/x","major":4096,"minor":0}])")) ==
        "linux.devices[0].major: 4096 is outside 0..4095");
  CHECK(parse_error(with_linux(R"("devices":[{"type":"c","path":"/dev/x","major":1,"minor":1048576}])")) ==
        "linux.devices[0].minor: 1048576 is outside 0..1048575");
  CHECK(parse_error(with_linux(R"("devices":[{"type":"c","path":"/dev/x","major":-1,"minor":0}])")) ==
        "linux.devices[0].major: -1 is outside 0..4095");
}

TEST_CASE("spec: device fileMode, uid and gid", "[spec][linux]") {
  CHECK(parse_error(with_linux(R"("devices":[{"type":"c","path":"/dev/x","major":1,"minor":1,"fileMode":8630}])")) ==
        "linux.devices[0].fileMode: 8630 has bits outside 07777");
  CHECK(parse_error(with_linux(R"("devices":[{"type":"c","path":"/dev/x","major":1,"minor":1,"uid":-5}])")) ==
        "linux.devices[0].uid: expected a non-negative integer");
  CHECK(parse_error(with_linux(R"("devices":[{"type":"c","path":"/dev/x","major":1,"minor":1,"gid":4294967295}])")) ==
        "linux.devices[0].gid: gid 4294967295 is reserved (it means \"unchanged\" to the kernel)");
  CHECK(parse_ok(with_linux(R"("devices":[{"type":"c","path":"/dev/x","major":1,"minor":1,"fileMode":4095}])"))
            .linux.devices[0]
            .file_mode == 07777u);
}

TEST_CASE("spec: cgroupsPath stays inside the hierarchy", "[spec][linux]") {
  CHECK(parse_ok(with_linux(R"("cgroupsPath":"system.slice:docker:abc")")).linux.cgroups_path ==
        "system.slice:docker:abc");
  CHECK(parse_ok(with_linux(R"("cgroupsPath":"relative/..x/y..")")).linux.cgroups_path == "relative/..x/y..");
  CHECK(parse_error(with_linux(R"("cgroupsPath":"/a/../../etc")")) ==
        "linux.cgroupsPath: must not contain \"..\" components, got \"/a/../../etc\"");
  CHECK(parse_error(with_linux(R"("cgroupsPath":"..")")) ==
        "linux.cgroupsPath: must not contain \"..\" components, got \"..\"");
  CHECK(parse_error(with_linux(R"("cgroupsPath":[])")) == "linux.cgroupsPath: expected string, got array");
}

TEST_CASE("spec: resources and seccomp go to their parsers", "[spec][linux]") {
  CHECK(parse_error(with_linux(R"("resources":[])")) == "linux.resources: expected object, got array");
  CHECK(parse_error(with_linux(R"("seccomp":"unconfined")")) == "linux.seccomp: expected object, got string");
  Spec s = parse_ok(with_linux(R"("resources":{},"seccomp":{"defaultAction":"SCMP_ACT_ALLOW"})"));
  CHECK(s.linux.resources.has_value());
  CHECK(s.linux.seccomp.has_value());
}

TEST_CASE("spec: resources and seccomp read keys by the same rules as the rest", "[spec][linux]") {
  // One rule for the whole document: "Memory" is found below "Resources"
  // as "Resources" is below "linux", and a duplicate is refused at any depth.
  Spec s = parse_ok(config(R"("Linux":{"Resources":{"Memory":{"Limit":1024}},
                                       "Seccomp":{"DefaultAction":"SCMP_ACT_ALLOW"}})"));
  REQUIRE(s.linux.resources.has_value());
  CHECK(s.linux.resources->memory.limit == 1024);
  REQUIRE(s.linux.seccomp.has_value());
  CHECK(s.linux.seccomp->default_action == SeccompAction::Allow);
  CHECK(parse_error(with_linux(R"("resources":{"memory":{},"memory":{"limit":1}})")) ==
        "linux.resources.memory: duplicate key");
  CHECK(parse_error(with_linux(R"("seccomp":{"defaultAction":"SCMP_ACT_ALLOW","defaultAction":"SCMP_ACT_LOG"})")) ==
        "linux.seccomp.defaultAction: duplicate key");
}

TEST_CASE("spec: intelRdt closID names one directory", "[spec][linux]") {
  CHECK(parse_ok(with_linux(R"("intelRdt":{"closID":"/"})")).linux.intel_rdt->clos_id == "/");
  CHECK_FALSE(parse_ok(with_linux(R"("intelRdt":{})")).linux.intel_rdt->clos_id.has_value());
  for (const char* bad : {"", ".", "..", "a/b", "../x", "a\\nb"}) {
    INFO(bad);
    std::string json = std::string(R"("intelRdt":{"closID":")") + bad + "\"}";
    CHECK(parse_error(with_linux(json)).rfind("linux.intelRdt.closID: invalid closID", 0) == 0);
  }
}

TEST_CASE("spec: intelRdt schemata are single lines, memBwSchema starts with MB:", "[spec][linux]") {
  CHECK(parse_error(with_linux(R"("intelRdt":{"memBwSchema":"L3:0=1"})")) ==
        "linux.intelRdt.memBwSchema: must start with \"MB:\" and be one line, got \"L3:0=1\"");
  CHECK(parse_error(with_linux(R"("intelRdt":{"memBwSchema":"MB:0=1\nL3:0=f"})")) ==
        "linux.intelRdt.memBwSchema: must start with \"MB:\" and be one line, got \"MB:0=1\\nL3:0=f\"");
  CHECK(parse_error(with_linux(R"("intelRdt":{"schemata":["L3:0=f","MB:0=1\n"]})")) ==
        "linux.intelRdt.schemata[1]: must not contain a newline");
  CHECK(parse_error(with_linux(R"("intelRdt":{"enableMonitoring":"yes"})")) ==
        "linux.intelRdt.enableMonitoring: expected boolean, got string");
}

TEST_CASE("spec: sysctl keys are paths inside /proc/sys", "[spec][linux]") {
  Spec s = parse_ok(with_linux(R"("sysctl":{"net.ipv4.conf.all.forwarding":"1","net/ipv4/conf/eth0.100/rp_filter":"0"})"));
  CHECK(s.linux.sysctl.size() == 2);
  CHECK(parse_error(with_linux(R"("sysctl":{"":"1"})")) == "linux.sysctl[\"\"]: empty sysctl key");
  for (const char* bad : {"net..ipv4", ".net", "net.", "kernel/../../../etc/x", "net//core", "/net/core"}) {
    INFO(bad);
    std::string json = std::string(R"("sysctl":{")") + bad + R"(":"1"})";
    CHECK(parse_error(with_linux(json)) ==
          std::string("linux.sysctl[\"") + bad + "\"]: invalid sysctl key (empty component)");
  }
  CHECK(parse_error(with_linux(R"("sysctl":{"a.b":"1","a.b":"2"})")) == "linux.sysctl[\"a.b\"]: duplicate key");
  CHECK(parse_error(with_linux(R"("sysctl":{"net.core.somaxconn":256})")) ==
        "linux.sysctl[\"net.core.somaxconn\"]: expected string, got number");
}

TEST_CASE("spec: rootfsPropagation values", "[spec][linux]") {
  struct Case {
    const char* text;
    PropagationType type;
    bool recursive;
  };
  for (const Case& c : {Case{"shared", PropagationType::Shared, false}, Case{"slave", PropagationType::Slave, false},
                        Case{"private", PropagationType::Private, false},
                        Case{"unbindable", PropagationType::Unbindable, false},
                        Case{"rshared", PropagationType::Shared, true}, Case{"rslave", PropagationType::Slave, true},
                        Case{"rprivate", PropagationType::Private, true},
                        Case{"runbindable", PropagationType::Unbindable, true}}) {
    INFO(c.text);
    Spec s = parse_ok(with_linux(std::string(R"("rootfsPropagation":")") + c.text + "\""));
    REQUIRE(s.linux.rootfs_propagation.has_value());
    CHECK(s.linux.rootfs_propagation->type == c.type);
    CHECK(s.linux.rootfs_propagation->recursive == c.recursive);
  }
  CHECK(parse_error(with_linux(R"("rootfsPropagation":"rr")")) ==
        "linux.rootfsPropagation: unknown rootfs propagation \"rr\" (expected \"shared\", \"slave\", \"private\" or "
        "\"unbindable\")");
  CHECK(parse_error(with_linux(R"("rootfsPropagation":"")")).rfind("linux.rootfsPropagation: unknown rootfs", 0) == 0);
}

TEST_CASE("spec: maskedPaths and readonlyPaths are absolute", "[spec][linux]") {
  CHECK(parse_error(with_linux(R"("maskedPaths":["/proc/kcore","proc/keys"])")) ==
        "linux.maskedPaths[1]: must be an absolute path, got \"proc/keys\"");
  CHECK(parse_error(with_linux(R"("readonlyPaths":[""])")) ==
        "linux.readonlyPaths[0]: must be an absolute path, got \"\"");
  CHECK(parse_error(with_linux(R"("readonlyPaths":"/proc/sys")")) ==
        "linux.readonlyPaths: expected array, got string");
}

TEST_CASE("spec: mountLabel is a string", "[spec][linux]") {
  CHECK(parse_error(with_linux(R"("mountLabel":1)")) == "linux.mountLabel: expected string, got number");
}

TEST_CASE("spec: personality has a known domain and no flags", "[spec][linux]") {
  CHECK(parse_ok(with_linux(R"("personality":{"domain":"LINUX"})")).linux.personality->domain ==
        PersonalityDomain::Linux);
  CHECK(parse_error(with_linux(R"("personality":{"domain":"LINUX64"})")) ==
        "linux.personality.domain: unknown personality domain \"LINUX64\"");
  CHECK(parse_error(with_linux(R"("personality":{})")) == "linux.personality.domain: required field is missing");
  CHECK(parse_error(with_linux(R"("personality":{"domain":"LINUX","flags":["ADDR_NO_RANDOMIZE"]})")) ==
        "linux.personality.flags[0]: unsupported personality flag \"ADDR_NO_RANDOMIZE\" (the spec defines none)");
}

TEST_CASE("spec: memoryPolicy modes and flags are known", "[spec][linux]") {
  CHECK(parse_error(with_linux(R"("memoryPolicy":{"mode":"MPOL_FAST"})")) ==
        "linux.memoryPolicy.mode: unknown memory policy mode \"MPOL_FAST\"");
  CHECK(parse_error(with_linux(R"("memoryPolicy":{"nodes":"0"})")) ==
        "linux.memoryPolicy.mode: required field is missing");
  CHECK(parse_error(with_linux(R"("memoryPolicy":{"mode":"MPOL_BIND","nodes":"0","flags":["MPOL_F_X"]})")) ==
        "linux.memoryPolicy.flags[0]: unknown memory policy flag \"MPOL_F_X\"");
  CHECK(parse_error(with_linux(R"("memoryPolicy":{"mode":"MPOL_BIND","nodes":"0-"})")) ==
        "linux.memoryPolicy.nodes: invalid list \"0-\": expected a number");
  Spec s = parse_ok(with_linux(R"("memoryPolicy":{"mode":"MPOL_BIND","nodes":"0,2","flags":["MPOL_F_NUMA_BALANCING","MPOL_F_RELATIVE_NODES"]})"));
  CHECK(s.linux.memory_policy->mode == MemoryPolicyMode::Bind);
  CHECK(s.linux.memory_policy->nodes.size() == 2);
  CHECK(s.linux.memory_policy->flags == (kMpolFNumaBalancing | kMpolFRelativeNodes));
}

TEST_CASE("spec: memoryPolicy nodes fit the mode", "[spec][linux]") {
  CHECK(parse_error(with_linux(R"("memoryPolicy":{"mode":"MPOL_DEFAULT","nodes":"0"})")) ==
        "linux.memoryPolicy.nodes: mode MPOL_DEFAULT takes no nodes");
  CHECK(parse_error(with_linux(R"("memoryPolicy":{"mode":"MPOL_LOCAL","nodes":"1-2"})")) ==
        "linux.memoryPolicy.nodes: mode MPOL_LOCAL takes no nodes");
  for (const char* mode : {"MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE", "MPOL_PREFERRED_MANY"}) {
    INFO(mode);
    CHECK(parse_error(with_linux(std::string(R"("memoryPolicy":{"mode":")") + mode + "\"}")) ==
          std::string("linux.memoryPolicy.nodes: mode ") + mode + " needs at least one node");
  }
  parse_ok(with_linux(R"("memoryPolicy":{"mode":"MPOL_PREFERRED"})"));
  parse_ok(with_linux(R"("memoryPolicy":{"mode":"MPOL_PREFERRED","nodes":"1"})"));
  parse_ok(with_linux(R"("memoryPolicy":{"mode":"MPOL_DEFAULT","nodes":""})"));
  CHECK(parse_error(with_linux(R"("memoryPolicy":{"mode":"MPOL_BIND","nodes":"0","flags":["MPOL_F_STATIC_NODES","MPOL_F_RELATIVE_NODES"]})")) ==
        "linux.memoryPolicy.flags: flags MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other");
}

TEST_CASE("spec: netDevices are valid interface names, in a network namespace", "[spec][linux]") {
  std::string ns = R"("namespaces":[{"type":"network"}],)";
  CHECK(parse_error(with_linux(R"("netDevices":{"eth0":{}})")) ==
        "linux.netDevices: needs a network namespace (no \"network\" entry in linux.namespaces)");
  CHECK(parse_error(with_linux(ns + R"("netDevices":{"a-very-long-name0":{}})")) ==
        "linux.netDevices[\"a-very-long-name0\"]: interface name \"a-very-long-name0\" is longer than 15 bytes");
  CHECK(parse_error(with_linux(ns + R"("netDevices":{"eth0":{"name":"../x"}})")) ==
        "linux.netDevices[\"eth0\"].name: invalid interface name \"../x\"");
  CHECK(parse_error(with_linux(ns + R"("netDevices":{"":{}})")) == "linux.netDevices[\"\"]: empty interface name");
  CHECK(parse_error(with_linux(ns + R"("netDevices":{"eth0":{"name":"a"},"eth0":{"name":"b"}})")) ==
        "linux.netDevices[\"eth0\"]: interface given twice");
  CHECK(parse_error(with_linux(ns + R"("netDevices":{"eth0":{"name":""}})")) ==
        "linux.netDevices[\"eth0\"].name: empty interface name");
  CHECK(parse_error(with_linux(ns + R"("netDevices":{"eth 0":{}})")) ==
        "linux.netDevices[\"eth 0\"]: invalid interface name \"eth 0\"");
  CHECK(parse_error(with_linux(ns + R"("netDevices":{"eth0":"eth1"})")) ==
        "linux.netDevices[\"eth0\"]: expected object, got string");
  CHECK(parse_error(with_linux(ns + R"("netDevices":{"eth0.5":{"name":7}})")) ==
        "linux.netDevices[\"eth0.5\"].name: expected string, got number");
  CHECK(parse_error(with_linux(ns + R"("netDevices":{"eth0":{},"eth0":{}})")) ==
        "linux.netDevices[\"eth0\"]: interface given twice");
}

TEST_CASE("spec: netDevices may not share a name in the container, templates aside", "[spec][linux]") {
  std::string ns = R"("namespaces":[{"type":"network"}],)";
  CHECK(parse_error(with_linux(ns + R"("netDevices":{"eth0":{},"eth1":{"name":"eth0"}})")) ==
        "linux.netDevices[\"eth1\"]: two devices would be named \"eth0\" in the container");
  Spec s = parse_ok(with_linux(ns + R"("netDevices":{"eth0":{"name":"net%d"},"eth1":{"name":"net%d"}})"));
  CHECK(s.linux.net_devices.size() == 2);
}

// ======================= hostile input =======================

TEST_CASE("hostile: every truncation of a full config is an error", "[spec][hostile]") {
  std::string full = read_config_fixture("full.json");
  std::size_t end = full.rfind('}');
  REQUIRE(end != std::string::npos);
  for (std::size_t n = 0; n < end; n++) {
    auto r = parse_spec(std::string_view(full).substr(0, n));
    if (r) FAIL("a truncation to " << n << " bytes parsed");
    CHECK(r.error().code == EINVAL);
  }
  auto r = parse_spec(std::string_view(full).substr(0, 100));
  REQUIRE_FALSE(r);
  CHECK(r.error().msg.rfind("invalid JSON at line ", 0) == 0);
}

TEST_CASE("hostile: 200-level nesting, in a known field and in an unknown one", "[spec][hostile]") {
  std::string deep = repeat("[", 200) + repeat("]", 200);
  std::string deep_obj = repeat(R"({"a":)", 200) + "1" + repeat("}", 200);
  // Unknown: ignored.
  parse_ok(config("\"unknown\":" + deep + ",\"x\":" + deep_obj));
  parse_ok(with_process("\"future\":" + deep_obj));
  // Known: a clear type error at the first level that is wrong.
  CHECK(parse_error(config(R"("process":{"cwd":"/","args":)" + repeat("[", 200) + repeat("]", 200) + "}")) ==
        "process.args[0]: expected string, got array");
  CHECK(parse_error(config("\"annotations\":{\"k\":" + deep_obj + "}")) ==
        "annotations[\"k\"]: expected string, got object");
  CHECK(parse_error(with_linux("\"namespaces\":[{\"type\":" + deep + "}]")) ==
        "linux.namespaces[0].type: expected string, got array");
  // Much deeper than any stack would take with a recursive parser.
  std::string very_deep = repeat("[", 1000000) + repeat("]", 1000000);
  parse_ok(config("\"unknown\":" + very_deep));
}

TEST_CASE("hostile: 1 MiB strings make short messages", "[spec][hostile]") {
  std::string big(1 << 20, 'A');
  std::string e1 = parse_error(with_process(R"("capabilities":{"bounding":[")" + big + "\"]}"));
  CHECK(e1.size() < 200);
  CHECK(e1.rfind("process.capabilities.bounding[0]: unknown capability \"AAAA", 0) == 0);
  CHECK(e1.find("\"... (1048576 bytes)") != std::string::npos);

  std::string e2 = parse_error(with_linux(R"("namespaces":[{"type":"uts"}])", "\"hostname\":\"" + big + "\""));
  CHECK(e2.size() < 200);

  // A 1 MiB map key in an error's path is cut short too.
  std::string e3 = parse_error(config("\"annotations\":{\"" + big + "\":1}"));
  CHECK(e3.size() < 200);
  CHECK(e3.rfind("annotations[\"AAAA", 0) == 0);
  CHECK(e3.find(": expected string, got number") != std::string::npos);
  std::string e4 = parse_error(with_linux(R"("namespaces":[{"type":"network"}],"netDevices":{")" + big + "\":{}}"));
  CHECK(e4.size() < 250);

  // A 1 MiB value where any length is fine is kept whole.
  Spec s = parse_ok(with_process("\"env\":[\"BIG=" + big + "\"]"));
  CHECK(s.process->env[0].size() == big.size() + 4);
}

TEST_CASE("hostile: NUL bytes in strings are refused", "[spec][hostile]") {
  CHECK(parse_error(config(R"("process":{"cwd":"/","args":["sh\u0000-c"]})")) ==
        "process.args[0]: string contains a NUL byte");
  CHECK(parse_error(config(R"("process":{"cwd":"/\u0000/etc","args":["sh"]})")) ==
        "process.cwd: string contains a NUL byte");
  CHECK(parse_error(with_process(R"("env":["A=1\u0000B=2"])")) == "process.env[0]: string contains a NUL byte");
  CHECK(parse_error(config(R"("annotations":{"a\u0000b":"x"})")) == "annotations[\"a\\u0000b\"]: key contains a NUL byte");
  CHECK(parse_error(with_linux(R"("sysctl":{"kernel.x":"1\u0000"})")) ==
        "linux.sysctl[\"kernel.x\"]: string contains a NUL byte");
  CHECK(parse_error(config(R"("mounts":[{"destination":"/a\u0000b"}])")) ==
        "mounts[0].destination: string contains a NUL byte");
  // A NUL in an unknown field is nobody's business.
  parse_ok(config(R"("x":"\u0000")"));
}

TEST_CASE("hostile: invalid UTF-8 is refused by the parser", "[spec][hostile]") {
  for (const char* bytes : {"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xf8\x88\x80\x80\x80", "abc\xe2\x82"}) {
    INFO(bytes);
    std::string e = parse_error(config(std::string(R"("hostname":")") + bytes + "\""));
    CHECK(e.rfind("invalid JSON at line 1 column ", 0) == 0);
    CHECK(e.find("invalid encoding") != std::string::npos);
    // Not echoed.
    CHECK(e.find(bytes) == std::string::npos);
  }
}

TEST_CASE("hostile: control characters are escaped in messages", "[spec][hostile]") {
  std::string e = parse_error(with_linux(R"("namespaces":[{"type":"\u001b[31mred\n\u0085"}])"));
  CHECK(e == "linux.namespaces[0].type: unknown namespace type \"\\u001b[31mred\\n\\u0085\"");
  // Non-ASCII text that is not a control shows as itself.
  CHECK(parse_error(with_linux(R"("namespaces":[{"type":"ünïcode"}])")) ==
        "linux.namespaces[0].type: unknown namespace type \"ünïcode\"");
}

TEST_CASE("hostile: 10,000 mounts", "[spec][hostile]") {
  std::string mounts;
  mounts.reserve(10000 * 90);
  for (int i = 0; i < 10000; i++) {
    if (i) mounts += ',';
    mounts += R"({"destination":"/m/)" + std::to_string(i) + R"(","type":"tmpfs","source":"tmpfs","options":["nosuid","size=1k"]})";
  }
  Spec s = parse_ok(config("\"mounts\":[" + mounts + "]"));
  CHECK(s.mounts.size() == 10000);
  CHECK(s.mounts[9999].destination == "/m/9999");
}

TEST_CASE("hostile: a 100,000-entry env", "[spec][hostile]") {
  std::string env;
  env.reserve(100000 * 24);
  for (int i = 0; i < 100000; i++) {
    if (i) env += ',';
    env += "\"VAR_" + std::to_string(i) + "=value\"";
  }
  Spec s = parse_ok(with_process("\"env\":[" + env + "]"));
  CHECK(s.process->env.size() == 100000);
  CHECK(s.process->env[99999] == "VAR_99999=value");

  // All one name: one entry left, the last.
  std::string same;
  for (int i = 0; i < 100000; i++) {
    if (i) same += ',';
    same += "\"X=" + std::to_string(i) + "\"";
  }
  Spec s2 = parse_ok(with_process("\"env\":[" + same + "]"));
  CHECK(s2.process->env == std::vector<std::string>{"X=99999"});
}

TEST_CASE("hostile: big lists elsewhere", "[spec][hostile]") {
  std::string caps, annotations, keys;
  for (int i = 0; i < 100000; i++) {
    if (i) {
      caps += ',';
      annotations += ',';
      keys += ',';
    }
    caps += "\"CAP_CHECKPOINT_RESTORE\"";
    annotations += "\"k" + std::to_string(i) + "\":\"v\"";
    keys += "\"unknown" + std::to_string(i) + "\":0";
  }
  Spec s = parse_ok(with_process("\"capabilities\":{\"bounding\":[" + caps + "]}," + keys,
                                 "\"annotations\":{" + annotations + "}"));
  CHECK(s.annotations.size() == 100000);
  CHECK(s.process->capabilities->bounding.has(40));
}

TEST_CASE("hostile: huge numbers, negatives where unsigned, floats where integers", "[spec][hostile]") {
  std::string e = parse_error(with_process(R"("user":{"uid":1e400,"gid":0})"));
  CHECK(e.rfind("invalid JSON at line 1 column ", 0) == 0);
  CHECK(parse_error(with_process(R"("user":{"uid":99999999999999999999999999,"gid":0})")) ==
        "process.user.uid: integer out of range");
  CHECK(parse_error(with_process(R"("oomScoreAdj":-1e30)")) ==
        "process.oomScoreAdj: integer out of range");
  CHECK(parse_error(with_linux(R"("devices":[{"type":"c","path":"/dev/x","major":1e300,"minor":0}])")) ==
        "linux.devices[0].major: integer out of range");
  CHECK(parse_error(with_process(R"("rlimits":[{"type":"RLIMIT_NOFILE","soft":-0.5,"hard":1}])")) ==
        "process.rlimits[0].soft: expected integer, got a fraction");
  CHECK(parse_error(config(R"("hooks":{"poststop":[{"path":"/h","timeout":99999999999999999999}]})")) ==
        "hooks.poststop[0].timeout: integer out of range");
  // An integral float is an integer (1e3 is 1000), as JSON means it.
  CHECK(parse_ok(with_process(R"("oomScoreAdj":1e2)")).process->oom_score_adj == 100);
}
