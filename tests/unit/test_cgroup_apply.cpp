// The "do" half of the cgroup backends, aimed at temp dirs that stand in for
// cgroup directories (regular files take the writes).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "ocirun/cgroup_apply.hpp"
#include "test_util.hpp"

using namespace ocirun;
using ocirun::test::TempDir;
using ocirun::test::value_of;

namespace {

void put(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string get(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

UniqueFd open_dir(const std::string& p) { return value_of(fs::open_dir_at(AT_FDCWD, p)); }

}  // namespace

TEST_CASE("cgroup apply: writes land in the directory given, alternatives and optional files", "[cgroup_apply]") {
  TempDir t;
  put(t.sub("memory.max"), "");
  put(t.sub("io.weight"), "");
  UniqueFd dir = open_dir(t.path);
  std::vector<CgroupWrite> w = {
      {"memory", "memory.max", "20971520", "linux.resources.memory.limit", false, "", ""},
      {"io", "io.bfq.weight", "500", "linux.resources.blockIO.weight", false, "io.weight", "4950"},
      {"hugetlb", "hugetlb.2MB.rsvd.max", "1", "linux.resources.hugepageLimits[0]", true, "", ""},
  };
  REQUIRE(apply_writes(dir.get(), w));
  CHECK(get(t.sub("memory.max")) == "20971520");
  CHECK(get(t.sub("io.weight")) == "4950");
  CHECK(::access(t.sub("io.bfq.weight").c_str(), F_OK) != 0);
  CHECK(::access(t.sub("hugetlb.2MB.rsvd.max").c_str(), F_OK) != 0);

  // A required file that is missing: the error names the field and the file.
  auto r = apply_writes(dir.get(), {{"pids", "pids.max", "5", "linux.resources.pids.limit", false, "", ""}});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ENOENT);
  CHECK(r.error().msg.starts_with("linux.resources.pids.limit: open `pids.max`"));
}

TEST_CASE("cgroup apply: controllers enabled from the mount point down to the leaf's parent", "[cgroup_apply]") {
  TempDir t;
  REQUIRE(fs::mkdir_p(t.sub("a/b/leaf"), 0755));
  put(t.sub("cgroup.controllers"), "cpuset cpu io memory pids\n");
  put(t.sub("cgroup.subtree_control"), "memory\n");  // already on: not written
  put(t.sub("a/cgroup.subtree_control"), "");
  put(t.sub("a/b/cgroup.subtree_control"), "");
  put(t.sub("a/b/leaf/cgroup.subtree_control"), "");
  REQUIRE(enable_controllers(t.path, t.sub("a/b/leaf"), {"memory"}));
  CHECK(get(t.sub("cgroup.subtree_control")) == "memory\n");
  CHECK(get(t.sub("a/cgroup.subtree_control")) == "+memory");
  CHECK(get(t.sub("a/b/cgroup.subtree_control")) == "+memory");
  CHECK(get(t.sub("a/b/leaf/cgroup.subtree_control")).empty());  // the leaf's own children are not ours to decide

  auto r = enable_controllers(t.path, t.sub("a/b/leaf"), {"rdma"});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ENOTSUP);
  CHECK(r.error().msg == "the `rdma` cgroup controller is not available on this host");
}

TEST_CASE("cgroup apply: dirs classified by hierarchy; hybrid and pure v2", "[cgroup_apply]") {
  std::vector<CgroupHierarchy> hybrid = {
      {"/sys/fs/cgroup/memory", "", "memory", false},
      {"/sys/fs/cgroup/cpu,cpuacct", "", "cpu,cpuacct", false},
      {"/sys/fs/cgroup/systemd", "", "name=systemd", false},
      {"/sys/fs/cgroup/unified", "", "", false},
  };
  ContainerCgroups cg = classify_cgroup_dirs(
      hybrid, {"/sys/fs/cgroup/memory/x", "/sys/fs/cgroup/cpu,cpuacct/x", "/sys/fs/cgroup/systemd/x",
               "/sys/fs/cgroup/unified/x"});
  CHECK_FALSE(cg.pure_v2);
  CHECK(cg.v1.at("memory") == "/sys/fs/cgroup/memory/x");
  CHECK(cg.v1.at("cpuacct") == "/sys/fs/cgroup/cpu,cpuacct/x");
  CHECK(cg.unified == "/sys/fs/cgroup/unified/x");
  CHECK(cg.unified_mount == "/sys/fs/cgroup/unified");

  std::vector<CgroupHierarchy> v2 = {{"/sys/fs/cgroup", "", "", true}};
  cg = classify_cgroup_dirs(v2, {"/sys/fs/cgroup/ocirun/c1"});
  CHECK(cg.pure_v2);
  CHECK(cg.unified == "/sys/fs/cgroup/ocirun/c1");
  CHECK(cg.v1.empty());
}

