// linux.resources: every field parsed, every validation rule refused with the
// exact JSON path, and hostile input (huge, negative, fractional, long).
#include <catch2/catch.hpp>

#include <cerrno>
#include <string>

#include "ocirun/json.hpp"
#include "ocirun/spec_resources.hpp"
#include "test_util.hpp"

using namespace ocirun;
using test::read_fixture;

namespace {

// Parses `body` where config.json has it, at linux.resources, so that error
// paths read as the user will see them.
Result<LinuxResources> parse_in_config(const std::string& body) {
  std::string text = R"({"ociVersion": "1.2.0", "linux": {"resources": )" + body + "}}";
  return test::parse_linux_section(text, "resources", parse_linux_resources);
}

LinuxResources parse_ok(const std::string& body) { return test::value_of(parse_in_config(body), body); }

// The message of the error that `body` must give, after checking its code.
std::string error_of(const std::string& body) { return test::einval_message(parse_in_config(body), body); }

}  // namespace

TEST_CASE("resources: the full fixture fills every field") {
  auto r = parse_linux_resources_text(read_fixture("resources/full.json"));
  if (!r) FAIL(r.error().msg);

  REQUIRE(r->devices.size() == 4);
  CHECK_FALSE(r->devices[0].allow);
  CHECK(r->devices[0].type == DeviceCgroupType::All);
  CHECK_FALSE(r->devices[0].major);
  CHECK_FALSE(r->devices[0].minor);
  CHECK(r->devices[0].access == kDeviceAccessAll);
  CHECK(r->devices[1].allow);
  CHECK(r->devices[1].type == DeviceCgroupType::Char);
  CHECK(r->devices[1].major == 10u);
  CHECK(r->devices[1].minor == 229u);
  CHECK(r->devices[1].access == (kDeviceRead | kDeviceWrite));
  CHECK(r->devices[2].type == DeviceCgroupType::Block);
  CHECK(r->devices[2].major == 8u);
  CHECK_FALSE(r->devices[2].minor);  // -1: any
  CHECK(r->devices[2].access == kDeviceMknod);
  CHECK_FALSE(r->devices[3].major);  // absent: any
  CHECK(r->devices[3].minor == 3u);
  CHECK(r->devices[3].access == kDeviceAccessAll);  // absent: rwm

  const LinuxMemory& m = r->memory;
  CHECK(m.limit == 536870912);
  CHECK(m.reservation == 268435456);
  CHECK(m.swap == 1073741824);
  CHECK(m.kernel == -1);
  CHECK(m.kernel_tcp == 0);  // 0 is kept, not read as absent
  CHECK(m.swappiness == 60u);
  CHECK(m.disable_oom_killer == true);
  CHECK(m.use_hierarchy == false);
  CHECK(m.check_before_update == true);

  const LinuxCpu& c = r->cpu;
  CHECK(c.shares == 1024u);
  CHECK(c.quota == 1000000);
  CHECK(c.burst == 500000u);
  CHECK(c.period == 500000u);
  CHECK(c.realtime_runtime == 950000);
  CHECK(c.realtime_period == 1000000u);
  CHECK(c.cpus == "0-3,7");
  CHECK(c.mems == "0");
  CHECK(c.idle == 1);

  const LinuxBlockIo& b = r->block_io;
  CHECK(b.weight == 10u);
  CHECK(b.leaf_weight == 1000u);
  REQUIRE(b.weight_device.size() == 2);
  CHECK(b.weight_device[0].major == 8u);
  CHECK(b.weight_device[0].minor == 0u);
  CHECK(b.weight_device[0].weight == 500u);
  CHECK(b.weight_device[0].leaf_weight == 300u);
  CHECK(b.weight_device[1].minor == 16u);
  CHECK(b.weight_device[1].weight == 0u);  // a device's 0 removes its rule: kept
  CHECK_FALSE(b.weight_device[1].leaf_weight);
  REQUIRE(b.throttle_read_bps_device.size() == 1);
  CHECK(b.throttle_read_bps_device[0].major == 8u);
  CHECK(b.throttle_read_bps_device[0].rate == 600u);
  REQUIRE(b.throttle_write_bps_device.size() == 1);
  CHECK(b.throttle_write_bps_device[0].minor == 1u);
  CHECK(b.throttle_write_bps_device[0].rate == UINT64_MAX);
  REQUIRE(b.throttle_read_iops_device.size() == 1);
  CHECK(b.throttle_read_iops_device[0].minor == 2u);
  CHECK(b.throttle_read_iops_device[0].rate == 0u);
  REQUIRE(b.throttle_write_iops_device.size() == 1);
  CHECK(b.throttle_write_iops_device[0].minor == 16u);
  CHECK(b.throttle_write_iops_device[0].rate == 300u);

  REQUIRE(r->hugepage_limits.size() == 3);
  CHECK(r->hugepage_limits[0].page_size == "2MB");
  CHECK(r->hugepage_limits[0].page_size_bytes == 2u << 20);
  CHECK(r->hugepage_limits[0].limit == 209715200u);
  CHECK(r->hugepage_limits[1].page_size == "64KB");
  CHECK(r->hugepage_limits[1].page_size_bytes == 64u << 10);
  CHECK(r->hugepage_limits[2].page_size == "1GB");
  CHECK(r->hugepage_limits[2].page_size_bytes == 1u << 30);
  CHECK(r->hugepage_limits[2].limit == 0u);

  CHECK(r->network.class_id == 1048577u);
  REQUIRE(r->network.priorities.size() == 2);
  CHECK(r->network.priorities[0].name == "eth0");
  CHECK(r->network.priorities[0].priority == 500u);
  CHECK(r->network.priorities[1].name == "eth1");
  CHECK(r->network.priorities[1].priority == 1000u);

  CHECK(r->pids.limit == 32771);

  REQUIRE(r->rdma.size() == 3);
  CHECK(r->rdma.at("mlx5_1").hca_handles == 3u);
  CHECK(r->rdma.at("mlx5_1").hca_objects == 10000u);
  CHECK_FALSE(r->rdma.at("mlx4_0").hca_handles);
  CHECK(r->rdma.at("mlx4_0").hca_objects == 1000u);
  CHECK(r->rdma.at("rxe3").hca_handles == 7u);
  CHECK_FALSE(r->rdma.at("rxe3").hca_objects);

  REQUIRE(r->unified.size() == 4);
  CHECK(r->unified.at("io.max") == "259:0 rbps=2097152 wiops=120\n253:0 rbps=2097152 wiops=120");
  CHECK(r->unified.at("hugetlb.1GB.max") == "1073741824");
  CHECK(r->unified.at("memory.high") == "max");
  CHECK(r->unified.at("cgroup.max.depth") == "3");
}

