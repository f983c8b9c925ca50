// update's pure parts: memory sizes, flags -> LinuxResources, merging into
// the stored resources, and writing them back into config.json.
#include <catch2/catch.hpp>

#include <vector>

#include "ocirun/container_pause.hpp"
#include "ocirun/container_update.hpp"
#include "ocirun/spec.hpp"
#include "test_util.hpp"

using namespace ocirun;
using ocirun::test::value_of;

namespace {

cli::Invocation update_inv(std::vector<const char*> words) {
  words.insert(words.begin(), "update");
  words.push_back("id");
  cli::Invocation inv;
  Result<> r = cli::parse(std::span<const char* const>(words.data(), words.size()), inv);
  if (!r) FAIL(r.error().msg);
  return inv;
}

Result<LinuxResources> flags(std::vector<const char*> words) { return resources_from_flags(update_inv(std::move(words))); }

}  // namespace

TEST_CASE("update: memory sizes as runc's flags take them", "[update]") {
  CHECK(value_of(parse_memory_size("1024")) == 1024);
  CHECK(value_of(parse_memory_size("-1")) == -1);
  CHECK(value_of(parse_memory_size("512k")) == 512 * 1024);
  CHECK(value_of(parse_memory_size("64m")) == 64 << 20);
  CHECK(value_of(parse_memory_size("64M")) == 64 << 20);
  CHECK(value_of(parse_memory_size("1g")) == 1 << 30);
  CHECK(value_of(parse_memory_size("2GiB")) == 2LL << 30);
  CHECK(value_of(parse_memory_size("1.5g")) == 3LL << 29);
  CHECK(value_of(parse_memory_size("100 MB")) == 100LL << 20);
  CHECK(value_of(parse_memory_size("10b")) == 10);
  for (const char* bad : {"", "-2", "abc", "1x", "1gg", "1.", ".5m", "1e3", "99999999999p"}) {
    INFO(bad);
    CHECK(!parse_memory_size(bad));
  }
}

TEST_CASE("update: single-value flags set only what they name", "[update]") {
  LinuxResources r = value_of(flags({"--memory", "64m", "--pids-limit", "20", "--cpu-quota", "50000",
                                     "--cpu-period", "100000", "--cpuset-cpus", "0", "--blkio-weight", "500",
                                     "--cpu-share", "512", "--memory-swap=-1", "--cpu-idle", "1"}));
  CHECK(r.memory.limit == 64 << 20);
  CHECK(r.memory.swap == -1);
  CHECK(!r.memory.reservation);
  CHECK(r.pids.limit == 20);
  CHECK(r.cpu.quota == 50000);
  CHECK(r.cpu.period == 100000u);
  CHECK(r.cpu.shares == 512u);
  CHECK(r.cpu.cpus == "0");
  CHECK(!r.cpu.mems);
  CHECK(r.cpu.idle == 1);
  CHECK(r.block_io.weight == 500);

  LinuxResources none = value_of(flags({}));
  CHECK(!none.memory.limit);
  CHECK(!none.pids.limit);
  CHECK(!none.cpu.quota);
  // runc: pids-limit 0 and blkio-weight 0 mean "not given"; any negative
  // pids limit is "no limit"; an empty value is not given.
  CHECK(!value_of(flags({"--pids-limit", "0"})).pids.limit);
  CHECK(value_of(flags({"--pids-limit", "-5"})).pids.limit == -1);
  CHECK(!value_of(flags({"--blkio-weight", "0"})).block_io.weight);
  CHECK(!value_of(flags({"--memory="})).memory.limit);
  CHECK(value_of(flags({"--memory", "-1"})).memory.limit == -1);
}

TEST_CASE("update: bad flag values name the flag", "[update]") {
  struct Case {
    std::vector<const char*> words;
    const char* flag;
  };
  for (const Case& c : std::vector<Case>{{{"--memory", "lots"}, "--memory"},
                                         {{"--pids-limit", "x"}, "--pids-limit"},
                                         {{"--cpu-quota", "1.5"}, "--cpu-quota"},
                                         {{"--cpu-period", "-1"}, "--cpu-period"},
                                         {{"--cpuset-cpus", "0-"}, "--cpuset-cpus"},
                                         {{"--blkio-weight", "5"}, "--blkio-weight"},
                                         {{"--cpu-idle", "2"}, "--cpu-idle"}}) {
    auto r = flags(c.words);
    INFO(c.flag);
    REQUIRE(!r);
    CHECK(r.error().msg.find(std::string("invalid value for ") + c.flag) != std::string::npos);
    CHECK(r.error().code == EINVAL);
  }
  auto rdt = flags({"--l3-cache-schema", "L3:0=f"});
  REQUIRE(!rdt);
  CHECK(rdt.error().code == ENOTSUP);
}

