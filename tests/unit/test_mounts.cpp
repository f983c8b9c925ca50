// The safe path helpers of mounts.cpp, aimed at a temp dir: no root needed.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ocirun/mounts.hpp"
#include "ocirun/rootfs.hpp"
#include "ocirun/sysctl.hpp"
#include "test_util.hpp"

using namespace ocirun;

namespace {

bool is_dir(const std::string& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

TEST_CASE("mnt: clean_in_root never climbs above the root", "[mounts]") {
  CHECK(mnt::clean_in_root("/") == ".");
  CHECK(mnt::clean_in_root("") == ".");
  CHECK(mnt::clean_in_root("/proc") == "proc");
  CHECK(mnt::clean_in_root("/a/./b//c/") == "a/b/c");
  CHECK(mnt::clean_in_root("/a/../b") == "b");
  CHECK(mnt::clean_in_root("../../../etc") == "etc");
  CHECK(mnt::clean_in_root("/a/../../..") == ".");
}

// CVE-2024-45310: mkdir -p through a symlink that points out of the root
// makes its directories inside the root.
TEST_CASE("mnt: mkdir_all follows symlinks only inside the root", "[mounts]") {
  test::TempDir t;
  std::string root = t.path + "/root", outside = t.path + "/outside";
  REQUIRE(::mkdir(root.c_str(), 0755) == 0);
  REQUIRE(::mkdir(outside.c_str(), 0755) == 0);
  REQUIRE(::symlink(outside.c_str(), (root + "/abs").c_str()) == 0);
  REQUIRE(::symlink("../../outside", (root + "/rel").c_str()) == 0);
  REQUIRE(::symlink("/nowhere", (root + "/dangling").c_str()) == 0);
  UniqueFd rfd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(rfd);
  // The absolute link leads to the same path inside the root, when it is there.
  REQUIRE(fs::mkdir_p(root + outside, 0755));
  REQUIRE(::mkdir((root + "/outside").c_str(), 0755) == 0);
  REQUIRE(mnt::mkdir_all(rfd.get(), "/abs/x/y"));
  // A dangling one is refused, not followed anywhere.
  CHECK(!mnt::mkdir_all(rfd.get(), "/dangling/x"));
  CHECK(!is_dir(root + "/nowhere"));
  CHECK(!is_dir("/nowhere"));
  REQUIRE(mnt::mkdir_all(rfd.get(), "/rel/z"));
  REQUIRE(mnt::mkdir_all(rfd.get(), "/../../w"));
  CHECK(is_dir(root + t.path + "/outside/x/y"));  // the absolute link, taken inside the root
  CHECK(is_dir(root + "/outside/z"));            // ../.. stops at the root
  CHECK(is_dir(root + "/w"));
  CHECK(!is_dir(outside + "/x"));
  CHECK(!is_dir(outside + "/z"));
  CHECK(!is_dir(t.path + "/w"));
}

TEST_CASE("mnt: make_target makes files and directories, and refuses symlinks when asked", "[mounts]") {
  test::TempDir t;
  std::string root = t.path;
  REQUIRE(::symlink("/elsewhere", (root + "/proc").c_str()) == 0);
  UniqueFd rfd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(mnt::make_target(rfd.get(), "/etc/hosts", true));
  struct stat st {};
  REQUIRE(::lstat((root + "/etc/hosts").c_str(), &st) == 0);
  CHECK(S_ISREG(st.st_mode));
  REQUIRE(mnt::make_target(rfd.get(), "/data/dir", false));
  CHECK(is_dir(root + "/data/dir"));
  auto r = mnt::make_target(rfd.get(), "/proc", false, true);
  REQUIRE(!r);
  CHECK(r.error().code == ELOOP);
  CHECK(!is_dir(root + "/elsewhere"));
}

TEST_CASE("mnt: copy_tree copies files, directories and symlinks without following them", "[mounts]") {
  test::TempDir t;
  std::string src = t.path + "/src", dst = t.path + "/dst";
  REQUIRE(::mkdir(src.c_str(), 0755) == 0);
  REQUIRE(::mkdir(dst.c_str(), 0755) == 0);
  REQUIRE(::mkdir((src + "/d").c_str(), 0700) == 0);
  {
    UniqueFd f(::open((src + "/d/f").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0640));
    REQUIRE(fs::write_all(f.get(), "hello"));
  }
  REQUIRE(::symlink("/etc/passwd", (src + "/link").c_str()) == 0);
  UniqueFd s(::open(src.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  UniqueFd d(::open(dst.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(mnt::copy_tree(s.get(), d.get()));
  UniqueFd dd(::open((dst + "/d").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  CHECK(test::value_of(fs::read_file_at(dd.get(), "f")) == "hello");
  struct stat st {};
  REQUIRE(::lstat((dst + "/d/f").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0640);
  REQUIRE(::lstat((dst + "/d").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0700);
  char buf[64] = {};
  REQUIRE(::readlink((dst + "/link").c_str(), buf, sizeof buf - 1) > 0);
  CHECK(std::string(buf) == "/etc/passwd");
}

TEST_CASE("sysctl: only namespaced keys, and only with the container's own namespace", "[mounts]") {
  Linux l;
  l.namespaces = {LinuxNamespace{NamespaceType::Network, {}}, LinuxNamespace{NamespaceType::Ipc, {}},
                  LinuxNamespace{NamespaceType::Uts, {}}};
  CHECK(test::value_of(sysctl_path("net.ipv4.ip_forward", l)) == "net/ipv4/ip_forward");
  CHECK(test::value_of(sysctl_path("net/ipv4/conf/eth0.100/rp_filter", l)) == "net/ipv4/conf/eth0.100/rp_filter");
  CHECK(test::value_of(sysctl_path("kernel.shmmax", l)) == "kernel/shmmax");
  CHECK(test::value_of(sysctl_path("fs.mqueue.msg_max", l)) == "fs/mqueue/msg_max");
  CHECK(test::value_of(sysctl_path("kernel.domainname", l)) == "kernel/domainname");
  for (const char* host : {"kernel.core_pattern", "vm.swappiness", "fs.file-max", "kernel.pid_max"}) {
    INFO(host);
    auto r = sysctl_path(host, l);
    REQUIRE(!r);
    CHECK(r.error().code == EPERM);
    CHECK(r.error().msg.find("not a namespaced sysctl") != std::string::npos);
  }
  for (const char* bad : {"net/../../kernel/core_pattern", "/net/x", ""}) {
    INFO(bad);
    CHECK(!sysctl_path(bad, l));
  }
  Linux none;
  none.namespaces = {LinuxNamespace{NamespaceType::Mount, {}}};
  for (const char* key : {"net.ipv4.ip_forward", "kernel.shmmax", "kernel.hostname"}) {
    INFO(key);
    auto r = sysctl_path(key, none);
    REQUIRE(!r);
    CHECK(r.error().msg.find("namespace of the container's own") != std::string::npos);
  }
}

TEST_CASE("bind trees: the runtime makes them with a new user namespace and a new mount namespace only", "[mount]") {
  Spec spec;
  spec.linux.namespaces = {{NamespaceType::Mount, std::nullopt}};
  CHECK_FALSE(runtime_makes_bind_trees(spec));  // no user namespace: the init is root on the host
  spec.linux.namespaces.push_back({NamespaceType::User, std::nullopt});
  CHECK(runtime_makes_bind_trees(spec));
  spec.linux.namespaces[0].path = "/proc/1/ns/mnt";  // joined: sources resolve there, by the init
  CHECK_FALSE(runtime_makes_bind_trees(spec));
  spec.linux.namespaces[0].path.reset();
  spec.linux.namespaces[1].path = "/proc/1/ns/user";
  CHECK_FALSE(runtime_makes_bind_trees(spec));
  spec.linux.namespaces = {{NamespaceType::User, std::nullopt}};  // no mount namespace: no mounts at all
  CHECK_FALSE(runtime_makes_bind_trees(spec));
}