TEST_CASE("resources: Docker's zero values read as unset") {
  auto r = parse_linux_resources_text(read_fixture("resources/docker-run.json"));
  if (!r) FAIL(r.error().msg);
  CHECK(r->devices.size() == 8);
  CHECK_FALSE(r->cpu.shares);       // "shares": 0
  CHECK_FALSE(r->block_io.weight);  // "weight": 0
  CHECK_FALSE(r->memory.limit);     // "memory": {}
  CHECK_FALSE(r->pids.limit);
}

TEST_CASE("resources: an empty object and absent members leave everything unset") {
  LinuxResources r = parse_ok("{}");
  CHECK(r.devices.empty());
  CHECK_FALSE(r.memory.limit);
  CHECK_FALSE(r.memory.swappiness);
  CHECK_FALSE(r.cpu.shares);
  CHECK_FALSE(r.cpu.cpus);
  CHECK_FALSE(r.block_io.weight);
  CHECK(r.hugepage_limits.empty());
  CHECK_FALSE(r.network.class_id);
  CHECK_FALSE(r.pids.limit);
  CHECK(r.rdma.empty());
  CHECK(r.unified.empty());

  // null is absent, as Go reads it (containerd marshals nil slices as null).
  r = parse_ok(R"({"devices": null, "memory": {"limit": null}, "cpu": null, "unified": null})");
  CHECK(r.devices.empty());
  CHECK_FALSE(r.memory.limit);

  // Unknown members are ignored (config.md, Extensibility).
  r = parse_ok(R"({"memory": {"limit": 1, "futureKnob": [1, {"x": 2}]}, "newController": {}})");
  CHECK(r.memory.limit == 1);
}

TEST_CASE("resources: zero is kept apart from absent") {
  LinuxResources r = parse_ok(R"({"memory": {"limit": 0, "swappiness": 0}, "pids": {"limit": 0},
                                 "cpu": {"quota": 0, "period": 0, "idle": 0}})");
  CHECK(r.memory.limit == 0);
  CHECK(r.memory.swappiness == 0u);
  CHECK(r.pids.limit == 0);  // the spec: 0 is a valid pids limit
  CHECK(r.cpu.quota == 0);
  CHECK(r.cpu.period == 0u);
  CHECK(r.cpu.idle == 0);
}

TEST_CASE("resources: errors name the path from the document's root") {
  // Inside config.json.
  CHECK(error_of(R"({"memory": {"limit": -2}})") ==
        "linux.resources.memory.limit: -2 is not a memory size (bytes, or -1 for unlimited)");
  CHECK(error_of("[]") == "linux.resources: expected object, got array");
  // A bare document, as `update --resources` reads it.
  auto r = parse_linux_resources_text(R"({"memory": {"limit": -2}})");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == EINVAL);
  CHECK(r.error().msg == "memory.limit: -2 is not a memory size (bytes, or -1 for unlimited)");
  r = parse_linux_resources_text("[]");
  REQUIRE_FALSE(r);
  CHECK(r.error().msg == "expected object, got array");
  r = parse_linux_resources_text(R"({"memory": )");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == EINVAL);
  CHECK(r.error().msg.rfind("invalid JSON at line 1", 0) == 0);
}

