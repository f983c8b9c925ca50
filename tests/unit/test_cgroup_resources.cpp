// linux.resources -> cgroup writes, for v2 and v1: runc's conversions, the
// order of dependent writes, and what is refused or ignored.
#include <catch2/catch.hpp>

#include "ocirun/cgroup_resources.hpp"
#include "test_util.hpp"

using namespace ocirun;
using ocirun::test::value_of;

namespace {

LinuxResources res(const char* json) { return value_of(parse_linux_resources_text(json), json); }

// "file=value" for each write, in order, leaving out the device rules.
std::vector<std::string> flat(const std::vector<CgroupWrite>& writes) {
  std::vector<std::string> out;
  for (const CgroupWrite& w : writes)
    if (w.controller != "devices") out.push_back(w.file + "=" + w.value);
  return out;
}

std::vector<std::string> v2(const char* json) { return flat(value_of(plan_cgroup_v2(res(json)), json)); }
std::vector<std::string> v1(const char* json) { return flat(value_of(plan_cgroup_v1(res(json)), json)); }

const CgroupWrite* find(const std::vector<CgroupWrite>& w, const std::string& file) {
  for (const CgroupWrite& x : w)
    if (x.file == file) return &x;
  return nullptr;
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("cgroup resources: runc's conversions", "[cgroup_resources]") {
  // shares 2..262144 -> weight 1..10000; the default 1024 -> 39.
  CHECK(cpu_shares_to_weight(2) == 1);
  CHECK(cpu_shares_to_weight(1024) == 39);
  CHECK(cpu_shares_to_weight(262144) == 10000);
  CHECK(cpu_shares_to_weight(1) == 1);  // clamped to the v1 range
  CHECK(blkio_weight_to_io_weight(10) == 1);
  CHECK(blkio_weight_to_io_weight(500) == 4950);
  CHECK(blkio_weight_to_io_weight(1000) == 10000);
  // memory+swap -> swap alone.
  CHECK(*memory_swap_to_v2(300, 100) == 200);
  CHECK(*memory_swap_to_v2(100, 100) == 0);
  CHECK(*memory_swap_to_v2(-1, 100) == -1);
  CHECK(*memory_swap_to_v2(0, -1) == -1);  // unlimited memory: unlimited swap
  CHECK(*memory_swap_to_v2(0, 100) == 0);  // unset
  CHECK_FALSE(memory_swap_to_v2(50, 100));
  CHECK_FALSE(memory_swap_to_v2(200, 0));
  CHECK_FALSE(memory_swap_to_v2(200, -1));
}

TEST_CASE("cgroup resources: v2 memory", "[cgroup_resources]") {
  CHECK(v2(R"({"memory": {"limit": 20971520}})") == V{"memory.max=20971520"});
  CHECK(v2(R"({"memory": {"limit": 100, "swap": 300, "reservation": 50}})") ==
        V{"memory.swap.max=200", "memory.max=100", "memory.low=50"});
  // Equal limits: no swap at all.
  CHECK(v2(R"({"memory": {"limit": 100, "swap": 100}})") == V{"memory.swap.max=0", "memory.max=100"});
  CHECK(v2(R"({"memory": {"limit": -1}})") == V{"memory.swap.max=max", "memory.max=max"});
  // Zero is Go's "unset"; the v1-only fields are ignored as runc ignores them.
  CHECK(v2(R"({"memory": {"limit": 0, "reservation": 0, "kernel": 100, "kernelTCP": 100,
               "swappiness": 10, "disableOOMKiller": true, "useHierarchy": true}})")
            .empty());
  auto swap_without_limit = plan_cgroup_v2(res(R"({"memory": {"swap": 300}})"));
  REQUIRE_FALSE(swap_without_limit);
  CHECK(swap_without_limit.error().msg == "linux.resources.memory.swap: a swap limit needs a memory limit");
  CHECK_FALSE(plan_cgroup_v2(res(R"({"memory": {"limit": 300, "swap": 100}})")));
  // Swap max without swap accounting asks nothing: optional. A real limit is not.
  auto w = value_of(plan_cgroup_v2(res(R"({"memory": {"limit": -1}})")));
  CHECK(find(w, "memory.swap.max")->optional);
  w = value_of(plan_cgroup_v2(res(R"({"memory": {"limit": 100, "swap": 300}})")));
  CHECK_FALSE(find(w, "memory.swap.max")->optional);
  CHECK(find(w, "memory.max")->field == "linux.resources.memory.limit");
}

