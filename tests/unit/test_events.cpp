// events' pure parts: cgroup numbers -> runc's stats JSON, OOM counters,
// and --interval durations.
#include <catch2/catch.hpp>

#include "ocirun/container_events.hpp"
#include "ocirun/json.hpp"
#include "test_util.hpp"

using namespace ocirun;
using ocirun::test::value_of;

namespace {

std::uint64_t u64(const json::Node& n, std::initializer_list<const char*> path) {
  json::Node cur = n;
  for (const char* k : path) {
    std::optional<json::Node> next = cur.find(k);
    INFO(k);
    REQUIRE(next);
    cur = *next;
  }
  return value_of(cur.uint64());
}

}  // namespace

TEST_CASE("events: v2 stats in runc's format", "[events]") {
  StatsMap m{{"memory.current", 5000000},      {"memory.peak", 6000000},       {"memory.max", kNoLimit},
             {"memory.stat.anon", 4000000},    {"memory.stat.file", 100000},   {"memory.events.max", 2},
             {"memory.swap.current", 0},       {"memory.swap.max", kNoLimit},  {"cpu.stat.usage_usec", 1500},
             {"cpu.stat.user_usec", 1000},     {"cpu.stat.system_usec", 500},  {"cpu.stat.nr_periods", 3},
             {"pids.current", 2},              {"pids.max", 50},               {"io.stat.8:0.rbytes", 4096},
             {"io.stat.8:0.wbytes", 8192},     {"io.stat.8:0.rios", 1},        {"hugetlb.2MB.current", 2097152}};
  std::string line = stats_event_json("c1", m, true);
  auto doc = value_of(json::Document::parse(line));
  json::Node root = doc.root();
  CHECK(*root.find("type")->string() == "stats");
  CHECK(*root.find("id")->string() == "c1");
  json::Node data = *root.find("data");
  CHECK(u64(data, {"cpu", "usage", "total"}) == 1500000);
  CHECK(u64(data, {"cpu", "usage", "user"}) == 1000000);
  CHECK(u64(data, {"cpu", "usage", "kernel"}) == 500000);
  CHECK(u64(data, {"cpu", "throttling", "periods"}) == 3);
  CHECK(u64(data, {"memory", "usage", "usage"}) == 5000000);
  CHECK(u64(data, {"memory", "usage", "max"}) == 6000000);
  CHECK(u64(data, {"memory", "usage", "limit"}) == kNoLimit);
  CHECK(u64(data, {"memory", "usage", "failcnt"}) == 2);
  CHECK(u64(data, {"memory", "cache"}) == 100000);
  CHECK(u64(data, {"memory", "raw", "anon"}) == 4000000);
  // omitempty as in runc: a zero swap usage is left out, its limit is not.
  CHECK(!data.find("memory")->find("swap")->find("usage"));
  CHECK(u64(data, {"memory", "swap", "limit"}) == kNoLimit);
  CHECK(u64(data, {"pids", "current"}) == 2);
  CHECK(u64(data, {"pids", "limit"}) == 50);
  json::Node bytes = *data.find("blkio")->find("ioServiceBytesRecursive");
  REQUIRE(bytes.size() == 2);
  CHECK(*bytes.at(0).find("op")->string() == "Read");
  CHECK(u64(bytes.at(0), {"major"}) == 8);
  CHECK(!bytes.at(0).find("minor"));  // 0: omitted, as runc's omitempty does
  CHECK(u64(bytes.at(0), {"value"}) == 4096);
  CHECK(u64(data, {"hugetlb", "2MB", "usage"}) == 2097152);
  CHECK(u64(data, {"hugetlb", "2MB", "failcnt"}) == 0);
}

TEST_CASE("events: v1 stats in runc's format", "[events]") {
  StatsMap m{{"memory.usage_in_bytes", 7000000},
             {"memory.max_usage_in_bytes", 9000000},
             {"memory.limit_in_bytes", 100000000},
             {"memory.failcnt", 1},
             {"memory.stat.cache", 300},
             {"cpuacct.usage", 123456789},
             {"cpuacct.stat.user", 3},
             {"cpuacct.stat.system", 1},
             {"pids.current", 4},
             {"pids.max", kNoLimit},
             {"blkio.throttle.io_service_bytes_recursive.8:16.Read", 512},
             {"blkio.throttle.io_serviced_recursive.8:16.Write", 2}};
  auto doc = value_of(json::Document::parse(stats_data_json(m, false)));
  json::Node data = doc.root();
  CHECK(u64(data, {"cpu", "usage", "total"}) == 123456789);
  CHECK(u64(data, {"cpu", "usage", "user"}) == 30000000);   // ticks of 10 ms
  CHECK(u64(data, {"cpu", "usage", "kernel"}) == 10000000);
  CHECK(u64(data, {"memory", "usage", "usage"}) == 7000000);
  CHECK(u64(data, {"memory", "usage", "limit"}) == 100000000);
  CHECK(u64(data, {"memory", "usage", "failcnt"}) == 1);
  CHECK(u64(data, {"memory", "cache"}) == 300);
  CHECK(u64(data, {"pids", "current"}) == 4);
  CHECK(!data.find("pids")->find("limit"));  // no limit: omitted, as runc
  CHECK(u64(data.find("blkio")->find("ioServiceBytesRecursive")->at(0), {"minor"}) == 16);
  CHECK(*data.find("blkio")->find("ioServicedRecursive")->at(0).find("op")->string() == "Write");
  CHECK(data.find("hugetlb")->member_count() == 0);
}

TEST_CASE("events: an empty cgroup still gives every section", "[events]") {
  auto doc = value_of(json::Document::parse(stats_data_json({}, true)));
  for (const char* k : {"cpu", "memory", "pids", "blkio", "hugetlb", "intel_rdt", "network_interfaces"}) {
    INFO(k);
    CHECK(doc.root().find(k));
  }
}

TEST_CASE("events: oom events and counters", "[events]") {
  CHECK(oom_event_json("c1") == R"({"type":"oom","id":"c1"})");
  CHECK(oom_kill_count({}) == 0);
  CHECK(oom_kill_count({{"memory.events.oom_kill", 2}, {"memory.events.oom", 3}}) == 2);
  CHECK(oom_kill_count({{"memory.oom_control.oom_kill", 1}, {"memory.oom_control.under_oom", 0}}) == 1);
}

TEST_CASE("events: --interval durations as Go writes them", "[events]") {
  CHECK(value_of(parse_duration_ns("5s")) == 5000000000u);
  CHECK(value_of(parse_duration_ns("500ms")) == 500000000u);
  CHECK(value_of(parse_duration_ns("1m30s")) == 90000000000u);
  CHECK(value_of(parse_duration_ns("1.5s")) == 1500000000u);
  CHECK(value_of(parse_duration_ns("2h")) == 7200000000000u);
  CHECK(value_of(parse_duration_ns("10us")) == 10000u);
  CHECK(value_of(parse_duration_ns("100ns")) == 100u);
  CHECK(value_of(parse_duration_ns("0")) == 0u);
  for (const char* bad : {"", "5", "s", "5x", "-1s", "1s2", "1..5s"}) {
    INFO(bad);
    CHECK(!parse_duration_ns(bad));
  }
}