TEST_CASE("resources: keys match as Go matches them, as in the rest of config.json") {
  // runc (Go's encoding/json) reads "Memory" as memory, at every level.
  LinuxResources r = parse_ok(R"({"Memory": {"LIMIT": 1024, "kernelTcp": 5}, "CPU": {"Shares": 2},
                                  "blockio": {"Weight": 100, "throttleReadBPSDevice": [{"Major": 8, "MINOR": 0, "Rate": 1}]},
                                  "Network": {"classid": 7, "Priorities": [{"Name": "eth0", "Priority": 1}]},
                                  "Pids": {"Limit": 9}, "Devices": [{"Allow": true, "Access": "r"}],
                                  "HugepageLimits": [{"PageSize": "2MB", "Limit": 1}],
                                  "Rdma": {"mlx5_1": {"HcaHandles": 3}}})");
  CHECK(r.memory.limit == 1024);
  CHECK(r.memory.kernel_tcp == 5);
  CHECK(r.cpu.shares == 2u);
  CHECK(r.block_io.weight == 100u);
  REQUIRE(r.block_io.throttle_read_bps_device.size() == 1);
  CHECK(r.block_io.throttle_read_bps_device[0].major == 8u);
  CHECK(r.block_io.throttle_read_bps_device[0].rate == 1u);
  CHECK(r.network.class_id == 7u);
  REQUIRE(r.network.priorities.size() == 1);
  CHECK(r.network.priorities[0].name == "eth0");
  CHECK(r.pids.limit == 9);
  REQUIRE(r.devices.size() == 1);
  CHECK(r.devices[0].access == kDeviceRead);
  REQUIRE(r.hugepage_limits.size() == 1);
  CHECK(r.hugepage_limits[0].page_size_bytes == 2u << 20);
  CHECK(r.rdma.at("mlx5_1").hca_handles == 3u);
  // KELVIN SIGN folds to k, as in Go.
  CHECK(parse_ok("{\"memory\": {\"\xe2\x84\xaa" "ernel\": 7}}").memory.kernel == 7);
  // Errors show the key as written.
  CHECK(error_of(R"({"Memory": {"Limit": -2}})") ==
        "linux.resources.Memory.Limit: -2 is not a memory size (bytes, or -1 for unlimited)");
  // Keys of the maps are data, not schema: matched exactly, never folded.
  LinuxResources maps = parse_ok(R"({"rdma": {"mlx5_1": {"hcaHandles": 1}, "MLX5_1": {"hcaHandles": 2}}})");
  CHECK(maps.rdma.size() == 2);
  // Near misses are unknown keys, ignored.
  CHECK_FALSE(parse_ok(R"({"memorys": {"limit": 1}, "memory": {"limits": 1}})").memory.limit);
}

TEST_CASE("resources: a known key given twice is refused, in one spelling or two") {
  // Go would take the last copy, Node::find the first: refuse rather than guess.
  CHECK(error_of(R"({"memory": {"limit": 1}, "memory": {"swap": 2}})") == "linux.resources.memory: duplicate key");
  CHECK(error_of(R"({"memory": {"limit": 1}, "Memory": {"swap": 2}})") ==
        R"(linux.resources.memory: duplicate key (given as "memory" and "Memory"))");
  CHECK(error_of(R"({"memory": {"limit": 1, "limit": 2}})") == "linux.resources.memory.limit: duplicate key");
  CHECK(error_of(R"({"cpu": {"cpus": "0", "CPUs": "1"}})") ==
        R"(linux.resources.cpu.cpus: duplicate key (given as "cpus" and "CPUs"))");
  CHECK(error_of(R"({"devices": [{"allow": true, "allow": false}]})") ==
        "linux.resources.devices[0].allow: duplicate key");
  CHECK(error_of(R"({"blockIO": {"weightDevice": [{"major": 8, "minor": 0, "weight": 10, "Weight": 20}]}})") ==
        R"(linux.resources.blockIO.weightDevice[0].weight: duplicate key (given as "weight" and "Weight"))");
  CHECK(error_of(R"({"network": {"priorities": [{"name": "a", "priority": 1, "name": "b"}]}})") ==
        "linux.resources.network.priorities[0].name: duplicate key");
  CHECK(error_of(R"({"pids": {"limit": 1, "limit": 2}})") == "linux.resources.pids.limit: duplicate key");
  CHECK(error_of(R"({"rdma": {"mlx5_1": {"hcaHandles": 1, "hcaHandles": 2}}})") ==
        "linux.resources.rdma.mlx5_1.hcaHandles: duplicate key");
  CHECK(error_of(R"({"hugepageLimits": [{"pageSize": "2MB", "limit": 1, "limit": 2}]})") ==
        "linux.resources.hugepageLimits[0].limit: duplicate key");
  // A null first copy is still a copy.
  CHECK(error_of(R"({"memory": null, "memory": {"limit": 1}})") == "linux.resources.memory: duplicate key");
  // The bare document of `update --resources` follows the same rules.
  auto r = parse_linux_resources_text(R"({"memory": {"limit": 1}, "memory": {"limit": 2}})");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == EINVAL);
  CHECK(r.error().msg == "memory: duplicate key");
  auto folded = parse_linux_resources_text(R"({"Memory": {"Limit": 3}})");
  REQUIRE(folded);
  CHECK(folded->memory.limit == 3);
  // Unknown keys may repeat: they are ignored anyway.
  CHECK_FALSE(parse_ok(R"({"x": 1, "x": 2, "memory": {"y": 1, "y": 2}})").memory.limit);
}

