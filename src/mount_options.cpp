#include "ocirun/mount_options.hpp"

#include <sys/mount.h>

#include <algorithm>
#include <array>

namespace ocirun {

namespace {

struct FlagOption {
  const char* name;
  bool clear;  // the option clears the flag (rw, suid, dev, exec, ...)
  unsigned long flag;
};

// mount(8)'s flag options, as the spec's mount options table lists them.
constexpr FlagOption kFlagOptions[] = {
    {"defaults", false, 0},
    {"ro", false, MS_RDONLY},           {"rw", true, MS_RDONLY},
    {"nosuid", false, MS_NOSUID},       {"suid", true, MS_NOSUID},
    {"nodev", false, MS_NODEV},         {"dev", true, MS_NODEV},
    {"noexec", false, MS_NOEXEC},       {"exec", true, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},    {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},
    {"remount", false, MS_REMOUNT},
    {"mand", false, MS_MANDLOCK},       {"nomand", true, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},     {"atime", true, MS_NOATIME},
    {"nodiratime", false, MS_NODIRATIME}, {"diratime", true, MS_NODIRATIME},
    {"relatime", false, MS_RELATIME},   {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME}, {"nostrictatime", true, MS_STRICTATIME},
    {"lazytime", false, MS_LAZYTIME},   {"nolazytime", true, MS_LAZYTIME},
    {"silent", false, MS_SILENT},       {"loud", true, MS_SILENT},
    {"iversion", false, MS_I_VERSION},  {"noiversion", true, MS_I_VERSION},
    {"nosymfollow", false, MS_NOSYMFOLLOW}, {"symfollow", true, MS_NOSYMFOLLOW},
};

struct PropagationOption {
  const char* name;
  unsigned long flags;
};

constexpr PropagationOption kPropagationOptions[] = {
    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

// Options of the spec that need mount_setattr(2) or copying, which the
// rootfs work brings; refused until then rather than passed as data.
constexpr std::array<std::string_view, 20> kNotYet = {
    "rro",     "rrw",     "rnosuid",     "rsuid",        "rnodev",  "rdev",       "rnoexec",
    "rexec",   "rnoatime", "ratime",     "rnodiratime",  "rdiratime", "rrelatime", "rnorelatime",
    "rstrictatime", "rnostrictatime", "rnosymfollow", "rsymfollow", "tmpcopyup", "idmap",
};

}  // namespace

Result<MountOptions> parse_mount_options(const std::vector<std::string>& options) {
  MountOptions out;
  for (const std::string& opt : options) {
    bool known = false;
    for (const FlagOption& f : kFlagOptions) {
      if (opt != f.name) continue;
      if (f.clear) out.flags &= ~f.flag;
      else out.flags |= f.flag;
      known = true;
      break;
    }
    if (known) continue;
    for (const PropagationOption& p : kPropagationOptions) {
      if (opt != p.name) continue;
      out.propagation = p.flags;
      known = true;
      break;
    }
    if (known) continue;
    if (opt == "bind" || opt == "rbind") {
      out.bind = true;
      out.flags |= MS_BIND | (opt == "rbind" ? MS_REC : 0);
      continue;
    }
    for (std::string_view n : kNotYet)
      if (opt == n || opt == "ridmap") return fail("mount option \"" + opt + "\" is not supported yet", ENOTSUP);
    if (!out.data.empty()) out.data += ',';
    out.data += opt;
  }
  return out;
}

std::vector<std::string> recognized_mount_options() {
  std::vector<std::string> out{"bind", "rbind"};
  for (const FlagOption& f : kFlagOptions) out.emplace_back(f.name);
  for (const PropagationOption& p : kPropagationOptions) out.emplace_back(p.name);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace ocirun