TEST_CASE("update: merging keeps what the update does not name", "[update]") {
  LinuxResources stored = value_of(parse_linux_resources_text(R"({
    "devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw"}],
    "memory": {"limit": 100000000, "swap": 200000000, "checkBeforeUpdate": true},
    "cpu": {"shares": 100, "quota": 20000, "period": 100000, "cpus": "0"},
    "pids": {"limit": 10},
    "unified": {"memory.high": "90000000"}})"));
  LinuxResources update = value_of(parse_linux_resources_text(R"({
    "devices": [{"allow": true, "access": "rwm"}],
    "memory": {"limit": 50000000},
    "cpu": {"quota": 30000},
    "unified": {"memory.low": "1000"}})"));
  merge_resources(stored, update);
  CHECK(stored.memory.limit == 50000000);
  CHECK(stored.memory.swap == 200000000);
  CHECK(stored.memory.check_before_update == true);
  CHECK(stored.cpu.quota == 30000);
  CHECK(stored.cpu.period == 100000u);
  CHECK(stored.cpu.shares == 100u);
  CHECK(stored.cpu.cpus == "0");
  CHECK(stored.pids.limit == 10);
  CHECK(stored.unified.at("memory.high") == "90000000");
  CHECK(stored.unified.at("memory.low") == "1000");
  // Device rules are not changed by update (as runc): still deny-all + one.
  REQUIRE(stored.devices.size() == 2);
  CHECK(!stored.devices[0].allow);

  // memory -1 without swap: swap unlimited too (runc's v1 compatibility).
  LinuxResources unlimited;
  unlimited.memory.limit = -1;
  merge_resources(stored, unlimited);
  CHECK(stored.memory.limit == -1);
  CHECK(stored.memory.swap == -1);
}

TEST_CASE("update: serialized resources read back the same", "[update]") {
  const char* text = R"({
    "devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "b", "major": 8, "access": "r"}],
    "memory": {"limit": 100000000, "reservation": -1, "swap": 200000000, "swappiness": 10,
               "disableOOMKiller": false, "checkBeforeUpdate": true},
    "cpu": {"shares": 100, "quota": -1, "burst": 0, "period": 100000, "realtimeRuntime": 5, "realtimePeriod": 10,
            "cpus": "0-1", "mems": "0", "idle": 0},
    "blockIO": {"weight": 300, "leafWeight": 20, "weightDevice": [{"major": 8, "minor": 0, "weight": 10}],
                "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1000}]},
    "hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}],
    "network": {"classID": 7, "priorities": [{"name": "eth0", "priority": 3}]},
    "pids": {"limit": -1},
    "rdma": {"mlx5_1": {"hcaHandles": 3}},
    "unified": {"memory.high": "max"}})";
  std::string once = serialize_resources(value_of(parse_linux_resources_text(text)));
  std::string twice = serialize_resources(value_of(parse_linux_resources_text(once)));
  CHECK(once == twice);
  for (const char* key : {"\"hugepageLimits\"", "\"classID\":7", "\"hcaHandles\":3", "\"throttleReadBpsDevice\"",
                          "\"reservation\":-1", "\"limit\":-1", "\"type\":\"b\"", "\"access\":\"r\""}) {
    INFO(key);
    CHECK(once.find(key) != std::string::npos);
  }
}

TEST_CASE("update: config.json keeps everything but linux.resources", "[update]") {
  const char* config = R"({"ociVersion": "1.3.0", "root": {"path": "rootfs"},
    "annotations": {"a": "x", "n": "1"}, "x-unknown": ["x\u0000y", -2, 1.5, true, null, {"deep": [[]]}],
    "Linux": {"namespaces": [{"type": "pid"}], "Resources": {"memory": {"limit": 1}}, "sysctl": {}}})";
  std::string out = value_of(replace_config_resources(config, R"({"memory":{"limit":2}})"));
  Spec spec = value_of(parse_spec(out));
  REQUIRE(spec.linux.resources);
  CHECK(spec.linux.resources->memory.limit == 2);
  REQUIRE(spec.linux.namespaces.size() == 1);
  auto doc = value_of(json::Document::parse(out));
  json::Node root = doc.root();
  CHECK(*root.find("annotations")->find("a")->string() == "x");
  json::Node unknown = *root.find("x-unknown");
  REQUIRE(unknown.size() == 6);
  CHECK(*unknown.at(0).raw_string() == std::string_view("x\0y", 3));
  CHECK(*unknown.at(1).int64() == -2);
  CHECK(*unknown.at(2).number() == 1.5);
  CHECK(unknown.at(4).is_null());
  CHECK(unknown.at(5).find("deep")->at(0).is_array());

  // No linux, or linux without resources: they are added.
  Spec added = value_of(parse_spec(value_of(replace_config_resources(
      R"({"ociVersion": "1.3.0", "root": {"path": "rootfs"}})", R"({"pids":{"limit":5}})"))));
  REQUIRE(added.linux.resources);
  CHECK(added.linux.resources->pids.limit == 5);
  Spec added2 = value_of(parse_spec(value_of(replace_config_resources(
      R"({"ociVersion": "1.3.0", "root": {"path": "rootfs"}, "linux": {}})", R"({"pids":{"limit":6}})"))));
  CHECK(added2.linux.resources->pids.limit == 6);
}

TEST_CASE("pause: which statuses can be paused and resumed", "[update]") {
  CHECK(check_can_pause(Status::Running));
  CHECK(check_can_pause(Status::Created));
  for (Status s : {Status::Stopped, Status::Creating}) {
    auto r = check_can_pause(s);
    REQUIRE(!r);
    CHECK(r.error().msg == "container not running");
  }
  CHECK(!check_can_pause(Status::Paused));
  CHECK(check_can_resume(Status::Paused));
  for (Status s : {Status::Running, Status::Created, Status::Stopped, Status::Creating}) {
    auto r = check_can_resume(s);
    REQUIRE(!r);
    CHECK(r.error().msg == "container not paused");
  }
}