TEST_CASE("resources: devices") {
  CHECK(error_of(R"({"devices": {}})") == "linux.resources.devices: expected array, got object");
  CHECK(error_of(R"({"devices": [{"allow": true}, 7]})") ==
        "linux.resources.devices[1]: expected object, got number");
  CHECK(error_of(R"({"devices": [{"access": "rwm"}]})") ==
        "linux.resources.devices[0].allow: required field is missing");
  CHECK(error_of(R"({"devices": [{"allow": "yes"}]})") ==
        "linux.resources.devices[0].allow: expected boolean, got string");
  CHECK(error_of(R"({"devices": [{"allow": true, "type": "u"}]})") ==
        R"(linux.resources.devices[0].type: unknown device type "u" (expected "a", "c" or "b"))");
  CHECK(error_of(R"({"devices": [{"allow": true, "type": "cc"}]})") ==
        R"(linux.resources.devices[0].type: unknown device type "cc" (expected "a", "c" or "b"))");
  CHECK(error_of(R"({"devices": [{"allow": true, "major": -2}]})") ==
        "linux.resources.devices[0].major: -2 is not a device number (0 to 4294967295, or -1 for any)");
  CHECK(error_of(R"({"devices": [{"allow": true, "minor": 4294967296}]})") ==
        "linux.resources.devices[0].minor: 4294967296 is not a device number (0 to 4294967295, or -1 for any)");
  CHECK(error_of(R"({"devices": [{"allow": true, "major": 1.5}]})") ==
        "linux.resources.devices[0].major: expected integer, got a fraction");
  CHECK(error_of(R"({"devices": [{"allow": true, "access": "rwx"}]})") ==
        R"(linux.resources.devices[0].access: invalid access "rwx": expected letters of "rwm")");
  CHECK(error_of(R"({"devices": [{"allow": true, "access": "R"}]})") ==
        R"(linux.resources.devices[0].access: invalid access "R": expected letters of "rwm")");

  // "" is Go's zero value for type and access: "a" and "rwm".
  LinuxResources r = parse_ok(R"({"devices": [{"allow": true, "type": "", "access": ""},
                                              {"allow": false, "major": 4294967295, "access": "mmr"}]})");
  CHECK(r.devices[0].type == DeviceCgroupType::All);
  CHECK(r.devices[0].access == kDeviceAccessAll);
  CHECK(r.devices[1].major == 4294967295u);
  CHECK(r.devices[1].access == (kDeviceMknod | kDeviceRead));
}

TEST_CASE("resources: memory values are bytes or -1") {
  for (const char* key : {"limit", "reservation", "swap", "kernel", "kernelTCP"}) {
    std::string k(key);
    CHECK(error_of(R"({"memory": {")" + k + R"(": -2}})") ==
          "linux.resources.memory." + k + ": -2 is not a memory size (bytes, or -1 for unlimited)");
    CHECK(error_of(R"({"memory": {")" + k + R"(": "1G"}})") ==
          "linux.resources.memory." + k + ": expected number, got string");
    LinuxResources r = parse_ok(R"({"memory": {")" + k + R"(": -1}})");
    (void)r;
  }
  CHECK(error_of(R"({"memory": {"limit": -9223372036854775808}})") ==
        "linux.resources.memory.limit: -9223372036854775808 is not a memory size (bytes, or -1 for unlimited)");
  CHECK(error_of(R"({"memory": {"limit": 9223372036854775808}})") ==
        "linux.resources.memory.limit: integer out of range");
  CHECK(error_of(R"({"memory": {"limit": 1e19}})") == "linux.resources.memory.limit: integer out of range");
  CHECK(error_of(R"({"memory": {"limit": 1.5}})") ==
        "linux.resources.memory.limit: expected integer, got a fraction");
  CHECK(parse_ok(R"({"memory": {"limit": 9223372036854775807}})").memory.limit == INT64_MAX);
  CHECK(parse_ok(R"({"memory": {"limit": 1e3}})").memory.limit == 1000);  // integral: accepted
  CHECK(error_of(R"({"memory": "1G"})") == "linux.resources.memory: expected object, got string");
}

