#include "ocirun/default_spec.hpp"

#include <unistd.h>

#include <initializer_list>
#include <string_view>
#include <vector>

#include "ocirun/json.hpp"

namespace ocirun {

namespace {

// The spec version written, as `runc spec` (1.1) writes it; every 1.x
// runtime reads it.
constexpr const char kSpecVersion[] = "1.0.2-dev";

struct MountEntry {
  std::string_view destination, type, source;
  std::vector<std::string_view> options;
};

// The mounts of the rootful spec, in the order they are made: /dev before
// what lives under it, /sys before /sys/fs/cgroup.
std::vector<MountEntry> default_mounts() {
  return {
      {"/proc", "proc", "proc", {}},
      {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}},
      {"/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
      {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
      {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}},
      {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}},
      {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}},
  };
}

// What changes for a rootless container, as `runc spec --rootless` does it.
// The /sys/fs/cgroup mount stays, as in runc: with the cgroup namespace it
// shows the container's own cgroup, and the runtime falls back to binding
// the host's hierarchy where an unprivileged mount of it is refused.
std::vector<MountEntry> rootless_mounts(std::vector<MountEntry> mounts) {
  for (MountEntry& m : mounts) {
    if (m.destination == "/sys") {
      // sysfs can only be mounted by the owner of the network namespace, and
      // a rootless container keeps the host's: bind the host's /sys instead.
      m = {"/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"}};
      continue;
    }
    // Only the user's own ids are mapped: gid=5 (tty) would not exist.
    std::erase_if(m.options, [](std::string_view o) { return o.starts_with("gid=") || o.starts_with("uid="); });
  }
  return mounts;
}

void string_array(json::Writer& w, std::initializer_list<std::string_view> items) {
  w.begin_array();
  for (std::string_view s : items) w.value(s);
  w.end_array();
}

void id_mapping(json::Writer& w, unsigned host_id) {
  w.begin_array();
  w.begin_object().key("containerID").value(0).key("hostID").value(host_id).key("size").value(1).end_object();
  w.end_array();
}

}  // namespace

std::string default_spec_json(bool rootless) {
  return default_spec_json(rootless, ::geteuid(), ::getegid());
}

std::string default_spec_json(bool rootless, uid_t host_uid, gid_t host_gid) {
  json::Writer w(4);
  w.begin_object();
  w.key("ociVersion").value(kSpecVersion);

  w.key("process").begin_object();
  w.key("terminal").value(true);
  w.key("user").begin_object().key("uid").value(0).key("gid").value(0).end_object();
  w.key("args");
  string_array(w, {"sh"});
  w.key("env");
  string_array(w, {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"});
  w.key("cwd").value("/");
  // Few capabilities, and none in the inheritable or ambient sets: those
  // would let the process keep them across exec of non-capability-aware
  // programs (runc dropped inheritable for CVE-2022-29162).
  w.key("capabilities").begin_object();
  for (const char* set : {"bounding", "effective", "permitted"}) {
    w.key(set);
    string_array(w, {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
  }
  w.end_object();
  w.key("rlimits").begin_array();
  w.begin_object().key("type").value("RLIMIT_NOFILE").key("hard").value(1024).key("soft").value(1024).end_object();
  w.end_array();
  w.key("noNewPrivileges").value(true);
  w.end_object();

  w.key("root").begin_object().key("path").value("rootfs").key("readonly").value(true).end_object();
  w.key("hostname").value("ocirun");

  w.key("mounts").begin_array();
  std::vector<MountEntry> mounts = rootless ? rootless_mounts(default_mounts()) : default_mounts();
  for (const MountEntry& m : mounts) {
    w.begin_object();
    w.key("destination").value(m.destination);
    w.key("type").value(m.type);
    w.key("source").value(m.source);
    if (!m.options.empty()) {
      w.key("options").begin_array();
      for (std::string_view o : m.options) w.value(o);
      w.end_array();
    }
    w.end_object();
  }
  w.end_array();

  w.key("linux").begin_object();
  if (rootless) {
    w.key("uidMappings");
    id_mapping(w, static_cast<unsigned>(host_uid));
    w.key("gidMappings");
    id_mapping(w, static_cast<unsigned>(host_gid));
  } else {
    // Deny every device: the default devices every container gets
    // (config-linux.md, "Default Devices") are the runtime's to allow. A
    // rootless container has no cgroup it may be sure to write to, so it
    // gets no resources at all.
    w.key("resources").begin_object().key("devices").begin_array();
    w.begin_object().key("allow").value(false).key("access").value("rwm").end_object();
    w.end_array().end_object();
  }
  w.key("namespaces").begin_array();
  // The cgroup namespace always (runc adds it only on cgroup v2 hosts): the
  // file should not depend on the machine that wrote it, and the kernel
  // supports it on v1 and hybrid hosts too. Rootless keeps the host's
  // network namespace (an unprivileged user could not configure a new one)
  // and adds the user namespace, last, as runc does.
  for (const char* ns : {"pid", "network", "ipc", "uts", "mount", "cgroup"}) {
    if (rootless && std::string_view(ns) == "network") continue;
    w.begin_object().key("type").value(ns).end_object();
  }
  if (rootless) w.begin_object().key("type").value("user").end_object();
  w.end_array();
  // Host information and knobs that proc and sys expose to anyone.
  w.key("maskedPaths");
  string_array(w, {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                   "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
                   "/sys/devices/virtual/tpm"});
  w.key("readonlyPaths");
  string_array(w, {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"});
  w.end_object();

  w.end_object();
  std::string out = w.take();
  out += '\n';
  return out;
}

}  // namespace ocirun