TEST_CASE("cgroup apply: v1 resources go to each controller's dir; a missing one asked for is an error",
          "[cgroup_apply]") {
  TempDir t;
  REQUIRE(fs::mkdir_p(t.sub("memory/c"), 0755));
  REQUIRE(fs::mkdir_p(t.sub("pids/c"), 0755));
  put(t.sub("memory/c/memory.limit_in_bytes"), "");
  put(t.sub("pids/c/pids.max"), "");
  ContainerCgroups cg;
  cg.v1["memory"] = t.sub("memory/c");
  cg.v1["pids"] = t.sub("pids/c");
  // No devices controller here: the default device rules are skipped.
  REQUIRE(apply_resources(cg, value_of(parse_linux_resources_text(R"({"memory": {"limit": 1048576}, "pids": {"limit": 3}})"))));
  CHECK(get(t.sub("memory/c/memory.limit_in_bytes")) == "1048576");
  CHECK(get(t.sub("pids/c/pids.max")) == "3");

  auto r = apply_resources(cg, value_of(parse_linux_resources_text(R"({"cpu": {"shares": 100}})")));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ENOTSUP);
  CHECK(r.error().msg == "linux.resources.cpu.shares: the `cpu` cgroup controller is not mounted on this host");
  r = apply_resources(cg, value_of(parse_linux_resources_text(R"({"devices": [{"allow": false}]})")));
  REQUIRE_FALSE(r);
  CHECK(r.error().msg.find("`devices`") != std::string::npos);
}

TEST_CASE("cgroup apply: freeze, thaw, kill and state on v1 and v2 files", "[cgroup_apply]") {
  TempDir t;
  REQUIRE(fs::mkdir_p(t.sub("v2"), 0755));
  REQUIRE(fs::mkdir_p(t.sub("freezer"), 0755));
  ContainerCgroups v2;
  v2.pure_v2 = true;
  v2.unified = t.sub("v2");
  put(t.sub("v2/cgroup.freeze"), "0\n");
  put(t.sub("v2/cgroup.events"), "populated 1\nfrozen 1\n");  // the kernel's answer
  put(t.sub("v2/cgroup.kill"), "");
  REQUIRE(freeze_cgroup(v2));
  CHECK(get(t.sub("v2/cgroup.freeze")) == "1\n");
  CHECK(value_of(freezer_state(v2)) == "paused");
  REQUIRE(kill_cgroup(v2));
  CHECK(get(t.sub("v2/cgroup.kill")) == "1");

  ContainerCgroups v1;
  v1.v1["freezer"] = t.sub("freezer");
  put(t.sub("freezer/freezer.state"), "THAWED");
  CHECK(value_of(freezer_state(v1)) == "running");
  REQUIRE(freeze_cgroup(v1));
  CHECK(get(t.sub("freezer/freezer.state")) == "FROZEN");
  CHECK(value_of(freezer_state(v1)) == "paused");

  ContainerCgroups none;
  auto r = freeze_cgroup(none);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ENOTSUP);
}