TEST_CASE("resources: memory swappiness is 0 to 100") {
  CHECK(error_of(R"({"memory": {"swappiness": 101}})") ==
        "linux.resources.memory.swappiness: 101 is out of range (0 to 100)");
  CHECK(error_of(R"({"memory": {"swappiness": -1}})") ==
        "linux.resources.memory.swappiness: expected a non-negative integer");
  CHECK(parse_ok(R"({"memory": {"swappiness": 100}})").memory.swappiness == 100u);
  // Docker's old uint64(-1), which runc reads as unset.
  CHECK_FALSE(parse_ok(R"({"memory": {"swappiness": 18446744073709551615}})").memory.swappiness);
  CHECK(error_of(R"({"memory": {"swappiness": 18446744073709551614}})") ==
        "linux.resources.memory.swappiness: 18446744073709551614 is out of range (0 to 100)");
}

TEST_CASE("resources: memory booleans") {
  for (const char* key : {"disableOOMKiller", "useHierarchy", "checkBeforeUpdate"}) {
    std::string k(key);
    CHECK(error_of(R"({"memory": {")" + k + R"(": 1}})") ==
          "linux.resources.memory." + k + ": expected boolean, got number");
  }
}

TEST_CASE("resources: cpu numbers") {
  CHECK(error_of(R"({"cpu": {"shares": -1}})") == "linux.resources.cpu.shares: expected a non-negative integer");
  CHECK(error_of(R"({"cpu": {"shares": 1.5}})") == "linux.resources.cpu.shares: expected integer, got a fraction");
  CHECK(error_of(R"({"cpu": {"period": -1}})") == "linux.resources.cpu.period: expected a non-negative integer");
  CHECK(error_of(R"({"cpu": {"realtimePeriod": "1"}})") ==
        "linux.resources.cpu.realtimePeriod: expected number, got string");
  CHECK(error_of(R"({"cpu": {"realtimeRuntime": 1e30}})") ==
        "linux.resources.cpu.realtimeRuntime: integer out of range");
  // Any negative quota or realtime runtime is "unlimited" to the kernel.
  LinuxResources r = parse_ok(R"({"cpu": {"quota": -5, "realtimeRuntime": -1}})");
  CHECK(r.cpu.quota == -5);
  CHECK(r.cpu.realtime_runtime == -1);
}

TEST_CASE("resources: cpu burst is no larger than a positive quota") {
  CHECK(error_of(R"({"cpu": {"quota": 1000, "burst": 2000}})") ==
        "linux.resources.cpu.burst: 2000 is larger than quota 1000");
  CHECK(parse_ok(R"({"cpu": {"quota": 1000, "burst": 1000}})").cpu.burst == 1000u);
  CHECK(parse_ok(R"({"cpu": {"quota": -1, "burst": 2000}})").cpu.burst == 2000u);
  CHECK(parse_ok(R"({"cpu": {"burst": 2000}})").cpu.burst == 2000u);
}

TEST_CASE("resources: cpu idle is 0 or 1") {
  CHECK(error_of(R"({"cpu": {"idle": 2}})") == "linux.resources.cpu.idle: 2 is out of range (0 or 1)");
  CHECK(error_of(R"({"cpu": {"idle": -1}})") == "linux.resources.cpu.idle: -1 is out of range (0 or 1)");
}

TEST_CASE("resources: cpu cpus and mems are cpuset lists") {
  CHECK(error_of(R"({"cpu": {"cpus": "0-"}})") ==
        R"(linux.resources.cpu.cpus: invalid cpuset list "0-": expected a number from 0 to 65535 at offset 2)");
  CHECK(error_of(R"({"cpu": {"mems": "1,a"}})") ==
        R"(linux.resources.cpu.mems: invalid cpuset list "1,a": expected a number from 0 to 65535 at offset 2)");
  CHECK(error_of(R"({"cpu": {"cpus": "3-1"}})") ==
        R"(linux.resources.cpu.cpus: invalid cpuset list "3-1": range 3-1 is backwards)");
  CHECK(error_of(R"({"cpu": {"cpus": 3}})") == "linux.resources.cpu.cpus: expected string, got number");
  // "" is Go's zero value, which runc ignores.
  LinuxResources r = parse_ok(R"({"cpu": {"cpus": "", "mems": ""}})");
  CHECK_FALSE(r.cpu.cpus);
  CHECK_FALSE(r.cpu.mems);
}

TEST_CASE("resources: parse_cpuset_list") {
  using V = std::vector<IdRange>;
  CHECK(*parse_cpuset_list("0") == V{{0, 0}});
  CHECK(*parse_cpuset_list("0-3,7") == V{{0, 3}, {7, 7}});
  CHECK(*parse_cpuset_list("1,2,3") == V{{1, 1}, {2, 2}, {3, 3}});
  CHECK(*parse_cpuset_list("5-5,007") == V{{5, 5}, {7, 7}});
  CHECK(*parse_cpuset_list("0-65535") == V{{0, 65535}});
  for (const char* bad : {"", ",", "0,", ",0", "0,,1", "-1", "0-", "1-2-3", "a", "0 - 3", " 1", "1\n",
                          "0-7:2/4", "65536", "0-65536", "99999999999999999999999", "+1", "0x1"}) {
    INFO(bad);
    auto r = parse_cpuset_list(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == EINVAL);
  }
  CHECK(parse_cpuset_list("").error().msg == R"(invalid cpuset list "": empty)");
  CHECK(parse_cpuset_list("0;1").error().msg == R"(invalid cpuset list "0;1": unexpected character at offset 1)");
  CHECK(parse_cpuset_list("65536").error().msg ==
        R"(invalid cpuset list "65536": expected a number from 0 to 65535 at offset 0)");
}

