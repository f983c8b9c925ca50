#include "ocirun/capabilities.hpp"

#include <linux/capability.h>

namespace ocirun {

namespace {

// Indexed by capability number, as in capabilities(7).
constexpr const char* kNames[] = {
    "CAP_CHOWN",             // 0
    "CAP_DAC_OVERRIDE",      // 1
    "CAP_DAC_READ_SEARCH",   // 2
    "CAP_FOWNER",            // 3
    "CAP_FSETID",            // 4
    "CAP_KILL",              // 5
    "CAP_SETGID",            // 6
    "CAP_SETUID",            // 7
    "CAP_SETPCAP",           // 8
    "CAP_LINUX_IMMUTABLE",   // 9
    "CAP_NET_BIND_SERVICE",  // 10
    "CAP_NET_BROADCAST",     // 11
    "CAP_NET_ADMIN",         // 12
    "CAP_NET_RAW",           // 13
    "CAP_IPC_LOCK",          // 14
    "CAP_IPC_OWNER",         // 15
    "CAP_SYS_MODULE",        // 16
    "CAP_SYS_RAWIO",         // 17
    "CAP_SYS_CHROOT",        // 18
    "CAP_SYS_PTRACE",        // 19
    "CAP_SYS_PACCT",         // 20
    "CAP_SYS_ADMIN",         // 21
    "CAP_SYS_BOOT",          // 22
    "CAP_SYS_NICE",          // 23
    "CAP_SYS_RESOURCE",      // 24
    "CAP_SYS_TIME",          // 25
    "CAP_SYS_TTY_CONFIG",    // 26
    "CAP_MKNOD",             // 27
    "CAP_LEASE",             // 28
    "CAP_AUDIT_WRITE",       // 29
    "CAP_AUDIT_CONTROL",     // 30
    "CAP_SETFCAP",           // 31
    "CAP_MAC_OVERRIDE",      // 32
    "CAP_MAC_ADMIN",         // 33
    "CAP_SYSLOG",            // 34
    "CAP_WAKE_ALARM",        // 35
    "CAP_BLOCK_SUSPEND",     // 36
    "CAP_AUDIT_READ",        // 37
    "CAP_PERFMON",           // 38
    "CAP_BPF",               // 39
    "CAP_CHECKPOINT_RESTORE",  // 40
};

static_assert(sizeof(kNames) / sizeof(kNames[0]) == kCapLast + 1);
// The kernel headers this was built against agree on the numbering.
static_assert(CAP_SYS_ADMIN == 21 && CAP_AUDIT_READ == 37);
static_assert(CAP_CHECKPOINT_RESTORE == kCapLast);

}  // namespace

std::optional<int> capability_from_name(std::string_view name) {
  // Every name starts with "CAP_"; checking it once keeps the scan below to
  // comparisons of the distinctive part, and rejects most junk early.
  if (name.size() < 5 || name.substr(0, 4) != "CAP_") return std::nullopt;
  for (int i = 0; i <= kCapLast; i++) {
    if (name == kNames[i]) return i;
  }
  return std::nullopt;
}

const char* capability_name(int cap) {
  if (cap < 0 || cap > kCapLast) return nullptr;
  return kNames[cap];
}

}  // namespace ocirun