TEST_CASE("cgroup apply: stats from flat and nested keyed files", "[cgroup_apply]") {
  std::map<std::string, std::uint64_t> m;
  parse_flat_keyed("anon 4096\nfile 8192\nbad x\n\n", "memory.stat.", m);
  CHECK(m == std::map<std::string, std::uint64_t>{{"memory.stat.anon", 4096}, {"memory.stat.file", 8192}});
  m.clear();
  parse_nested_keyed("7:0 rbytes=1024 wbytes=0 rios=1 dbytes=x\n8:0 wios=3\n", "io.stat.", m);
  CHECK(m == std::map<std::string, std::uint64_t>{
                 {"io.stat.7:0.rbytes", 1024}, {"io.stat.7:0.wbytes", 0}, {"io.stat.7:0.rios", 1}, {"io.stat.8:0.wios", 3}});

  TempDir t;
  ContainerCgroups v2;
  v2.pure_v2 = true;
  v2.unified = t.path;
  put(t.sub("memory.current"), "12345\n");
  put(t.sub("memory.events"), "low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n");
  put(t.sub("pids.current"), "3\n");
  put(t.sub("cpu.stat"), "usage_usec 100\nnr_throttled 4\n");
  put(t.sub("hugetlb.2MB.current"), "0\n");
  auto s = value_of(read_cgroup_stats(v2));
  CHECK(s.at("memory.current") == 12345);
  CHECK(s.at("memory.events.oom_kill") == 1);
  CHECK(s.at("pids.current") == 3);
  CHECK(s.at("cpu.stat.nr_throttled") == 4);
  CHECK(s.at("hugetlb.2MB.current") == 0);
  CHECK(s.count("memory.peak") == 0);  // absent on this "kernel"
}

TEST_CASE("cgroup apply: checkBeforeUpdate refuses a limit below the usage", "[cgroup_apply]") {
  TempDir t;
  ContainerCgroups v2;
  v2.pure_v2 = true;
  v2.unified = t.path;
  put(t.sub("memory.current"), "1000000\n");
  auto lower = value_of(parse_linux_resources_text(R"({"memory": {"limit": 500000, "checkBeforeUpdate": true}})"));
  auto r = check_memory_before_update(v2, lower);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == EBUSY);
  CHECK(check_memory_before_update(v2, value_of(parse_linux_resources_text(
                                           R"({"memory": {"limit": 2000000, "checkBeforeUpdate": true}})"))));
  CHECK(check_memory_before_update(v2, value_of(parse_linux_resources_text(R"({"memory": {"limit": 500000}})"))));
}

TEST_CASE("cgroup apply: an existing cgroup must be empty, thawed and a directory", "[cgroup_apply]") {
  TempDir t;
  std::string cg = t.sub("c");
  REQUIRE(::mkdir(cg.c_str(), 0755) == 0);
  REQUIRE(::mkdir((cg + "/sub").c_str(), 0755) == 0);
  put(cg + "/cgroup.procs", "");
  put(cg + "/sub/cgroup.procs", "");
  put(cg + "/cgroup.events", "populated 0\nfrozen 0\n");
  // Missing dirs are made by create; an empty, thawed one is used.
  CHECK(check_cgroup_fit({t.sub("absent"), cg}));

  put(cg + "/sub/cgroup.procs", "123\n456\n");  // processes below it count too
  auto busy = check_cgroup_fit({cg});
  REQUIRE_FALSE(busy);
  CHECK(busy.error().code == EBUSY);
  CHECK(busy.error().msg == "linux.cgroupsPath: cgroup `" + cg + "` is not empty: 2 process(es) in it or below it");
  put(cg + "/sub/cgroup.procs", "");

  put(cg + "/cgroup.events", "populated 0\nfrozen 1\n");
  auto frozen = check_cgroup_fit({cg});
  REQUIRE_FALSE(frozen);
  CHECK(frozen.error().msg == "linux.cgroupsPath: cgroup `" + cg + "` is frozen");
  put(cg + "/cgroup.events", "populated 0\nfrozen 0\n");
  put(cg + "/cgroup.freeze", "1\n");  // freezing, not frozen yet
  CHECK_FALSE(check_cgroup_fit({cg}));
  put(cg + "/cgroup.freeze", "0\n");
  put(cg + "/freezer.state", "FROZEN\n");  // v1
  CHECK_FALSE(check_cgroup_fit({cg}));
  put(cg + "/freezer.state", "THAWED\n");
  CHECK(check_cgroup_fit({cg}));

  // A cgroup interface file where the cgroup would go, or above it.
  put(cg + "/memory.max", "max\n");
  auto file = check_cgroup_fit({cg + "/memory.max"});
  REQUIRE_FALSE(file);
  CHECK(file.error().code == ENOTDIR);
  CHECK(file.error().msg.find("linux.cgroupsPath: `" + cg + "/memory.max` is a file, not a cgroup") == 0);
  CHECK_FALSE(check_cgroup_fit({cg + "/memory.max/x"}));
}