TEST_CASE("resources: blockIO weights are 10 to 1000") {
  CHECK(error_of(R"({"blockIO": {"weight": 5}})") == "linux.resources.blockIO.weight: 5 is out of range (10 to 1000)");
  CHECK(error_of(R"({"blockIO": {"weight": 1001}})") ==
        "linux.resources.blockIO.weight: 1001 is out of range (10 to 1000)");
  CHECK(error_of(R"({"blockIO": {"leafWeight": 9}})") ==
        "linux.resources.blockIO.leafWeight: 9 is out of range (10 to 1000)");
  CHECK(error_of(R"({"blockIO": {"weight": 65536}})") ==
        "linux.resources.blockIO.weight: integer out of range for 16 bits");
  CHECK(error_of(R"({"blockIO": {"weight": -10}})") ==
        "linux.resources.blockIO.weight: expected a non-negative integer");
  // Docker always sends weight, 0 for "unset".
  LinuxResources r = parse_ok(R"({"blockIO": {"weight": 0, "leafWeight": 0}})");
  CHECK_FALSE(r.block_io.weight);
  CHECK_FALSE(r.block_io.leaf_weight);
}

TEST_CASE("resources: blockIO weightDevice") {
  CHECK(error_of(R"({"blockIO": {"weightDevice": [{"minor": 0, "weight": 10}]}})") ==
        "linux.resources.blockIO.weightDevice[0].major: required field is missing");
  CHECK(error_of(R"({"blockIO": {"weightDevice": [{"major": 8, "weight": 10}]}})") ==
        "linux.resources.blockIO.weightDevice[0].minor: required field is missing");
  CHECK(error_of(R"({"blockIO": {"weightDevice": [{"major": 8, "minor": 0}]}})") ==
        "linux.resources.blockIO.weightDevice[0]: one of weight or leafWeight is required");
  CHECK(error_of(R"({"blockIO": {"weightDevice": [{"major": 8, "minor": 0, "weight": 5}]}})") ==
        "linux.resources.blockIO.weightDevice[0].weight: 5 is out of range (10 to 1000, or 0)");
  CHECK(error_of(R"({"blockIO": {"weightDevice": [{"major": 8, "minor": 0, "leafWeight": 1001}]}})") ==
        "linux.resources.blockIO.weightDevice[0].leafWeight: 1001 is out of range (10 to 1000, or 0)");
  CHECK(error_of(R"({"blockIO": {"weightDevice": [{"major": -1, "minor": 0, "weight": 10}]}})") ==
        "linux.resources.blockIO.weightDevice[0].major: -1 is not a device number (0 to 4294967295)");
  CHECK(error_of(R"({"blockIO": {"weightDevice": [7]}})") ==
        "linux.resources.blockIO.weightDevice[0]: expected object, got number");
}

TEST_CASE("resources: blockIO throttle devices") {
  for (const char* key : {"throttleReadBpsDevice", "throttleWriteBpsDevice", "throttleReadIOPSDevice",
                          "throttleWriteIOPSDevice"}) {
    std::string k(key);
    std::string path = "linux.resources.blockIO." + k;
    CHECK(error_of(R"({"blockIO": {")" + k + R"(": [{"major": 8, "minor": 0}]}})") ==
          path + "[0].rate: required field is missing");
    CHECK(error_of(R"({"blockIO": {")" + k + R"(": [{"major": 8, "minor": 0, "rate": -1}]}})") ==
          path + "[0].rate: expected a non-negative integer");
    CHECK(error_of(R"({"blockIO": {")" + k + R"(": [{"minor": 0, "rate": 1}]}})") ==
          path + "[0].major: required field is missing");
    CHECK(error_of(R"({"blockIO": {")" + k + R"(": [{"major": 8, "minor": 4294967296, "rate": 1}]}})") ==
          path + "[0].minor: 4294967296 is not a device number (0 to 4294967295)");
    CHECK(error_of(R"({"blockIO": {")" + k + R"(": {}}})") == path + ": expected array, got object");
  }
}