TEST_CASE("cgroup resources: v2 cpu and cpuset", "[cgroup_resources]") {
  CHECK(v2(R"({"cpu": {"shares": 1024}})") == V{"cpu.weight=39"});
  CHECK(v2(R"({"cpu": {"quota": 50000, "period": 100000}})") == V{"cpu.max=50000 100000"});
  CHECK(v2(R"({"cpu": {"quota": 50000}})") == V{"cpu.max=50000"});
  CHECK(v2(R"({"cpu": {"quota": -1, "period": 100000}})") == V{"cpu.max=max 100000"});
  CHECK(v2(R"({"cpu": {"period": 100000}})") == V{"cpu.max=max 100000"});
  CHECK(v2(R"({"cpu": {"quota": 50000, "burst": 10000}})") == V{"cpu.max=50000", "cpu.max.burst=10000"});
  CHECK(v2(R"({"cpu": {"idle": 1, "cpus": "0-1", "mems": "0"}})") ==
        V{"cpu.idle=1", "cpuset.cpus=0-1", "cpuset.mems=0"});
  // Docker's "no shares" (0) writes nothing.
  CHECK(v2(R"({"cpu": {"shares": 0}})").empty());
  auto rt = plan_cgroup_v2(res(R"({"cpu": {"realtimeRuntime": 1000, "realtimePeriod": 10000}})"));
  REQUIRE_FALSE(rt);
  CHECK(rt.error().code == ENOTSUP);
  CHECK(rt.error().msg.find("realtime") != std::string::npos);
  CHECK(v2(R"({"cpu": {"realtimeRuntime": 0, "realtimePeriod": 0}})").empty());
  auto w = value_of(plan_cgroup_v2(res(R"({"cpu": {"cpus": "0"}})")));
  CHECK(w[0].controller == "cpuset");
}

TEST_CASE("cgroup resources: v2 pids, io, hugetlb, rdma", "[cgroup_resources]") {
  CHECK(v2(R"({"pids": {"limit": 10}})") == V{"pids.max=10"});
  CHECK(v2(R"({"pids": {"limit": -1}})") == V{"pids.max=max"});
  CHECK(v2(R"({"pids": {"limit": 0}})") == V{"pids.max=0"});  // a real limit (config-linux.md)

  auto w = value_of(plan_cgroup_v2(res(R"({"blockIO": {"weight": 500}})")));
  REQUIRE(w.size() == 1);
  CHECK(w[0].file == "io.bfq.weight");
  CHECK(w[0].value == "500");
  CHECK(w[0].alt_file == "io.weight");
  CHECK(w[0].alt_value == "4950");
  CHECK(v2(R"({"blockIO": {"weightDevice": [{"major": 8, "minor": 0, "weight": 300, "leafWeight": 10},
                                             {"major": 8, "minor": 16, "leafWeight": 10}]}})") ==
        V{"io.bfq.weight=8:0 300"});
  CHECK(v2(R"({"blockIO": {"throttleReadBpsDevice": [{"major": 7, "minor": 0, "rate": 1048576}],
                           "throttleWriteBpsDevice": [{"major": 7, "minor": 0, "rate": 0}],
                           "throttleReadIOPSDevice": [{"major": 7, "minor": 0, "rate": 100}],
                           "throttleWriteIOPSDevice": [{"major": 7, "minor": 1, "rate": 200}]}})") ==
        V{"io.max=7:0 rbps=1048576", "io.max=7:0 wbps=max", "io.max=7:0 riops=100", "io.max=7:1 wiops=200"});

  w = value_of(plan_cgroup_v2(res(R"({"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]})")));
  CHECK(flat(w) == V{"hugetlb.2MB.max=4194304", "hugetlb.2MB.rsvd.max=4194304"});
  CHECK_FALSE(w[0].optional);
  CHECK(w[1].optional);  // kernels before 5.7 have no reservations

  CHECK(v2(R"({"rdma": {"mlx5_1": {"hcaHandles": 3}, "mlx4_0": {"hcaHandles": 2, "hcaObjects": 100}}})") ==
        V{"rdma.max=mlx4_0 hca_handle=2 hca_object=100", "rdma.max=mlx5_1 hca_handle=3"});
}

