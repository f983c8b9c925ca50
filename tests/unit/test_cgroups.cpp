// Cgroup placement decisions, from the /proc texts of a hybrid and of a
// pure v2 host.
#include <catch2/catch.hpp>

#include "ocirun/cgroups.hpp"

using namespace ocirun;

namespace {

// This machine's layout: v1 controllers, a named systemd hierarchy and the
// unified one, with the runtime's memory cgroup below the machine's own.
constexpr const char* kHybridMountinfo =
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
    "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
    "41 22 0:38 / /proc rw,nosuid shared:5 - proc proc rw\n";
constexpr const char* kHybridSelf =
    "9:name=systemd:/\n"
    "4:memory:/process_api/abc\n"
    "3:cpuset:/\n"
    "1:cpu:/\n"
    "0::/\n";

}  // namespace

TEST_CASE("cgroups: the hierarchies of a hybrid host", "[cgroups]") {
  std::vector<CgroupHierarchy> h = parse_cgroup_hierarchies(kHybridMountinfo, kHybridSelf);
  REQUIRE(h.size() == 5);
  CHECK(h[0].mount_point == "/sys/fs/cgroup/systemd");
  CHECK(h[0].controllers == "name=systemd");
  CHECK(h[1].mount_point == "/sys/fs/cgroup/memory");
  CHECK(h[1].self_path == "process_api/abc");
  CHECK(h[4].mount_point == "/sys/fs/cgroup/unified");
  CHECK(h[4].controllers.empty());
}

TEST_CASE("cgroups: a pure v2 host, and a mount rooted below the hierarchy", "[cgroups]") {
  std::vector<CgroupHierarchy> h = parse_cgroup_hierarchies(
      "25 20 0:23 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n", "0::/user.slice/session-1.scope\n");
  REQUIRE(h.size() == 1);
  CHECK(h[0].mount_point == "/sys/fs/cgroup");
  CHECK(h[0].self_path == "user.slice/session-1.scope");

  // In a nested container the mount's root is a sub-cgroup.
  std::vector<CgroupHierarchy> n =
      parse_cgroup_hierarchies("25 20 0:23 /pod/ctr /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "0::/pod/ctr/sub\n");
  REQUIRE(n.size() == 1);
  CHECK(n[0].self_path == "sub");
}

TEST_CASE("cgroups: the container's cgroup, absolute, relative or default", "[cgroups]") {
  CgroupHierarchy memory{"/sys/fs/cgroup/memory", "process_api/abc", "memory"};
  CgroupHierarchy cpu{"/sys/fs/cgroup/cpu", "", "cpu"};
  CHECK(container_cgroup(memory, "/abs/path", "id") == "abs/path");
  CHECK(container_cgroup(memory, "rel/path", "id") == "process_api/abc/rel/path");
  CHECK(container_cgroup(cpu, "rel/path", "id") == "rel/path");
  CHECK(container_cgroup(memory, "", "c1") == "process_api/abc/ocirun/c1");
}

TEST_CASE("cgroups: missing_dirs lists only what does not exist, parents first", "[cgroups]") {
  CHECK(missing_dirs("/", "tmp").empty());
  CHECK(missing_dirs("/tmp", "ocirun-no-such/x/y") ==
        std::vector<std::string>{"/tmp/ocirun-no-such", "/tmp/ocirun-no-such/x", "/tmp/ocirun-no-such/x/y"});
}