TEST_CASE("resources: hugepageLimits page sizes are the kernel's file names") {
  auto page_error = [](const std::string& size) {
    return error_of(R"({"hugepageLimits": [{"pageSize": ")" + size + R"(", "limit": 1}]})");
  };
  const std::string path = "linux.resources.hugepageLimits[0].pageSize: ";
  CHECK(page_error("2048KB") == path + R"(invalid page size "2048KB": the kernel names this size "2MB")");
  CHECK(page_error("1024MB") == path + R"(invalid page size "1024MB": the kernel names this size "1GB")");
  CHECK(page_error("3MB") == path + R"(invalid page size "3MB": not a power of two)");
  CHECK(page_error("17179869184GB") == path + R"(invalid page size "17179869184GB": too large)");
  CHECK(page_error("99999999999999999999999GB") == path + R"(invalid page size "99999999999999999999999GB": too large)");
  for (const char* bad : {"2M", "2mb", "2Mb", "02MB", "0MB", "MB", "B", "", " 2MB", "2 MB", "-2MB", "2TB", "2.5MB"}) {
    INFO(bad);
    CHECK(page_error(bad) == path + "invalid page size \"" + bad + "\": expected a size such as \"2MB\" or \"1GB\"");
  }
  LinuxResources r = parse_ok(R"({"hugepageLimits": [{"pageSize": "512KB", "limit": 1},
                                                    {"pageSize": "32MB", "limit": 2},
                                                    {"pageSize": "16GB", "limit": 3}]})");
  CHECK(r.hugepage_limits[0].page_size_bytes == 512u << 10);
  CHECK(r.hugepage_limits[1].page_size_bytes == 32u << 20);
  CHECK(r.hugepage_limits[2].page_size_bytes == 16ull << 30);

  CHECK(error_of(R"({"hugepageLimits": [{"limit": 1}]})") ==
        "linux.resources.hugepageLimits[0].pageSize: required field is missing");
  CHECK(error_of(R"({"hugepageLimits": [{"pageSize": "2MB"}]})") ==
        "linux.resources.hugepageLimits[0].limit: required field is missing");
  CHECK(error_of(R"({"hugepageLimits": [{"pageSize": "2MB", "limit": -1}]})") ==
        "linux.resources.hugepageLimits[0].limit: expected a non-negative integer");
}

TEST_CASE("resources: network") {
  CHECK(error_of(R"({"network": {"classID": -1}})") ==
        "linux.resources.network.classID: expected a non-negative integer");
  CHECK(error_of(R"({"network": {"classID": 4294967296}})") ==
        "linux.resources.network.classID: integer out of range for 32 bits");
  CHECK(error_of(R"({"network": {"priorities": [{"priority": 1}]}})") ==
        "linux.resources.network.priorities[0].name: required field is missing");
  CHECK(error_of(R"({"network": {"priorities": [{"name": "eth0"}]}})") ==
        "linux.resources.network.priorities[0].priority: required field is missing");
  // A name is written into net_prio.ifpriomap as "<name> <prio>": a space or
  // newline would set another interface's priority.
  auto name_error = [](const std::string& json_name) {
    return error_of(R"({"network": {"priorities": [{"name": )" + json_name + R"(, "priority": 1}]}})");
  };
  const std::string path = "linux.resources.network.priorities[0].name: invalid interface name ";
  CHECK(name_error(R"("eth0 7\nlo")") == path + R"("eth0 7\nlo")");
  CHECK(name_error(R"("a b")") == path + R"("a b")");
  CHECK(name_error(R"("")") == path + R"("")");
  CHECK(name_error(R"(".")") == path + R"(".")");
  CHECK(name_error(R"("..")") == path + R"("..")");
  CHECK(name_error(R"("a/b")") == path + R"("a/b")");
  CHECK(name_error(R"("a:b")") == path + R"("a:b")");
  CHECK(name_error(R"("a\tb")") == path + R"("a\tb")");
  CHECK(name_error(R"("0123456789abcdef")") == path + R"("0123456789abcdef")");  // 16: IFNAMSIZ
  CHECK(parse_ok(R"({"network": {"priorities": [{"name": "0123456789abcde", "priority": 1}]}})")
            .network.priorities[0]
            .name == "0123456789abcde");
}

TEST_CASE("resources: pids limit is a count or -1") {
  CHECK(error_of(R"({"pids": {"limit": -2}})") ==
        "linux.resources.pids.limit: -2 is out of range (a count, or -1 for no limit)");
  CHECK(error_of(R"({"pids": {"limit": 2.5}})") == "linux.resources.pids.limit: expected integer, got a fraction");
  CHECK(parse_ok(R"({"pids": {"limit": -1}})").pids.limit == -1);
  CHECK_FALSE(parse_ok(R"({"pids": {}})").pids.limit);
}