TEST_CASE("cgroup resources: v2 refuses network, takes unified verbatim and last", "[cgroup_resources]") {
  auto net = plan_cgroup_v2(res(R"({"network": {"classID": 1048577}})"));
  REQUIRE_FALSE(net);
  CHECK(net.error().code == ENOTSUP);
  CHECK(net.error().msg.starts_with("linux.resources.network: "));

  auto w = value_of(plan_cgroup_v2(res(R"({"memory": {"limit": 100}, "unified": {"memory.high": "50", "cgroup.max.depth": "3"}})")));
  CHECK(flat(w) == V{"memory.max=100", "cgroup.max.depth=3", "memory.high=50"});
  CHECK(find(w, "memory.high")->controller == "memory");
  CHECK(find(w, "cgroup.max.depth")->controller.empty());  // the core needs no enabling

  // The parser refuses such keys already; the planner does not rely on it.
  for (const char* bad : {"memoryhigh", "memory.", ".high", "memory.high/../x"}) {
    LinuxResources lr;
    lr.unified.emplace(std::string(bad), std::string("1"));
    auto r = plan_cgroup_v2(lr);
    INFO(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().msg.starts_with("linux.resources.unified."));
  }
  CHECK(needed_controllers(value_of(plan_cgroup_v2(res(
            R"({"memory": {"limit": 1}, "pids": {"limit": 1}, "cpu": {"shares": 2, "cpus": "0"}, "unified": {"memory.high": "1"}})")))) ==
        V{"memory", "cpu", "cpuset", "pids"});
}

TEST_CASE("cgroup resources: v1 memory, in the order the kernel accepts", "[cgroup_resources]") {
  CHECK(v1(R"({"memory": {"limit": 100, "swap": 300, "reservation": 50}})") ==
        V{"memory.limit_in_bytes=100", "memory.memsw.limit_in_bytes=300", "memory.soft_limit_in_bytes=50"});
  // Unlimited memory+swap goes first: memsw must stay >= the limit.
  CHECK(v1(R"({"memory": {"limit": -1}})") == V{"memory.memsw.limit_in_bytes=-1", "memory.limit_in_bytes=-1"});
  CHECK(v1(R"({"memory": {"limit": 100, "swap": -1}})") ==
        V{"memory.memsw.limit_in_bytes=-1", "memory.limit_in_bytes=100"});
  CHECK(v1(R"({"memory": {"kernel": 100, "kernelTCP": 200, "swappiness": 10, "disableOOMKiller": true}})") ==
        V{"memory.kmem.tcp.limit_in_bytes=200", "memory.swappiness=10", "memory.oom_control=1"});
  CHECK(v1(R"({"memory": {"disableOOMKiller": false}})").empty());
  CHECK_FALSE(plan_cgroup_v1(res(R"({"memory": {"limit": 300, "swap": 100}})")));
}

