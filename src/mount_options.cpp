#include "ocirun/mount_options.hpp"

#include <sys/mount.h>

#include <algorithm>

namespace ocirun {

namespace {

// An option of mount(8) that is a mount flag. `ms` is its mount(2) flag
// (for remount), `attr` its mount attribute (0: a superblock flag only),
// `sb` whether fsconfig takes it as a flag of a new superblock.
struct FlagOption {
  const char* name;
  bool clear;          // the option clears the flag (rw, suid, dev, exec, ...)
  unsigned long ms;
  std::uint64_t attr;
  bool sb;
};

constexpr std::uint64_t kAtime = MOUNT_ATTR__ATIME;

constexpr FlagOption kFlagOptions[] = {
    {"defaults", false, 0, 0, false},
    {"ro", false, MS_RDONLY, MOUNT_ATTR_RDONLY, true},
    {"rw", true, MS_RDONLY, MOUNT_ATTR_RDONLY, true},
    {"nosuid", false, MS_NOSUID, MOUNT_ATTR_NOSUID, false},
    {"suid", true, MS_NOSUID, MOUNT_ATTR_NOSUID, false},
    {"nodev", false, MS_NODEV, MOUNT_ATTR_NODEV, false},
    {"dev", true, MS_NODEV, MOUNT_ATTR_NODEV, false},
    {"noexec", false, MS_NOEXEC, MOUNT_ATTR_NOEXEC, false},
    {"exec", true, MS_NOEXEC, MOUNT_ATTR_NOEXEC, false},
    {"sync", false, MS_SYNCHRONOUS, 0, true},
    {"async", true, MS_SYNCHRONOUS, 0, true},
    {"dirsync", false, MS_DIRSYNC, 0, true},
    {"mand", false, MS_MANDLOCK, 0, true},
    {"nomand", true, MS_MANDLOCK, 0, true},
    {"lazytime", false, MS_LAZYTIME, 0, true},
    {"nolazytime", true, MS_LAZYTIME, 0, true},
    // Only the kernel's log of a failed mount: nothing to apply with fsconfig.
    {"silent", false, MS_SILENT, 0, false},
    {"loud", true, MS_SILENT, 0, false},
    // The kernel sets i_version itself where the filesystem supports it,
    // and ignores MS_I_VERSION from user space.
    {"iversion", false, MS_I_VERSION, 0, false},
    {"noiversion", true, MS_I_VERSION, 0, false},
    {"nodiratime", false, MS_NODIRATIME, MOUNT_ATTR_NODIRATIME, false},
    {"diratime", true, MS_NODIRATIME, MOUNT_ATTR_NODIRATIME, false},
    {"nosymfollow", false, MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW, false},
    {"symfollow", true, MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW, false},
};

// The atime family is one field of the mount attributes: setting any of
// them replaces the others. atime, nostrictatime: the kernel's default
// (relatime); norelatime: every access updates atime.
struct AtimeOption {
  const char* name;
  unsigned long ms_set, ms_clear;
  std::uint64_t attr;
};

constexpr AtimeOption kAtimeOptions[] = {
    {"noatime", MS_NOATIME, 0, MOUNT_ATTR_NOATIME},
    {"atime", 0, MS_NOATIME, MOUNT_ATTR_RELATIME},
    {"relatime", MS_RELATIME, 0, MOUNT_ATTR_RELATIME},
    {"norelatime", 0, MS_RELATIME, MOUNT_ATTR_STRICTATIME},
    {"strictatime", MS_STRICTATIME, 0, MOUNT_ATTR_STRICTATIME},
    {"nostrictatime", 0, MS_STRICTATIME, MOUNT_ATTR_RELATIME},
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

void change(MountAttrChange& c, std::uint64_t attr, bool clear) {
  if (clear) {
    c.set &= ~attr;
    c.clr |= attr;
  } else {
    c.clr &= ~attr;
    c.set |= attr;
  }
}

void change_atime(MountAttrChange& c, std::uint64_t attr) {
  c.set = (c.set & ~kAtime) | attr;
  c.clr |= kAtime;
}

void set_sb_flag(std::vector<std::string>& flags, const FlagOption& f) {
  // ro after rw (and the like) leaves one of the pair: the last.
  for (const FlagOption& o : kFlagOptions)
    if (o.sb && o.ms == f.ms) std::erase(flags, std::string(o.name));
  flags.emplace_back(f.name);
}

// "a=1,b" as mount(8) splits options: at commas outside double quotes.
void split_params(const std::string& opt, std::vector<std::string>& out) {
  std::string cur;
  bool quoted = false;
  for (char c : opt) {
    if (c == '"') quoted = !quoted;
    if (c == ',' && !quoted) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
      continue;
    }
    cur.push_back(c);
  }
  if (!cur.empty()) out.push_back(std::move(cur));
}

// The spec's recursive options: "r" + a flag option, applied with
// mount_setattr(AT_RECURSIVE). Returns false if `opt` is not one.
bool apply_recursive(MountOptions& out, std::string_view opt) {
  if (opt.size() < 3 || opt[0] != 'r') return false;
  std::string_view base = opt.substr(1);
  for (const FlagOption& f : kFlagOptions) {
    if (base != f.name || f.attr == 0) continue;
    change(out.rattr, f.attr, f.clear);
    return true;
  }
  for (const AtimeOption& a : kAtimeOptions) {
    if (base != a.name) continue;
    change_atime(out.rattr, a.attr);
    return true;
  }
  return false;
}

}  // namespace

Result<MountOptions> parse_mount_options(const std::vector<std::string>& options) {
  MountOptions out;
  for (const std::string& opt : options) {
    bool known = false;
    for (const FlagOption& f : kFlagOptions) {
      if (opt != f.name) continue;
      if (f.clear) out.flags &= ~f.ms;
      else out.flags |= f.ms;
      if (f.attr != 0) change(out.attr, f.attr, f.clear);
      if (f.sb) set_sb_flag(out.sb_flags, f);
      known = true;
      break;
    }
    if (known) continue;
    for (const AtimeOption& a : kAtimeOptions) {
      if (opt != a.name) continue;
      out.flags = (out.flags & ~(MS_NOATIME | MS_RELATIME | MS_STRICTATIME | a.ms_clear)) | a.ms_set;
      change_atime(out.attr, a.attr);
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
      out.recursive = out.recursive || opt == "rbind";
      out.flags |= MS_BIND | (opt == "rbind" ? MS_REC : 0);
      continue;
    }
    if (opt == "remount") {
      out.remount = true;
      out.flags |= MS_REMOUNT;
      continue;
    }
    if (opt == "tmpcopyup") {
      out.tmpcopyup = true;
      continue;
    }
    if (opt == "idmap" || opt == "ridmap") {
      // idmap and ridmap "SHOULD NOT be passed to the underlying mount(2) call".
      out.idmap = opt == "idmap" ? IdmapKind::Top : IdmapKind::Recursive;
      continue;
    }
    if (apply_recursive(out, opt)) continue;
    split_params(opt, out.fs_params);
  }
  for (const std::string& p : out.fs_params) {
    if (!out.data.empty()) out.data += ',';
    out.data += p;
  }
  return out;
}

void add_mount_label(MountOptions& opts, std::string_view type, const std::string& label) {
  if (label.empty() || opts.bind || opts.remount) return;
  for (std::string_view no : {"bind", "proc", "sysfs", "mqueue", "cgroup", "cgroup2"})
    if (type == no) return;
  // One fsconfig parameter: no quotes, which mount(2)'s comma-separated
  // data needs around an MCS range ("s0:c1,c2") and fsconfig does not.
  std::string param = "context=" + label;
  opts.fs_params.push_back(param);
  if (!opts.data.empty()) opts.data += ',';
  opts.data += "context=\"" + label + "\"";
}

std::vector<std::string> recognized_mount_options() {
  std::vector<std::string> out{"bind", "idmap", "rbind", "remount", "ridmap", "tmpcopyup"};
  for (const FlagOption& f : kFlagOptions) {
    out.emplace_back(f.name);
    if (f.attr != 0) out.push_back(std::string("r") + f.name);
  }
  for (const AtimeOption& a : kAtimeOptions) {
    out.emplace_back(a.name);
    out.push_back(std::string("r") + a.name);
  }
  for (const PropagationOption& p : kPropagationOptions) out.emplace_back(p.name);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace ocirun