TEST_CASE("resources: rdma") {
  CHECK(error_of(R"({"rdma": {"mlx5_1": {}}})") ==
        "linux.resources.rdma.mlx5_1: one of hcaHandles or hcaObjects is required");
  CHECK(error_of(R"({"rdma": {"mlx5_1": 3}})") == "linux.resources.rdma.mlx5_1: expected object, got number");
  CHECK(error_of(R"({"rdma": {"mlx5_1": {"hcaHandles": -1}}})") ==
        "linux.resources.rdma.mlx5_1.hcaHandles: expected a non-negative integer");
  CHECK(error_of(R"({"rdma": {"mlx5_1": {"hcaObjects": 4294967296}}})") ==
        "linux.resources.rdma.mlx5_1.hcaObjects: integer out of range for 32 bits");
  // rdma.max is written as "<device> hca_handle=N": a space would forge a device.
  CHECK(error_of(R"({"rdma": {"mlx5_1 hca_handle=1\nmlx4_0": {"hcaHandles": 1}}})") ==
        R"(linux.resources.rdma: invalid RDMA device name "mlx5_1 hca_handle=1\nmlx4_0")");
  CHECK(error_of(R"({"rdma": {"": {"hcaHandles": 1}}})") == R"(linux.resources.rdma: invalid RDMA device name "")");
  CHECK(error_of(R"({"rdma": {"mlx5_1": {"hcaHandles": 1}, "mlx5_1": {"hcaObjects": 2}}})") ==
        R"(linux.resources.rdma: duplicate RDMA device "mlx5_1")");
  CHECK(error_of(R"({"rdma": []})") == "linux.resources.rdma: expected object, got array");
}

TEST_CASE("resources: unified keys name a file of the container's own cgroup") {
  auto key_error = [](const std::string& json_key) {
    return error_of(R"({"unified": {)" + json_key + R"(: "1"}})");
  };
  const std::string path = "linux.resources.unified: invalid key ";
  // Escapes from the cgroup directory.
  CHECK(key_error(R"("../memory.max")") == path + R"("../memory.max": must be a file name, without '/')");
  CHECK(key_error(R"("memory.max/../../x")") == path + R"("memory.max/../../x": must be a file name, without '/')");
  CHECK(key_error(R"("/sys/fs/cgroup/memory.max")") ==
        path + R"("/sys/fs/cgroup/memory.max": must be a file name, without '/')");
  CHECK(key_error(R"("..")") == path + R"("..": must be of the form <controller>.<file>)");
  // Not of the form controller.file.
  for (const char* bad : {"memory", ".max", "memory.", "memory..max", "Memory.max", "mem-ory.max", "memory.max ",
                          "memory.max\\n", "memory.m@x", "memory.max."}) {
    INFO(bad);
    CHECK(key_error(std::string("\"") + bad + "\"") ==
          path + "\"" + bad + "\": must be of the form <controller>.<file>");
  }
  CHECK(key_error(R"("")") == path + R"("": empty key)");
  std::string long_key = "memory." + std::string(300, 'x');
  // The key is cut in the message, which stays readable.
  CHECK(key_error("\"" + long_key + "\"") == path + ocirun::json::quoted(long_key) + ": longer than a file name can be");
  // The runtime's own files.
  for (const char* owned : {"cgroup.procs", "cgroup.threads", "cgroup.kill", "cgroup.freeze"}) {
    INFO(owned);
    CHECK(key_error(std::string("\"") + owned + "\"") == path + "\"" + owned + "\": is managed by the runtime");
  }
  CHECK(error_of(R"({"unified": {"memory.max": 5}})") ==
        "linux.resources.unified.memory.max: expected string, got number");
  CHECK(error_of(R"({"unified": {"memory.max": "1\u0000"}})") ==
        "linux.resources.unified.memory.max: string contains a NUL byte");
  CHECK(error_of(R"({"unified": {"memory.max": "1", "memory.max": "2"}})") ==
        R"(linux.resources.unified: duplicate key "memory.max")");
  LinuxResources r = parse_ok(R"({"unified": {"io.bfq.weight": "default 100", "hugetlb.2MB.rsvd.max": "max",
                                              "cpu.uclamp.min": "10.5", "memory.oom.group": "1",
                                              "misc.max": "res_a 1", "cgroup.max.descendants": "10",
                                              "memory.max": ""}})");
  CHECK(r.unified.size() == 7);
  CHECK(r.unified.at("memory.max").empty());
}

TEST_CASE("resources: hostile sizes") {
  // 200k device rules and 50k unified keys: one pass each, no quadratic
  // lookups (a duplicate check that compared every pair would take minutes).
  std::string text = R"({"devices": [)";
  for (int i = 0; i < 200000; i++) {
    if (i) text += ',';
    text += R"({"allow": true, "type": "c", "major": 1, "minor": )" + std::to_string(i % 1000) + R"(, "access": "rw"})";
  }
  text += R"(], "unified": {)";
  for (int i = 0; i < 50000; i++) {
    if (i) text += ',';
    text += "\"misc.k" + std::to_string(i) + "\": \"1\"";
  }
  text += "}}";
  auto r = parse_linux_resources_text(text);
  REQUIRE(r);
  CHECK(r->devices.size() == 200000);
  CHECK(r->unified.size() == 50000);
}

TEST_CASE("resources: an rdma entry of null is no entry (null reads as absent)") {
  LinuxResources r = parse_ok(R"({"rdma": {"mlx5_1": null, "mlx4_0": {"hcaObjects": 1}}})");
  CHECK(r.rdma.size() == 1);
  CHECK(r.rdma.count("mlx4_0") == 1);
}