TEST_CASE("cgroup resources: v1 cpu, pids, blkio, hugetlb, network, unified", "[cgroup_resources]") {
  CHECK(v1(R"({"cpu": {"shares": 512, "quota": 20000, "period": 100000, "burst": 1000,
               "realtimeRuntime": 950, "realtimePeriod": 1000, "cpus": "0", "mems": "0"}})") ==
        V{"cpu.shares=512", "cpu.cfs_period_us=100000", "cpu.cfs_quota_us=20000", "cpu.cfs_burst_us=1000",
          "cpu.rt_period_us=1000", "cpu.rt_runtime_us=950", "cpuset.cpus=0", "cpuset.mems=0"});
  CHECK(v1(R"({"cpu": {"quota": -5}})") == V{"cpu.cfs_quota_us=-1"});
  CHECK(v1(R"({"pids": {"limit": -1}})") == V{"pids.max=max"});
  CHECK(v1(R"({"pids": {"limit": 5}})") == V{"pids.max=5"});
  CHECK(v1(R"({"blockIO": {"weight": 500, "leafWeight": 300,
                           "weightDevice": [{"major": 8, "minor": 0, "weight": 200, "leafWeight": 100}],
                           "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1000}]}})") ==
        V{"blkio.bfq.weight=500", "blkio.leaf_weight=300", "blkio.bfq.weight_device=8:0 200",
          "blkio.leaf_weight_device=8:0 100", "blkio.throttle.read_bps_device=8:0 1000"});
  CHECK(v1(R"({"hugepageLimits": [{"pageSize": "1GB", "limit": 0}]})") ==
        V{"hugetlb.1GB.limit_in_bytes=0", "hugetlb.1GB.rsvd.limit_in_bytes=0"});
  CHECK(v1(R"({"network": {"classID": 1048577, "priorities": [{"name": "eth0", "priority": 5}]}})") ==
        V{"net_cls.classid=1048577", "net_prio.ifpriomap=eth0 5"});
  auto w = value_of(plan_cgroup_v1(res(R"({"unified": {"hugetlb.2MB.max": "0"}})")));
  CHECK(find(w, "hugetlb.2MB.max")->controller == "unified");
}

TEST_CASE("cgroup resources: v1 device rules: the reduced set, default first", "[cgroup_resources]") {
  auto w = value_of(plan_cgroup_v1(res(R"({"devices": [
      {"allow": true, "type": "b", "major": 7, "access": "r"},
      {"allow": false, "type": "c", "major": 1, "minor": 3, "access": "w"},
      {"allow": true, "type": "c", "major": 10, "minor": 200, "access": "r"},
      {"allow": true, "type": "c", "major": 10, "minor": 200, "access": "w"},
      {"allow": true, "type": "a", "major": 4, "minor": 1, "access": "m"}]})")));
  std::vector<std::string> dev;
  for (const CgroupWrite& x : w)
    if (x.controller == "devices") dev.push_back(x.file + "=" + x.value);
  REQUIRE(dev.size() == 14);
  CHECK(dev[0] == "devices.deny=a");
  CHECK(dev[1] == "devices.allow=b 7:* r");
  CHECK(dev[2] == "devices.allow=c 10:200 rw");  // "r" and "w" merged: an O_RDWR open works
  CHECK(dev[3] == "devices.allow=c 4:1 m");      // "a 4:1": its c and its b rule, not a reset
  CHECK(dev[4] == "devices.allow=b 4:1 m");
  CHECK(dev[5] == "devices.allow=c 1:3 rwm");    // the default /dev/null, after the config, wins over its deny
  CHECK(dev[13] == "devices.allow=c 136:* rwm");
  // Without resources the container still gets the default rules.
  w = value_of(plan_cgroup_v1(LinuxResources{}));
  CHECK(w.size() == 10);
  CHECK(device_rule_v1({true, DeviceCgroupType::All, std::nullopt, std::nullopt, kDeviceAccessAll}) == "a");
  CHECK(device_rule_v1({true, DeviceCgroupType::All, std::nullopt, std::nullopt, kDeviceRead}) == "a *:* r");
  // A privileged config: allow everything, then deny-list exceptions.
  w = value_of(plan_cgroup_v1(res(R"({"devices": [{"allow": true, "access": "rwm"},
      {"allow": false, "type": "b", "major": 8, "access": "w"}]})")));
  CHECK(w[0].file + "=" + w[0].value == "devices.allow=a");
  CHECK(w[1].file + "=" + w[1].value == "devices.deny=b 8:* w");
  CHECK(w.size() == 2);  // the default devices are allowed already
  // A deny the v1 kernel would silently drop (inside a wider allow) is refused.
  auto punched = plan_cgroup_v1(res(R"({"devices": [{"allow": false, "access": "rwm"},
      {"allow": true, "type": "c", "access": "rwm"}, {"allow": false, "type": "c", "major": 1, "minor": 3, "access": "w"}]})"));
  REQUIRE_FALSE(punched);
  CHECK(punched.error().msg.find("linux.resources.devices: the rule `c 1:3 w` cannot deny") == 0);
}

