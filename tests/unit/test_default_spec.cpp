// The config.json of `ocirun spec`: parsed back with the JSON module and
// checked field by field against what `runc spec` writes.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "ocirun/default_spec.hpp"
#include "ocirun/json.hpp"

using namespace ocirun;

namespace {

json::Node at(const json::Node& n, std::string_view key) {
  auto child = n.find(key);
  INFO("missing key " << n.path() << "." << key);
  REQUIRE(child);
  return *child;
}

std::string str(const json::Node& n) {
  auto s = n.string();
  INFO(n.path());
  REQUIRE(s);
  return std::string(*s);
}

std::vector<std::string> strings(const json::Node& n) {
  std::vector<std::string> out;
  REQUIRE(n.is_array());
  for (std::size_t i = 0; i < n.size(); i++) out.push_back(str(n.at(i)));
  return out;
}

// The mount at destination, or fails.
json::Node mount(const json::Node& root, std::string_view destination) {
  json::Node mounts = at(root, "mounts");
  for (std::size_t i = 0; i < mounts.size(); i++)
    if (str(at(mounts.at(i), "destination")) == destination) return mounts.at(i);
  FAIL("no mount at " << destination);
  return mounts;
}

std::vector<std::string> namespace_types(const json::Node& root) {
  std::vector<std::string> out;
  json::Node ns = at(at(root, "linux"), "namespaces");
  for (std::size_t i = 0; i < ns.size(); i++) out.push_back(str(at(ns.at(i), "type")));
  return out;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("default spec: the fields runc spec writes", "[default_spec]") {
  std::string text = default_spec_json(false);
  CHECK(text.back() == '\n');
  CHECK(text.find("\n    \"process\": {") != std::string::npos);  // 4-space indent
  auto doc = json::Document::parse(text);
  REQUIRE(doc);
  json::Node root = doc->root();

  CHECK(str(at(root, "ociVersion")) == "1.0.2-dev");
  json::Node process = at(root, "process");
  CHECK(*at(process, "terminal").boolean());
  CHECK(*at(at(process, "user"), "uid").uint32() == 0);
  CHECK(*at(at(process, "user"), "gid").uint32() == 0);
  CHECK(strings(at(process, "args")) == Strings{"sh"});
  CHECK(strings(at(process, "env")) ==
        Strings{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"});
  CHECK(str(at(process, "cwd")) == "/");
  json::Node caps = at(process, "capabilities");
  for (const char* set : {"bounding", "effective", "permitted"})
    CHECK(strings(at(caps, set)) == Strings{"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
  CHECK_FALSE(caps.find("inheritable"));
  CHECK_FALSE(caps.find("ambient"));
  json::Node rlimits = at(process, "rlimits");
  REQUIRE(rlimits.size() == 1);
  CHECK(str(at(rlimits.at(0), "type")) == "RLIMIT_NOFILE");
  CHECK(*at(rlimits.at(0), "hard").uint64() == 1024);
  CHECK(*at(rlimits.at(0), "soft").uint64() == 1024);
  CHECK(*at(process, "noNewPrivileges").boolean());

  CHECK(str(at(at(root, "root"), "path")) == "rootfs");
  CHECK(*at(at(root, "root"), "readonly").boolean());
  CHECK(str(at(root, "hostname")) == "ocirun");

  json::Node mounts = at(root, "mounts");
  Strings destinations;
  for (std::size_t i = 0; i < mounts.size(); i++) destinations.push_back(str(at(mounts.at(i), "destination")));
  CHECK(destinations == Strings{"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"});
  struct Want {
    const char* destination;
    const char* type;
    const char* source;
    Strings options;
  };
  for (const Want& w : {
           Want{"/proc", "proc", "proc", {}},
           Want{"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}},
           Want{"/dev/pts", "devpts", "devpts",
                {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
           Want{"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
           Want{"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}},
           Want{"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}},
           Want{"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}},
       }) {
    INFO(w.destination);
    json::Node m = mount(root, w.destination);
    CHECK(str(at(m, "type")) == w.type);
    CHECK(str(at(m, "source")) == w.source);
    auto options = m.find("options");
    CHECK((options ? strings(*options) : Strings{}) == w.options);
  }

  json::Node linux = at(root, "linux");
  json::Node devices = at(at(linux, "resources"), "devices");
  REQUIRE(devices.size() == 1);
  CHECK_FALSE(*at(devices.at(0), "allow").boolean());
  CHECK(str(at(devices.at(0), "access")) == "rwm");
  CHECK(namespace_types(root) == Strings{"pid", "network", "ipc", "uts", "mount", "cgroup"});
  CHECK_FALSE(linux.find("uidMappings"));
  CHECK_FALSE(linux.find("gidMappings"));
  Strings masked = strings(at(linux, "maskedPaths"));
  for (const char* p : {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"})
    CHECK(std::find(masked.begin(), masked.end(), p) != masked.end());
  CHECK(strings(at(linux, "readonlyPaths")) ==
        Strings{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"});
}

TEST_CASE("default spec --rootless: a user namespace mapping the current ids", "[default_spec]") {
  auto doc = json::Document::parse(default_spec_json(true));
  REQUIRE(doc);
  json::Node root = doc->root();
  json::Node linux = at(root, "linux");

  CHECK(namespace_types(root) == Strings{"pid", "ipc", "uts", "mount", "cgroup", "user"});
  for (auto [key, id] : {std::pair{"uidMappings", static_cast<unsigned>(::geteuid())},
                         std::pair{"gidMappings", static_cast<unsigned>(::getegid())}}) {
    INFO(key);
    json::Node maps = at(linux, key);
    REQUIRE(maps.size() == 1);
    CHECK(*at(maps.at(0), "containerID").uint32() == 0);
    CHECK(*at(maps.at(0), "hostID").uint32() == id);
    CHECK(*at(maps.at(0), "size").uint32() == 1);
  }
  CHECK_FALSE(linux.find("resources"));

  // /sys: the host's, bound read-only, since sysfs needs an owned netns.
  json::Node sys = mount(root, "/sys");
  CHECK(str(at(sys, "type")) == "none");
  CHECK(str(at(sys, "source")) == "/sys");
  CHECK(strings(at(sys, "options")) == Strings{"rbind", "nosuid", "noexec", "nodev", "ro"});
  // No gid=5: tty's gid is not mapped.
  CHECK(strings(at(mount(root, "/dev/pts"), "options")) ==
        Strings{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"});
  // The rest as in the rootful spec.
  CHECK(strings(at(mount(root, "/dev"), "options")) == Strings{"nosuid", "strictatime", "mode=755", "size=65536k"});
  CHECK(str(at(at(root, "process"), "cwd")) == "/");
}

TEST_CASE("default spec --rootless with explicit ids", "[default_spec]") {
  auto doc = json::Document::parse(default_spec_json(true, 4000000000u, 1234));
  REQUIRE(doc);
  json::Node linux = at(doc->root(), "linux");
  CHECK(*at(at(linux, "uidMappings").at(0), "hostID").uint32() == 4000000000u);
  CHECK(*at(at(linux, "gidMappings").at(0), "hostID").uint32() == 1234);
  // The rootful spec ignores the ids.
  CHECK(default_spec_json(false, 5, 6) == default_spec_json(false));
}
