// Cgroup placement decisions, from the /proc texts of a hybrid and of a
// pure v2 host.
#include <catch2/catch.hpp>

#include "ocirun/cgroups.hpp"
#include "test_util.hpp"

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

namespace {

Spec spec_of(const char* json) { return ocirun::test::value_of(parse_spec(json), json); }

constexpr const char* kDelegated = R"({"ociVersion": "1.3.0", "root": {"path": "rootfs"},
  "process": {"args": ["sh"], "cwd": "/", "user": {"uid": 1000, "gid": 1000}},
  "mounts": [{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "rw"]}],
  "linux": {"namespaces": [{"type": "mount"}, {"type": "cgroup"}]}})";

}  // namespace

TEST_CASE("cgroups: cgroupsPath values refused whatever the host", "[cgroups]") {
  for (const char* ok : {"", "/a/b", "a/b", "ocirun-test-1", "/docker/abc", "k8s.io/pod/c", "/a:b/c", "a.slice/x"})
    CHECK(validate_cgroups_path(ok));
  auto refused = [](const char* path, const char* why) {
    Result<> r = validate_cgroups_path(path);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == EINVAL);
    CHECK(r.error().msg.find("linux.cgroupsPath: invalid value") == 0);
    CHECK(r.error().msg.find(why) != std::string::npos);
  };
  refused("machine.slice:libpod:abc", "needs the systemd cgroup driver (--systemd-cgroup)");
  refused("/", "root cgroup");
  refused("a//b", "empty path component");
  refused("a/", "empty path component");
  refused("//a", "empty path component");
  refused("a/./b", "\".\" path component");
  refused("a/cgroup.procs", "`cgroup.procs` is a cgroup interface file");
  refused("/x/tasks", "`tasks` is a cgroup interface file");
  refused("a\nb", "newline");
}

TEST_CASE("cgroups: ownership is delegated only on v2, with a new cgroupns and a rw cgroup mount", "[cgroups]") {
  Spec s = spec_of(kDelegated);
  CHECK(wants_cgroup_delegation(s, true));
  CHECK_FALSE(wants_cgroup_delegation(s, false));  // v1 (or hybrid): never
  Spec ro = s;
  ro.mounts[0].options.push_back("ro");
  CHECK_FALSE(wants_cgroup_delegation(ro, true));
  Spec other_dest = s;
  other_dest.mounts[0].destination = "/sys/fs/cgroup/unified";
  CHECK_FALSE(wants_cgroup_delegation(other_dest, true));
  Spec tmpfs = s;
  tmpfs.mounts[0].source = "tmpfs";
  CHECK_FALSE(wants_cgroup_delegation(tmpfs, true));
  Spec no_cgroupns = s;
  no_cgroupns.linux.namespaces.pop_back();
  CHECK_FALSE(wants_cgroup_delegation(no_cgroupns, true));
  Spec joined = s;
  joined.linux.namespaces.back().path = "/proc/1/ns/cgroup";
  CHECK_FALSE(wants_cgroup_delegation(joined, true));
}

TEST_CASE("cgroups: the delegated files come from /sys/kernel/cgroup/delegate, else the spec's list", "[cgroups]") {
  CHECK(delegate_files(std::nullopt) ==
        std::vector<std::string>{"cgroup.procs", "cgroup.subtree_control", "cgroup.threads"});
  CHECK(delegate_files(std::string("cgroup.procs\ncgroup.threads\ncgroup.subtree_control\nmemory.oom.group\n"
                                   "memory.reclaim\n")) ==
        std::vector<std::string>{"cgroup.procs", "cgroup.threads", "cgroup.subtree_control", "memory.oom.group",
                                 "memory.reclaim"});
  // Nothing outside the cgroup's own directory.
  CHECK(delegate_files(std::string("../x\n..\n\nmemory.reclaim\n/etc/passwd\n")) ==
        std::vector<std::string>{"memory.reclaim"});
}

TEST_CASE("cgroups: the host uid of process.user.uid through the init's uid_map", "[cgroups]") {
  CHECK(host_uid_of(1000, "         0          0 4294967295\n") == 1000u);
  CHECK(host_uid_of(1000, "         0     100000      65536\n") == 101000u);
  CHECK(host_uid_of(0, "         0     100000          1\n      1000       1000          1\n") == 100000u);
  CHECK(host_uid_of(1000, "         0     100000          1\n      1000       1000          1\n") == 1000u);
  CHECK_FALSE(host_uid_of(5, "         0     100000          1\n"));
  CHECK_FALSE(host_uid_of(5, ""));
}