TEST_CASE("cgroup resources: v1 memory and memsw are ordered by the current limit", "[cgroup_resources]") {
  LinuxResources r = res(R"({"memory": {"limit": 33554432, "swap": 50331648}})");
  auto order = [&](std::optional<std::uint64_t> now) {
    return flat(value_of(plan_cgroup_v1(r, CgroupV1Now{now})));
  };
  using V = std::vector<std::string>;
  const V limit_first{"memory.limit_in_bytes=33554432", "memory.memsw.limit_in_bytes=50331648"};
  const V swap_first{"memory.memsw.limit_in_bytes=50331648", "memory.limit_in_bytes=33554432"};
  CHECK(order(std::nullopt) == limit_first);                // a new cgroup: both unlimited
  CHECK(order(9223372036854771712ull) == limit_first);      // v1's "unlimited"
  CHECK(order(67108864) == limit_first);                    // lowering from 64 MiB: memsw 48 < 64
  CHECK(order(16777216) == swap_first);                     // raising from 16 MiB: memsw 48 >= 16
  CHECK(order(50331648) == swap_first);                     // equal: either works
  // Unlimited memsw always goes first; memsw alone keeps its place.
  r = res(R"({"memory": {"limit": 33554432, "swap": -1}})");
  CHECK(order(std::nullopt) == V{"memory.memsw.limit_in_bytes=-1", "memory.limit_in_bytes=33554432"});
  r = res(R"({"memory": {"limit": 33554432}})");
  CHECK(order(67108864) == V{"memory.limit_in_bytes=33554432"});
}

TEST_CASE("cgroup resources: hugepageLimits page sizes must be the host's", "[cgroup_resources]") {
  CHECK(hugepage_dir_to_size("hugepages-2048kB") == "2MB");
  CHECK(hugepage_dir_to_size("hugepages-1048576kB") == "1GB");
  CHECK(hugepage_dir_to_size("hugepages-64kB") == "64KB");
  CHECK(hugepage_dir_to_size("hugepages-32768kB") == "32MB");
  CHECK(hugepage_dir_to_size("hugepages-16777216kB") == "16GB");
  CHECK(hugepage_dir_to_size("hugepages-kB") == "");
  CHECK(hugepage_dir_to_size("hugepages-2048") == "");
  CHECK(hugepage_dir_to_size("foo") == "");
  LinuxResources r = res(R"({"hugepageLimits": [{"pageSize": "2MB", "limit": 0}, {"pageSize": "1GB", "limit": 0}]})");
  CHECK(check_hugepage_sizes(r.hugepage_limits, {"1GB", "2MB"}));
  auto missing = check_hugepage_sizes(r.hugepage_limits, {"2MB"});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().msg ==
        "linux.resources.hugepageLimits[1].pageSize: this host has no 1GB huge pages (it has 2MB)");
  auto none = check_hugepage_sizes(r.hugepage_limits, {});
  REQUIRE_FALSE(none);
  CHECK(none.error().msg.find("[0].pageSize: this host has no 2MB huge pages (it has none)") != std::string::npos);
}
